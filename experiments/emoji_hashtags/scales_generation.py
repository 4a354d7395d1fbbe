"""Scales, rows and notes shared by the hashtag-generation experiments (Table 2, 3, Figure 5).

`smoke` keeps 1,000 hashtag tweets and tiny dims (the tests); `cpu` every hashtag tweet with
dims cut for two cores; `paper` the paper's sizes. Table 3's popularity threshold (the paper:
more than 100 tweets in about 50,000) is scaled with the number of tweets at `smoke`.
"""

from experiments.deepmoji.encoder_stage import PretrainConfig
from experiments.emoji_hashtags.generation_task import HashtagGenConfig
from orchestration import Row

SCALES = {
    # 1,000 tweets (~100 test), dims 16, 2 epochs, beam 3 over at most 5 words; encoders of dim 8
    # on 600 tweets. Popular = in more than 2 tweets (100 x 1,000 / 44,158 rounded).
    "smoke": HashtagGenConfig(
        max_tweets=1_000, popular_threshold=2, vocab_size=3_000, max_src_len=30, max_tgt_len=5,
        embed_dim=16, hidden=16, epochs=2, patience=1, beam=3, knn_neighbours=5,
        pretrain=PretrainConfig(max_train=600, max_val=150, max_test=100, vocab_size=3_000,
                                max_len=20, embed_dim=8, hidden=8, epochs=2, patience=1)),
    # every hashtag tweet: ~35k training tweets = ~92k tweet-hashtag pairs, 4.3k test tweets; a
    # 10k vocabulary spells 91% of test gold hashtag words (5k: 84%); trained until validation
    # loss stops improving (patience 3; the cap is a safety net), as the paper's best epoch is its
    # 2nd of 64k samples and ours come later.
    "cpu": HashtagGenConfig(
        vocab_size=10_000, min_count=2, max_src_len=30, max_tgt_len=8, embed_dim=64, hidden=64,
        copy=True, epochs=50, patience=3, beam=5,
        pretrain=PretrainConfig(min_count=2, max_len=30, embed_dim=64, hidden=64, max_test=1_000,
                                epochs=50, patience=3)),
    # the paper's: embeddings 200, Bi-GRU 300, vocabulary 30k, copy, beam 20, 10 words;
    # SEQ2SEQ-Emoji fuses DeepMoji's published model (256, 2 x 512: a 2304-d vector; needs
    # $EMOJITAGS_DEEPMOJI_WEIGHTS or internet), SEQ2SEQ-Word a word encoder of its sizes trained here.
    # Add workers=4 use_gpu=true on a cluster.
    "paper": HashtagGenConfig(
        vocab_size=30_000, embed_dim=200, hidden=300, copy=True, epochs=20, patience=2, beam=20,
        max_tgt_len=10,
        pretrain=PretrainConfig(model="published", embed_dim=256, hidden=512, vocab_size=50_000, max_len=30,
                                batch_size=250, epochs=30, patience=3)),
}

KNN_FLOOR, FREQUENT_FLOOR = "TF-IDF neighbours' vote (floor)", "most frequent tags (floor)"
# Each row names every knob, so no command-line override can turn one row into another.
ROWS = (
    Row("Base (NoEmoji)", {"input": "noemoji", "fusion": "none"}),
    Row("Base (emoji as token)", {"input": "emoji_token", "fusion": "none"}),
    Row("Base (Demoji)", {"input": "demoji", "fusion": "none"}),
    Row("SEQ2SEQ-Word", {"input": "noemoji", "fusion": "words"}),
    Row("SEQ2SEQ-Emoji", {"input": "noemoji", "fusion": "emojis"}),
    Row(KNN_FLOOR, {"generator": "knn", "input": "noemoji", "fusion": "none"}),
    Row(FREQUENT_FLOOR, {"generator": "frequent", "input": "noemoji", "fusion": "none"}),
)
GENERATOR_ROWS = tuple(r.name for r in ROWS[:5])

DATA_NOTE = (
    "tweeteval_emoji train+val+test pooled, the 44,158 tweets with at least one hashtag (the paper: "
    "Twitter 2020, 50,000 tweets of May 2020). TweetEval cut each tweet's one emoji (its label) out; a "
    "seeded 16% of the tweets get it back (the paper's share of tweets with emojis), which the emoji "
    "rows read (as itself / as its name's words) and the frozen encoders read with the post. Post = "
    "text without hashtags; gold = each hashtag lower-cased and segmented into words (unigram "
    "segmenter on TweetEval's words; a form written apart more often than glued, `losangeles`, is "
    "split). Split 8:1:1 by a hash of the text. Frozen encoders: DeepMoji-style, pretrained on "
    "TweetEval's 55,842 tweets without a hashtag (51,263 training, 3,136 validation, 1,443 scored; so "
    "on no tweet of any split here) to predict its 20 "
    "emojis (SEQ2SEQ-Emoji) or 20 document-frequency-matched words (SEQ2SEQ-Word), not on 1.2 billion "
    "tweets and 64 emojis (at scale paper, SEQ2SEQ-Emoji reads DeepMoji's published model, trained on "
    "those); one encoder per target serves every seed. Floors: the targets of the post's "
    "10 TF-IDF nearest training posts voted by similarity, and the 5 most frequent training targets. "
    "The F1@1 ceiling column is the F1@1 of a top-1 always right (a tweet with n golds caps it at "
    "2/(1+n))"
)

PAPER_NOTE = "Table 2, Twitter 2020 column"
