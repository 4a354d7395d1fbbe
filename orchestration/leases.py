"""Claims on cells, so that drivers sharing one store and one EMOJITAGS_HOME train each cell once.

A driver claims a cell by creating `<home>/leases/<cell key>` (O_EXCL: one creator wins) and keeps
it alive with a heartbeat (the file's mtime, touched by a thread every `ttl / 4` seconds). A claim
whose heartbeat is older than `ttl` belongs to a driver that died: another driver takes it over,
under a lock so that two of them cannot both take the same one. A claim whose owner ran on this
machine under a process id that no longer exists is taken over at once: a killed run resumes
without waiting out the heartbeat (a recycled pid only falls back to the wait). A driver that finds cells claimed
waits for their runs to finish in the store (and reuses them), or for the claims to expire (and
trains those cells itself). `ttl` defaults to 120 s (`EMOJITAGS_LEASE_S`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

LEASE_ENV = "EMOJITAGS_LEASE_S"


def lease_seconds() -> float:
    return float(os.environ.get(LEASE_ENV, 120))


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (and machines, on a filesystem with POSIX locks)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _dead_here(owner: str) -> bool:
    """True if `owner` ("host:pid:token") is a process of this machine that has exited."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class Leases:
    def __init__(self, home: Path, ttl: float | None = None) -> None:
        self.dir = home / "leases"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ttl = ttl or lease_seconds()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.held: set[str] = set()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def _path(self, key: str) -> Path:
        return self.dir / key

    def _expired(self, path: Path) -> bool:
        try:
            if time.time() - path.stat().st_mtime > self.ttl:
                return True
            owner = json.loads(path.read_text()).get("owner", "")
        except FileNotFoundError:
            return True
        except ValueError:  # a claim being written: its writer is alive
            return False
        return _dead_here(owner)

    def claim(self, key: str) -> bool:
        """Take the cell if nobody holds it, or if its holder stopped beating; True if now ours."""
        path = self._path(key)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            with file_lock(self.dir / ".takeover"):
                if not self._expired(path):
                    return False
                path.write_text(json.dumps({"owner": self.owner, "taken_over": True}))
        else:
            with os.fdopen(fd, "w") as f:
                f.write(json.dumps({"owner": self.owner}))
        self.held.add(key)
        self._start_beating()
        return True

    def holder(self, key: str) -> str | None:
        try:
            return json.loads(self._path(key).read_text()).get("owner")
        except (FileNotFoundError, ValueError):
            return None

    def release(self, key: str) -> None:
        if key in self.held:
            self.held.discard(key)
            with contextlib.suppress(FileNotFoundError):
                if self.holder(key) == self.owner:
                    self._path(key).unlink()

    def release_all(self) -> None:
        for key in list(self.held):
            self.release(key)
        self._stop.set()

    def _start_beating(self) -> None:
        if self._beat is None or not self._beat.is_alive():
            self._stop.clear()
            self._beat = threading.Thread(target=self._heartbeat, name="cell-leases", daemon=True)
            self._beat.start()

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.ttl / 4):
            for key in list(self.held):
                with contextlib.suppress(FileNotFoundError):
                    os.utime(self._path(key))
