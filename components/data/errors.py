"""Errors raised by the data loaders.

Both are RuntimeErrors so that callers which only want "the data is not usable" can catch
one type, while tests and experiments can tell a refused pickle from a missing file.
"""

from __future__ import annotations


class DataError(RuntimeError):
    """A data file is missing, unreachable, corrupted, or does not have the expected shape."""


class UnsafePickleError(DataError):
    """A pickle asked for a class or function outside the admitted set; nothing was run."""
