"""Tasks: what one cell of a table computes, registered by name.

A task turns a cell's config into metrics by wiring components together; the
orchestration decides where it runs (a Tune trial, Ray Train workers) and records it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from components.registry import Registry

TASKS: Registry[Task] = Registry("task")


@dataclass(frozen=True)
class Task:
    name: str
    config_type: type
    run_cell: Callable[[Any, Any], dict[str, float]]  # (config, CellContext) -> metrics
    data_sha256s: Callable[[Any], dict[str, str]]     # checks the data; raises DataError
    prepare: Callable[[Any], None] | None = None      # driver-side cached stages, once per table
    version: int = 1  # bump when a cell's outputs change for the same config: finished cells rerun


_MODULES: dict[str, str] = {}  # task name -> the module that registered it


def register_task(task: Task) -> Task:
    registered = TASKS.register(task.name)(task)
    _MODULES[task.name] = sys._getframe(1).f_globals["__name__"]
    return registered


def module_of(name: str) -> str:
    """The module whose import registers task `name`."""
    return _MODULES[name]


def load_all() -> None:
    """Import every task module so that its registration runs (workers call this too)."""
    import orchestration.tasks.conversation_stats  # noqa: F401  (Weibo Tables 2-6; imports conversation_hashtags)
    import orchestration.tasks.deepmoji  # noqa: F401  (pretraining and transfer)
    import orchestration.tasks.emoji_hashtag_analysis  # noqa: F401
    import orchestration.tasks.hashtag_generation  # noqa: F401  (generation and Table 3's counts)
    import orchestration.tasks.noop  # noqa: F401  (benchmarks: the orchestration's own cost)
    import orchestration.tasks.zeroshot_hashtags  # noqa: F401  (zero-shot hashtag recommendation)
    from orchestration.tasks import dialogue  # noqa: F401
