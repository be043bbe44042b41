"""Render a phrase body with the conversation's context (buyer, item, order, campaign, shop, agent).

Delegates to the knowledge base's sandboxed renderer (``knowledge.templates``): missing values
render their fallback (``buyer.nick`` -> 亲), and a template that cannot be rendered at all
shows the fallback in place of each tag, never ``{{ }}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from knowledge.templates import DEFAULT_FALLBACK, TemplateProblem, log_refused
from knowledge.templates import render as render_template

CONTEXT_NAMES = ("buyer", "item", "order", "campaign", "shop", "agent")
MAX_CHARS = 4000
FALLBACK = DEFAULT_FALLBACK

_TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def render(body: str, context: Mapping[str, Any] | None = None, *, phrase_id: int | None = None) -> str:
    """The body with its tags filled from ``context``; plain bodies are returned as they are. A body
    that cannot be rendered (syntax, refused, over its budget) shows the fallback in place of each
    tag, and the problem is logged with ``phrase_id``."""
    if "{" not in body:
        return body
    values = {name: value for name in CONTEXT_NAMES if (value := (context or {}).get(name)) is not None}
    try:
        return render_template(body, values, max_chars=MAX_CHARS).text
    except TemplateProblem as problem:
        log_refused("quick reply", phrase_id, problem)
        return _TAG_RE.sub(FALLBACK, body)
