"""python -m benchmarks [all | tune_cells | featurize | beam | cooccurrence | training | levers | tail | table_profile
                        | paper_dry_run [EXPERIMENT_FILE ...]] ...

Each benchmark prints its figures and writes benchmarks/results/<name>.json.
"""

from __future__ import annotations

import importlib
import json
import sys

NAMES = ("tune_cells", "featurize", "beam", "cooccurrence", "training", "levers", "tail", "table_profile",
         "paper_dry_run")
ON_DEMAND = ("table_profile", "paper_dry_run")  # not in `all`: one reads a finished cpu run, one is long


def main(argv: list[str]) -> int:
    if argv[:1] == ["paper_dry_run"]:  # its arguments are experiment files
        figures = importlib.import_module("benchmarks.paper_dry_run").run(argv[1:] or None)
        print(f"== paper_dry_run\n{json.dumps(figures, indent=1, default=float)}", flush=True)
        return 0 if all(f["ok"] for f in figures.values()) else 1
    names = [n for n in NAMES if n not in ON_DEMAND] if not argv or argv == ["all"] else argv
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
