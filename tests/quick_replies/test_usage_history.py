"""The ranking's usage history as the store keeps it: uses grouped per agent, phrase and day, loaded back
into the library at start-up (what a restart keeps of who used what)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from knowledge.models import UsageEvent, UsageKind
from quick_replies import store as qr_store
from quick_replies.lookup import QuickReplyLibrary
from tests.conftest import MiniShop
from tests.quick_replies.phrases import AGENT, OTHER_TEAM, STRANGER, TEAM, TEAMMATE, codes, library_phrases


def test_uses_by_day_from_the_store_rank_the_reloaded_library(
    store_db: AsyncDatabase, mini_shop: MiniShop
) -> None:
    now = datetime.now(UTC).replace(hour=12)
    by_code = {r.reply.code: r.id for r in library_phrases()}
    kd = by_code["fhkd"]

    def use(at: datetime, ref_id: int = kd, edited: bool = False) -> UsageEvent:
        return UsageEvent(
            shop_id=mini_shop.shop_id, agent_id=mini_shop.agent_id, kind=UsageKind.QUICK_REPLY, ref_id=ref_id,
            edited=edited, at=at,
        )  # fmt: skip

    events = [use(now), use(now + timedelta(minutes=1), edited=True), use(now - timedelta(days=1))]
    store_db.write_sync(lambda db: kb_store.record_usage(db, events))
    since = (now - timedelta(days=30)).isoformat()

    days = store_db.read_sync(lambda db: qr_store.usage_by_day(db, since))
    assert sorted((d.agent_id, d.phrase_id, d.day, d.uses) for d in days) == [
        (mini_shop.agent_id, kd, (now - timedelta(days=1)).date().isoformat(), 1),
        (mini_shop.agent_id, kd, now.date().isoformat(), 2),
    ]
    counts = store_db.read_sync(lambda db: qr_store.usage_counts(db, mini_shop.shop_id, since))
    assert list(counts) == [kd]
    assert (counts[kd].uses, counts[kd].agents, counts[kd].edited) == (3, 1, 1)
    assert counts[kd].last_used_at == (now + timedelta(minutes=1)).isoformat()

    library = QuickReplyLibrary()
    as_agent = [d.model_copy(update={"agent_id": AGENT}) for d in days]  # the phrase library's own agent
    library.load(library_phrases(), as_agent, {AGENT: TEAM, TEAMMATE: TEAM, STRANGER: OTHER_TEAM})
    assert codes(library, "fh")[:3] == ["fh", "fhkd", "fh2"]  # the used prefix beats the unused one
    assert codes(library, "fh", agent=STRANGER, team=OTHER_TEAM)[:3] == ["fh", "fh2", "fhkd"]
