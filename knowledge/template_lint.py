"""Lint answer templates: syntax (line and column), unknown variables and filters, refused
constructs, and, rendered against a sample context, missing values and over-long output."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from knowledge import template_filters as tf
from knowledge import template_limits as limits
from knowledge.template_context import CONTEXT_VARIABLES, OPEN_OBJECTS
from knowledge.template_findings import Finding, TemplateProblem
from knowledge.template_messages import syntax_finding
from knowledge.template_sandbox import ENV
from knowledge.templates import DEFAULT_FALLBACK, DEFAULT_FALLBACKS, MAX_OUTPUT_CHARS, render


def _position(source_lines: list[str], lineno: int, needle: str) -> int:
    text = source_lines[lineno - 1] if 0 < lineno <= len(source_lines) else ""
    pos = text.find(needle)
    return pos + 1 if pos >= 0 else 1


def _dotted(node: nodes.Node | nodes.Expr) -> str | None:
    """``buyer.nick`` for a Getattr/constant Getitem chain on a Name, else None."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return ".".join(reversed(parts))
        else:
            return None


def _suggest(name: str, choices: list[str]) -> str:
    from rapidfuzz import fuzz, process

    best = process.extractOne(name, choices, scorer=fuzz.ratio, processor=None, score_cutoff=60)
    return f"，是不是想写 {best[0]}？" if best else ""


def _check_names(tree: nodes.Template, sample: Mapping[str, Any], lines: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    local = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    local |= {m.name for m in tree.find_all(nodes.Macro)}
    if any(True for _ in tree.find_all(nodes.CallBlock)):
        local.add("caller")
    seen: set[str] = set()
    reported_heads: set[int] = set()
    for chain in tree.find_all((nodes.Getattr, nodes.Getitem)):
        for sub in chain.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
            reported_heads.add(id(sub))
    chains: list[nodes.Node] = [
        n
        for n in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name))
        if id(n) not in reported_heads and not (isinstance(n, nodes.Name) and n.ctx != "load")
    ]
    for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attr = (
            access.attr
            if isinstance(access, nodes.Getattr)
            else getattr(getattr(access, "arg", None), "value", None)
        )
        if isinstance(attr, str) and attr.startswith("_"):
            findings.append(
                Finding(
                    kind="unsafe",
                    name=attr,
                    line=access.lineno,
                    column=_position(lines, access.lineno, attr),
                    message=f"不允许访问以下划线开头的 {attr}",
                    message_en=f"Names starting with an underscore cannot be read: {attr}",
                )
            )
    for node in chains:
        path = _dotted(node)
        if not path or path in seen:
            continue
        seen.add(path)
        head, _, rest = path.partition(".")
        if head in local:
            continue
        field_name = rest.split(".")[0] if rest else ""
        problem = ""
        if head not in CONTEXT_VARIABLES and head not in sample:
            problem = f"不认识的变量 {head}{_suggest(head, list(CONTEXT_VARIABLES))}"
        elif field_name and head not in OPEN_OBJECTS and field_name not in CONTEXT_VARIABLES.get(head, {}):
            in_sample = isinstance(sample.get(head), Mapping) and field_name in sample[head]
            if not in_sample and not field_name.startswith("_"):
                choices = [f"{head}.{f}" for f in CONTEXT_VARIABLES.get(head, {})]
                problem = f"不认识的变量 {head}.{field_name}{_suggest(f'{head}.{field_name}', choices)}"
        if problem:
            findings.append(
                Finding(
                    kind="unknown_variable",
                    name=path,
                    line=node.lineno,
                    column=_position(lines, node.lineno, path),
                    message=problem,
                    message_en=f"Unknown variable {path}",
                )
            )
    return findings


#: Filters whose first argument is a width or length, and the largest one a template may give.
_WIDTH_FILTERS = {"center": 200, "truncate": 2000}


def _costly(node: nodes.Node, lines: list[str], needle: str, message: str, message_en: str) -> Finding:
    return Finding(
        kind="too_costly",
        line=node.lineno,
        column=_position(lines, node.lineno, needle),
        message=message,
        message_en=message_en,
    )


def _loop_nesting(node: nodes.Node, depth: int = 0) -> int:
    """Deepest ``for`` nesting under ``node`` (the tree is already known to be shallow)."""
    here = depth + 1 if isinstance(node, nodes.For) else depth
    return max([here, *(_loop_nesting(child, here) for child in node.iter_child_nodes())])


def _macro_cycle(tree: nodes.Template) -> nodes.Macro | None:
    """A macro that calls itself, directly, through other macros or through a call block."""
    macros = {m.name: m for m in tree.find_all(nodes.Macro)}
    calls: dict[str, set[str]] = {}
    for name, macro in macros.items():
        called = {c.node.name for c in macro.find_all(nodes.Call) if isinstance(c.node, nodes.Name)}
        calls[name] = called & set(macros)
    for start in macros:
        seen: set[str] = set()
        todo = list(calls[start])
        while todo:
            name = todo.pop()
            if name == start:
                return macros[start]
            if name not in seen:
                seen.add(name)
                todo.extend(calls.get(name, ()))
    return None


