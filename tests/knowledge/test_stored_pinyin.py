"""Pinyin of examples is computed when an intent is saved, filled in once for old rows, and read
by the matcher at start-up instead of calling pypinyin again."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

import knowledge.index
from knowledge import store
from knowledge.index import read_pinyin, stored_pinyin
from knowledge.matcher import Matcher
from knowledge.migrations import migrations
from knowledge.models import Intent, IntentTopic
from knowledge.pinyin import syllables as text_syllables


def _db(path: Path, *, stop_before: str | None = None) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before=stop_before)
    db.execute("INSERT INTO shops (id, code, name, created_at) VALUES (1, 's1', '店', 'x')")
    return db


def _intent() -> Intent:
    return Intent(
        shop_id=1,
        key="ship",
        name="发货时间",
        topic=IntentTopic.SHIPPING,
        examples=["親，什麼時候發貨？", "几天能寄出"],
        answers=["好的"],
    )


def test_saved_examples_carry_their_pinyin(tmp_path: Path) -> None:
    db = _db(tmp_path / "kb.db")
    intent_id = store.insert_intent(db, _intent(), None)
    rows = db.execute("SELECT text, pinyin FROM intent_examples WHERE intent_id = ?", [intent_id]).fetchall()
    parsed = read_pinyin(rows[0][1])
    assert parsed == ("什么时候发货", ["shen", "me", "shi", "hou", "fa", "huo"])
    known = store.load_pinyin(db)
    assert known["几天能寄出"] == ["ji", "tian", "neng", "ji", "chu"]
    assert known["发货时间"][:2] == ["fa", "huo"]  # the intent's name is indexed too
    # an edit recomputes them
    saved = store.get_intent(db, intent_id)
    assert saved is not None
    store.save_intent(db, saved.model_copy(update={"examples": ["包邮吗"]}))
    assert store.load_pinyin(db)["包邮吗"] == ["bao", "you", "ma"]
    assert "几天能寄出" not in store.load_pinyin(db)


def test_migration_fills_rows_saved_before_it(tmp_path: Path) -> None:
    db = _db(tmp_path / "old.db", stop_before="0003_example_pinyin")
    db.execute("INSERT INTO intents (id, shop_id, key, name, updated_at) VALUES (7, 1, 'k', '退款', 'x')")
    db.execute("INSERT INTO intent_examples (intent_id, text) VALUES (7, '退款多久到账')")
    migrations.apply(db)
    known = store.load_pinyin(db)
    assert known["退款多久到账"] == ["tui", "kuan", "duo", "jiu", "dao", "zhang"]
    assert known["退款"] == ["tui", "kuan"]


def test_matcher_start_up_reads_stored_pinyin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _db(tmp_path / "kb.db")
    store.insert_intent(db, _intent(), None)
    intents, known = store.load_intents(db), store.load_pinyin(db)
    calls: list[str] = []
    real = text_syllables  # what knowledge.index imports under this name

    def counting(text: str) -> list[str]:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(knowledge.index, "text_syllables", counting)
    with_stored = Matcher()
    with_stored.load(intents, [], {}, known)
    stored_calls = list(calls)
    calls.clear()
    without = Matcher()
    without.load(intents, [], {})
    # only the canonical synonym words (发货, once each) are read at start-up; the texts are not
    assert not set(stored_calls) & set(known)
    assert set(known) <= set(calls)
    q = "什么时候发伙"  # homophone typo: found through the stored pinyin pairs
    assert with_stored.suggest(1, q)[0].matches[0].entry.key == "ship"
    assert [m.score for m in with_stored.rank(1, q).matches] == [m.score for m in without.rank(1, q).matches]


def test_malformed_stored_pinyin_is_ignored() -> None:
    assert read_pinyin(None) is None
    assert read_pinyin("not json") is None
    assert read_pinyin('{"text": "发货", "syllables": ["fa"]}') is None  # not aligned
    assert read_pinyin(stored_pinyin("发货")) == ("发货", ["fa", "huo"])
