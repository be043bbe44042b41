"""What a template check or render reports: a ``Finding`` (kind, message in Chinese and English,
place), the ``Rendered`` text with its findings, and ``TemplateProblem`` when a template cannot be
rendered at all. Apart from ``knowledge.templates`` so the sandbox, the messages and the linter share
them without importing the renderer."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from knowledge.models import Model

#: Finding kinds that refuse a save; the rest (missing sample values, long output) are warnings.
BLOCKING_KINDS = ("syntax", "unknown_variable", "unknown_filter", "unsafe", "unsupported", "too_costly")

FindingKind = Literal[
    "syntax",
    "unknown_variable",
    "unknown_filter",
    "unsupported",
    "unsafe",
    "missing_value",
    "not_printable",
    "too_long",
    "leaked_syntax",
    "render_error",
    "too_costly",
]


class Finding(Model):
    """One problem in a template: what, where (1-based line and column) and which name."""

    kind: FindingKind
    message: str
    message_en: str | None = Field(None, description="the message in English, for an English page")
    line: int | None = None
    column: int | None = None
    name: str | None = None

    def located(self) -> str:
        """The message with its place in front, for text that stands alone (a save's field error);
        the preview returns ``line``/``column`` beside the message instead."""
        if self.line is None:
            return self.message
        return f"第 {self.line} 行第 {self.column or 1} 列：{self.message}"


class Rendered(Model):
    """The text to send, the values that were missing (rendered as fallback) and other findings."""

    text: str
    missing: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


class TemplateProblem(Exception):
    """The template cannot be rendered at all (syntax error, refused construct)."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("; ".join(f.located() for f in findings))