def _static_costs(tree: nodes.Template, lines: list[str]) -> list[Finding]:
    """What would exhaust the render budget, found without rendering, so it is refused at save even
    when it hides behind an ``{% if %}`` the sample context does not take."""
    found: list[Finding] = []
    for power in tree.find_all(nodes.Pow):
        inner = any(True for _ in power.left.find_all(nodes.Pow)) or any(
            True for _ in power.right.find_all(nodes.Pow)
        )
        if isinstance(power.left, nodes.Pow) or isinstance(power.right, nodes.Pow) or inner:
            found.append(
                _costly(
                    power, lines, "**", "指数运算不能嵌套（数字会大到算不完）", "Exponents cannot be nested"
                )
            )
            break
        exponent = power.right
        if not (
            isinstance(exponent, nodes.Const) and isinstance(exponent.value, int) and exponent.value <= 64
        ):
            found.append(
                _costly(
                    power,
                    lines,
                    "**",
                    "指数只能是不超过 64 的整数",
                    "The exponent must be a whole number up to 64",
                )
            )
            break
    for mul in tree.find_all(nodes.Mul):
        for side in (mul.left, mul.right):
            if (
                isinstance(side, nodes.Const)
                and isinstance(side.value, int)
                and side.value > limits.MAX_REPEAT
            ):
                found.append(
                    _costly(
                        mul,
                        lines,
                        "*",
                        f"乘数 {side.value} 太大（重复最多 {limits.MAX_REPEAT} 次）",
                        f"The factor {side.value} is too large (at most {limits.MAX_REPEAT})",
                    )
                )
    for flt in tree.find_all(nodes.Filter):
        cap = _WIDTH_FILTERS.get(flt.name)
        if cap is None or not flt.args:
            continue
        width = flt.args[0]
        if not (isinstance(width, nodes.Const) and isinstance(width.value, int) and width.value <= cap):
            found.append(
                _costly(
                    flt,
                    lines,
                    flt.name,
                    f"{flt.name} 的宽度只能是不超过 {cap} 的整数",
                    f"The width of {flt.name} must be a whole number up to {cap}",
                )
            )
    if _loop_nesting(tree) > limits.MAX_LOOP_NESTING:
        loop = next(tree.find_all(nodes.For))
        found.append(
            _costly(
                loop,
                lines,
                "{%",
                f"循环最多嵌套 {limits.MAX_LOOP_NESTING} 层",
                f"Loops can be nested at most {limits.MAX_LOOP_NESTING} deep",
            )
        )
    macro = _macro_cycle(tree)
    if macro is not None:
        found.append(
            _costly(
                macro,
                lines,
                macro.name,
                f"宏 {macro.name} 调用了它自己（递归会一直算下去）",
                f"Macro {macro.name} calls itself",
            )
        )
    for name in tree.find_all(nodes.Name):
        if name.name == "self" and name.ctx == "load":
            found.append(
                Finding(
                    kind="unsupported",
                    line=name.lineno,
                    column=_position(lines, name.lineno, "self"),
                    message="回复模板里不能用 self",
                    message_en="self cannot be used in reply templates",
                )
            )
            break
    return found


def lint(
    template: str,
    sample_context: Mapping[str, Any] | None = None,
    *,
    max_chars: int = MAX_OUTPUT_CHARS,
) -> list[Finding]:
    """Every problem of ``template``: syntax, unknown variables and filters, refused constructs,
    and (rendered against ``sample_context``) missing values and over-long output."""
    sample = sample_context or {}
    lines = template.splitlines()
    try:
        tree = ENV.parse(template)
    except TemplateSyntaxError as exc:
        return [syntax_finding(template, exc)]
    findings = _static_costs(tree, lines) + [
        f
        for f in _check_names(tree, sample, lines)
        if not (f.kind == "unknown_variable" and (f.name or "").split(".")[0] == "self")
    ]
    for flt in tree.find_all(nodes.Filter):
        if flt.name not in ENV.filters:
            findings.append(
                Finding(
                    kind="unknown_filter",
                    name=flt.name,
                    line=flt.lineno,
                    column=_position(lines, flt.lineno, flt.name),
                    message=f"不认识的过滤器 {flt.name}{_suggest(flt.name, list(tf.FILTERS))}",
                    message_en=f"Unknown filter {flt.name}",
                )
            )
    for test in tree.find_all(nodes.Test):
        if test.name not in ENV.tests:
            findings.append(
                Finding(
                    kind="unknown_filter",
                    name=test.name,
                    line=test.lineno,
                    column=_position(lines, test.lineno, test.name),
                    message=f"不认识的判断 is {test.name}",
                    message_en=f"Unknown test is {test.name}",
                )
            )
    for stmt in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        word = type(stmt).__name__.lower()
        findings.append(
            Finding(
                kind="unsupported",
                line=stmt.lineno,
                column=_position(lines, stmt.lineno, "{%"),
                message=f"回复模板里不能用 {word}",
                message_en=f"{word} cannot be used in reply templates",
            )
        )
    if findings:
        return findings
    try:
        rendered = render(template, sample, max_chars=max_chars)
    except TemplateProblem as problem:
        return problem.findings
    findings.extend(
        Finding(
            kind="missing_value",
            name=path,
            message=f"示例数据里没有 {path}，买家会看到备用文字「{DEFAULT_FALLBACKS.get(path, DEFAULT_FALLBACK)}」",
            message_en=f"The sample has no {path}: the buyer would see the fallback "
            f"“{DEFAULT_FALLBACKS.get(path, DEFAULT_FALLBACK)}”",
        )
        for path in rendered.missing
    )
    findings.extend(rendered.findings)
    return findings
