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
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

from jinja2 import TemplateSyntaxError, Undefined, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import Field

from knowledge import template_filters as tf
from knowledge import template_limits as limits
from knowledge.models import Model
from knowledge.template_limits import DEFAULT_BUDGET, Budget

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

#: Finding kinds that refuse a save; the rest (missing sample values, long output) are warnings.
BLOCKING_KINDS = ("syntax", "unknown_variable", "unknown_filter", "unsafe", "unsupported", "too_costly")

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
    value = _shown(value)
    meter = limits.current()
    if meter is not None:
        meter.tick()
        meter.emit(len(value) if isinstance(value, str) else 8)
    return value


def _shown(value: Any) -> Any:
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
                message_en=f"{path} is a group of values and cannot be printed whole; write a field, e.g. {path}.name",
            )
        )
        return state.fallback
    return ""


class KefuSandbox(SandboxedEnvironment):
    """The sandbox answer templates run in: data in, text out, nothing else reachable, and every
    operation counted against the render's budget (see ``knowledge.template_limits``)."""

    intercepted_binops = frozenset(limits.BINOPS)

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
        chosen = {name: limits.REPLACED_FILTERS.get(name, self.filters[name]) for name in _BUILTIN_FILTERS}
        self.filters = {name: limits.guard(f) for name, f in (chosen | tf.FILTERS).items()}
        self.filters[limits.LOOP_FILTER] = limits.loop_filter
        self.filters[limits.CONCAT_FILTER] = limits.concat_filter
        self.binop_table = {**self.binop_table, **limits.BINOPS}

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
def _compile(source: str) -> Any:
    return ENV.from_string(source)


# --------------------------------------------------------------------------- #
# render
# --------------------------------------------------------------------------- #


_TOKEN_WORDS = {
    "end of print statement": ("}}", "}}"),
    "end of statement block": ("%}", "%}"),
    "begin of print statement": ("{{", "{{"),
    "begin of statement block": ("{%", "{%"),
    "end of comment": ("#}", "#}"),
    "end of template": ("模板结尾", "the end of the template"),
    "name": ("名字", "a name"),
    "integer": ("数字", "a number"),
    "float": ("数字", "a number"),
    "string": ("文字", "a string"),
    "template data / text": ("文字", "text"),
}


def _word(raw: str) -> tuple[str, str]:
    raw = raw.strip("'\"")
    return _TOKEN_WORDS.get(raw, (raw, raw))


