"""Per-epoch checkpoints in a directory, written atomically.

A checkpoint is `epoch_NNNN/state.pt`; it is written into a temporary sibling and
renamed into place, so a killed process leaves either a whole checkpoint or none
(a partial one is never taken for a whole one). `best.pt` holds the weights of the
best validation epoch. Everything loads with `weights_only=True`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import torch

_EPOCH_DIR = re.compile(r"^epoch_(\d{4,})$")


class CheckpointDir:
    def __init__(self, path: str | os.PathLike, keep: int = 2) -> None:
        self.path = Path(path)
        self.keep = keep

    def epochs(self) -> list[int]:
        if not self.path.is_dir():
            return []
        found = []
        for child in self.path.iterdir():
            m = _EPOCH_DIR.match(child.name)
            if m and (child / "state.pt").is_file():
                found.append(int(m.group(1)))
        return sorted(found)

    def latest(self) -> dict | None:
        epochs = self.epochs()
        if not epochs:
            return None
        return load_state(self.path / f"epoch_{epochs[-1]:04d}" / "state.pt")

    def save(self, epoch: int, state: dict) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        final = self.path / f"epoch_{epoch:04d}"
        tmp = Path(tempfile.mkdtemp(prefix=f".epoch_{epoch:04d}.", dir=self.path))
        torch.save(state, tmp / "state.pt")
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        for old in self.epochs()[: -self.keep]:
            shutil.rmtree(self.path / f"epoch_{old:04d}", ignore_errors=True)
        return final

    def save_best(self, model_state: dict) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".best.", dir=self.path)
        os.close(fd)
        torch.save(model_state, tmp)
        os.replace(tmp, self.path / "best.pt")

    def best(self) -> dict | None:
        p = self.path / "best.pt"
        return load_state(p) if p.is_file() else None

    def clear(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def load_state(path: str | os.PathLike) -> dict:
    # weights_only: a checkpoint is data, never code, even one we wrote ourselves.
    return torch.load(path, map_location="cpu", weights_only=True)
