"""The error of reading an uploaded table (CSV or .xlsx): its message says why and what to do."""

from __future__ import annotations


class TableError(ValueError):
    """The file cannot be read as a table; the message says why and what to do."""
