"""The only layer that knows Ray and MLflow: specs, cells, training, tracking, reports."""

from orchestration.spec import Experiment, Metric, Row, RunSettings, SpecError

__all__ = ["Experiment", "Metric", "Row", "RunSettings", "SpecError", "run_cli"]


def run_cli(exp, argv=None):
    from orchestration.cli import run_cli as _run_cli
    return _run_cli(exp, argv)
