"""Errors of the quick-reply import that carry a message for the person importing."""

from __future__ import annotations


class TransferError(ValueError):
    """The file cannot be read as a table of quick replies; the message says why and what to do."""