#: jinja's syntax messages (English, its own words) -> ours in Chinese and English.
_SYNTAX_RULES: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"^unexpected end of template, expected '(.+)'\.?$"),
        lambda m: (
            f"模板没写完：缺少 {_word(m[1])[0]}",
            f"The template ends too early: {_word(m[1])[1]} is missing",
        ),
    ),
    (
        re.compile(
            r"^Unexpected end of template\..*innermost block that needs to be closed is '(\w+)'", re.S
        ),
        lambda m: (
            f"模板没写完：{{% {m[1]} %}} 还没有用 {{% end{m[1]} %}} 结束",
            f"The template ends too early: {{% {m[1]} %}} is not closed with {{% end{m[1]} %}}",
        ),
    ),
    (re.compile(r"^Unexpected end of template"), lambda m: ("模板没写完", "The template ends too early")),
    (
        re.compile(
            r"^Encountered unknown tag '(\w+)'\..*innermost block that needs to be closed is '(\w+)'", re.S
        ),
        lambda m: (
            f"这里不能用 {{% {m[1]} %}}：请先用 {{% end{m[2]} %}} 结束 {{% {m[2]} %}}",
            f"{{% {m[1]} %}} is out of place: close {{% {m[2]} %}} with {{% end{m[2]} %}} first",
        ),
    ),
    (
        re.compile(r"^Encountered unknown tag '(\w+)'"),
        lambda m: (f"不认识的标签 {{% {m[1]} %}}", f"Unknown tag {{% {m[1]} %}}"),
    ),
    (
        re.compile(r"^expected token '(.+?)', got '(.*)'$", re.S),
        lambda m: (
            f"这里应是 {_word(m[1])[0]}，却写了 {_word(m[2])[0]}",
            f"Expected {_word(m[1])[1]} here, found {_word(m[2])[1]}",
        ),
    ),
    (
        re.compile(r"^unexpected '(.)', expected '(.)'$"),
        lambda m: (
            f"括号不配对：这里应是 {m[2]}，却是 {m[1]}",
            f"Brackets do not match: expected {m[2]}, found {m[1]}",
        ),
    ),
    (
        re.compile(r"^unexpected '(.+)'$", re.S),
        lambda m: (f"这里不应出现 {_word(m[1])[0]}", f"{_word(m[1])[1]} is out of place here"),
    ),
    (
        re.compile(r"^unexpected char '(.+)' at \d+$", re.S),
        lambda m: (f"模板标签里不能用字符 {m[1]}", f"The character {m[1]} cannot be used inside a tag"),
    ),
    (
        re.compile(r"^tag name expected"),
        lambda m: ("{% %} 里缺少标签名", "A tag name is missing inside {% %}"),
    ),
    (
        re.compile(r"^expected name or number"),
        lambda m: (". 后面应是字段名", "A field name is expected after ."),
    ),
    (re.compile(r"^expected subscript"), lambda m: ("[ ] 里缺少内容", "Something is missing inside [ ]")),
    (
        re.compile(r"^invalid syntax for function call"),
        lambda m: ("调用的写法不对", "The call is not written correctly"),
    ),
    (
        re.compile(r"^non-default argument follows"),
        lambda m: (
            "宏参数的顺序不对：有默认值的参数要放在后面",
            "Macro arguments with defaults must come last",
        ),
    ),
    (
        re.compile(r"^Invalid character in identifier"),
        lambda m: ("名字里有不允许的字符", "A name contains a character that is not allowed"),
    ),
    (
        re.compile(r"^block '(\w+)' defined twice"),
        lambda m: (f"块 {m[1]} 定义了两次", f"Block {m[1]} is defined twice"),
    ),
    (
        re.compile(r"^You cannot chain multiple tests"),
        lambda m: ("不能连写多个 is 判断", "Only one is-test can be chained"),
    ),
    (re.compile(r"comment"), lambda m: ("注释 {# 没有用 #} 结束", "A comment {# is not closed with #}")),
    (re.compile(r"string"), lambda m: ("引号里的文字没有结束", "A quoted string is not closed")),
]


def syntax_messages(raw: str) -> tuple[str, str]:
    """Chinese and English messages for one of jinja's syntax errors (never its English text)."""
    for pattern, words in _SYNTAX_RULES:
        found = pattern.search(raw)
        if found:
            zh, en = words(found)
            return f"模板语法错误：{zh}", f"Template syntax error: {en}"
    return "模板语法错误：请检查 {{ }} 和 {% %} 是否成对、写法是否正确", (
        "Template syntax error: check that every {{ }} and {% %} is complete and well formed"
    )


def syntax_finding(source: str, exc: TemplateSyntaxError) -> Finding:
    line = exc.lineno or 1
    raw = exc.message or ""
    column = _syntax_column(source, line, raw)
    if isinstance(exc, limits.TooDeep):
        return Finding(kind="too_costly", line=line, column=column, message=raw, message_en=_en(raw))
    for what, kind_zh, kind_en in (("filter", "过滤器", "filter"), ("test", "判断 is", "test")):
        if raw.startswith(f"No {what} named"):
            name = raw.split(chr(39))[1] if chr(39) in raw else "?"
            return Finding(
                kind="unknown_filter",
                line=line,
                column=column,
                name=name,
                message=f"不认识的{kind_zh}：{name}",
                message_en=f"Unknown {kind_en}: {name}",
            )
    zh, en = syntax_messages(raw)
    return Finding(kind="syntax", line=line, column=column, message=zh, message_en=en)


