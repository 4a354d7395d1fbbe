"""`python -m orchestration mlflow-server`: the team's MLflow server, loopback unless told.

A SQLite (or PostgreSQL) backend plus an artifact root that the server itself serves
(`--serve-artifacts`), so clients upload tables, figures and checkpoints over HTTP and
nothing stays in a trial's local directory. Point experiments at it with
`MLFLOW_TRACKING_URI=http://HOST:PORT`.

Authentication (`--auth on`, and by default whenever the server binds beyond loopback):
MLflow's basic-auth app. Its admin is `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`
from the environment, or the file `EMOJITAGS_MLFLOW_CREDENTIALS` names (`KEY=value` lines
with those two keys, or a single `user:password` line). Clients send the same two variables
(MLflow's client reads them), and an unauthenticated request gets 401. The password never
touches disk here: the auth config written (to a private temporary folder, outside the repo)
holds only the username and the user store's location; the password reaches MLflow through
its environment, and it creates the admin on first start (hashed, in <root>/basic_auth.db).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

LOOPBACK = ("127.0.0.1", "localhost", "::1")
CREDENTIALS_ENV = "EMOJITAGS_MLFLOW_CREDENTIALS"
USER_ENV, PASSWORD_ENV = "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"


class AuthSetupError(RuntimeError):
    """Authentication was asked for (or implied) but no credentials were given."""


def server_command(backend: str, artifacts: Path, host: str, port: int, workers: int = 1,
                   auth: bool = False) -> list[str]:
    mlflow = shutil.which("mlflow", path=str(Path(sys.executable).parent)) or "mlflow"
    cmd = [mlflow, "server", "--backend-store-uri", backend,
           "--artifacts-destination", str(artifacts.resolve()), "--serve-artifacts",
           "--host", host, "--port", str(port), "--workers", str(workers)]
    if auth:
        cmd += ["--app-name", "basic-auth"]
    if host not in LOOPBACK:
        # MLflow's host-header check would refuse clients that name the server by its address.
        cmd += ["--allowed-hosts", f"{host}:{port},{host},localhost:{port},127.0.0.1:{port}"]
    return cmd


def read_credentials(environ: dict[str, str] | None = None) -> tuple[str, str]:
    """(username, password): the environment's pair, else the credentials file's."""
    env = os.environ if environ is None else environ
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    if user and password:
        return user, password
    path = env.get(CREDENTIALS_ENV)
    if path:
        text = Path(path).expanduser().read_text()
        pairs = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
        pairs = {k.strip().removeprefix("export "): v.strip().strip("'\"") for k, v in pairs.items()}
        if pairs.get(USER_ENV) and pairs.get(PASSWORD_ENV):
            return pairs[USER_ENV], pairs[PASSWORD_ENV]
        lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
        if len(lines) == 1 and ":" in lines[0]:
            user, password = lines[0].split(":", 1)
            if user and password:
                return user, password
        raise AuthSetupError(f"{path} ({CREDENTIALS_ENV}) holds neither {USER_ENV}=…/{PASSWORD_ENV}=… "
                             "lines nor one user:password line")
    raise AuthSetupError(f"authentication needs an admin: set {USER_ENV} and {PASSWORD_ENV}, or "
                         f"{CREDENTIALS_ENV} to a file holding them (never a file in the repo)")


def auth_environment(root: Path, user: str, password: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment with basic auth configured; writes the (password-free) ini."""
    env = dict(os.environ if environ is None else environ)
    conf_dir = Path(tempfile.mkdtemp(prefix="emojitags-mlflow-auth-"))  # mode 0700
    ini = conf_dir / "basic_auth.ini"
    ini.write_text("[mlflow]\n"
                   "default_permission = READ\n"
                   f"database_uri = sqlite:///{(root / 'basic_auth.db').resolve()}\n"
                   f"admin_username = {user}\n"
                   "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
                   # Verify a password's (scrypt) hash once per 5 minutes, not on every request:
                   # a table makes hundreds, and each check took 10-25 s on a busy 2-core host.
                   "auth_cache_ttl_seconds = 300\n")
    ini.chmod(0o600)
    env["MLFLOW_AUTH_CONFIG_PATH"] = str(ini)
    env["MLFLOW_AUTH_ADMIN_USERNAME"] = user
    env["MLFLOW_AUTH_ADMIN_PASSWORD"] = password
    # CSRF protection of the sign-up page wants one key for all the server's workers.
    env.setdefault("MLFLOW_FLASK_SERVER_SECRET_KEY", secrets.token_hex(32))
    return env


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m orchestration mlflow-server", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend-store-uri", default=None,
                   help="default: sqlite:///<root>/mlflow.db; postgresql://… for a team")
    p.add_argument("--root", default="mlflow-server", help="folder for the SQLite file and artifacts")
    p.add_argument("--host", default="127.0.0.1", help="bind address (loopback unless you mean it)")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--auth", choices=("auto", "on", "off"), default="auto",
                   help="MLflow basic auth; auto: on unless the server binds to loopback only")
    args = p.parse_args(argv)
    auth = args.auth == "on" or (args.auth == "auto" and args.host not in LOOPBACK)
    env = dict(os.environ)
    root = Path(args.root).resolve()
    if auth:
        try:
            user, password = read_credentials()
        except (AuthSetupError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    root.mkdir(parents=True, exist_ok=True)
    if auth:
        env = auth_environment(root, user, password)
    backend = args.backend_store_uri or f"sqlite:///{root / 'mlflow.db'}"
    cmd = server_command(backend, root / "artifacts", args.host, args.port, args.workers, auth=auth)
    print(f"MLflow server on http://{args.host}:{args.port} (backend {backend}; "
          f"{'basic auth, admin ' + repr(user) if auth else 'no authentication'}); "
          f"export MLFLOW_TRACKING_URI=http://{args.host}:{args.port}", flush=True)
    if args.auth == "off" and args.host not in LOOPBACK:
        print(f"warning: anyone who reaches {args.host}:{args.port} can read and write the store",
              file=sys.stderr, flush=True)
    os.execve(cmd[0], cmd, env)  # the server owns the process: signals reach it directly
    return 0
