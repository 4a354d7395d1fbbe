"""The three scales of the DeepMoji experiments: pretraining, and transfer from that encoder.

The transfer scales embed the pretraining scale of the same name, so `transfer.py --scale cpu`
reuses the encoder `pretrain.py --scale cpu` built (its emoji row, seed 0), or builds it first.
"""

import dataclasses

from experiments.deepmoji.encoder_stage import PretrainConfig
from experiments.deepmoji.transfer_task import TransferConfig

PRETRAIN_SCALES = {
    # a few hundred tweets, tiny dims: seconds, what the tests run
    "smoke": PretrainConfig(max_train=400, max_val=100, max_test=400, vocab_size=3000, max_len=20,
                            embed_dim=8, hidden=8, batch_size=32, epochs=2, patience=2),
    # all 45k/5k/50k TweetEval tweets, dims cut for two CPU cores; trained until validation
    # stops improving (patience 3; the cap a safety net), as the headline's encoders are
    "cpu": PretrainConfig(min_count=2, max_len=30, embed_dim=64, hidden=64, batch_size=64,
                          epochs=50, patience=3),
    # DeepMoji's encoder: embedding 256, two BiLSTMs of 512, 50k vocabulary, 30 tokens
    # (add workers=4 use_gpu=true on a GPU cluster)
    "paper": PretrainConfig(embed_dim=256, hidden=512, vocab_size=50_000, max_len=30, batch_size=250,
                            epochs=30, patience=3),
}

TRANSFER_SCALES = {
    # every benchmark and mode, ~120 examples each: every code path in a few minutes
    "smoke": TransferConfig(pretrain=PRETRAIN_SCALES["smoke"], max_train=60, max_val=20, max_test=40,
                            max_len=20, epoch_size=64, batch_size=32, epochs=2, patience=1),
    # DeepMoji's protocol on whole benchmarks (patience 5, its length rule, one model per class),
    # epochs of 1000 drawn examples in batches of 50: DeepMoji's 20 updates an epoch, a fifth of
    # its examples. The cap only catches a fit that never stops (fits_capped counts them).
    # Measured 2026-12-03, one core: PsychExp chain-thaw (the costliest cell) 50 min, its 42 fits
    # stopped by patience; chain-thaw's embedding step (at 1e-4) is most of it: 11-309 epochs a
    # class there, and 625 epochs, 21 of the 22 min, of kaggle-insults'. The table: 3-7 h on 2 cores.
    "cpu": TransferConfig(pretrain=PRETRAIN_SCALES["cpu"], epoch_size=1000, batch_size=50,
                          epochs=1000, patience=5),
    # DeepMoji's finetuning: 5000-example epochs, batch 250 (its size for texts up to 100 tokens,
    # which every benchmark's length rule gives), patience 5
    "paper": TransferConfig(pretrain=PRETRAIN_SCALES["paper"], epoch_size=5000, batch_size=250,
                            epochs=1000, patience=5),
}

# the transfer table's "published weights" row (paper scale only): DeepMoji's own model, not trained here
PUBLISHED_PRETRAIN = dataclasses.replace(PRETRAIN_SCALES["paper"], model="published")

PRETRAIN_NOTE = ("TweetEval emoji (SemEval-2018 Task 2, US): 45,000 train / 5,000 val / 50,000 test "
                 "tweets, 20 emojis (DeepMoji pretrained on 1.2 billion tweets and 64 emojis)")
