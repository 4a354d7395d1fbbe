"""python -m benchmarks [all | tune_cells | featurize | beam | cooccurrence | training | levers | table_profile] ...

Each benchmark prints its figures and writes benchmarks/results/<name>.json.
"""

from __future__ import annotations

import importlib
import json
import sys

NAMES = ("tune_cells", "featurize", "beam", "cooccurrence", "training", "levers", "table_profile")


def main(argv: list[str]) -> int:
    # `all` leaves out table_profile: it reads a finished cpu run of the headline table
    names = [n for n in NAMES if n != "table_profile"] if not argv or argv == ["all"] else argv
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        print(f"error: unknown benchmark(s) {unknown}; valid: all, {', '.join(NAMES)}", file=sys.stderr)
        return 2
    for name in names:
        figures = importlib.import_module(f"benchmarks.{name}").run()
        print(f"== {name}\n{json.dumps(figures, indent=1, default=float)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
