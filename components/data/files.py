"""Resolve a data file to a local path whose sha256 has been checked.

Lookup order for a manifest entry:
1. ``$EMOJITAGS_DATA_DIR/<relpath>`` (e.g. ../shared/data in tests and CI);
2. the download cache, ``$EMOJITAGS_CACHE_DIR`` or ``~/.cache/emojitags/data``;
3. a download from the pinned public origin into that cache (unless EMOJITAGS_OFFLINE=1).

Every file is hashed before it is returned, so a truncated, edited or different-version
file fails loudly instead of silently changing results.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

from .errors import DataError
from .manifest import MANIFEST, DataFile, dataset_files

DATA_DIR_ENV = "EMOJITAGS_DATA_DIR"
CACHE_DIR_ENV = "EMOJITAGS_CACHE_DIR"
OFFLINE_ENV = "EMOJITAGS_OFFLINE"
DEFAULT_CACHE_DIR = "~/.cache/emojitags/data"
DOWNLOAD_TIMEOUT_S = 30.0
_CHUNK = 1 << 20

# (resolved path, size, mtime_ns) -> sha256 of files already hashed in this process: loaders
# call data_file() on every load, and re-hashing megabytes each time is waste. The size and
# mtime in the key mean an edited file is hashed again.
_digests: dict[tuple[str, int, int], str] = {}
_digests_lock = threading.Lock()


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, streamed so large files never sit in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cached_sha256(path: str | os.PathLike[str]) -> str:
    """`file_sha256`, computed once per version of the file in this process."""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _digests_lock:
        if key in _digests:
            return _digests[key]
    digest = file_sha256(path)
    with _digests_lock:
        _digests[key] = digest
    return digest


def verify_file(path: str | os.PathLike[str], expected_sha256: str, label: str) -> Path:
    """Return ``path`` if its sha256 is ``expected_sha256``, else raise DataError.

    Usable for files outside the manifest too (e.g. a dataset.json shipped in a PyPI
    package); ``label`` names the file in error messages.
    """
    path = Path(path)
    expected = expected_sha256.lower()
    try:
        actual = cached_sha256(path)
    except OSError as exc:
        raise DataError(f"data file {label} not readable at {path}: {exc.strerror}") from exc
    if actual != expected:
        raise DataError(
            f"data file {label} at {path} has sha256 {actual[:12]}…, expected "
            f"{expected[:12]}…: the file is corrupted or a different version"
        )
    return path


def data_file(relpath: str) -> Path:
    """Local, sha256-verified path of a manifest file such as ``tweeteval_emoji/mapping.txt``."""
    try:
        entry = MANIFEST[relpath]
    except KeyError:
        raise ValueError(f"{relpath!r} is not in the data manifest") from None
    return resolve_file(entry)


def resolve_file(entry: DataFile) -> Path:
    """Local, sha256-verified path of any DataFile: data dir, then cache, then download."""
    data_dir = _data_dir()
    if data_dir is not None:
        local = data_dir / entry.path
        if local.is_file():
            return verify_file(local, entry.sha256, entry.path)

    cached = cache_dir() / entry.path
    if cached.is_file():
        # Only verified downloads are moved into the cache, so a mismatch here means the
        # file was edited or the manifest moved on: say so rather than silently re-fetch.
        try:
            return verify_file(cached, entry.sha256, entry.path)
        except DataError as exc:
            raise DataError(f"{exc}; delete it to download it again") from None

    if _offline():
        raise DataError(_not_found(entry, f"downloads are disabled by {OFFLINE_ENV}=1"))
    return _download(entry, cached)


def dataset_sha256s(name: str) -> dict[str, str]:
    """``{relpath: sha256}`` of one data set, for tagging runs with the exact data they used."""
    return {f.path: f.sha256 for f in dataset_files(name)}


def cache_dir() -> Path:
    """Where downloads are kept: ``$EMOJITAGS_CACHE_DIR`` or ``~/.cache/emojitags/data``."""
    return Path(os.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR).expanduser()


def read_lines(path: Path) -> list[str]:
    """UTF-8 lines without their newline.

    Splits on "\\n" only: str.splitlines() would also break on U+2028, \\x1c and friends,
    which do occur inside tweets, and misalign parallel text/label files. An empty last
    line (a final conversation with no replies) survives; only the file's final newline
    is dropped.
    """
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _data_dir() -> Path | None:
    value = os.environ.get(DATA_DIR_ENV)
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise DataError(
            f"{DATA_DIR_ENV}={value} is not a directory: point it at the folder holding the "
            f"data sets (e.g. ../shared/data) or unset it to use the download cache"
        )
    return path


def _offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _not_found(entry: DataFile, reason: str) -> str:
    reason = " ".join(str(reason).split())  # keep the message on one line
    return (
        f"data file {entry.path} not found: set {DATA_DIR_ENV} to a folder holding it "
        f"(e.g. ../shared/data) or allow downloads from {entry.url}: {reason}"
    )


def _download(entry: DataFile, target: Path) -> Path:
    """Fetch into a temp file beside ``target``, verify, then atomically move into place.

    The temp file lives in the same directory so os.replace is a rename on one file system:
    readers see either no file or the whole verified file, never a partial download, even
    with several processes fetching at once.
    """
    tmp_name: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".part")
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, \
                urllib.request.urlopen(entry.url, timeout=DOWNLOAD_TIMEOUT_S) as resp:
            while chunk := resp.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        actual = digest.hexdigest()
        if actual != entry.sha256:
            raise DataError(
                f"download of data file {entry.path} from {entry.url} has sha256 "
                f"{actual[:12]}…, expected {entry.sha256[:12]}…: the origin serves a "
                f"corrupted or different version"
            )
        os.replace(tmp_name, target)
        tmp_name = None
    except urllib.error.HTTPError as exc:
        raise DataError(_not_found(entry, f"HTTP {exc.code} {exc.reason}")) from exc
    except urllib.error.URLError as exc:
        raise DataError(_not_found(entry, exc.reason)) from exc
    except OSError as exc:  # includes timeouts, refused connections, a read-only cache
        raise DataError(_not_found(entry, exc)) from exc
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
    return verify_file(target, entry.sha256, entry.path)
