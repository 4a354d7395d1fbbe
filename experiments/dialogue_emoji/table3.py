"""Table 3 of "emoji recommendation in multi-turn dialogue": P@1 per emoji, S-LSTM vs H-LSTM.

    python experiments/dialogue_emoji/table3.py --scale cpu

The paper's rows are Weibo emojis (heart 60.3 / 62.2 ... tears of joy 16.5 / 21.6) with
no counterpart among chitchat's emoticons, so its numbers are quoted in the caption, not
set beside ours as if comparable. Ours: the balanced task's 4 emoticons (scales.py), P@1
within each emoticon's test examples of a fold, 5 folds (207 test examples per emoticon in all).
"""

from components.data.chitchat import DIALOGUE_EMOTICON_NAMES, DIALOGUE_EMOTICONS
from experiments.dialogue_emoji.scales import BALANCED_EMOTICONS, DATA_NOTE, SCALES, SEEDS
from experiments.dialogue_emoji.task import DIALOGUE_EMOJI
from orchestration import Experiment, Metric, Row, run_cli
from orchestration.claims import Better

EMOTICONS = tuple((emo, DIALOGUE_EMOTICON_NAMES[DIALOGUE_EMOTICONS.index(emo)]) for emo in BALANCED_EMOTICONS)

EXPERIMENT = Experiment(
    id="dialogue_emoji/table3",
    title="P@1 per emoticon, S-LSTM vs H-LSTM (Table 3)",
    task=DIALOGUE_EMOJI,
    scales=SCALES,
    rows=(Row("S-LSTM", {"model": "s_lstm"}), Row("H-LSTM", {"model": "h_lstm"})),
    metrics=(*(Metric(f"p_at_1_{name.replace(' ', '_')}", f"{emo} {name} P@1 (%)") for emo, name in EMOTICONS),
             # a fold tests about a fifth of each emoticon's 207 examples; the folds together test all
             *(Metric(f"n_test_{name.replace(' ', '_')}", f"{emo} {name} test examples per fold", scale=1.0,
                      digits=0) for emo, name in EMOTICONS)),
    seeds=SEEDS,
    transpose=True,
    data_note=DATA_NOTE + ". Paper (Weibo emojis, S-LSTM/H-LSTM P@1): heart 60.3/62.2, angry 49.3/51.0, "
              "astonished 46.6/47.4, cry 35.6/38.9, delicious 33.1/32.7, shy 23.5/28.5, nervous "
              "23.2/27.1, laugh 17.5/24.1, thinking 21.6/22.7, tears of joy 16.5/21.6",
    # "H-LSTM has advantages over S-LSTM almost on every emoji category" (Table 3, observation 4):
    # one paired t over seeds per emoticon; "almost" allows a category or two to go the other way
    # (delicious does in the paper). The paper's "heart and angry are easier" names Weibo emojis
    # with no counterpart here, so it is not tested.
    claims=tuple(
        Better("H-LSTM", than="S-LSTM", metric=f"p_at_1_{name.replace(' ', '_')}",
               text=f"H-LSTM has advantages over S-LSTM almost on every emoji category (Table 3): {emo} {name}")
        for emo, name in EMOTICONS),
    claims_note="Table 3 claims H-LSTM above S-LSTM 'almost on every' category: a single reversal "
                "does not refute it; the per-emoji easy/hard ranking names Weibo emojis absent here",
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
