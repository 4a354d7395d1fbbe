"""The scales of every dialogue-emoji experiment: the balanced task with speaker-grouped folds
(as the paper balanced its classes), and the natural-balance variant kept beside it."""

import dataclasses

from experiments.dialogue_emoji.task import DialogueConfig

CLASSES, FOLDS = 4, 5  # chitchat's 4th most used emoticon has 207 examples, the 5th 109
# The balanced task's emoticons, most used first (the stage writes them to emoticons.json).
BALANCED_EMOTICONS = (":)", "XD", ";)", ":(")
SEEDS = tuple(range(FOLDS))  # a cell's seed is its test fold

SCALES = {
    # a random 800 dialogues' examples, balanced (about 60 per class), tiny dims: seconds a cell
    "smoke": DialogueConfig(max_examples=800, classes=CLASSES, cv_folds=FOLDS, max_len=20, dim=16, epochs=2,
                            patience=1, batch_size=32),
    # every chitchat example of the 4 emoticons, 207 each (828), dims cut for two CPU cores
    "cpu": DialogueConfig(classes=CLASSES, cv_folds=FOLDS, dim=128, epochs=100, patience=5, batch_size=32),
    # the paper's optimum: nx = nh = 384, batch 128 (Weibo2015 had 1.2M dialogues)
    "paper": DialogueConfig(classes=CLASSES, cv_folds=FOLDS, dim=384, epochs=100, patience=5, batch_size=128),
}

# All ten emoticons at chitchat's natural balance (half of the examples are `:)`), split example
# by example: the protocol before the balanced one, kept to show what the grouped split removes.
NATURAL_SCALES = {scale: dataclasses.replace(cfg, classes=0, cv_folds=0) for scale, cfg in SCALES.items()}

DATA_NOTE = (f"chitchat-dataset 0.9.0 (7,168 English conversations, 2,642 examples of one emoticon); its "
             f"{CLASSES} most used emoticons ({' '.join(BALANCED_EMOTICONS)}) stand in for the paper's 10 Weibo "
             f"emojis, 207 examples each (the 4th's count; the paper balanced 1.2M Weibo2015 dialogues), so "
             f"chance is {100 / CLASSES:.0f}%; {FOLDS}-fold cross-validation grouped by the reply's speaker (175 "
             f"speakers; no speaker in both a fold's training and test part, and a training reply whose "
             f"conversation has a test reply left out, so no conversation either), the seed naming the test "
             f"fold, a speaker-grouped tenth of the rest for early stopping; a fold's classes are then only "
             f"roughly balanced, as speakers have habits, so the training majority's share of the test part "
             f"(the majority floor) can sit above or below chance")

NATURAL_NOTE = ("chitchat-dataset 0.9.0; all 10 emoticons at their natural balance (50% `:)`), a fixed 80:10:10 "
                "split stratified by class, example by example: a test example's conversation (and nearly "
                "always its speaker) is in training, which the speaker-habit floor exploits")
