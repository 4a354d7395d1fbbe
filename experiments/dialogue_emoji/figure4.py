"""Figure 4 of "emoji recommendation in multi-turn dialogue": P@1 and MRR over the dimension.

    python experiments/dialogue_emoji/figure4.py --scale cpu

Embedding size = hidden size over {64, 128, 256, 384, 512} as a Tune grid, crossed with
the three LSTM models; the paper found 384 best for all three. The balanced task and folds of
Table 2 (scales.py), two of the five folds (seeds 0, 1).
"""

from experiments.dialogue_emoji.scales import DATA_NOTE, SCALES
from experiments.dialogue_emoji.task import DIALOGUE_EMOJI
from orchestration import Experiment, Metric, Row, run_cli
from orchestration.claims import AboveFloor, Better
from orchestration.report import LinePlot

EXPERIMENT = Experiment(
    id="dialogue_emoji/figure4",
    title="P@1 and MRR over embedding = hidden size (Figure 4)",
    task=DIALOGUE_EMOJI,
    scales=SCALES,
    rows=(Row("S-LSTM", {"model": "s_lstm"}), Row("F-LSTM", {"model": "f_lstm"}),
          Row("H-LSTM", {"model": "h_lstm"})),
    grid={"dim": (64, 128, 256, 384, 512)},
    metrics=(Metric("p_at_1", "P@1 (%)"), Metric("mrr", "MRR (%)")),
    seeds=(0, 1),
    figures=(LinePlot(x="dim", y=("p_at_1", "mrr"), filename="figure4.png"),),
    data_note=DATA_NOTE + ". Paper: best at 384 for every model (a plot, no numbers printed)",
    # paired t over seeds, one comparison per dimension (where=); the task logs no per-item outcomes
    claims=(
        *(Better("H-LSTM", than=("S-LSTM", "F-LSTM"), metric=metric, where={"dim": dim},
                 text=f"H-LSTM significantly outperforms the other LSTM models in all parameter settings "
                      f"(Figure 4, observation 2): {label} at dim {dim}")
          for metric, label in (("p_at_1", "P@1"), ("mrr", "MRR")) for dim in (64, 128, 256, 384, 512)),
        AboveFloor("p_at_1", floor="chance_p_at_1",
                   text="every model at every dimension above chance on P@1 (our floor; balanced classes)"),
    ),
    claims_note="'the best performance appears when nx = nh = 384 for all models' (Figure 4, observation 1) "
                "is an argmax over the grid, not a two-row comparison: read it off the plot",
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
