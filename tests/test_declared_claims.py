"""Every experiment file states what its paper claims of it, or says why it states nothing.

Fast: loads the files (no Ray, no training). Beyond presence, it checks what loading does not:
a `where` value outside the grid would silently pair no cells, and a McNemar claim needs cells
that log the per-item top-1 artifact, which only some tasks save.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest

from orchestration.claims import AboveFloor, Better, Order
from orchestration.cli import load_experiment

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "experiments").glob("*/*.py")
               if p.name != "__init__.py" and "EXPERIMENT = Experiment(" in p.read_text())


def test_files_found():
    assert len(FILES) == 20


@pytest.mark.parametrize("path", FILES)
def test_declares_claims_or_says_why_not(path):
    exp = load_experiment(str(ROOT / path))
    assert exp.claims or exp.claims_note.strip(), f"{path}: no claims and no claims_note"
    for c in exp.claims:
        assert isinstance(c, (Better, Order, AboveFloor))
        assert c.text.strip(), f"{path}: a claim without the paper's words (text=)"


@pytest.mark.parametrize("path", FILES)
def test_where_values_are_grid_values(path):
    exp = load_experiment(str(ROOT / path))
    for c in exp.claims:
        for key, value in c.where.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            assert all(v in tuple(exp.grid[key]) for v in values), \
                f"{path}: where={{{key!r}: {value!r}}} is not among {exp.grid[key]}"


@pytest.mark.parametrize("path", FILES)
def test_mcnemar_only_where_cells_log_outcomes(path):
    exp = load_experiment(str(ROOT / path))
    if not any(c.test == "mcnemar" for c in exp.claims):
        return
    source = inspect.getsource(sys.modules[exp.task.run_cell.__module__])
    assert "TOP1_ARTIFACT" in source, f"{path}: McNemar claims, but its task logs no per-item top-1 outcomes"
