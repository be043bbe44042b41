"""The Double-11 rush: seeded, inside its time span, and every event one the plugin contract accepts."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import TypeAdapter

from assistant.demo.rush import Thread, rush
from assistant.events import EventIn

THREADS = [Thread(f"c{n}", "nuanju", f"tb_{n}", "xiaomei" if n % 2 else "ajie", 1001) for n in range(12)]
ITEM = {"item_id": 1001, "sku": "MUG-2", "title": "手冲咖啡杯", "unit_price_fen": 12900}


def test_the_rush_is_seeded_and_stays_inside_its_span() -> None:
    events = rush(THREADS, duration_s=600, lead_s=300, item=ITEM)
    assert [e.public() for e in events] == [
        e.public() for e in rush(THREADS, duration_s=600, lead_s=300, item=ITEM)
    ]
    assert all(-301 <= e.offset_s < 600 for e in events)
    assert [e.offset_s for e in events] == sorted(e.offset_s for e in events)
    assert {e.login for e in events} == {"xiaomei", "ajie"}
    assert sum(e.kind == "order" for e in events) == 3


def test_each_conversation_opens_first_and_gets_the_auto_reply_after_its_first_message() -> None:
    events = rush(THREADS, duration_s=600, lead_s=300)
    for thread in THREADS:
        mine = [e for e in events if e.body.get("conversation") == thread.conversation]
        assert mine[0].kind == "opened" and mine[1].kind == "buyer" and mine[2].kind == "auto_reply"
        assert sum(e.kind == "auto_reply" for e in mine) == 1


def test_every_event_is_one_the_client_may_post() -> None:
    adapter = TypeAdapter(EventIn)
    start = datetime.now(UTC)
    for event in rush(THREADS, duration_s=300, lead_s=120, item=ITEM):
        adapter.validate_python(event.payload(start))
