"""Answer templates: rendered in jinja2's sandbox, never leaking syntax or Python objects.

Two calls::

    render("亲，{{ item.title }} 现价 {{ item.price_fen|money }}", context)
        -> Rendered(text="亲，… 现价 ¥259", missing=[], findings=[])
    lint(template, sample_context) -> [Finding(kind="unknown_variable", line=1, column=5, …)]

Rules that keep buyer-facing text clean:

- Only ``SandboxedEnvironment``; attributes can only be read from mappings (the context
  objects), so ``__class__``/``__globals__``/``mro``/``"".format`` are unreachable; names
  starting with ``_`` are refused; no globals (no ``range``, ``lipsum``, ``cycler``), no
  include/import/extends; ``%`` cannot format text.
- Every render runs within a ``Budget`` (``knowledge.template_limits``): CPU time, steps,
  output, sizes of numbers, text and lists, call depth; parse refuses over-deep nesting. Past
  it the render raises ``TemplateProblem`` with a ``too_costly`` finding, never hangs.
- A missing value (``{{ buyer.name }}`` when the buyer has none) renders the configured
  fallback and is listed in ``Rendered.missing``; a mapping or object printed whole
  renders the fallback too (no ``{'nick': …}`` repr); a list prints as ``a、b、c``.

The sandbox itself is ``knowledge.template_sandbox``, the messages in our own words
``template_messages``, what is reported ``template_findings``; this module renders.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from jinja2 import TemplateSyntaxError

from knowledge import template_limits as limits
from knowledge.template_findings import BLOCKING_KINDS, Finding, FindingKind, Rendered, TemplateProblem
from knowledge.template_limits import DEFAULT_BUDGET, Budget
from knowledge.template_messages import render_finding, syntax_finding
from knowledge.template_sandbox import RenderState, compile_template, render_state, wrap

__all__ = [
    "BLOCKING_KINDS",
    "DEFAULT_BUDGET",
    "DEFAULT_FALLBACKS",
    "MAX_OUTPUT_CHARS",
    "Budget",
    "Finding",
    "FindingKind",
    "Rendered",
    "TemplateProblem",
    "lint",
    "log_refused",
    "render",
]

log = logging.getLogger("kefu.templates")

#: Longest text a template may produce (a chat message, not an essay).
MAX_OUTPUT_CHARS = 500
#: What a missing value renders as, by dotted path; anything else renders ``DEFAULT_FALLBACK``.
DEFAULT_FALLBACKS: dict[str, str] = {
    "buyer.name": "亲",
    "buyer.nick": "亲",
    "agent.name": "客服",
    "shop.name": "本店",
}
DEFAULT_FALLBACK = ""


def render(
    template: str,
    context: Mapping[str, Any],
    *,
    fallbacks: Mapping[str, str] | None = None,
    fallback: str = DEFAULT_FALLBACK,
    max_chars: int = MAX_OUTPUT_CHARS,
    budget: Budget = DEFAULT_BUDGET,
) -> Rendered:
    """Render ``template`` with ``context`` in the sandbox, within ``budget``.

    Missing values render ``fallbacks[path]`` (default ``DEFAULT_FALLBACKS``) or
    ``fallback`` and are listed in ``missing``. Raises ``TemplateProblem`` when the
    template cannot be rendered at all (syntax error, sandbox violation, over budget);
    it never raises anything else for any template.
    """
    refused = _quarantined(template, budget)
    if refused is not None:
        raise TemplateProblem(refused)
    try:
        compiled = compile_template(template)
    except TemplateSyntaxError as exc:
        raise TemplateProblem([syntax_finding(template, exc)]) from exc
    except Exception as exc:
        # a template beyond what the parse-time checks let through (Python's compiler refusing it)
        raise TemplateProblem([render_finding(RecursionError())]) from exc
    state = RenderState(fallbacks=DEFAULT_FALLBACKS if fallbacks is None else fallbacks, fallback=fallback)
    token = render_state.set(state)
    try:
        with limits.meter_scope(budget) as meter:
            scoped = {str(k): wrap(str(k), v) for k, v in context.items()}
            parts: list[str] = []
            for chunk in compiled.generate(scoped):
                meter.emit(len(chunk))
                parts.append(chunk)
    except Exception as exc:  # whatever a template does, it is a finding, never a 500
        problem = [render_finding(exc)]
        if problem[0].kind == "too_costly":
            _quarantine(template, budget, problem)
        raise TemplateProblem(problem) from exc
    finally:
        render_state.reset(token)
    text = "".join(parts).strip()
    findings = list(state.findings)
    if len(text) > max_chars:
        findings.append(
            Finding(
                kind="too_long",
                message=f"输出 {len(text)} 字，超过上限 {max_chars} 字，请精简",
                message_en=f"The output has {len(text)} characters, over the limit of {max_chars}",
            )
        )
    if any(mark in text for mark in ("{{", "}}", "{%", "%}")):
        findings.append(
            Finding(
                kind="leaked_syntax",
                message="输出里还有 {{ }} 或 {% %}，买家会看到模板语法",
                message_en="The output still contains {{ }} or {% %}: the buyer would see template syntax",
            )
        )
    return Rendered(text=text, missing=state.missing, findings=findings)


#: Templates that went over their budget, most recent last: rendered again, they are refused at
#: once (with the same finding) instead of spending the budget again on every agent's keystroke.
#: Editing a template changes its text, so the edited one is tried afresh.
QUARANTINE_SIZE = 1024
_over_budget: OrderedDict[tuple[str, Budget], list[Finding]] = OrderedDict()
_over_budget_lock = threading.Lock()


def _quarantined(template: str, budget: Budget) -> list[Finding] | None:
    with _over_budget_lock:
        return _over_budget.get((template, budget))


def _quarantine(template: str, budget: Budget, findings: list[Finding]) -> None:
    with _over_budget_lock:
        _over_budget[template, budget] = findings
        _over_budget.move_to_end((template, budget))
        while len(_over_budget) > QUARANTINE_SIZE:
            _over_budget.popitem(last=False)


def log_refused(what: str, ident: object, problem: TemplateProblem) -> None:
    """A stored template that could not be rendered (its fallback was used): a warning in the log,
    naming it, so it can be found and fixed; the agent sees the fallback, never an error."""
    log.warning("template of %s %s not rendered: %s", what, ident, problem)


def lint(
    template: str,
    sample_context: Mapping[str, Any] | None = None,
    *,
    max_chars: int = MAX_OUTPUT_CHARS,
) -> list[Finding]:
    """Every problem of ``template`` (see ``knowledge.template_lint.lint``)."""
    from knowledge.template_lint import lint as run_lint

    return run_lint(template, sample_context, max_chars=max_chars)
