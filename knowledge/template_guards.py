"""The checked operators and filters a template render uses instead of Python's and jinja's: each
counts a step on the render's meter and refuses, before it allocates, a number over
``Budget.int_bits`` bits, text over ``Budget.max_string`` characters or a list over ``MAX_ITEMS``
items (``*``/``+``/``~``, ``join``, ``replace``, ``sum``, ``center``), and ``%`` on text. The budget,
the meter and the parse-time checks are ``knowledge.template_limits``; ``KefuSandbox`` installs these."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from jinja2 import Undefined, pass_context, pass_environment
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context

from knowledge.template_limits import DEFAULT_BUDGET, MAX_ITEMS, MAX_REPEAT, Budget, OverBudget, current


def _limits() -> Budget:
    meter = current()
    return meter.budget if meter else DEFAULT_BUDGET


def _tick() -> None:
    meter = current()
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
# filters
# --------------------------------------------------------------------------- #


def _scalar_text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float | date | Undefined) or value is None:
        return str(_check_int(value))
    raise SecurityError(f"{what}只能用文字和数字，不能用一组数据")


@pass_context
def loop_filter(context: Context, iterable: Any) -> Any:
    """Every ``for`` loop iterates through this: one step per item."""
    meter = current()
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
