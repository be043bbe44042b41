"""The response clock on the platform's worked examples and on the window's edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from assistant.team.watch import Mark, Message, Rules, Source, day_figures, score, turns, waiting

CST = timezone(timedelta(hours=8))
DAY = date(2026, 11, 11)
RULES = Rules()


def at(clock: str, day: date = DAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=CST)


def buyer(clock: str, day: date = DAY) -> Message:
    return Message(at(clock, day), from_buyer=True)


def reply(clock: str, day: date = DAY, source: Source = Source.HUMAN, agent: str = "xiaomei") -> Message:
    return Message(at(clock, day), from_buyer=False, source=source, agent=agent)


def figures(messages: list[Message], now: datetime, rules: Rules = RULES, day: date = DAY) -> tuple[int, int]:
    got = day_figures(turns(messages, rules), day, rules, now, CST)
    return got.within, got.counted


def test_a_repeated_question_does_not_restart_the_clock() -> None:
    messages = [buyer("10:10:15"), buyer("10:15:20"), reply("10:18:10")]
    (turn,) = turns(messages)
    assert turn.started == at("10:10:15") and turn.buyer_messages == 2 and turn.answered == at("10:18:10")
    assert figures(messages, at("12:00")) == (0, 1)
    messages += [buyer("10:18:30"), reply("10:19:00")]
    assert figures(messages, at("12:00")) == (1, 2)


def test_an_auto_reply_does_not_stop_the_clock() -> None:
    messages = [buyer("09:00:00"), reply("09:00:00", source=Source.AUTO_REPLY), reply("09:04:00")]
    (turn,) = turns(messages)
    assert turn.answered == at("09:04:00")
    assert figures(messages, at("12:00")) == (0, 1)


def test_an_assist_bot_counts_only_when_the_shop_says_so() -> None:
    messages = [buyer("09:00:00"), reply("09:00:05", source=Source.ASSIST_BOT), reply("09:04:00")]
    assert figures(messages, at("12:00")) == (0, 1)
    counting = Rules(assist_bot_counts=True)
    assert figures(messages, at("12:00"), counting) == (1, 1)


def test_a_question_at_23_59_answered_after_midnight_counts_for_its_day_but_not_its_time() -> None:
    messages = [buyer("23:59:00"), reply("00:02:00", DAY + timedelta(days=1))]
    scored = score(turns(messages)[0], RULES, at("12:00", DAY + timedelta(days=1)), CST)
    assert scored is not None and scored.day == DAY
    assert scored.within is True  # 180 s: within three minutes
    assert scored.response_s is None  # a cross-day turn stays out of the human response time
    late = [buyer("23:59:00"), reply("00:02:01", DAY + timedelta(days=1))]
    assert figures(late, at("12:00", DAY + timedelta(days=1))) == (0, 1)


def test_ten_questions_in_three_minutes_unanswered_by_midnight_are_one_miss() -> None:
    messages = [buyer(f"21:{minute:02d}:{second:02d}") for minute in range(3) for second in (0, 20, 40)]
    messages.append(buyer("21:03:00"))
    assert len(messages) == 10
    assert figures(messages, at("00:00:00", DAY + timedelta(days=1))) == (0, 1)


def test_an_open_turn_is_pending_until_the_mark_then_missed() -> None:
    messages = [buyer("10:00:00")]
    got = day_figures(turns(messages), DAY, RULES, at("10:02:00"), CST)
    assert (got.counted, got.pending, got.rate, got.rate_if_answered_now) == (0, 1, None, 1.0)
    got = day_figures(turns(messages), DAY, RULES, at("10:03:01"), CST)
    assert (got.counted, got.within, got.pending) == (1, 0, 0)


def test_the_window_leaves_out_night_turns_unless_answered_inside_it() -> None:
    night = [buyer("02:00:00"), reply("02:01:00")]
    assert figures(night, at("12:00")) == (0, 0)
    # opened before 08:00 and answered inside the window: counted, the clock starting at 08:00
    morning = [buyer("07:50:00"), reply("08:02:00")]
    scored = score(turns(morning)[0], RULES, at("12:00"), CST)
    assert scored is not None and scored.clock_start == at("08:00:00") and scored.within is True
    assert figures([buyer("07:50:00"), reply("08:03:30")], at("12:00")) == (0, 1)
    # still waiting when the window opens: counted from the opening
    assert figures([buyer("07:59:00")], at("08:04:00")) == (0, 1)
    # a window that closes at 23:00 leaves out a question at 23:30
    assert figures([buyer("23:30:00"), reply("23:31:00")], at("23:59"), Rules(window_end=time(23))) == (0, 0)


def test_human_response_time_is_capped_at_ten_minutes() -> None:
    messages = [buyer("10:00:00"), reply("10:30:00"), buyer("11:00:00"), reply("11:01:00")]
    got = day_figures(turns(messages), DAY, RULES, at("12:00"), CST)
    assert got.responses == 2 and got.mean_response_s == (600 + 60) / 2


def test_times_in_another_zone_are_days_of_the_shop() -> None:
    # 16:30 UTC on the 10th is 00:30 on the 11th in Shanghai: outside the window, so not counted
    utc = [
        Message(datetime(2026, 11, 10, 16, 30, tzinfo=UTC), True),
        Message(datetime(2026, 11, 10, 16, 31, tzinfo=UTC), False),
    ]
    assert figures(utc, at("12:00")) == (0, 0)
    assert figures(utc, at("12:00"), day=date(2026, 11, 10)) == (0, 0)


@pytest.mark.parametrize(
    ("waited", "mark"),
    [
        (99, Mark.NONE),
        (100, Mark.NUDGE),
        (150, Mark.ESCALATE),
        (180, Mark.MISSED),
        (299, Mark.MISSED),
        (300, Mark.LIMIT),
    ],
)
def test_marks(waited: int, mark: Mark) -> None:
    assert RULES.mark(waited) is mark


def test_waiting_lists_open_turns_longest_first() -> None:
    now = at("10:05:00")
    conversations = [
        ("c-answered", [buyer("10:00:00"), reply("10:01:00")]),
        ("c-short", [buyer("10:04:00")]),
        ("c-long", [buyer("10:01:00"), buyer("10:02:00"), reply("10:02:30", source=Source.AUTO_REPLY)]),
    ]
    found = waiting(conversations, RULES, now)
    assert [(w.conversation, w.waited_s, w.mark, w.buyer_messages) for w in found] == [
        ("c-long", 240.0, Mark.MISSED, 2),
        ("c-short", 60.0, Mark.NONE, 1),
    ]
