"""The budget every template render runs within, and the checks that keep a template inside it.

A stored template is written by people (editors, agents for their personal phrases) and rendered
for every agent: it must not be able to take the service down. Three layers:

- **Parse time** (``check_source``, ``check_tree``): brackets nested deeper than
  ``MAX_BRACKET_DEPTH``, a syntax tree deeper than ``MAX_TREE_DEPTH``, recursive loops and integer
  literals too long to read are refused before anything is compiled (Python's compiler and
  jinja's parser both recurse; a deep template would otherwise crash them).
- **Every operation** while rendering (the checked operators and filters of
  ``knowledge.template_guards``): arithmetic cannot build numbers over ``Budget.int_bits``
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
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

from jinja2 import nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError

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


# --------------------------------------------------------------------------- #
# parse time
# --------------------------------------------------------------------------- #

#: Internal filter names: not identifiers, so a template cannot write them.
LOOP_FILTER = "kefu:loop"
CONCAT_FILTER = "kefu:concat"


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
