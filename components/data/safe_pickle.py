"""Load the DeepMoji Python 2 pickles without letting them run arbitrary code.

pickle.load will call any importable callable a file names (os.system included), so the
benchmark pickles are read through an Unpickler whose find_class admits only the numpy
constructors those files were found to use (logged with this same restricted loader over
all eight files):

* ``numpy.core.multiarray._reconstruct``, ``numpy.ndarray``, ``numpy.dtype`` - label
  arrays (Olympic, PsychExp);
* ``numpy.core.multiarray.scalar``, ``numpy.dtype`` - numpy int64 labels (SCv1,
  SS-Twitter, SS-Youtube).

Everything else raises UnsafePickleError before the object is ever called.
"""

from __future__ import annotations

import importlib
import os
import pickle
from pathlib import Path
from typing import Any

from .errors import DataError, UnsafePickleError

# (module, name) as written in the pickle. numpy 2 moved numpy.core to numpy._core; both
# spellings are admitted and resolved to whichever the installed numpy provides.
ADMITTED: frozenset[tuple[str, str]] = frozenset({
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
})

_NUMPY_CORE_MODULES = ("numpy._core.multiarray", "numpy.core.multiarray")


class RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler that resolves only the ADMITTED globals; ``label`` names the file."""

    def __init__(self, file: Any, label: str, encoding: str = "latin1") -> None:
        super().__init__(file, encoding=encoding, errors="strict")
        self._label = label

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ADMITTED:
            raise UnsafePickleError(
                f"refusing to unpickle {self._label}: it asks for {module}.{name}, which is "
                f"not among the admitted numpy constructors"
            )
        if module == "numpy":
            return getattr(importlib.import_module("numpy"), name)
        # Importing numpy._core first avoids numpy 2's deprecation shim for numpy.core;
        # numpy 1.x only has numpy.core.
        for candidate in _NUMPY_CORE_MODULES:
            try:
                return getattr(importlib.import_module(candidate), name)
            except ImportError:
                continue
        raise UnsafePickleError(f"cannot resolve {module}.{name} for {self._label}")

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError(f"refusing to unpickle {self._label}: it uses persistent ids")


def load_restricted_pickle(path: str | os.PathLike[str], encoding: str = "latin1") -> Any:
    """Unpickle ``path`` admitting only the numpy constructors in ADMITTED.

    ``encoding`` decodes Python 2 ``str`` objects: "latin1" (numpy's advice) maps every byte
    to a character; "bytes" keeps them as bytes for the caller to decode, which is the
    only way to tell UTF-8 text apart from unicode text after loading.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            return RestrictedUnpickler(fh, label=str(path), encoding=encoding).load()
    except UnsafePickleError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot unpickle {path}: {type(exc).__name__}: {exc}") from exc
