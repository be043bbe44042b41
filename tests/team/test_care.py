"""Care messages without I/O: the stages read from the trace, the SMS counter, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.team.care import DEFAULT_TEMPLATES, OrderFacts, Stage, due_at, measure, segments, stages
from assistant.team.reminders import Rules
from knowledge.templates import TemplateProblem

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)


def test_stages_come_from_the_trace_and_the_status() -> None:
    shipped = OrderFacts("shipped", T0, None, (("collected", T0 + timedelta(hours=1)),))
    assert stages(shipped, review_after=timedelta(days=3)) == [(Stage.SHIPPED, T0 + timedelta(hours=1))]
    on_its_way = OrderFacts(
        "shipped", T0, None, (("collected", T0), ("out_for_delivery", T0 + timedelta(days=1)))
    )
    assert [s for s, _ in stages(on_its_way, review_after=timedelta(days=3))] == [
        Stage.SHIPPED,
        Stage.OUT_FOR_DELIVERY,
    ]
    signed_at = T0 + timedelta(days=2)
    done = OrderFacts("completed", T0, None, (("collected", T0), ("delivered", signed_at)))
    found = dict(stages(done, review_after=timedelta(days=3)))
    assert found[Stage.DELIVERED] == signed_at and found[Stage.CONFIRMED] == signed_at
    assert found[Stage.REVIEW] == signed_at + timedelta(days=3)
    # a refund stops the care: nothing for an order that is not on its way or done
    assert (
        stages(OrderFacts("refunding", T0, None, (("collected", T0),)), review_after=timedelta(days=3)) == []
    )


def test_sms_segments_are_70_characters() -> None:
    assert [segments("字" * n) for n in (0, 1, 70, 71, 140, 141)] == [0, 1, 1, 2, 2, 3]


def test_the_counter_puts_variables_at_their_typical_length() -> None:
    m = measure("{{ receiver.name }}您好，订单 {{ order.id }} 已发货")
    assert m.chars == 3 + len("您好，订单 ") + 19 + len(" 已发货") and m.segments == 1
    assert m.rendered.text.startswith("某某某您好")
    for purpose, body in DEFAULT_TEMPLATES.items():
        assert 0 < measure(body).chars <= 140, purpose  # every built-in text fits two SMS at most
    with pytest.raises(TemplateProblem):
        measure("{{ order.id }")


def test_a_message_made_in_the_quiet_hours_waits_for_the_morning() -> None:
    rules = Rules(quiet_start=time(22), quiet_end=time(8))
    night = datetime(2026, 11, 20, 23, 30, tzinfo=TZ)
    later = due_at(night, "k1", rules, TZ)
    morning = datetime(2026, 11, 21, 8, 0, tzinfo=TZ)
    assert morning <= later < morning + timedelta(minutes=60)
    noon = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert due_at(noon, "k1", rules, TZ) == noon
