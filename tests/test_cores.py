"""The table's tail: once no cell waits to start, running cells take the cores finished cells
freed (orchestration/cores.py); and the rows that took longest before start first (runner)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.cores import CoreLedger
from orchestration.runner import longest_first
from orchestration.spec import Cell

TABLE = str(Path(__file__).with_name("tail_table.py"))


def test_a_cell_keeps_its_own_threads_while_another_waits_to_start():
    ledger = CoreLedger(total=3)
    ledger.start(0, "a"), ledger.start(1, "a")
    assert ledger.share(0, node_cpus=2, base=1) == 1  # cell 2 still waits for a core
    ledger.end(1)
    assert ledger.share(0, node_cpus=2, base=1) == 1
    ledger.start(2, "a")
    assert ledger.share(0, node_cpus=2, base=1) == 1  # two running on two cores
    ledger.end(2)
    assert ledger.share(0, node_cpus=2, base=1) == 2  # the last one takes both


def test_cores_are_split_per_node_and_never_below_a_cells_own_threads():
    ledger = CoreLedger(total=3)
    for index, node in ((0, "a"), (1, "a"), (2, "b")):
        ledger.start(index, node)
    assert [ledger.share(i, node_cpus=8, base=1) for i in range(3)] == [4, 4, 8]
    assert ledger.share(0, node_cpus=8, base=6) == 6
    ledger.end(2)
    assert ledger.share(2, node_cpus=8, base=1) == 1  # a finished cell gets nothing more


def test_rows_that_took_longest_start_first_and_rows_never_timed_before_them():
    cells = [Cell("tests/t", "t", row, seed, {}, None, f"{row}{seed}")
             for row in ("quick", "new", "slow", "other new") for seed in (0, 1)]
    order = [c.label for c in longest_first(cells, {"quick": 5.0, "slow": 50.0})]
    assert order == ["new seed=0", "new seed=1", "other new seed=0", "other new seed=1",
                     "slow seed=0", "slow seed=1", "quick seed=0", "quick seed=1"]


@pytest.mark.ray
def test_the_last_cell_running_trains_on_the_freed_core_and_only_when_asked(table_workspace):
    from orchestration.cli import load_experiment
    from orchestration.runner import run_experiment
    from orchestration.tracking import Tracker, tracking_uri

    cells = run_experiment(load_experiment(TABLE), "smoke").cells.set_index("row")
    assert cells.loc["long", "first_threads"] == 1 and cells.loc["long", "last_threads"] == 2
    assert cells.loc["short", "last_threads"] == 1
    seconds = Tracker(tracking_uri(), "tests").row_seconds("smoke")  # what orders the next run's cells
    assert seconds["long"] > seconds["short"] > 0 and "long" not in Tracker(tracking_uri(), "tests").row_seconds("cpu")
    still = run_experiment(load_experiment(TABLE), "smoke", overrides={"tail_threads": False}, force=True)
    assert (still.cells[["first_threads", "last_threads"]] == 1).all().all()
