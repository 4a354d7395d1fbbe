"""ray job submit --working-dir . -- python experiments/table2.py

The headline table: hashtag generation with emoji representations (emoji-hashtag paper, Table 2).

    python experiments/table2.py                        # cpu scale, here: converged cells, hours on 2 cores
    python experiments/table2.py --scale smoke          # a minute or two, tiny models
    python experiments/table2.py --scale paper workers=4 use_gpu=true

The same experiment as experiments/emoji_hashtags/table2.py (its docstring says what each row
is); this file only gives the project's main command a short path. Cells are shared: a cell
either file finished is reused by the other.
"""

from experiments.emoji_hashtags.table2 import EXPERIMENT
from orchestration import run_cli

__all__ = ["EXPERIMENT"]

if __name__ == "__main__":
    run_cli(EXPERIMENT)
