"""A task: what one cell of a table computes.

A task turns a cell's config into metrics by wiring components together; the engine decides
where it runs (a Tune trial, Ray Train workers) and records it. An experiment holds its `Task`
object itself, so a cell pickled to a Ray worker brings the task's functions by reference and the
worker imports exactly the module that defines them: no name registry, no lookup by string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Task:
    name: str          # part of every cell key: renaming a task retrains its finished cells
    config_type: type
    run_cell: Callable[[Any, Any], dict[str, float]]  # (config, CellContext) -> metrics
    data_sha256s: Callable[[Any], dict[str, str]]     # checks the data; raises DataError
    prepare: Callable[[Any], None] | None = None      # driver-side cached stages, once per table
    version: int = 1  # bump when a cell's outputs change for the same config: finished cells rerun
