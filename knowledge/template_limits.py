"""The budget every template render runs within, and the checks that keep a template inside it.

A stored template is written by people (editors, agents for their personal phrases) and rendered
for every agent: it must not be able to take the service down. Three layers:

- **Parse time** (``check_source``, ``check_tree``): brackets nested deeper than
  ``MAX_BRACKET_DEPTH``, a syntax tree deeper than ``MAX_TREE_DEPTH``, recursive loops and integer
  literals too long to read are refused before anything is compiled (Python's compiler and
  jinja's parser both recurse; a deep template would otherwise crash them).
- **Every operation** while rendering: arithmetic cannot build numbers over ``Budget.int_bits``
  bits, ``*``/``+``/``~`` and filters cannot build text over ``Budget.max_string`` characters or
  lists over ``MAX_ITEMS`` items, filter widths are capped (``center``), ``join``/``replace``/``sum``
  are checked before they allocate.
- **A meter** per render (``Meter``): every loop iteration, call, operator, filter and printed value
  is a step; a render stops past ``Budget.steps`` steps, ``Budget.cpu_seconds`` of CPU time,
  ``Budget.wall_seconds``, ``Budget.call_depth`` nested macro calls or ``Budget.output_chars``
  characters of output.

Past any limit the render raises ``OverBudget`` (a ``SecurityError``) with a message in our own
words; ``knowledge.templates.render`` turns it into a ``too_costly`` finding.
"""

from __future__ import annotations

import contextvars
import functools
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

from jinja2 import Undefined, nodes, pass_context, pass_environment
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.runtime import Context

__all__ = [
    "DEFAULT_BUDGET",
    "MAX_BRACKET_DEPTH",
    "MAX_ITEMS",
    "MAX_LOOP_NESTING",
    "MAX_TREE_DEPTH",
    "Budget",
    "Meter",
    "OverBudget",
    "TooDeep",
    "meter_scope",
]

#: Brackets ``( [ {`` open at once inside one tag.
MAX_BRACKET_DEPTH = 20
#: Depth of the parsed template (a plain answer is 6 to 12 deep).
MAX_TREE_DEPTH = 60
#: ``for`` loops inside each other (the save-time check; the meter bounds the rest).
MAX_LOOP_NESTING = 2
#: Longest list an operator may build (``[1] * n``, ``a + b``).
MAX_ITEMS = 1000
#: Longest repetition ``'ab' * n`` / ``[x] * n`` (length times count).
MAX_REPEAT = 1000
#: Longest integer literal in a template, in digits.
MAX_LITERAL_DIGITS = 30


@dataclass(frozen=True)
class Budget:
    """What one render may use. The defaults give a normal answer (under 1 ms, a few dozen
    steps) a wide margin and stop a hostile one within tens of milliseconds."""

    cpu_seconds: float = 0.05
    wall_seconds: float = 0.5
    steps: int = 20_000
    output_chars: int = 20_000
    max_string: int = 10_000
    int_bits: int = 512
    call_depth: int = 16


DEFAULT_BUDGET = Budget()


class OverBudget(SecurityError):
    """The render went past its budget; ``str(exc)`` says which limit, in Chinese."""


class TooDeep(TemplateSyntaxError):
    """Refused at parse time (nesting, recursive loop, huge literal); the message is ours."""


def _rusage_thread() -> float:
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_utime + usage.ru_stime


#: CPU seconds of the calling thread. ``getrusage(RUSAGE_THREAD)`` where there is one (Linux):
#: ``time.thread_time`` can cost tens of microseconds in containers.
thread_cpu_seconds: Callable[[], float] = time.thread_time
if resource is not None and hasattr(resource, "RUSAGE_THREAD"):
    thread_cpu_seconds = _rusage_thread


