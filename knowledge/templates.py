"""Answer templates: rendered in jinja2's sandbox, never leaking syntax or Python objects.

Two calls::

    render("亲，{{ item.title }} 现价 {{ item.price_fen|money }}", context)
        -> Rendered(text="亲，… 现价 ¥259", missing=[], findings=[])
    lint(template, sample_context) -> [Finding(kind="unknown_variable", line=1, column=5, …)]

Rules that keep buyer-facing text clean:

- Only ``SandboxedEnvironment``; attributes can only be read from mappings (the context
  objects), so ``__class__``/``__globals__``/``mro``/``"".format`` are unreachable; names
  starting with ``_`` are refused; no globals (no ``range``, ``lipsum``, ``cycler``), no
  include/import/extends; ``*``, ``**`` and ``%`` are checked so a template cannot build
  a huge string or use ``%`` formatting.
- A missing value (``{{ buyer.name }}`` when the buyer has none) renders the configured
  fallback and is listed in ``Rendered.missing``; a mapping or object printed whole
  renders the fallback too (no ``{'nick': …}`` repr); a list prints as ``a、b、c``.
"""

from __future__ import annotations

import contextvars
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

from jinja2 import TemplateError, TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import Field

from knowledge import template_filters as tf
from knowledge.models import Model

__all__ = [
    "DEFAULT_FALLBACKS",
    "MAX_OUTPUT_CHARS",
    "Finding",
    "FindingKind",
    "Rendered",
    "TemplateProblem",
    "lint",
    "render",
]

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
_MAX_REPEAT = 1000
_BUILTIN_FILTERS = (
    "default",
    "d",
    "join",
    "upper",
    "lower",
    "trim",
    "truncate",
    "length",
    "count",
    "first",
    "last",
    "round",
    "int",
    "replace",
    "capitalize",
    "abs",
    "min",
    "max",
    "sum",
    "center",
    "wordcount",
)

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
]


class Finding(Model):
    """One problem in a template: what, where (1-based line and column) and which name."""

    kind: FindingKind
    message: str
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


# --------------------------------------------------------------------------- #
# the environment
# --------------------------------------------------------------------------- #


@dataclass
class _State:
    fallbacks: Mapping[str, str]
    fallback: str
    missing: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def fallback_for(self, path: str) -> str:
        if path not in self.missing:
            self.missing.append(path)
        return self.fallbacks.get(path, self.fallback)


_state: contextvars.ContextVar[_State | None] = contextvars.ContextVar("kefu_template_state", default=None)


class _Scope(dict[str, Any]):
    """A context mapping that knows its dotted path (so ``buyer.name`` is reported by name)."""

    __slots__ = ("path",)

    def __init__(self, path: str, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self.path = path


def _wrap(path: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        # None and "" are left out, so they render the fallback and are reported by path.
        return _Scope(
            path, {str(k): _wrap(f"{path}.{k}", v) for k, v in value.items() if v is not None and v != ""}
        )
    if isinstance(value, list | tuple):
        return [_wrap(path, v) for v in value]
    return value


class _Missing(Undefined):
    """A value that is not there: chainable, renders the fallback and reports its path."""

    __slots__ = ()

    @property
    def path(self) -> str:
        name = self._undefined_name or "?"
        owner = self._undefined_obj
        if isinstance(owner, _Scope):
            return f"{owner.path}.{name}"
        return name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _Missing(name=f"{self.path}.{name}")

    def __getitem__(self, key: Any) -> Any:
        return _Missing(name=f"{self.path}.{key}")

    def __str__(self) -> str:
        state = _state.get()
        return state.fallback_for(self.path) if state else ""

    def _same(self, *args: Any, **kwargs: Any) -> _Missing:
        return self  # arithmetic on a missing value stays missing (and renders the fallback)

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same  # type: ignore[assignment]
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __neg__ = __pos__ = _same  # type: ignore[assignment]


def _printable(value: Any) -> Any:
    """``finalize``: what ``{{ … }}`` may print; everything else renders the fallback."""
    state = _state.get()
    if value is None:
        return state.fallback if state else ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str | int | _Missing):
        return value
    if isinstance(value, float):
        return format(value, ".10g")
    if isinstance(value, datetime | date):
        return tf.date_filter(value)
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return "、".join(str(v) for v in value)
    if state is not None:
        path = value.path if isinstance(value, _Scope) else type(value).__name__
        state.findings.append(
            Finding(
                kind="not_printable",
                name=path,
                message=f"{path} 是一组数据，不能直接输出；请写出具体字段，例如 {path}.name",
            )
        )
        return state.fallback
    return ""


def _checked_mul(left: Any, right: Any) -> Any:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int) and len(seq) * count > _MAX_REPEAT:
            raise SecurityError("重复的内容太长")
    return operator.mul(left, right)


