"""`python -m orchestration run|table EXPERIMENT_FILE ...`, and `run_cli` for experiment files."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from orchestration.spec import SCALES, Experiment, SpecError, parse_overrides


def load_experiment(path: str) -> Experiment:
    p = Path(path)
    if not p.is_file():
        raise SpecError(f"experiment file {path} does not exist")
    spec = importlib.util.spec_from_file_location(f"_experiment_{p.stem}", p)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # what its dataclasses and pickles look their module up by
    spec.loader.exec_module(module)
    exp = getattr(module, "EXPERIMENT", None)
    if not isinstance(exp, Experiment):
        raise SpecError(f"experiment file {path} defines no EXPERIMENT = Experiment(...)")
    return exp


def _run(exp: Experiment, args: argparse.Namespace) -> int:
    from orchestration.runner import run_experiment

    config, run = parse_overrides(exp, args.overrides)
    result = run_experiment(exp, args.scale, config, run, force=args.force,
                            finished_only=args.finished_only)
    print()
    print(result.markdown)
    if result.claims:
        print(result.claims)
    print(f"{result.trained} cells trained, {result.reused} reused, {result.seconds:.0f} s. "
          f"MLflow parent run {result.parent_run_id}; browse with: mlflow ui --backend-store-uri "
          f"{_uri_hint()}")
    return 0


def _uri_hint() -> str:
    from orchestration.tracking import tracking_uri
    return tracking_uri()


def _table(exp: Experiment, args: argparse.Namespace) -> int:
    import mlflow.artifacts

    from orchestration.tracking import latest_finished_table, tracking_uri

    uri = tracking_uri()
    run = latest_finished_table(uri, exp.paper_id, exp.id, args.scale)
    if run is None:
        raise SpecError(f"no finished table for {exp.id}{' at scale ' + args.scale if args.scale else ''} "
                        f"in {uri}; run it first")
    print(mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/table.md"))
    if exp.claims:  # recomputed from the stored cells: the file's claims now, no training
        import io

        import pandas as pd
        from mlflow.tracking import MlflowClient

        from orchestration import claims

        cells = pd.read_csv(io.StringIO(mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/cells.csv")))
        print(claims.to_markdown(exp, claims.evaluate(exp, cells, MlflowClient(uri))))
    return 0


def _add_run_args(p: argparse.ArgumentParser, default_scale: str = "cpu") -> None:
    p.add_argument("--scale", choices=SCALES, default=default_scale)
    p.add_argument("--force", action="store_true", help="retrain cells that already finished")
    p.add_argument("--finished-only", action="store_true",
                   help="train nothing: write the table from the cells already finished, the rest shown '–' "
                        "and named in its caption (a partial table)")
    p.add_argument("overrides", nargs="*", metavar="key=value", help="typed config overrides")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["mlflow-server"]:
        from orchestration.server import main as server_main
        return server_main(argv[1:])
    if argv[:1] == ["report"]:
        from orchestration.results import main as report_main
        return _guarded(lambda: report_main(argv[1:]))
    parser = argparse.ArgumentParser(prog="python -m orchestration",
                                     epilog="also: python -m orchestration mlflow-server --help; "
                                            "python -m orchestration report --help")
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run (or finish) an experiment's table")
    p_run.add_argument("experiment_file")
    _add_run_args(p_run)
    p_table = sub.add_parser("table", help="print the last finished table from MLflow")
    p_table.add_argument("experiment_file")
    p_table.add_argument("--scale", choices=SCALES, default=None)
    args = _parse(parser, argv)
    return _guarded(lambda: (_run if args.command == "run" else _table)(load_experiment(args.experiment_file), args))


def run_cli(exp: Experiment, argv: list[str] | None = None) -> None:
    """What `python experiments/.../table2.py [--scale S] [key=value ...]` does: the same as `run`."""
    parser = argparse.ArgumentParser(prog=f"python {sys.argv[0]}", description=exp.title)
    _add_run_args(parser)
    args = _parse(parser, argv)
    sys.exit(_guarded(lambda: _run(exp, args)))


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    # Overrides may come before or after --scale; argparse alone wants them in one run.
    args, extra = parser.parse_known_args(argv)
    flags = [x for x in extra if x.startswith("-")]
    if flags or (extra and not hasattr(args, "overrides")):
        parser.error(f"unrecognized arguments: {' '.join(flags or extra)}")
    if extra:
        args.overrides = [*args.overrides, *extra]
    return args


def _guarded(fn) -> int:
    from orchestration.runtime import quiet_environment

    quiet_environment()
    from components.data.errors import DataError
    from orchestration.runner import CellsFailed
    from orchestration.tracking import TrackingError

    try:
        return fn()
    except (SpecError, DataError, TrackingError, CellsFailed, KeyError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"error: {msg}", file=sys.stderr)
        return 2