class Meter:
    """Counts one render's steps and watches its clocks (checked every 32 steps; the CPU budget
    starts at the first check, so a short render never reads a clock beyond ``perf_counter``)."""

    __slots__ = ("budget", "cpu_deadline", "depth", "emitted", "steps", "wall_deadline")

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.steps = 0
        self.depth = 0
        self.emitted = 0
        self.cpu_deadline: float | None = None  # set at the first check: most renders never need it
        self.wall_deadline = time.perf_counter() + budget.wall_seconds

    def tick(self, count: int = 1) -> None:
        before = self.steps
        self.steps += count
        if self.steps > self.budget.steps:
            raise OverBudget(f"模板运算步骤超过 {self.budget.steps} 步（循环或调用太多）")
        if (before >> 5) != (self.steps >> 5):
            self.check_clocks()

    def check_clocks(self) -> None:
        cpu = thread_cpu_seconds()
        if self.cpu_deadline is None:
            self.cpu_deadline = cpu + self.budget.cpu_seconds
        elif cpu > self.cpu_deadline:
            raise OverBudget(f"模板运算时间超过 {self.budget.cpu_seconds * 1000:.0f} 毫秒")
        if time.perf_counter() > self.wall_deadline:
            raise OverBudget(f"模板渲染超过 {self.budget.wall_seconds * 1000:.0f} 毫秒")

    def emit(self, chars: int) -> None:
        self.emitted += chars
        if self.emitted > self.budget.output_chars:
            raise OverBudget(f"模板输出超过 {self.budget.output_chars} 字")

    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for value in iterable:
            self.tick()
            yield value

    def enter_call(self) -> None:
        self.tick()
        self.depth += 1
        if self.depth > self.budget.call_depth:
            raise OverBudget(f"宏调用嵌套超过 {self.budget.call_depth} 层（宏在调用自己？）")


_meter: contextvars.ContextVar[Meter | None] = contextvars.ContextVar("kefu_template_meter", default=None)


def current() -> Meter | None:
    return _meter.get()


class meter_scope:
    """Install a fresh ``Meter`` for the render running in this thread/context."""

    def __init__(self, budget: Budget) -> None:
        self.meter = Meter(budget)
        self._token: contextvars.Token[Meter | None] | None = None

    def __enter__(self) -> Meter:
        self._token = _meter.set(self.meter)
        return self.meter

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _meter.reset(self._token)


def _limits() -> Budget:
    meter = _meter.get()
    return meter.budget if meter else DEFAULT_BUDGET


def _tick() -> None:
    meter = _meter.get()
    if meter is not None:
        meter.tick()


# --------------------------------------------------------------------------- #
# operators
# --------------------------------------------------------------------------- #


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(value: Any) -> Any:
    if _is_int(value) and value.bit_length() > _limits().int_bits:
        raise OverBudget("数字太大（模板里的数字最多约 150 位）")
    return value


