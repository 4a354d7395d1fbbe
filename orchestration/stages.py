"""Cached stages: a step whose output depends only on its config and data is built once.

A stage's output is a directory under `<EMOJITAGS_HOME>/stages/<name>/<key>/`, where the
key hashes the config and the data's sha256s. It is built in a temporary sibling and
renamed into place, so a killed build never leaves a directory that looks finished.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from orchestration.leases import file_lock
from orchestration.runtime import home
from orchestration.spec import stable_hash

log = logging.getLogger("emojitags.stages")


def stage_dir(name: str, key: dict[str, Any]) -> Path:
    return home() / "stages" / name / stable_hash(key)


def cached_stage(name: str, key: dict[str, Any], build: Callable[[Path], None]) -> Path:
    """Return the stage's directory, building it first if no finished one exists."""
    final = stage_dir(name, key)
    if (final / ".complete").is_file():
        log.info("stage %s: reusing %s", name, final)
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        build(tmp)
        (tmp / ".complete").write_text("ok\n")
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("stage %s: built %s", name, final)
    return final


@contextlib.contextmanager
def stage_lock(final: Path) -> Iterator[None]:
    """Hold an exclusive file lock beside a stage's folder: of two tables or cells that want the
    same stage, one builds it while the other waits, then reuses it."""
    with file_lock(final.parent / f".{final.name}.lock"):
        yield
