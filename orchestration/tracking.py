"""MLflow: one parent run per table, one child run per cell.

The tracking store is the source of truth for what is finished: a rerun asks it which
cells already have a FINISHED child run and trains only the others. Trials (and Ray
Train's rank 0) log to the store themselves through a picklable `RunSink`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import statistics
import subprocess
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from mlflow.entities import Dataset, DatasetInput, InputTag, RunStatus
from mlflow.entities import Metric as MlflowMetric
from mlflow.tracking import MlflowClient

TAG = "emojitags."
PARENT = "mlflow.parentRunId"
# Opens the experiment on the UI's model-training view rather than GenAI's "Evaluation runs".
EXPERIMENT_KIND, MODEL_DEVELOPMENT = "mlflow.experimentKind", "custom_model_development"
DATASET_CONTEXT = "mlflow.data.context"
DIGEST_CHARS = 16  # of a data set's digest (MLflow keeps at most 36)
MODEL_TAG = f"{TAG}model."  # a run's tag `emojitags.model.<registered name>` = the version it used
STAGE_KEY = "stage_key"     # a model version's tag: the stage directory it was registered from

log = logging.getLogger("emojitags.tracking")


class TrackingError(RuntimeError):
    """The MLflow store cannot be reached or used."""


def tracking_uri() -> str:
    """`MLFLOW_TRACKING_URI`, or a SQLite file `mlflow.db` in the current directory."""
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if uri:
        return uri
    return f"sqlite:///{Path('mlflow.db').resolve()}"


def artifact_root(uri: str) -> str | None:
    # With a local SQLite store, keep artifacts beside it rather than under whatever
    # directory a Ray trial happens to run in; a server decides for itself.
    if uri.startswith("sqlite:///"):
        return (Path(uri[len("sqlite:///"):]).parent / "mlartifacts").resolve().as_uri()
    return None


def check_reachable(uri: str, timeout_s: float = 10.0) -> None:
    """Fail before any training when the store cannot be reached."""
    if uri.startswith(("http://", "https://")):
        import urllib.error
        import urllib.request
        try:
            urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout_s).read()
        except (urllib.error.URLError, OSError) as e:
            raise TrackingError(f"MLflow server {uri} is unreachable ({getattr(e, 'reason', e)}); "
                                "start it (python -m orchestration mlflow-server) or unset "
                                "MLFLOW_TRACKING_URI to use the local SQLite store") from None
    try:
        with store_init_lock(uri):  # a new SQLite store's schema is created here, once
            MlflowClient(uri).search_experiments(max_results=1)
    except Exception as e:  # noqa: BLE001 - any store failure means the same to the user
        raise TrackingError(f"MLflow store {uri} cannot be used: {str(e).splitlines()[0]}") from None


@contextlib.contextmanager
def store_init_lock(uri: str):
    """Drivers started together on a new SQLite store would race MLflow's schema creation
    ("table ... already exists"): the first creates it while the others wait. A server migrates
    its own store."""
    if not uri.startswith("sqlite:///"):
        yield
        return
    from orchestration.leases import file_lock

    with file_lock(Path(uri[len("sqlite:///"):]).with_suffix(".init.lock")):
        yield


def git_commit() -> str:
    try:
        # the code's checkout, wherever the command runs from
        return subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                              timeout=5, check=True, cwd=Path(__file__).resolve().parents[1]).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@dataclass
class RunSink:
    """A picklable handle on one MLflow run, for logging from trials and Train workers."""

    uri: str
    run_id: str

    @cached_property
    def client(self) -> MlflowClient:
        return MlflowClient(self.uri)

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        ts = int(time.time() * 1000)
        batch = [MlflowMetric(k, float(v), ts, step or 0) for k, v in metrics.items()]
        if batch:
            self.client.log_batch(self.run_id, metrics=batch)

    def log_params(self, params: dict[str, Any]) -> None:
        from mlflow.entities import Param
        items = [Param(k, str(v)[:6000]) for k, v in params.items()]
        for i in range(0, len(items), 100):
            self.client.log_batch(self.run_id, params=items[i:i + 100])

    def set_tags(self, tags: dict[str, Any]) -> None:
        from mlflow.entities import RunTag
        self.client.log_batch(self.run_id, tags=[RunTag(k, str(v)) for k, v in tags.items()])

    def log_artifact(self, path: str | os.PathLike, artifact_path: str | None = None) -> None:
        self.client.log_artifact(self.run_id, str(path), artifact_path)

    def log_datasets(self, data: dict[str, str], context: str = "training") -> None:
        """Record the data sets a run read (`{relative path: sha256}`, the first path component
        being the data set's name) as MLflow dataset inputs: the UI's Dataset column."""
        if data:
            self.client.log_inputs(self.run_id, datasets=dataset_inputs(data, context))

    def terminate(self, status: str) -> None:
        self.client.set_terminated(self.run_id, status)

    def __getstate__(self) -> dict:
        return {"uri": self.uri, "run_id": self.run_id}  # never pickle the client


class Tracker:
    """The driver's view of the store for one table."""

    def __init__(self, uri: str, mlflow_experiment: str) -> None:
        self.uri = uri
        self.client = MlflowClient(uri)
        with store_init_lock(uri):  # one experiment per paper, however many drivers start at once
            exp = self.client.get_experiment_by_name(mlflow_experiment)
            try:
                exp_id = exp.experiment_id if exp is not None else self.client.create_experiment(
                    mlflow_experiment, artifact_location=artifact_root(uri) and f"{artifact_root(uri)}/{mlflow_experiment}")
            except Exception:  # noqa: BLE001 - another driver created it first (a server has no lock file)
                exp = self.client.get_experiment_by_name(mlflow_experiment)
                if exp is None:
                    raise
                exp_id = exp.experiment_id
        self.experiment_id = exp_id
        if exp is None or exp.tags.get(EXPERIMENT_KIND) != MODEL_DEVELOPMENT:
            self.client.set_experiment_tag(exp_id, EXPERIMENT_KIND, MODEL_DEVELOPMENT)

    def find_parent(self, table_key: str):
        runs = self.client.search_runs([self.experiment_id],
                                       filter_string=f"tags.`{TAG}table_key` = '{table_key}'",
                                       order_by=["attributes.start_time DESC"], max_results=1)
        return runs[0] if runs else None

    def open_parent(self, name: str, table_key: str, tags: dict[str, Any]) -> RunSink:
        run = self.find_parent(table_key)
        if run is None:
            run = self.client.create_run(self.experiment_id, run_name=name,
                                         tags={f"{TAG}kind": "table", f"{TAG}table_key": table_key})
        else:
            self.client.update_run(run.info.run_id, status="RUNNING")
        sink = RunSink(self.uri, run.info.run_id)
        sink.set_tags(tags)
        return sink

    def cell_runs(self) -> list:
        """Every cell run in this MLflow experiment, newest first."""
        out, token = [], None
        while True:
            page = self.client.search_runs([self.experiment_id],
                                           filter_string=f"tags.`{TAG}kind` = 'cell'",
                                           order_by=["attributes.start_time DESC"],
                                           max_results=1000, page_token=token)
            out.extend(page)
            token = page.token
            if not token:
                return out

    def finished_cells(self, runs: list | None = None) -> dict[str, Any]:
        """cell key -> its newest FINISHED run (among `runs`, default: the store's cell runs)."""
        done: dict[str, Any] = {}
        for run in self.cell_runs() if runs is None else runs:
            key = run.data.tags.get(f"{TAG}cell_key")
            if run.info.status == RunStatus.to_string(RunStatus.FINISHED) and key not in done:
                done[key] = run
        return done

    def row_seconds(self, scale: str, runs: list | None = None) -> dict[str, float]:
        """Each row's median `cell_seconds` over its finished cells at `scale`, in any table of this
        paper (a row name is one model): what the row's next cell will likely take. `runs` as in
        `finished_cells`."""
        times: dict[str, list[float]] = {}
        for run in self.cell_runs() if runs is None else runs:
            tags, seconds = run.data.tags, run.data.metrics.get("cell_seconds")
            if (seconds is not None and tags.get(f"{TAG}scale") == scale
                    and run.info.status == RunStatus.to_string(RunStatus.FINISHED)):
                times.setdefault(tags.get(f"{TAG}row", ""), []).append(seconds)
        return {row: statistics.median(v) for row, v in times.items()}

    def unfinished_cell_run(self, parent_id: str, key: str):
        """This table's newest unfinished run of cell `key`, found by its key tag (one query)."""
        runs = self.client.search_runs(
            [self.experiment_id],
            filter_string=(f"tags.`{TAG}cell_key` = '{key}' and tags.`{PARENT}` = '{parent_id}' "
                           "and attributes.status != 'FINISHED'"),
            order_by=["attributes.start_time DESC"], max_results=1)
        return runs[0] if runs else None

    def open_cell(self, parent_id: str, key: str, name: str, tags: dict[str, Any]) -> RunSink:
        """Reopen this cell's unfinished child run (so a resumed cell keeps one history) or start one."""
        run = self.unfinished_cell_run(parent_id, key)
        if run is None:
            run = self.client.create_run(self.experiment_id, run_name=name,
                                         tags={f"{TAG}kind": "cell", f"{TAG}cell_key": key, PARENT: parent_id})
            attempts = 1
        else:
            self.client.update_run(run.info.run_id, status="RUNNING")
            attempts = int(run.data.tags.get(f"{TAG}attempts", "1")) + 1
        sink = RunSink(self.uri, run.info.run_id)
        sink.set_tags({**tags, f"{TAG}attempts": attempts})
        return sink


def stage_run(mlflow_experiment: str, run_name: str, stage: str, params: dict[str, Any],
              data: dict[str, str] | None = None) -> RunSink:
    """An MLflow run for a cached stage built outside any cell, so no training goes unrecorded;
    `data` (`{relative path: sha256}`): the data sets it reads, logged as its dataset inputs."""
    tracker = Tracker(tracking_uri(), mlflow_experiment)
    run = tracker.client.create_run(tracker.experiment_id, run_name=run_name,
                                    tags={f"{TAG}kind": "stage", f"{TAG}stage": stage})
    sink = RunSink(tracker.uri, run.info.run_id)
    sink.log_params(params)
    if data:
        sink.log_datasets(data)
    return sink


# ---- data sets ---------------------------------------------------------------------------

def dataset_digest(sha256s: list[str]) -> str:
    """A data set's digest: the first DIGEST_CHARS hex digits of sha256 over its files' sorted sha256s."""
    return hashlib.sha256("\n".join(sorted(sha256s)).encode()).hexdigest()[:DIGEST_CHARS]


def dataset_origin(paths: list[str]) -> str | None:
    """A data set's public origin: the longest folder URL its manifest files share (e.g.
    raw.githubusercontent.com/<owner>/<repo>/<commit>/<folder>/); None when the manifest
    does not hold them (a data set shipped as a package)."""
    from components.data.manifest import MANIFEST

    urls = [MANIFEST[p].url for p in paths if p in MANIFEST]
    if not urls:
        return None
    prefix = os.path.commonprefix(urls)
    return prefix if len(urls) == 1 else prefix[:prefix.rfind("/") + 1]


def dataset_inputs(data: dict[str, str], context: str = "training") -> list[DatasetInput]:
    """One MLflow DatasetInput per data set named in `data` (`{relative path: sha256}`)."""
    groups: dict[str, dict[str, str]] = {}
    for path, sha in data.items():
        groups.setdefault(path.split("/", 1)[0], {})[path] = sha
    out = []
    for name, files in sorted(groups.items()):
        origin = dataset_origin(list(files))
        source_type, source = ("http", {"url": origin}) if origin else ("external", {"uri": name})
        profile = json.dumps({"files": len(files), "sha256": {p: s[:12] for p, s in sorted(files.items())}})
        ds = Dataset(name=name, digest=dataset_digest(list(files.values())), source_type=source_type,
                     source=json.dumps(source), profile=profile)
        out.append(DatasetInput(ds, tags=[InputTag(DATASET_CONTEXT, context)]))
    return out


# ---- registered models -------------------------------------------------------------------

def _run_of(sink) -> tuple[str, str]:
    while not hasattr(sink, "run_id") and hasattr(sink, "sink"):  # a prefixed sink
        sink = sink.sink
    return sink.uri, sink.run_id


def stage_model_version(client: MlflowClient, name: str, stage_key: str):
    """The registered version of `name` made from stage `stage_key`, or None."""
    try:
        found = client.search_model_versions(f"name = '{name}' and tags.{STAGE_KEY} = '{stage_key}'")
    except Exception:  # noqa: BLE001 - no such model yet, or a store without that filter
        return None
    return min(found, key=lambda v: int(v.version)) if found else None


def register_stage_model(sink, name: str, stage_key: str, artifact_path: str,
                         files: list[Path] | None = None) -> str | None:
    """Record a cached stage (a pretrained encoder, word vectors) as a version of the registered
    model `name`, one version per stage key, and tag the sink's run `emojitags.model.<name>` with it.

    The version's source is `runs:/<run>/<artifact_path>`: `files`, when given, are logged there
    first (only if the stage has no version yet); without them the run already holds them. The
    stage's directory stays the source of truth: registration is a record, and a store that
    cannot register (an old server, no registry) gets a warning, never a failed cell."""
    try:
        uri, run_id = _run_of(sink)
        client = MlflowClient(uri, registry_uri=uri)
        version = stage_model_version(client, name, stage_key)
        if version is None:
            for f in files or ():
                client.log_artifact(run_id, str(f), artifact_path)
            try:
                client.get_registered_model(name)
            except Exception:  # noqa: BLE001 - absent: create it (a racing creator wins: fine)
                try:
                    client.create_registered_model(name, tags={f"{TAG}kind": "stage"})
                except Exception:  # noqa: BLE001
                    client.get_registered_model(name)
            version = client.create_model_version(name, source=f"runs:/{run_id}/{artifact_path}", run_id=run_id,
                                                  tags={STAGE_KEY: stage_key},
                                                  description=f"cached stage {stage_key}")
        client.set_tag(run_id, f"{MODEL_TAG}{name}", version.version)
        return str(version.version)
    except Exception as e:  # noqa: BLE001 - a record only: the stage on disk works without it
        log.warning("could not register stage %s as a version of model %s: %s", stage_key, name,
                    str(e).splitlines()[0][:300] if str(e) else type(e).__name__)
        return None


def latest_finished_table(uri: str, mlflow_experiment: str, table_id: str, scale: str | None = None):
    client = MlflowClient(uri)
    exp = client.get_experiment_by_name(mlflow_experiment)
    if exp is None:
        return None
    filt = f"tags.`{TAG}kind` = 'table' and tags.`{TAG}table` = '{table_id}' and attributes.status = 'FINISHED'"
    if scale:
        filt += f" and tags.`{TAG}scale` = '{scale}'"
    runs = client.search_runs([exp.experiment_id], filter_string=filt,
                              order_by=["attributes.end_time DESC"], max_results=1)
    return runs[0] if runs else None