def _check_size(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _limits().max_string:
        raise OverBudget(f"模板拼出的文字超过 {_limits().max_string} 字")
    if isinstance(value, list | tuple) and len(value) > MAX_ITEMS:
        raise OverBudget(f"模板拼出的列表超过 {MAX_ITEMS} 项")
    return value


def checked_add(left: Any, right: Any) -> Any:
    _tick()
    if isinstance(left, str) and isinstance(right, str) and len(left) + len(right) > _limits().max_string:
        raise OverBudget(f"模板拼出的文字超过 {_limits().max_string} 字")
    both = isinstance(left, list | tuple) and isinstance(right, list | tuple)
    if both and len(left) + len(right) > MAX_ITEMS:
        raise OverBudget(f"模板拼出的列表超过 {MAX_ITEMS} 项")
    return _check_int(operator.add(left, right))


def checked_sub(left: Any, right: Any) -> Any:
    _tick()
    return _check_int(operator.sub(left, right))


def checked_mul(left: Any, right: Any) -> Any:
    _tick()
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and _is_int(count) and len(seq) * count > MAX_REPEAT:
            raise OverBudget(f"重复的内容太长（长度乘次数最多 {MAX_REPEAT}）")
    if _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > _limits().int_bits:
        raise OverBudget("数字太大（模板里的数字最多约 150 位）")
    return operator.mul(left, right)


def checked_pow(left: Any, right: Any) -> Any:
    _tick()
    if isinstance(right, int | float) and abs(right) > 64:
        raise OverBudget("指数太大（最多 64）")
    big = _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1
    if big and left.bit_length() * right > _limits().int_bits:
        raise OverBudget("数字太大（模板里的数字最多约 150 位）")
    return operator.pow(left, right)


def checked_div(left: Any, right: Any) -> Any:
    _tick()
    return operator.truediv(left, right)


def checked_floordiv(left: Any, right: Any) -> Any:
    _tick()
    return operator.floordiv(left, right)


def refused_mod(left: Any, right: Any) -> Any:
    _tick()
    if isinstance(left, str):
        raise SecurityError("模板里不能用 % 格式化文字")
    return operator.mod(left, right)


BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": checked_add,
    "-": checked_sub,
    "*": checked_mul,
    "/": checked_div,
    "//": checked_floordiv,
    "**": checked_pow,
    "%": refused_mod,
}


# --------------------------------------------------------------------------- #
# filters and the internal nodes the parser adds
# --------------------------------------------------------------------------- #

#: Internal filter names: not identifiers, so a template cannot write them.
LOOP_FILTER = "kefu:loop"
CONCAT_FILTER = "kefu:concat"


def _scalar_text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float | date | Undefined) or value is None:
        return str(_check_int(value))
    raise SecurityError(f"{what}只能用文字和数字，不能用一组数据")


@pass_context
def loop_filter(context: Context, iterable: Any) -> Any:
    """Every ``for`` loop iterates through this: one step per item."""
    meter = _meter.get()
    if meter is None or isinstance(iterable, Undefined):
        return iterable
    return meter.iterate(iterable)


def concat_filter(values: list[Any]) -> str:
    """``a ~ b ~ c``: text and numbers only, checked for length before it is built."""
    _tick()
    parts = [_scalar_text(v, "~ 拼接") for v in values]
    if sum(map(len, parts)) > _limits().max_string:
        raise OverBudget(f"模板拼出的文字超过 {_limits().max_string} 字")
    return "".join(parts)


def _items(value: Any) -> list[Any]:
    if isinstance(value, Undefined):
        return []
    if isinstance(value, Mapping):
        value = list(value)
    items = list(value) if isinstance(value, list | tuple | str) else None
    if items is None:
        raise SecurityError("这个过滤器只能用在列表上")
    if len(items) > MAX_ITEMS:
        raise OverBudget(f"列表超过 {MAX_ITEMS} 项")
    return items


def _pick(env: Any, items: list[Any], attribute: Any) -> list[Any]:
    if attribute is None:
        return items
    if isinstance(attribute, int):
        return [env.getitem(x, attribute) for x in items]
    return [env.getattr(x, str(attribute)) for x in items]


@pass_environment
def safe_join(env: Any, value: Any, d: Any = "", attribute: Any = None) -> Any:
    if isinstance(value, Undefined):
        return value
    parts = [_scalar_text(v, "join ") for v in _pick(env, _items(value), attribute)]
    sep = _scalar_text(d, "join 的分隔符")
    if sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0) > _limits().max_string:
        raise OverBudget(f"join 拼出的文字超过 {_limits().max_string} 字")
    return sep.join(parts)


