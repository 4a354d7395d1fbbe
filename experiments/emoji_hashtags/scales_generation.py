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
        embed_dim=16, hidden=16, epochs=2, patience=1, beam=3,
        pretrain=PretrainConfig(max_train=600, max_val=150, max_test=100, vocab_size=3_000,
                                max_len=20, embed_dim=8, hidden=8, epochs=2, patience=1)),
    # every hashtag tweet: ~35k training tweets = ~92k tweet-hashtag pairs, 4.3k test tweets. The
    # output softmax dominates a step, so the vocabulary is cut to 5k (72% of test hashtags are
    # spelt with it; 83% at 10k) and training to 2 epochs (the paper's best epoch is its 2nd, of
    # 64k samples). A cell is about 5.5 min on one core; see table2.py for the whole table.
    "cpu": HashtagGenConfig(
        vocab_size=5_000, min_count=2, max_src_len=30, max_tgt_len=8, embed_dim=64, hidden=64,
        copy=True, epochs=2, patience=1, beam=5,
        pretrain=PretrainConfig(min_count=2, max_len=30, embed_dim=64, hidden=64, max_test=1_000,
                                epochs=4, patience=1)),
    # the paper's: embeddings 200, Bi-GRU 300, vocabulary 30k, copy, beam 20, 10 words;
    # DeepMoji's encoder (256, 2 x 512: a 2304-d vector). Add workers=4 use_gpu=true on a cluster.
    "paper": HashtagGenConfig(
        vocab_size=30_000, embed_dim=200, hidden=300, copy=True, epochs=20, patience=2, beam=20,
        max_tgt_len=10,
        pretrain=PretrainConfig(embed_dim=256, hidden=512, vocab_size=50_000, max_len=30,
                                batch_size=250, epochs=30, patience=3)),
}

# Each row names both knobs, so no command-line override can turn one row into another.
ROWS = (
    Row("Base (NoEmoji)", {"input": "noemoji", "fusion": "none"}),
    Row("Base (emoji as token)", {"input": "emoji_token", "fusion": "none"}),
    Row("Base (Demoji)", {"input": "demoji", "fusion": "none"}),
    Row("SEQ2SEQ-Word", {"input": "noemoji", "fusion": "words"}),
    Row("SEQ2SEQ-Emoji", {"input": "noemoji", "fusion": "emojis"}),
)

DATA_NOTE = (
    "tweeteval_emoji train+val+test pooled, the 44,158 tweets with at least one hashtag (the paper: "
    "Twitter 2020, 50,000 tweets of May 2020). Each tweet's label emoji was cut out by TweetEval (so "
    "no tweet keeps an emoji); the emoji rows put it back at the end (as itself / as its name's "
    "words). Post = text without hashtags; gold = each hashtag lower-cased and segmented into words "
    "(unigram segmenter on TweetEval's words). Split 8:1:1; the test tenth is the tweets whose text "
    "encoder_stage.holdout_mask(seed=split_seed, 0.1) holds out, which both frozen encoders never "
    "trained on. Frozen encoders: DeepMoji-style, pretrained on the rest of TweetEval train/val to "
    "predict its 20 emojis (SEQ2SEQ-Emoji) or 20 document-frequency-matched words (SEQ2SEQ-Word), "
    "not on 1.2 billion tweets and 64 emojis; one encoder per target serves every seed"
)

PAPER_NOTE = "Table 2, Twitter 2020 column"