#: English for the limits' Chinese messages (their numbers carried over).
_EN_LIMITS = [
    ("括号嵌套超过", "Brackets are nested more than {n} deep"),
    ("数字太长", "A number literal is longer than {n} digits"),
    ("模板嵌套太深", "The template is nested too deeply"),
    ("递归循环", "Recursive loops are not allowed in reply templates"),
    ("运算步骤超过", "The template takes more than {n} steps (too many loops or calls)"),
    ("运算时间超过", "The template takes more than {n} ms of CPU time"),
    ("渲染超过", "The template takes more than {n} ms to render"),
    ("输出超过", "The template outputs more than {n} characters"),
    ("宏调用嵌套超过", "Macro calls are nested more than {n} deep (does a macro call itself?)"),
    ("数字太大", "A number in the template grows too large"),
    ("指数太大", "The exponent is too large (at most 64)"),
    ("重复的内容太长", "Repeated content is too long (length times count at most {n})"),
    ("文字超过", "The template builds text longer than {n} characters"),
    ("列表超过", "The template builds a list longer than {n} items"),
    ("宽度", "center's width is too large (at most {n})"),
]


def _en(message: str) -> str:
    number = re.search(r"\d+", message)
    for key, english in _EN_LIMITS:
        if key in message:
            return english.format(n=number[0] if number else "")
    return "The template does something reply templates may not do"


def _problem(exc: BaseException) -> Finding:
    """A render failure in our own words (never Python's or jinja's exception text)."""
    if isinstance(exc, limits.OverBudget):
        return Finding(
            kind="too_costly",
            message=f"模板太耗资源：{exc}",
            message_en=f"Template too costly: {_en(str(exc))}",
        )
    if isinstance(exc, RecursionError | MemoryError):
        return Finding(
            kind="too_costly",
            message="模板太耗资源：嵌套或递归太深",
            message_en="Template too costly: nesting or recursion too deep",
        )
    if isinstance(exc, SecurityError):
        text = str(exc)
        if re.search(r"[\u4e00-\u9fff]", text):  # our own refusals are written in Chinese
            return Finding(
                kind="unsafe", message=f"模板做了不允许的操作：{text}", message_en=f"Not allowed: {_en(text)}"
            )
        return Finding(
            kind="unsafe",
            message="模板做了不允许的操作",
            message_en="The template does something it may not do",
        )
    if isinstance(exc, UndefinedError):
        zh, en = "用到了不存在的值或调用了不存在的宏", "A value or macro that does not exist is used"
    elif isinstance(exc, ZeroDivisionError):
        zh, en = "除数为零", "Division by zero"
    elif isinstance(exc, OverflowError):
        zh, en = "数字太大，无法计算", "A number is too large to compute"
    elif isinstance(exc, TypeError):
        zh, en = (
            "类型不匹配，例如文字和数字相加，或调用了不能调用的值",
            "Mismatched types, e.g. text plus a number",
        )
    elif isinstance(exc, ValueError):
        zh, en = "数值无效", "An invalid value"
    else:
        zh, en = "模板无法渲染", "The template cannot be rendered"
    return Finding(
        kind="render_error", message=f"模板渲染失败：{zh}", message_en=f"The template failed to render: {en}"
    )


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
        compiled = _compile(template)
    except TemplateSyntaxError as exc:
        raise TemplateProblem([syntax_finding(template, exc)]) from exc
    except Exception as exc:
        # a template beyond what the parse-time checks let through (Python's compiler refusing it)
        raise TemplateProblem([_problem(RecursionError())]) from exc
    state = _State(fallbacks=DEFAULT_FALLBACKS if fallbacks is None else fallbacks, fallback=fallback)
    token = _state.set(state)
    try:
        with limits.meter_scope(budget) as meter:
            scoped = {str(k): _wrap(str(k), v) for k, v in context.items()}
            parts: list[str] = []
            for chunk in compiled.generate(scoped):
                meter.emit(len(chunk))
                parts.append(chunk)
    except Exception as exc:  # whatever a template does, it is a finding, never a 500
        problem = [_problem(exc)]
        if problem[0].kind == "too_costly":
            _quarantine(template, budget, problem)
        raise TemplateProblem(problem) from exc
    finally:
        _state.reset(token)
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
