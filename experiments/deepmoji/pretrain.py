"""Emoji pretraining on TweetEval: the encoder the transfer table and the headline table start from.

    python experiments/deepmoji/pretrain.py --scale cpu
    python -m orchestration run experiments/deepmoji/pretrain.py --scale paper workers=4 use_gpu=true

DeepMoji's attention BiLSTM trained to predict the emoji cut out of each tweet, scored as
TweetEval scores its emoji task (macro-F1 over the 20 emojis on the test split), beside
TweetEval's published baselines. Our own TF-IDF SVM checks data and metric against the
published SVM. Rows marked "published" only carry TweetEval's number: nothing is run for
them. The floor rows score every test tweet with the training label frequencies. The 20-word
row is the encoder SEQ2SEQ-Word uses: 20 words chosen to match the emojis' document
frequencies, each tweet holding exactly one of them labelled with it (the word cut out); its
scores (and its floor's) are on that word task's test tweets, not comparable with the rows above.
"""

from experiments.deepmoji.pretrain_task import DEEPMOJI_PRETRAIN
from experiments.deepmoji.scales import PRETRAIN_NOTE, PRETRAIN_SCALES
from orchestration import Experiment, Metric, Row, run_cli

PUBLISHED = {"model": "reference"}

EXPERIMENT = Experiment(
    id="deepmoji/pretrain",
    title="Emoji prediction on TweetEval: the pretrained DeepMoji-style encoder",
    task=DEEPMOJI_PRETRAIN,
    scales=PRETRAIN_SCALES,
    rows=(
        Row("BiLSTM+attention (DeepMoji)", {"model": "deepmoji"}),
        Row("SVM, TF-IDF 1-2 grams", {"model": "svm"}),
        Row("LSTM (published)", PUBLISHED),
        Row("FastText (published)", PUBLISHED),
        Row("RoBERTa-base (published)", PUBLISHED),
        Row("BERTweet (published)", PUBLISHED),
        Row("most frequent emoji (floor)", {"model": "majority"}),
        Row("BiLSTM+attention, 20 words", {"model": "deepmoji", "target": "words"}),
        Row("most frequent word (floor)", {"model": "majority", "target": "words"}),
    ),
    metrics=(Metric("macro_f1", "Macro-F1 (%)"), Metric("top1", "Top-1 (%)"),
             Metric("top5", "Top-5 (%)")),
    # One encoder per target is what the transfer and headline tables use; seeds=0,1,2 for a spread.
    seeds=(0,),
    paper={
        "SVM, TF-IDF 1-2 grams": {"macro_f1": 29.3},
        "LSTM (published)": {"macro_f1": 24.7},
        "FastText (published)": {"macro_f1": 25.8},
        "RoBERTa-base (published)": {"macro_f1": 30.9},
        "BERTweet (published)": {"macro_f1": 33.4},
    },
    paper_note="TweetEval (Barbieri et al., 2020; BERTweet from Nguyen et al., 2020), emoji task, "
               "macro-F1 on the test split",
    data_note=PRETRAIN_NOTE + "; the word row: tweets holding exactly one of its 20 words",
    claims_note="no claim: the DeepMoji blog asserts nothing about emoji-prediction scores against "
                "TweetEval's baselines; the '(published)' rows are reference numbers only (no cells, so "
                "nothing to pair), our SVM row checks data and metric against the published SVM, and the "
                "20-word row predicts a different target (its scores are not comparable); the floor rows (training label "
                "frequencies) are read off the table, beside each target's trained row",
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
