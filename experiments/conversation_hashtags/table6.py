"""Table 6 of the conversation-hashtag paper: the ablation, F1@1.

    python experiments/conversation_hashtags/table6.py --scale cpu

SEQ2SEQ reading the post (Table 4's SEQ2SEQ row, reused), the conversation, or the post
followed by its conversation (one encoder); OUR MODEL with its decoder attending over v_p only
(post-att only), v_c only (conv-att only), or both (Table 4's OUR MODEL row, reused). After
Table 4, four rows train, each after its own hyperparameter search like every generator:
34 minutes at `cpu` on 2 cores (2026-12-04: the four searches about 16 min, then 12 cells).
"""

from experiments.conversation_hashtags.scales import DATA_NOTE, FLOORS, ROWS, SCALES
from experiments.conversation_hashtags.task import CONVERSATION_HASHTAGS
from orchestration import Experiment, Metric, run_cli
from orchestration.claims import Better

PAPER = {"SEQ2SEQ": 26.00, "SEQ2SEQ (conv only)": 18.57, "SEQ2SEQ (post+conv)": 29.85,
         "OUR MODEL (post-att only)": 28.67, "OUR MODEL (conv-att only)": 28.06, "OUR MODEL": 31.96}

EXPERIMENT = Experiment(
    id="conversation_hashtags/table6",
    title="Ablation: what the generator reads and attends over, Weibo F1@1 (Table 6)",
    task=CONVERSATION_HASHTAGS,
    scales=SCALES,
    rows=tuple(ROWS[n] for n in (*FLOORS, *PAPER)),  # the floors: Table 4's cells, reused
    metrics=(Metric("f1_at_1", "F1@1 (%)", digits=2),),
    seeds=(0, 1, 2),
    paper={row: {"f1_at_1": v} for row, v in PAPER.items()},
    paper_note="Table 6, Weibo; its SEQ2SEQ row is SEQ2SEQ (post only)",
    data_note=DATA_NOTE,
    # every row logs its per-item top-1 outcomes: McNemar, the Table 4 test, throughout
    claims=(
        Better("SEQ2SEQ", than="SEQ2SEQ (conv only)", metric="f1_at_1", test="mcnemar",
               text="solely encoding target posts is more effective than modeling the conversations alone "
                    "(Table 6): SEQ2SEQ (post only) > SEQ2SEQ (conv only)"),
        Better("OUR MODEL (post-att only)", than="OUR MODEL (conv-att only)", metric="f1_at_1", test="mcnemar",
               text="solely encoding target posts is more effective than modeling the conversations alone "
                    "(Table 6): post-att only > conv-att only"),
        Better("SEQ2SEQ (post+conv)", than=("SEQ2SEQ", "SEQ2SEQ (conv only)"), metric="f1_at_1",
               test="mcnemar",
               text="exploring their joint effects can further boost the performance (Table 6): "
                    "SEQ2SEQ (post+conv) above either source alone"),
        Better("OUR MODEL", than=tuple(n for n in PAPER if n != "OUR MODEL"), metric="f1_at_1", test="mcnemar",
               text="... especially combined with a bi-attention mechanism over them (Table 6): the full model "
                    "above every variant"),
    ),
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
