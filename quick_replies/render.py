"""Render a phrase body with the conversation's context (buyer, item, order, campaign, shop, agent).

A minimal sandboxed renderer used until ``knowledge.templates`` exists: a missing value
renders as ``（未填写）`` and a broken template never shows ``{{ }}`` to the buyer.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from jinja2 import ChainableUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

FALLBACK = "（未填写）"
CONTEXT_NAMES = ("buyer", "item", "order", "campaign", "shop", "agent")

_TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_CACHE_SIZE = 4096


class _Missing(ChainableUndefined):
    """An undefined value (or attribute of one) renders as the fallback, never as an error."""

    def __str__(self) -> str:
        return FALLBACK


_env = SandboxedEnvironment(undefined=_Missing, autoescape=False)
_compiled: OrderedDict[str, Template | None] = OrderedDict()


def _template(body: str) -> Template | None:
    template = _compiled.get(body)
    if template is None and body not in _compiled:
        try:
            template = _env.from_string(body)
        except TemplateError:
            template = None
        _compiled[body] = template
        if len(_compiled) > _CACHE_SIZE:
            _compiled.popitem(last=False)
    return template


def render(body: str, context: Mapping[str, Any] | None = None) -> str:
    """The body with its ``{{ ... }}`` filled from ``context``; plain bodies are returned as-is."""
    if "{" not in body:
        return body
    template = _template(body)
    values = {name: (context or {}).get(name) for name in CONTEXT_NAMES}
    clean = {name: value for name, value in values.items() if value is not None}
    if template is not None:
        try:
            return template.render(clean)
        except Exception:  # sandbox refusal or a filter failing on odd data
            pass
    return _TAG_RE.sub(FALLBACK, body)
