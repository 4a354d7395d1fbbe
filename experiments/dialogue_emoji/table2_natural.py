"""Table 2's models on the natural-balance variant (not the paper's protocol): all ten emoticons,
half of them `:)`, split example by example.

    python experiments/dialogue_emoji/table2_natural.py --scale cpu

Kept beside the balanced Table 2 (table2.py) to show what that protocol removes: here a test
example's conversation, and nearly always its speaker, is also in training, and guessing each
speaker's most used emoticon is a floor the models must clear.
"""

from experiments.dialogue_emoji.scales import NATURAL_NOTE, NATURAL_SCALES
from experiments.dialogue_emoji.table2 import EXPERIMENT as BALANCED
from experiments.dialogue_emoji.task import DIALOGUE_EMOJI
from orchestration import Experiment, Metric, run_cli
from orchestration.claims import AboveFloor

EXPERIMENT = Experiment(
    id="dialogue_emoji/table2_natural",
    title="Emoji classification in dialogue, natural balance, example-level split (Table 2's models)",
    task=DIALOGUE_EMOJI,
    scales=NATURAL_SCALES,
    rows=BALANCED.rows,
    metrics=(Metric("p_at_1", "P@1 (%)"), Metric("p_at_3", "P@3 (%)"), Metric("mrr", "MRR (%)"),
             Metric("majority_p_at_1", "P@1 of the majority class (%)"),
             Metric("speaker_habit_p_at_1", "P@1 of the speaker's habit (%)")),
    seeds=(0, 1, 2),
    data_note=NATURAL_NOTE,
    claims=(
        AboveFloor("p_at_1", floor="majority_p_at_1",
                   text="every model above always guessing the majority emoticon on P@1 (our floor)"),
        AboveFloor("p_at_1", floor="speaker_habit_p_at_1",
                   text="every model above guessing each speaker's most used emoticon on P@1 (our floor)"),
    ),
    claims_note="not the paper's protocol, so none of its claims is tested here; see table2.py",
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
