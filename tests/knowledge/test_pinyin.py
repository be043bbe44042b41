"""Tests for knowledge.pinyin: pinyin keys, heteronyms and highlight offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.pinyin import PinyinKeys, pinyin_keys, to_pinyin_query
from knowledge.text import fold


@pytest.mark.parametrize(
    ("word", "full"),
    [
        ("还款", "huankuan"),
        ("还钱", "huanqian"),
        ("偏长", "pianchang"),
        ("快递员", "kuaidiyuan"),
        ("重庆", "chongqing"),
        ("重新", "chongxin"),
        ("重量", "zhongliang"),
        ("重发", "chongfa"),
        ("长度", "changdu"),
        ("长大", "zhangda"),
        ("加长", "jiachang"),
        ("便宜", "pianyi"),
        ("方便", "fangbian"),
        ("银行", "yinhang"),
        ("行李", "xingli"),
        ("调货", "diaohuo"),
        ("调整", "tiaozheng"),
        ("发货", "fahuo"),
        ("头发", "toufa"),
        ("得去", "deiqu"),
        ("褪色", "tuise"),
        ("着急", "zhaoji"),
        ("绿色", "lvse"),  # ü is typed as v
    ],
)
def test_heteronyms(word: str, full: str) -> None:
    assert pinyin_keys(word).full == full


def test_heteronym_inside_longer_phrase() -> None:
    assert pinyin_keys("信用卡还款日").full == "xinyongkahuankuanri"
    assert pinyin_keys("尺码偏长一点").initials == "cmpcyd"


def test_keys_of_a_phrase() -> None:
    keys = pinyin_keys("发货时间")
    assert keys == PinyinKeys(
        full="fahuoshijian",
        initials="fhsj",
        full_offsets=(0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3),
        initial_offsets=(0, 1, 2, 3),
    )


def test_ascii_letters_and_digits_are_kept() -> None:
    keys = pinyin_keys("双11包邮")
    assert keys.full == "shuang11baoyou"
    assert keys.initials == "s11by"
    assert keys.initial_offsets == (0, 1, 2, 3, 4)
    assert pinyin_keys("XL码 有货").initials == "xlmyh"
    assert pinyin_keys("ＸＬ碼").full == "xlma"  # full width and Traditional folded first


def test_other_characters_are_skipped() -> None:
    assert pinyin_keys("发货！👍").initials == "fh"
    assert pinyin_keys("") == PinyinKeys("", "", (), ())
    assert pinyin_keys("👍，。").full == ""


def test_offsets_point_into_the_folded_text() -> None:
    text = "亲，发货时间"
    folded = fold(text)
    keys = pinyin_keys(text)
    assert keys.initials == "qfhsj"
    assert keys.initial_offsets == (0, 2, 3, 4, 5)
    assert "".join(folded[i] for i in keys.initial_offsets[1:]) == "发货时间"
    # A UI highlighting the match of "fhsj" in the initials gets 发货时间.
    start = keys.initials.index("fhsj")
    covered = keys.initial_offsets[start : start + 4]
    assert folded[covered[0] : covered[-1] + 1] == "发货时间"
    # And the full-pinyin match "huoshi" covers 货时.
    start = keys.full.index("huoshi")
    covered = keys.full_offsets[start : start + len("huoshi")]
    assert folded[covered[0] : covered[-1] + 1] == "货时"


def test_offsets_after_traditional_and_spaces() -> None:
    text = "  請問 發貨時間"
    folded = fold(text)
    keys = pinyin_keys(text)
    assert folded == "请问 发货时间"
    assert keys.initials == "qwfhsj"
    assert [folded[i] for i in keys.initial_offsets] == list("请问发货时间")


def test_to_pinyin_query() -> None:
    assert to_pinyin_query("Fa Huo") == "fahuo"
    assert to_pinyin_query("xi'an") == "xian"
    assert to_pinyin_query("ＦＨＳＪ") == "fhsj"
    assert to_pinyin_query(" fh’sj ") == "fhsj"
    assert to_pinyin_query("") == ""


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(codec=None, categories=None),
            st.sampled_from("还款快递员重庆發貨双11包邮ＸＬ，👍\ud800"),
        ),
        max_size=40,
    )
)
def test_pinyin_keys_never_raise_and_offsets_align(text: str) -> None:
    keys = pinyin_keys(text)
    folded = fold(text)
    assert len(keys.full) == len(keys.full_offsets)
    assert len(keys.initials) == len(keys.initial_offsets)
    assert all(0 <= i < len(folded) for i in keys.full_offsets + keys.initial_offsets)
    assert list(keys.full_offsets) == sorted(keys.full_offsets)
    assert keys.full.isascii()
    assert keys.initials.isascii()
    to_pinyin_query(text)
