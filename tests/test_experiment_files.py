"""Every experiment file loads and resolves its cells at every scale, with the keys it had.

A cell's key decides whether a finished cell is reused: a key that changed by accident (a
renamed task, a moved config field) would silently retrain every finished cell of a table.
`golden/cell_keys_cpu.json` holds the `cpu` keys as they were before the one-folder-per-paper
move; regenerate it only on purpose (a task version bump), with the command in `_regenerate`.
Regenerated since: conversation_hashtags version 2 (converged generators, floors; Tables 4-6 only);
dialogue_emoji version 3 (balanced classes, conversation-grouped folds; its tables only);
zeroshot_hashtags at cpu: balanced classes (max_per_label=100) and the logistic-regression floor rows;
zeroshot_hashtags version 2 (Table 3 paired test tweets, per-hashtag hit@K);
dialogue_emoji version 4 (folds grouped by speaker); zeroshot_hashtags version 4 (equal test counts per
unseen hashtag, DEM's grid a field); hashtag_generation (floor rows, the emoji share, hashtag-free
encoders, compound segmentation, converged cpu scale) with PretrainConfig.hashtag_free (deepmoji's too);
deepmoji_transfer version 3 (DeepMoji's fine-tuning protocol, one binary model per class, the floor row).
conversation_hashtags version 3 (the authors' summed ranking by default, length-bucketed batches);
hashtag_generation's length-bucketed batches (HashtagGenConfig.bucket; the headline, Figure 5);
deepmoji's cpu pretraining to patience 3 (cap 50; its transfer cells embed that encoder).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from orchestration.cli import load_experiment
from orchestration.spec import SCALES, resolve_cells

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).with_name("golden") / "cell_keys_cpu.json"
FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "experiments").glob("*/*.py")
               if p.name != "__init__.py" and "EXPERIMENT = Experiment(" in p.read_text())


def cell_keys(path: str, scale: str) -> dict[str, str]:
    exp = load_experiment(str(ROOT / path))
    cells = resolve_cells(exp, scale)
    data = exp.task.data_sha256s(cells[0].config)
    cells = resolve_cells(exp, scale, data_sha256s=data, task_version=exp.task.version)
    return {c.label: c.key for c in cells}


def test_every_paper_has_experiment_files():
    papers = {Path(f).parts[1] for f in FILES}
    assert papers == {"conversation_hashtags", "deepmoji", "dialogue_emoji", "emoji_hashtags", "zeroshot_hashtags"}
    assert len(FILES) == 20


@pytest.mark.parametrize("path", FILES)
def test_cells_resolve_at_every_scale(path):
    for scale in SCALES:
        keys = cell_keys(path, scale)
        assert keys and len(set(keys.values())) == len(keys), f"{path} [{scale}]: keys must be distinct"


@pytest.mark.parametrize("path", FILES)
def test_cpu_cell_keys_are_unchanged(path):
    golden = json.loads(GOLDEN.read_text())[path]
    assert cell_keys(path, "cpu") == golden


def _regenerate() -> None:  # python tests/test_experiment_files.py  (on purpose only)
    GOLDEN.write_text(json.dumps({f: cell_keys(f, "cpu") for f in FILES}, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    _regenerate()
