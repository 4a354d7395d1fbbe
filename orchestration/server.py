"""`python -m orchestration mlflow-server`: the team's MLflow server, loopback unless told.

A SQLite (or PostgreSQL) backend plus an artifact root that the server itself serves
(`--serve-artifacts`), so clients upload tables, figures and checkpoints over HTTP and
nothing stays in a trial's local directory. Point experiments at it with
`MLFLOW_TRACKING_URI=http://HOST:PORT`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path


def server_command(backend: str, artifacts: Path, host: str, port: int, workers: int = 1) -> list[str]:
    mlflow = shutil.which("mlflow", path=str(Path(sys.executable).parent)) or "mlflow"
    cmd = [mlflow, "server", "--backend-store-uri", backend,
           "--artifacts-destination", str(artifacts.resolve()), "--serve-artifacts",
           "--host", host, "--port", str(port), "--workers", str(workers)]
    if host not in ("127.0.0.1", "localhost", "::1"):
        # MLflow's host-header check would refuse clients that name the server by its address.
        cmd += ["--allowed-hosts", f"{host}:{port},{host},localhost:{port},127.0.0.1:{port}"]
    return cmd


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m orchestration mlflow-server", description=__doc__)
    p.add_argument("--backend-store-uri", default=None,
                   help="default: sqlite:///<root>/mlflow.db; postgresql://… for a team")
    p.add_argument("--root", default="mlflow-server", help="folder for the SQLite file and artifacts")
    p.add_argument("--host", default="127.0.0.1", help="bind address (loopback unless you mean it)")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--workers", type=int, default=1)
    args = p.parse_args(argv)
    root = Path(args.root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    backend = args.backend_store_uri or f"sqlite:///{root / 'mlflow.db'}"
    cmd = server_command(backend, root / "artifacts", args.host, args.port, args.workers)
    print(f"MLflow server on http://{args.host}:{args.port} (backend {backend}); "
          f"export MLFLOW_TRACKING_URI=http://{args.host}:{args.port}", flush=True)
    os.execv(cmd[0], cmd)  # the server owns the process: signals reach it directly
    return 0
