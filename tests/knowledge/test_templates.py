"""Answer templates: rendering, fallbacks, filters, lint findings and the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.template_context import SAMPLE_CONTEXTS, sample_context
from knowledge.templates import TemplateProblem, lint, render


@pytest.fixture
def ctx() -> dict[str, Any]:
    return sample_context("unpaid_order")


def test_renders_documented_variables_and_money(ctx: dict[str, Any]) -> None:
    out = render(
        "{{ buyer.name }}，{{ item.title }} 现价 {{ item.price_fen|money }}（{{ 12950|yuan }} 元）", ctx
    )
    assert out.text == "佳宁，加厚珊瑚绒四件套 1.8m床 现价 ¥259（129.5 元）"
    assert out.missing == [] and out.findings == []


def test_missing_value_renders_fallback_and_is_reported(ctx: dict[str, Any]) -> None:
    ctx["buyer"].pop("name")
    out = render("{{ buyer.name }}您好，单号 {{ order.tracking_no }}，券 {{ coupon.code }}", ctx)
    assert out.text == "亲您好，单号 ，券"
    assert out.missing == ["buyer.name", "order.tracking_no", "coupon.code"]
    assert "{{" not in out.text and "None" not in out.text


def test_explicit_default_is_not_missing(ctx: dict[str, Any]) -> None:
    out = render("{{ order.courier|default('顺丰') }}", ctx)
    assert out.text == "顺丰" and out.missing == []


def test_custom_fallbacks() -> None:
    out = render("{{ buyer.nick }}，{{ gift }}", {}, fallbacks={"buyer.nick": "宝宝"}, fallback="…")
    assert out.text == "宝宝，…"


def test_never_prints_a_python_repr(ctx: dict[str, Any]) -> None:
    out = render("[{{ buyer }}][{{ buyer.items }}][{{ buyer.is_new }}][{{ item.in_box }}]", ctx)
    assert out.text == "[][][否][被套×1、床单×1、枕套×2]"
    assert "{" not in out.text and "<" not in out.text
    assert [f.kind for f in out.findings] == ["not_printable"]


def test_arithmetic_on_missing_stays_missing() -> None:
    assert render("{{ price + 100 }}", {}).missing == ["price"]


def test_date_filters_and_relative_days(ctx: dict[str, Any]) -> None:
    text = render(
        "{{ order.created_at|date }} {{ order.created_at|date('long') }} {{ order.created_at|date('time') }}"
        " {{ order.created_at|date('weekday') }} {{ order.created_at|relday }} {{ now|add_days(2)|relday }}"
        " {{ now|add_days(1)|relday }} {{ -1|relday }} {{ -2|relday }} {{ 3|relday }} {{ 5|relday }} {{ -4|relday }}",
        ctx,
    ).text
    assert text == "11月8日 2026年11月8日 11月8日 10:12 周日 今天 后天 明天 昨天 前天 大后天 5天后 4天前"


def test_filter_on_wrong_type_is_missing_not_an_error() -> None:
    out = render("{{ price|money }}", {"price": "abc"})
    assert out.text == "" and out.missing == ["money(str)"]


def test_over_long_output_is_reported() -> None:
    out = render("{{ text }}", {"text": "好" * 30}, max_chars=20)
    assert [f.kind for f in out.findings] == ["too_long"]


def test_syntax_error_has_line_and_column() -> None:
    findings = lint(
        "亲，您好\n订单 {{ order.id }} 已经 {{ order.status_text ", SAMPLE_CONTEXTS["unpaid_order"]
    )
    assert len(findings) == 1
    assert findings[0].kind == "syntax" and findings[0].line == 2 and findings[0].column == 43
    assert "行" not in findings[0].message  # the place is in line/column, said once by whoever shows it
    assert findings[0].located().startswith("第 2 行第 43 列：")
    with pytest.raises(TemplateProblem):
        render("{% if x %}没有结束", {})


def test_lint_unknown_variables_and_filters() -> None:
    findings = lint("{{ buyer.nik }} {{ orderr.id }} {{ item.price_fen|monie }}", sample_context("new_buyer"))
    by_kind = {(f.kind, f.name): f for f in findings}
    assert "buyer.nick" in by_kind["unknown_variable", "buyer.nik"].message
    assert by_kind["unknown_variable", "orderr.id"].column == 20
    assert "money" in by_kind["unknown_filter", "monie"].message


def test_lint_allows_loop_variables_and_campaign_variables() -> None:
    template = "{% for x in item.in_box %}{{ x }}{% endfor %}{% set n = 1 %}{{ n }}{{ campaign.discount }}"
    assert lint(template, sample_context("campaign")) == []


def test_lint_reports_missing_values_in_sample() -> None:
    findings = lint("单号 {{ order.tracking_no }}", sample_context("new_buyer"))
    assert [(f.kind, f.name) for f in findings] == [("missing_value", "order.tracking_no")]


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__ }}",
        "{{ buyer.__class__.__mro__ }}",
        "{{ buyer['__class__'] }}",
        "{{ (1).__class__.__base__.__subclasses__() }}",
        "{{ '{0.__class__}'.format(buyer) }}",
        "{{ '%s'|format(buyer) }}",
        "{{ '%r' % buyer }}",
        "{{ buyer.items() }}",
        "{{ 'x' * 100000000 }}",
        "{{ 10 ** 1000000 }}",
        "{{ range(10) }}",
        "{{ lipsum() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self._TemplateReference__context }}",
        "{% include 'other' %}",
    ],
)
def test_sandbox_escapes_are_refused(template: str, ctx: dict[str, Any]) -> None:
    refused: list[str] = []
    text = ""
    try:
        text = render(template, ctx).text
    except TemplateProblem as problem:
        refused = [f.message for f in problem.findings]
    # Either refused outright, or whatever rendered is plain text: no repr, no object, no class name.
    assert refused or ("class" not in text and "<" not in text and "{" not in text and len(text) < 100)
    assert lint(template, ctx)


def test_output_never_contains_template_syntax() -> None:
    out = render("{% raw %}{{ buyer.nick }}{% endraw %}", {})
    assert [f.kind for f in out.findings] == ["leaked_syntax"]
