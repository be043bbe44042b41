"""The jinja2 sandbox answer templates run in (``KefuSandbox``, the one ``ENV``): attributes only
read from mappings, no globals, a chosen list of filters, every operation counted against the
render's budget; and the per-render state that turns a missing value into its fallback and reports
it by dotted path. ``knowledge.templates.render`` drives it."""

from __future__ import annotations

import contextvars
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Undefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from knowledge import template_filters as tf
from knowledge import template_guards as guards
from knowledge import template_limits as limits
from knowledge.template_findings import Finding

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


@dataclass
class RenderState:
    fallbacks: Mapping[str, str]
    fallback: str
    missing: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def fallback_for(self, path: str) -> str:
        if path not in self.missing:
            self.missing.append(path)
        return self.fallbacks.get(path, self.fallback)


render_state: contextvars.ContextVar[RenderState | None] = contextvars.ContextVar(
    "kefu_template_state", default=None
)


class _Scope(dict[str, Any]):
    """A context mapping that knows its dotted path (so ``buyer.name`` is reported by name)."""

    __slots__ = ("path",)

    def __init__(self, path: str, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self.path = path


def wrap(path: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        # None and "" are left out, so they render the fallback and are reported by path.
        return _Scope(
            path, {str(k): wrap(f"{path}.{k}", v) for k, v in value.items() if v is not None and v != ""}
        )
    if isinstance(value, list | tuple):
        return [wrap(path, v) for v in value]
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
        state = render_state.get()
        return state.fallback_for(self.path) if state else ""

    def _same(self, *args: Any, **kwargs: Any) -> _Missing:
        return self  # arithmetic on a missing value stays missing (and renders the fallback)

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same  # type: ignore[assignment]
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __neg__ = __pos__ = _same  # type: ignore[assignment]


def _printable(value: Any) -> Any:
    """``finalize``: what ``{{ … }}`` may print; everything else renders the fallback."""
    value = _shown(value)
    meter = limits.current()
    if meter is not None:
        meter.tick()
        meter.emit(len(value) if isinstance(value, str) else 8)
    return value


def _shown(value: Any) -> Any:
    state = render_state.get()
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
                message_en=f"{path} is a group of values and cannot be printed whole; write a field, e.g. {path}.name",
            )
        )
        return state.fallback
    return ""


class KefuSandbox(SandboxedEnvironment):
    """The sandbox answer templates run in: data in, text out, nothing else reachable, and every
    operation counted against the render's budget (see ``knowledge.template_limits``)."""

    intercepted_binops = frozenset(guards.BINOPS)

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
        chosen = {name: guards.REPLACED_FILTERS.get(name, self.filters[name]) for name in _BUILTIN_FILTERS}
        self.filters = {name: guards.guard(f) for name, f in (chosen | tf.FILTERS).items()}
        self.filters[limits.LOOP_FILTER] = guards.loop_filter
        self.filters[limits.CONCAT_FILTER] = guards.concat_filter
        self.binop_table = {**self.binop_table, **guards.BINOPS}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        limits.check_source(self.lexer.tokeniter(source, name, filename))
        try:
            tree = super()._parse(source, name, filename)
        except RecursionError as exc:
            raise limits.TooDeep("模板嵌套太深", 1) from exc
        limits.check_tree(tree)
        tree.set_environment(self)
        return tree

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        meter = limits.current()
        if meter is None:
            return super().call(context, obj, *args, **kwargs)
        meter.enter_call()
        try:
            return super().call(context, obj, *args, **kwargs)
        finally:
            meter.depth -= 1

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
def compile_template(source: str) -> Any:
    return ENV.from_string(source)
