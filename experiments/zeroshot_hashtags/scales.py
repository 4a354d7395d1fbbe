"""The three scales of the zero-shot hashtag experiments, and the data note of their captions.

`smoke`: 12 tweets per hashtag (600), word2vec of 16 dims on 3,000 tweets, tiny models, two
Optuna trials per (model, fold); under a minute per table on a quiet machine. `cpu` and `paper`:
balanced classes as the paper's, 100 tweets per hashtag (every label has at least 100; 5,000
tweets), word2vec 150-d on all 100,000 tweets, hidden layers of 256 units,
4 search trials of 2 epochs on 3,000 tweets per (model, fold), at most 10 epochs after.
Measured one-thread epochs on 4,800 tweets: ANN 1.7 s, CNN 3.4, GRU×2 4.1, GRU+attention 3.2,
Transformer 8.1 (a fast server core); so on 2 cores table2 is about 15 min there and 25-30 on
a laptop, table3 (18 feature models) about 8 and 12-18, from a cold store. `paper`: the
paper's 1024-unit models and longer searches, for a GPU cluster (add workers=4 use_gpu=true).
"""

from experiments.zeroshot_hashtags.data import ZeroShotConfig

# Table 3's test tweets per unseen hashtag: the smallest hashtag's 36 cleaned tweets less the
# 10 a few-shot draw may take, so every draw can give every unseen hashtag the same count.
TEST_PER_UNSEEN = 26


def scales(mode: str) -> dict[str, ZeroShotConfig]:
    return {
        "smoke": ZeroShotConfig(
            mode=mode, max_per_label=12, max_len=15, w2v_dim=16, w2v_max_tweets=3_000, w2v_epochs=1,
            w2v_min_count=2, label_min_count=5, hidden=16, n_heads=2, epochs=2, patience=1, batch_size=32,
            search_samples=2, search_epochs=1, few_shot_min=2, few_shot_max=4, test_per_unseen=8, dem_epochs=50,
            dem_lr=1e-2),
        "cpu": ZeroShotConfig(
            mode=mode, max_per_label=100, max_len=30, hidden=256, epochs=10, patience=2, batch_size=64,
            search_samples=4, search_epochs=2, search_max_train=3_000, test_per_unseen=TEST_PER_UNSEEN,
            dem_epochs=500, dem_lr=1e-2),
        "paper": ZeroShotConfig(
            mode=mode, max_per_label=100, max_len=50, hidden=1024, epochs=30, patience=3, batch_size=64,
            search_samples=16, search_epochs=5, test_per_unseen=TEST_PER_UNSEEN, dem_epochs=1_000,
            dem_lr=1e-3),
    }


DATA_NOTE = (
    "tweeteval_emoji train+val+test pooled (100,000 US tweets of 2015-2017; the paper crawled 805k "
    "tweets in January 2019). Labels: the 50 hashtags used in the most tweets (each in >= 100; `#i`, "
    "the rest of `#I<emoji>...` after TweetEval cut its emojis, excluded); an example is a tweet "
    "holding exactly one of them (at most 100 per hashtag, drawn at random after cleaning; a hashtag with fewer keeps all, so 36 to 100; the paper balanced at >= 200), every hashtag cut out of its text, cleaned as the paper's sec. 3.2 "
    "(lower case, ASCII, links and scikit-learn's English stop words removed, duplicates dropped) "
    "and kept with >= 3 words left (the paper: 5, on longer tweets). Skip-gram word2vec on all "
    "100,000 tweets with hashtags as `#tag` tokens; a label's vector is its `#tag` vector "
    "(segmented words averaged for a tag seen < 20 times)"
)
