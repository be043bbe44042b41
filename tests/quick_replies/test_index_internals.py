"""The lookup's shortcuts agree with the slow, plain definitions they stand in for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quick_replies.entry import PhraseEntry
from quick_replies.index import query_tokens
from quick_replies.matching import match_token, token_score
from quick_replies.shard import bits, title_candidates
from quick_replies.typos import early_slips
from tests.quick_replies.phrases import AGENT, SHOP, TEAM, build_library, codes, edited, library_phrases

LIBRARY = build_library()
SHARD = LIBRARY.index._shards[SHOP]
ENTRIES: list[PhraseEntry] = SHARD.live()


def _keys(e: PhraseEntry) -> list[str]:
    return [e.code, e.t_ini, e.t_full, e.t_fold, e.b_fold, e.b_ini, e.b_full]


pieces = st.tuples(st.sampled_from(ENTRIES), st.integers(0, 6), st.integers(0, 60), st.integers(1, 9))


@settings(max_examples=300, deadline=None)
@given(pieces, st.sampled_from(ENTRIES))
def test_the_lean_score_is_the_full_match_score(
    piece: tuple[PhraseEntry, int, int, int], other: PhraseEntry
) -> None:
    source, which, start, length = piece
    key = _keys(source)[which]
    for tok, is_ascii in query_tokens(key[start : start + length]):
        for e in (source, other):
            full = match_token(e, tok, is_ascii)
            assert token_score(e, tok, is_ascii) == (full.score if full else 0.0)


@settings(max_examples=300, deadline=None)
@given(pieces)
def test_title_bitmaps_never_miss_a_phrase_whose_code_or_title_holds_the_token(
    piece: tuple[PhraseEntry, int, int, int],
) -> None:
    source, which, start, length = piece
    key = _keys(source)[which % 4]  # code and title keys
    for tok, is_ascii in query_tokens(key[start : start + length]):
        found = title_candidates(SHARD, tok, is_ascii)
        if found is None:
            continue
        for e in ENTRIES:
            holds = e.code.startswith(tok) or any(tok in k for k in (e.t_ini, e.t_full, e.t_fold))
            if holds:
                assert SHARD.slots[e.id] in bits(found), (tok, e.title)


def test_bits_lists_every_set_bit_in_order() -> None:
    slots = [0, 1, 7, 8, 63, 64, 1000, 20011]
    assert bits(sum(1 << s for s in slots)) == slots
    assert bits(0) == []


def test_early_slips_undo_a_slip_in_the_first_letters() -> None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    assert "sjtfhs" in early_slips("jstfhs", 2, letters)  # first two swapped
    assert "sjtfhs" in early_slips("stfhs", 2, letters)  # second dropped
    assert "sjtfhs" in early_slips("shtfhs", 2, letters)  # second hit wrongly
    assert "sjtfhs" in early_slips("sjjtfhs", 2, letters)  # one too many
    assert "sjtfhs" in early_slips("sjftfhs", 3, letters)  # third: only with a longer anchor
    assert "sjtfhs" not in early_slips("sjftfhs", 2, letters)
    assert early_slips("fkd", 2, letters) <= {"kfd", "fd", "fdk"}  # three letters: swaps and extras only


def test_typos_deep_in_long_pinyin_and_in_codes_are_found() -> None:
    assert codes(LIBRARY, "huabeihuankaun")[0] == "hk"  # swap near the end
    assert codes(LIBRARY, "kuaidiyaunlianxifangshi")[0] == "kdy"
    assert codes(LIBRARY, "zlt")[:3].count("zlwt") == 1  # a letter dropped from a code
    assert "qrsh" in codes(LIBRARY, "qrshh")[:3]  # one too many


def test_bitmaps_follow_saves_and_deletes() -> None:
    library = build_library()
    fh = next(r for r in library_phrases() if r.reply.code == "fh")
    library.publish(edited(fh, title="出库时间", version=2))
    assert [r.code for r in library.search(SHOP, AGENT, TEAM, "出库 时间", 5)][:1] == ["fh"]
    assert "fh" not in [r.code for r in library.search(SHOP, AGENT, TEAM, "发货时间", 10)]
    library.drop(fh.id)
    assert "fh" not in [r.code for r in library.search(SHOP, AGENT, TEAM, "出库 时间", 10)]


def test_previews_are_reused_only_for_the_same_context_object() -> None:
    library = build_library()
    first = {"buyer": {"nick": "小明"}}
    second = {"buyer": {"nick": "小红"}}

    def preview(context: dict[str, dict[str, str]]) -> str:
        return next(
            r.preview for r in library.search(SHOP, AGENT, TEAM, "d11by", 5, context) if r.code == "d11by"
        )

    assert "小明" in preview(first)
    assert "小红" in preview(second)
    assert "小明" in preview(first)
    fresh = {"buyer": {"nick": "小刚"}}
    assert "小刚" in preview(fresh)
