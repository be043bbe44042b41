"""The board's indexes and cached figures give what the turn rule gives over the raw messages."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.team.board import Board
from assistant.team.watch import Message, Rules, Source, day_figures, turns

TZ = ZoneInfo("Asia/Shanghai")


def test_the_wall_and_the_watch_agree_with_the_turn_rule_on_random_conversations() -> None:
    rng = random.Random(3)
    rules = Rules()
    board = Board(rules, TZ)
    now = datetime(2026, 11, 11, 14, 0, tzinfo=TZ).astimezone(UTC)
    kept: dict[tuple[int, str], list[Message]] = {}
    owner: dict[tuple[int, str], int] = {}
    for n in range(60):
        key = (1 + n % 2, f"c{n}")
        owner[key] = 1 + n % 5
        at = now - timedelta(hours=rng.uniform(0, 20))  # some before the window opened at 08:00
        for _ in range(rng.randint(1, 12)):
            at += timedelta(seconds=rng.uniform(5, 400))
            if at >= now:
                break
            from_buyer = rng.random() < 0.55
            source = Source.HUMAN if from_buyer or rng.random() < 0.8 else Source.AUTO_REPLY
            message = Message(at, from_buyer, source, str(owner[key]))
            kept.setdefault(key, []).append(message)
            board.observe(key[0], key[1], f"b{n}", owner[key], message)
    day = now.astimezone(TZ).date()

    def expected(keys: list[tuple[int, str]]) -> tuple[int, int, int, int]:
        got = day_figures((t for k in keys for t in turns(kept[k], rules)), day, rules, now, TZ)
        return got.counted, got.within, got.pending, got.responses

    def seen(figures: object) -> tuple[int, int, int, int]:
        return figures.counted, figures.within, figures.pending, figures.responses  # type: ignore[attr-defined]

    agents, shops = board.wall(now, [1, 2])
    for agent_id in range(1, 6):
        mine = [k for k in kept if owner[k] == agent_id]
        assert seen(agents[agent_id].today) == expected(mine) == seen(board.today(now, [1, 2], agent_id))
        waiting = board.waiting(now, [1, 2], agent_id)
        assert agents[agent_id].waiting == len(waiting)
        assert agents[agent_id].oldest_s == (waiting[0].waited_s if waiting else 0.0)
    for shop in (1, 2):
        assert seen(shops[shop].today) == expected([k for k in kept if k[0] == shop])
        escalated = [w for w in board.waiting(now, [shop]) if w.waited_s >= rules.escalate_s]
        assert list(shops[shop].escalated) == escalated
        assert shops[shop].waiting == len(board.waiting(now, [shop]))


def test_a_take_over_moves_the_conversation_to_the_new_agent_s_watch() -> None:
    board = Board(Rules(), TZ)
    now = datetime.now(UTC)
    board.observe(1, "c1", "tb_a", 7, Message(now - timedelta(seconds=200), True))
    assert [w.conversation for w in board.waiting(now, [1], 7)] == ["c1"]
    board.assign(1, "c1", 9)
    assert board.waiting(now, [1], 7) == [] and [w.conversation for w in board.waiting(now, [1], 9)] == ["c1"]
    assert board.trim(now + timedelta(days=2)) == 1
    assert board.waiting(now, [1], 9) == [] and board.wall(now, [1])[0] == {}
