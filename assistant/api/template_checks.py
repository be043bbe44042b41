"""Stored templates are checked when they are saved (intent answers, campaign scripts, quick replies,
personal phrases), in the render pool, never on the event loop.

A template with a blocking finding is refused with a field error per problem, in our own words and
with its place (``第 2 行第 5 列：…``): a syntax error, an unknown name, a refused construct, or one
that would exhaust the render budget (``too_costly``: nested powers, loops nested too deep, a macro
calling itself, too much work or output on the sample data).
"""

from __future__ import annotations

from aiohttp import web

from assistant import keys
from assistant.errors import BadRequest, FieldError
from knowledge.templates import BLOCKING_KINDS, lint


def blocking_errors(templates: list[tuple[str, str]]) -> list[FieldError]:
    """``(field, template)`` pairs -> a field error for every blocking finding."""
    errors: list[FieldError] = []
    for field, template in templates:
        if "{" not in template:
            continue  # plain text cannot hold a template
        errors += [FieldError(field, f.located()) for f in lint(template) if f.kind in BLOCKING_KINDS]
    return errors


async def check_templates(request: web.Request, templates: list[tuple[str, str]]) -> None:
    """Raise ``BadRequest`` naming every field whose template would be refused."""
    errors = await request.app[keys.TEMPLATES].run(blocking_errors, templates)
    if errors:
        raise BadRequest(f"模板有问题 — {errors[0]['field']}: {errors[0]['message']}", errors)