def _checked_pow(left: Any, right: Any) -> Any:
    if isinstance(right, int | float) and abs(right) > 64:
        raise SecurityError("指数太大")
    return operator.pow(left, right)


def _refused_mod(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        raise SecurityError("模板里不能用 % 格式化文字")
    return operator.mod(left, right)


class KefuSandbox(SandboxedEnvironment):
    """The sandbox answer templates run in: data in, text out, nothing else reachable."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(
            autoescape=False,
            undefined=_Missing,
            finalize=_printable,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.globals.clear()
        # Only filters that turn data into text: no format/pprint/tojson/xmlattr (reprs, markup).
        self.filters = {name: self.filters[name] for name in _BUILTIN_FILTERS} | tf.FILTERS
        self.binop_table = {**self.binop_table, "*": _checked_mul, "**": _checked_pow, "%": _refused_mod}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False  # attributes are never read; mapping keys are (see getattr)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise SecurityError(f"不允许访问 {attribute}")
        if isinstance(obj, Mapping):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        if isinstance(obj, Undefined):
            return getattr(obj, attribute)
        return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str):
            return self.getattr(obj, argument)
        if isinstance(obj, Sequence) and not isinstance(obj, str) and isinstance(argument, int):
            try:
                return obj[argument]
            except IndexError:
                pass
        return self.undefined(obj=obj, name=str(argument))


ENV = KefuSandbox()


@lru_cache(maxsize=4096)
def _compile(source: str) -> Any:
    return ENV.from_string(source)


# --------------------------------------------------------------------------- #
# render
# --------------------------------------------------------------------------- #


def syntax_finding(source: str, exc: TemplateSyntaxError) -> Finding:
    line = exc.lineno or 1
    raw = exc.message or ""
    column = _syntax_column(source, line, raw)
    if raw.startswith("No filter named"):
        return Finding(
            kind="unknown_filter",
            line=line,
            column=column,
            message=f"不认识的过滤器：{raw.split(chr(39))[1] if chr(39) in raw else raw}",
        )
    return Finding(kind="syntax", line=line, column=column, message=f"模板语法错误：{raw}")


def render(
    template: str,
    context: Mapping[str, Any],
    *,
    fallbacks: Mapping[str, str] | None = None,
    fallback: str = DEFAULT_FALLBACK,
    max_chars: int = MAX_OUTPUT_CHARS,
) -> Rendered:
    """Render ``template`` with ``context`` in the sandbox.

    Missing values render ``fallbacks[path]`` (default ``DEFAULT_FALLBACKS``) or
    ``fallback`` and are listed in ``missing``. Raises ``TemplateProblem`` when the
    template cannot be rendered at all (syntax error, sandbox violation).
    """
    try:
        compiled = _compile(template)
    except TemplateSyntaxError as exc:
        raise TemplateProblem([syntax_finding(template, exc)]) from exc
    state = _State(fallbacks=DEFAULT_FALLBACKS if fallbacks is None else fallbacks, fallback=fallback)
    token = _state.set(state)
    try:
        scoped = {str(k): _wrap(str(k), v) for k, v in context.items()}
        text = compiled.render(scoped)
    except SecurityError as exc:
        raise TemplateProblem([Finding(kind="unsafe", message=f"模板做了不允许的操作：{exc}")]) from exc
    except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateProblem([Finding(kind="render_error", message=f"模板渲染失败：{exc}")]) from exc
    finally:
        _state.reset(token)
    text = text.strip()
    findings = list(state.findings)
    if len(text) > max_chars:
        findings.append(
            Finding(kind="too_long", message=f"输出 {len(text)} 字，超过上限 {max_chars} 字，请精简")
        )
    if any(mark in text for mark in ("{{", "}}", "{%", "%}")):
        findings.append(
            Finding(kind="leaked_syntax", message="输出里还有 {{ }} 或 {% %}，买家会看到模板语法")
        )
    return Rendered(text=text, missing=state.missing, findings=findings)


def _syntax_column(source: str, line: int, message: str) -> int:
    """Best column (1-based) for a syntax error on ``line``: the quoted culprit, else the tag."""
    lines = source.splitlines() or [""]
    text = lines[min(line, len(lines)) - 1]
    for quote in ("'", '"'):
        parts = message.split(quote)
        if len(parts) >= 3 and parts[1] and parts[1] in text:
            return text.index(parts[1]) + 1
    if "end of template" in message:
        return len(text) + 1
    for mark in ("{{", "{%"):
        pos = text.rfind(mark)
        if pos >= 0:
            return pos + 1
    return 1


def lint(
    template: str,
    sample_context: Mapping[str, Any] | None = None,
    *,
    max_chars: int = MAX_OUTPUT_CHARS,
) -> list[Finding]:
    """Every problem of ``template`` (see ``knowledge.template_lint.lint``)."""
    from knowledge.template_lint import lint as run_lint

    return run_lint(template, sample_context, max_chars=max_chars)
