"""Table 2 of "emoji recommendation in multi-turn dialogue": P@1, P@3 and MRR of five models.

    python experiments/dialogue_emoji/table2.py --scale cpu
    python -m orchestration run experiments/dialogue_emoji/table2.py --scale smoke seeds=0,1

The balanced task (scales.py): 4 emoticons, 207 examples each, 5 folds grouped by speaker,
a seed per fold, so ± and the paired tests cover the data's variation. Floors beside the rows:
chance, the training majority, the speaker's habit. table2_natural.py keeps the natural-balance,
example-split variant.
"""

from experiments.dialogue_emoji.scales import DATA_NOTE, SCALES, SEEDS
from experiments.dialogue_emoji.task import DIALOGUE_EMOJI
from orchestration import Experiment, Metric, Row, run_cli
from orchestration.claims import AboveFloor, Better, Order

EXPERIMENT = Experiment(
    id="dialogue_emoji/table2",
    title="Emoji classification in multi-turn dialogue (Table 2)",
    task=DIALOGUE_EMOJI,
    scales=SCALES,
    rows=(
        Row("S-BOW", {"model": "s_bow"}),
        Row("F-BOW", {"model": "f_bow"}),
        Row("S-LSTM", {"model": "s_lstm"}),
        Row("F-LSTM", {"model": "f_lstm"}),
        Row("H-LSTM", {"model": "h_lstm"}),
    ),
    metrics=(Metric("p_at_1", "P@1 (%)"), Metric("p_at_3", "P@3 (%)"), Metric("mrr", "MRR (%)"),
             # the floors: chance (1/k), always the training majority, each speaker's own habit
             Metric("chance_p_at_1", "P@1 by chance (%)"),
             Metric("majority_p_at_1", "P@1 of the majority class (%)"),
             Metric("speaker_habit_p_at_1", "P@1 of the speaker's habit (%)")),
    seeds=SEEDS,
    paper={
        "S-BOW": {"p_at_1": 29.6, "p_at_3": 57.9, "mrr": 49.1},
        "F-BOW": {"p_at_1": 24.6, "p_at_3": 51.3, "mrr": 44.3},
        "S-LSTM": {"p_at_1": 32.5, "p_at_3": 62.4, "mrr": 52.1},
        "F-LSTM": {"p_at_1": 34.3, "p_at_3": 64.7, "mrr": 53.9},
        "H-LSTM": {"p_at_1": 35.4, "p_at_3": 65.7, "mrr": 54.8},
    },
    paper_note="Table 2, Weibo2015, 10 class-balanced emojis",
    data_note=DATA_NOTE,
    # the task logs no per-item outcomes, so every claim is a paired t over the folds (seeds)
    claims=(
        Better("F-LSTM", than=("S-BOW", "F-BOW"), metric="p_at_1",
               text="the LSTMs with multi-turn input significantly outperform all (BOW) baselines on P@1 "
                    "(Table 2, observation 1): F-LSTM"),
        Better("H-LSTM", than=("S-BOW", "F-BOW"), metric="p_at_1",
               text="the LSTMs with multi-turn input significantly outperform all (BOW) baselines on P@1 "
                    "(Table 2, observation 1): H-LSTM"),
        Better("F-LSTM", than=("S-BOW", "F-BOW"), metric="mrr",
               text="... and on MRR (Table 2, observation 1): F-LSTM"),
        Better("H-LSTM", than=("S-BOW", "F-BOW"), metric="mrr",
               text="... and on MRR (Table 2, observation 1): H-LSTM"),
        Order(("H-LSTM", "F-LSTM", "S-LSTM"), metric="p_at_1",
              text="H-LSTM achieves the best performance among all models; F-LSTM performs better than "
                   "S-LSTM (Table 2, observations 2-3): H-LSTM > F-LSTM > S-LSTM on P@1"),
        Order(("H-LSTM", "F-LSTM", "S-LSTM"), metric="mrr",
              text="H-LSTM > F-LSTM > S-LSTM on MRR (Table 2, observations 2-3)"),
        Better("S-BOW", than="F-BOW", metric="p_at_1",
               text="considering the whole dialogue in BOW models surprisingly harms performance "
                    "(Table 2, observation 3): S-BOW > F-BOW on P@1"),
        AboveFloor("p_at_1", floor="chance_p_at_1",
                   text="every model above chance on P@1 (our floor; the classes are balanced)"),
        AboveFloor("p_at_1", floor="majority_p_at_1",
                   text="every model above always naming the training majority on P@1 (our floor; a "
                        "speaker-grouped fold is only roughly balanced)"),
        AboveFloor("p_at_1", floor="speaker_habit_p_at_1",
                   text="every model above guessing each speaker's most used emoticon on P@1 (our floor)"),
    ),
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