@pass_environment
def safe_sum(env: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    if isinstance(iterable, Undefined):
        return iterable
    values = [start, *_pick(env, _items(iterable), attribute)]
    for value in values:
        if isinstance(value, Undefined):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SecurityError("sum 只能把数字相加")
    total = values[0]
    for value in values[1:]:
        total = _check_int(total + value)
    return total


def safe_replace(s: Any, old: Any, new: Any, count: Any = None) -> Any:
    if isinstance(s, Undefined):
        return s
    text, old_s, new_s = (_scalar_text(v, "replace ") for v in (s, old, new))
    hits = text.count(old_s) if old_s else len(text) + 1
    if _is_int(count) and count >= 0:
        hits = min(hits, count)
    if len(text) + hits * (len(new_s) - len(old_s)) > _limits().max_string:
        raise OverBudget(f"replace 替换后的文字超过 {_limits().max_string} 字")
    return text.replace(old_s, new_s, -1 if count is None or not _is_int(count) else count)


def safe_center(value: Any, width: Any = 80) -> Any:
    if isinstance(value, Undefined):
        return value
    if not _is_int(width):
        raise SecurityError("center 的宽度应为整数")
    if width > _limits().max_string:
        raise OverBudget(f"center 的宽度最多 {_limits().max_string}")
    return _scalar_text(value, "center ").center(width)


REPLACED_FILTERS: dict[str, Callable[..., Any]] = {
    "join": safe_join,
    "sum": safe_sum,
    "replace": safe_replace,
    "center": safe_center,
}


def guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that counts as a step and cannot return text or a list over the size caps."""

    @functools.wraps(func)  # keeps jinja's pass_context/pass_environment marker
    def run(*args: Any, **kwargs: Any) -> Any:
        _tick()
        return _check_size(func(*args, **kwargs))

    return run


# --------------------------------------------------------------------------- #
# parse time
# --------------------------------------------------------------------------- #

_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


def check_source(tokens: Iterable[tuple[int, str, str]]) -> None:
    """Refuse over-deep brackets and over-long integer literals from the raw token stream (no
    recursion, so a hostile template cannot crash the parser)."""
    depth = 0
    for lineno, kind, value in tokens:
        if kind == "operator":
            if value in _OPEN:
                depth += 1
                if depth > MAX_BRACKET_DEPTH:
                    raise TooDeep(f"括号嵌套超过 {MAX_BRACKET_DEPTH} 层", lineno)
            elif value in _CLOSE:
                depth = max(depth - 1, 0)
        elif kind in ("variable_begin", "block_begin"):
            depth = 0
        elif kind == "integer" and len(re.sub(r"[^0-9]", "", value)) > MAX_LITERAL_DIGITS:
            raise TooDeep(f"数字太长（最多 {MAX_LITERAL_DIGITS} 位）", lineno)


def tree_depth(tree: nodes.Node) -> int:
    """Depth of the syntax tree, without recursion."""
    deepest = 0
    stack: list[tuple[nodes.Node, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest


def check_tree(tree: nodes.Template) -> None:
    """Refuse a tree too deep to compile safely and recursive loops; then route every loop
    through ``LOOP_FILTER`` and every ``~`` through ``CONCAT_FILTER`` (in place)."""
    if tree_depth(tree) > MAX_TREE_DEPTH:
        raise TooDeep(f"模板嵌套太深（超过 {MAX_TREE_DEPTH} 层）", 1)
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            raise TooDeep("回复模板里不能用递归循环（recursive）", loop.lineno)
    for loop in list(tree.find_all(nodes.For)):
        loop.iter = nodes.Filter(loop.iter, LOOP_FILTER, [], [], None, None, lineno=loop.lineno)
    for parent in list(tree.find_all(nodes.Node)):
        for field_name in parent.fields:
            child = getattr(parent, field_name, None)
            if isinstance(child, nodes.Concat):
                setattr(parent, field_name, _as_filter(child))
            elif isinstance(child, list):
                child[:] = [_as_filter(c) if isinstance(c, nodes.Concat) else c for c in child]


def _as_filter(concat: nodes.Concat) -> nodes.Filter:
    operands = nodes.List(concat.nodes, lineno=concat.lineno)
    return nodes.Filter(operands, CONCAT_FILTER, [], [], None, None, lineno=concat.lineno)
