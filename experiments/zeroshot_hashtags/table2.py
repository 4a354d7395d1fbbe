"""Table 2 of "zero-shot hashtag recommendation": supervised hashtag classifiers, 5-fold CV.

    python experiments/zeroshot_hashtags/table2.py --scale cpu
    python -m orchestration run experiments/zeroshot_hashtags/table2.py --scale smoke seeds=0,1 folds=0,1

A cell's seed is its fold of a stratified 5-fold split (mean ± std over folds). In each fold
a Tune + Optuna search (lr, dropout; `search_samples` trials) on a held-out tenth of the
training folds replaces the paper's GridSearchCV; the final model trains with the chosen
values, early-stopped on that tenth, and is scored once on the test fold. `folds=` names the
folds whose searches run (default: all), to go with `seeds=`. Embeddings start from the
word2vec stage.
"""

from experiments.zeroshot_hashtags.scales import DATA_NOTE, scales
from experiments.zeroshot_hashtags.task import ZEROSHOT_HASHTAGS
from orchestration import Experiment, Metric, Row, run_cli
from orchestration.claims import AboveFloor, Better

# Our floors, not the paper's rows: logistic regression on the same tweets (supervised.py).
FLOORS = (Row("TF-IDF + logistic regression (floor)", {"model": "tfidf_logreg"}),
          Row("mean word2vec + logistic regression (floor)", {"model": "w2v_logreg"}))
NEURAL = ("ANN (baseline)", "CNN", "RNN (GRU x2)", "RNN with attention", "Transformer")

EXPERIMENT = Experiment(
    id="zeroshot_hashtags/table2",
    title="Hashtag recommendation, fully supervised (Table 2)",
    task=ZEROSHOT_HASHTAGS,
    scales=scales("supervised"),
    rows=(
        Row("ANN (baseline)", {"model": "ann"}),
        Row("CNN", {"model": "cnn"}),
        Row("RNN (GRU x2)", {"model": "gru"}),
        Row("RNN with attention", {"model": "gru_attention"}),
        Row("Transformer", {"model": "transformer"}),
        *FLOORS,
    ),
    metrics=(Metric("accuracy", "accuracy (%)"), Metric("precision", "precision (%)"),
             Metric("recall", "recall (%)"), Metric("f1", "F1 (%)"),
             # #love alone is a tenth of the examples: the accuracy of always guessing the
             # training folds' most frequent hashtag
             Metric("majority_accuracy", "majority-class accuracy (%)")),
    seeds=(0, 1, 2, 3, 4),
    paper={
        "ANN (baseline)": {"accuracy": 40.7, "precision": 41.0, "recall": 41.0, "f1": 41.0},
        "CNN": {"accuracy": 43.7, "precision": 44.0, "recall": 44.0, "f1": 44.0},
        "RNN (GRU x2)": {"accuracy": 46.9, "precision": 47.0, "recall": 47.0, "f1": 47.0},
        "RNN with attention": {"accuracy": 47.0, "precision": 47.0, "recall": 47.0, "f1": 47.0},
        "Transformer": {"accuracy": 57.4, "precision": 57.0, "recall": 57.0, "f1": 57.0},
    },
    paper_note="Table 2, 5-fold CV on 50 class-balanced hashtags (its P, R, F1 printed as 0.41 etc.)",
    data_note=DATA_NOTE + ". P, R, F1 are macro averages over the 50 hashtags. The two logistic-regression "
              "rows are our floors (C chosen on the inner validation split), not the paper's",
    # paired t over the five folds (the seeds); the task logs no per-item outcomes
    claims=(
        Better("Transformer", than=NEURAL[:-1], metric="accuracy",
               text="the Transformer Network outperforms the CNN and RNN models (and the ANN baseline): the "
                    "best supervised model (Table 2, Section 7.2), accuracy"),
        Better("Transformer", than=NEURAL[:-1], metric="f1",
               text="the Transformer best of the supervised models (Table 2), macro F1"),
        AboveFloor("accuracy", floor="majority_accuracy", rows=NEURAL,
                   text="every supervised model above always guessing the most frequent training hashtag "
                        "(our floor)"),
        *(Better(row, than=tuple(f.name for f in FLOORS), metric="accuracy",
                 text=f"{row} above logistic regression on the same tweets (our check, not a paper claim)")
          for row in NEURAL),
    ),
    claims_note="the paper ranks ANN < CNN < RNN <= RNN with attention in its numbers but claims in words only "
                "the Transformer's lead (attributed to its O(1) path length)",
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
