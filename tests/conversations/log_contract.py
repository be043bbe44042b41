"""What every ``ConversationLog`` backend must do (assistant/conversations/log.py): run on SQLite by
tests/conversations/test_log_sqlite.py and on the hub by tests/hub/test_conversation_log_pg.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from assistant.conversations.log import ConversationLog
from assistant.conversations.models import Direction, MessageSource, NewMessage

T0 = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
CST = timezone(timedelta(hours=8))


@dataclass
class LogUnderTest:
    log: ConversationLog
    #: the same backend with another clock (for the retention job)
    with_clock: Callable[[Callable[[], datetime]], ConversationLog]
    shop_id: int
    other_shop_id: int
    agent_id: int
    other_agent_id: int

    def message(
        self,
        conversation: str,
        minutes: float,
        text: str = "在吗",
        *,
        nick: str = "买家甲",
        direction: Direction = Direction.IN,
        source: MessageSource | None = None,
        agent: int | None = None,
        shop: int | None = None,
        message_id: str | None = None,
        received: datetime | None = None,
    ) -> NewMessage:
        at = T0 + timedelta(minutes=minutes)
        if direction is Direction.OUT and source is None:
            source = MessageSource.HUMAN
        return NewMessage(
            shop_id=shop or self.shop_id, conversation=conversation, buyer_nick=nick, direction=direction,
            source=source, agent_id=agent, message_id=message_id, text=text, at=at, received_at=received or at,
        )  # fmt: skip

    async def say(self, *messages: NewMessage) -> None:
        for m in messages:
            assert await self.log.record(m) is not None


OUT = Direction.OUT


class ConversationLogContract:
    async def test_a_message_is_kept_as_reported_and_a_platform_id_only_once(self, lt: LogUnderTest) -> None:
        first = lt.message("c-1", 0, " 在吗？ ", message_id="m-1")
        logged = await lt.log.record(first.model_copy(update={"at": T0.astimezone(CST)}))
        assert logged is not None and logged.id > 0 and logged.text == " 在吗？ "
        assert await lt.log.record(lt.message("c-1", 1, "again", message_id="m-1")) is None
        elsewhere = lt.message("c-1", 1, message_id="m-1", shop=lt.other_shop_id)
        assert await lt.log.record(elsewhere) is not None  # the id is the platform's per shop
        reply = lt.message(
            "c-1", 2, "亲，在的", direction=OUT, source=MessageSource.AUTO_REPLY, agent=lt.agent_id
        )
        await lt.say(reply.model_copy(update={"sender": "店铺:自动回复"}))
        kept = await lt.log.messages(lt.shop_id, "c-1")
        assert [(m.text, m.direction, m.source, m.sender) for m in kept] == [
            (" 在吗？ ", Direction.IN, None, None),
            ("亲，在的", OUT, MessageSource.AUTO_REPLY, "店铺:自动回复"),
        ]
        assert kept[0].id == logged.id and kept[0].at == T0 and kept[0].at.utcoffset() == timedelta(0)
        assert kept[1].agent_id == lt.agent_id and kept[0].buyer_nick == "买家甲"

    async def test_messages_are_the_newest_of_a_conversation_oldest_first(self, lt: LogUnderTest) -> None:
        await lt.say(*(lt.message("c-1", n, f"第{n}条") for n in (3, 1, 2, 0)))
        await lt.say(lt.message("c-2", 5, "别的会话"))
        assert [m.text for m in await lt.log.messages(lt.shop_id, "c-1")] == [
            "第0条",
            "第1条",
            "第2条",
            "第3条",
        ]
        assert [m.text for m in await lt.log.messages(lt.shop_id, "c-1", limit=2)] == ["第2条", "第3条"]
        assert await lt.log.messages(lt.other_shop_id, "c-1") == []

    async def test_shop_messages_and_activity_in_a_half_open_range(self, lt: LogUnderTest) -> None:
        await lt.say(
            lt.message("c-a", -1, "之前"), lt.message("c-a", 0), lt.message("c-a", 2, direction=OUT, agent=lt.agent_id),
            lt.message("c-b", 30, nick="买家乙"), lt.message("c-b", 40, direction=OUT, agent=lt.other_agent_id, nick="买家乙"),
            lt.message("c-b", 45, direction=OUT, agent=lt.agent_id, nick="买家乙"), lt.message("c-b", 60, "在范围外", nick="买家乙"),
            lt.message("c-x", 10, shop=lt.other_shop_id),
        )  # fmt: skip
        start, end = T0, T0 + timedelta(hours=1)
        found = await lt.log.shop_messages(lt.shop_id, start, end)
        assert [(m.conversation, m.direction) for m in found] == [
            ("c-a", Direction.IN), ("c-a", OUT), ("c-b", Direction.IN), ("c-b", OUT), ("c-b", OUT)]  # fmt: skip
        incoming = await lt.log.shop_messages(lt.shop_id, start, end, direction=Direction.IN)
        assert [m.conversation for m in incoming] == ["c-a", "c-b"]
        assert len(await lt.log.shop_messages(lt.shop_id, start, end, limit=2)) == 2
        active = await lt.log.active_conversations(lt.shop_id, start, end)
        assert [(a.conversation, a.buyer_nick, a.messages_in, a.messages_out) for a in active] == [
            ("c-a", "买家甲", 1, 1), ("c-b", "买家乙", 1, 2)]  # fmt: skip
        assert active[0].first_at == start and active[0].last_at == start + timedelta(minutes=2)
        assert active[0].agent_ids == [lt.agent_id]
        assert active[1].agent_ids == sorted([lt.agent_id, lt.other_agent_id])
        assert [a.conversation for a in await lt.log.active_conversations(lt.other_shop_id, start, end)] == [
            "c-x"
        ]

    async def test_the_last_agent_is_the_latest_console_before_the_time(self, lt: LogUnderTest) -> None:
        await lt.say(
            lt.message("c-1", 0, agent=lt.agent_id), lt.message("c-1", 5, agent=lt.other_agent_id),
            lt.message("c-1", 6), lt.message("c-1", 20, agent=lt.agent_id),
        )  # fmt: skip
        assert await lt.log.last_agent(lt.shop_id, "买家甲", T0 + timedelta(minutes=10)) == lt.other_agent_id
        assert await lt.log.last_agent(lt.shop_id, "买家甲", T0 + timedelta(minutes=5)) == lt.agent_id
        assert await lt.log.last_agent(lt.shop_id, "买家甲", T0) is None  # strictly before
        assert await lt.log.last_agent(lt.shop_id, "没聊过", T0 + timedelta(days=1)) is None
        assert await lt.log.last_agent(lt.other_shop_id, "买家甲", T0 + timedelta(days=1)) is None

    async def test_a_buyers_messages_and_those_holding_a_word(self, lt: LogUnderTest) -> None:
        await lt.say(
            lt.message("c-1", 0, "要开发票"), lt.message("c-2", 1, "送人的，帮我包好", nick="买家乙"),
            lt.message("c-1", 2, "好的，发票会开", direction=OUT), lt.message("c-3", 3, "开发票", shop=lt.other_shop_id),
            lt.message("c-1", -60, "一小时前的发票"),
        )  # fmt: skip
        mine = await lt.log.buyer_messages(lt.shop_id, "买家甲")
        assert [m.text for m in mine] == ["一小时前的发票", "要开发票", "好的，发票会开"]
        found = await lt.log.containing(lt.shop_id, T0, ["发票", "送人"])
        assert [m.text for m in found] == ["要开发票", "送人的，帮我包好", "好的，发票会开"]
        assert await lt.log.containing(lt.shop_id, T0, []) == []
        assert await lt.log.containing(lt.shop_id, T0, ["%"]) == []  # a word, not a pattern

    async def test_what_was_received_since_a_read(self, lt: LogUnderTest) -> None:
        read = T0 + timedelta(hours=5)
        await lt.say(
            lt.message("c-1", 0, received=read - timedelta(seconds=1)), lt.message("c-1", 1, received=read),
            lt.message("c-1", 120, received=read + timedelta(hours=1)),
        )  # fmt: skip
        got = await lt.log.received_since(lt.shop_id, T0, T0 + timedelta(hours=1), read)
        assert got == [T0 + timedelta(minutes=1)]

    async def test_first_exchanges_take_the_first_question_and_a_persons_reply(
        self, lt: LogUnderTest
    ) -> None:
        await lt.say(
            lt.message("c-b", 0, "还有货吗"), lt.message("c-b", 0.5, "自动回复", direction=OUT, source=MessageSource.AUTO_REPLY),
            lt.message("c-b", 1, "有的亲", direction=OUT), lt.message("c-b", 2, "第二个问题"),
            lt.message("c-a", 5, "先发的客服", direction=OUT), lt.message("c-a", 6, "没人回"),
            lt.message("c-only-out", 7, "只有客服", direction=OUT),
        )  # fmt: skip
        found = await lt.log.first_exchanges(lt.shop_id, ["c-a", "c-b", "c-only-out", "c-none"])
        assert [(f.conversation, f.question, f.reply) for f in found] == [
            ("c-b", "还有货吗", "有的亲"), ("c-a", "没人回", "")]  # fmt: skip
        assert found[0].asked_at == T0 and found[0].question_id < found[1].question_id
        assert await lt.log.first_exchanges(lt.shop_id, []) == []

    async def test_forgetting_and_the_retention_job_are_idempotent(self, lt: LogUnderTest) -> None:
        now = T0 + timedelta(days=100)
        await lt.say(
            lt.message("c-1", 0, "100 天前"), lt.message("c-1", 60 * 24 * 11, "89 天前"),
            lt.message("c-2", 0, "别家 100 天前", shop=lt.other_shop_id),
        )  # fmt: skip
        assert await lt.log.forget_before(now, shop_id=lt.other_shop_id) == 1
        job = lt.with_clock(lambda: now)
        assert await job.apply_retention(90) == 1
        assert await job.apply_retention(90) == 0
        assert [m.text for m in await lt.log.messages(lt.shop_id, "c-1")] == ["89 天前"]
