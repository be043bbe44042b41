"""Template problems in our own words, Chinese and English: jinja's syntax errors (with the best
column on the line), the limits' refusals and render failures; never jinja's or Python's text."""

from __future__ import annotations

import re
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError

from knowledge import template_limits as limits
from knowledge.template_findings import Finding

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
    column = syntax_column(source, line, raw)
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


def render_finding(exc: BaseException) -> Finding:
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


def syntax_column(source: str, line: int, message: str) -> int:
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
