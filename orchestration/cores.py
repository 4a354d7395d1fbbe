"""The table's tail: idle cores go to the cells still running.

A table's in-process cells run `threads` cores each, as many at a time as the cluster has
cores. Once every cell has started, a core freed by a finished cell would sit idle while the
last cells train on their one core each (a whole epoch of a slow cell, minutes). So each cell
asks a ledger, at the start of every epoch, for its share of its node's cores: its own
`threads` while any cell still waits to start, else the node's cores divided among the cells
running there. The fit raises (never lowers below `threads`) its torch threads accordingly.

More threads change the order of floating-point sums, so a cell's numbers then depend on when
its neighbours finished, in the last bits: `tail_threads=false` keeps a run bitwise repeatable.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger("emojitags.cores")


class CoreLedger:
    """Which cells have started and where each running one runs (plain: tested without Ray)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.started: set[int] = set()
        self.running: dict[int, str] = {}  # cell index -> node id

    def start(self, index: int, node: str) -> None:
        self.started.add(index)
        self.running[index] = node

    def end(self, index: int) -> None:
        self.running.pop(index, None)

    def share(self, index: int, node_cpus: int, base: int) -> int:
        """Threads for cell `index`: `base` while a cell waits, else its node's cores split
        among the cells running there (never fewer than `base`)."""
        if len(self.started) < self.total or index not in self.running:
            return base
        node = self.running[index]
        neighbours = sum(1 for n in self.running.values() if n == node)
        return max(base, node_cpus // neighbours)


def ledger_actor(total: int):
    """A ledger for `total` cells as a Ray actor holding no CPU (the driver owns it)."""
    import ray

    return ray.remote(num_cpus=0)(CoreLedger).remote(total)


class CellCores:
    """One cell's view of the ledger, used in its trial process: `threads()` is what its next
    epoch should use. Any failure to reach the ledger keeps the cell at its own `threads`."""

    def __init__(self, ledger, index: int, base: int) -> None:
        import ray

        self.ledger, self.index, self.base = ledger, index, base
        self.node = ray.get_runtime_context().get_node_id()
        node_cpus = next((n["Resources"].get("CPU", 0) for n in ray.nodes() if n["NodeID"] == self.node), 0)
        self.node_cpus = int(min(node_cpus or base, os.cpu_count() or base))

    def _call(self, method: str, *args):
        import ray

        try:
            return ray.get(getattr(self.ledger, method).remote(*args), timeout=10)
        except Exception as e:  # noqa: BLE001 -- a lost ledger costs speed, never the cell
            log.debug("core ledger unreachable (%s): keeping %d threads", e, self.base)
            return None

    def start(self) -> None:
        self._call("start", self.index, self.node)

    def end(self) -> None:
        self._call("end", self.index)

    def threads(self) -> int:
        share = self._call("share", self.index, self.node_cpus, self.base)
        return self.base if share is None else int(share)
