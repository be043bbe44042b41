"""Tests for knowledge.text: folding, buyer-message normalisation, splitting, tokens."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.text import (
    DOMAIN_WORDS,
    char_ngrams,
    cut,
    fold,
    is_traditional,
    normalize_message,
    segment,
    split_questions,
)

# --------------------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("ＸＬ２件", "xl2件"),
        ("ＡＢＣ－１２３", "abc-123"),
        ("尺码：Ｍ码", "尺码:m码"),
        ("發貨", "发货"),
        ("退貨", "退货"),
        ("甚麼時候發貨", "什么时候发货"),
        ("著急", "着急"),
        ("運費", "运费"),
        ("這個", "这个"),
        ("請問", "请问"),
        ("乾淨 頭髮", "干净 头发"),
        ("帳號", "帐号"),
        ("裡面", "里面"),
        ("XL 碼", "xl 码"),
        ("  发货\t\n时间  ", "发货 时间"),
        ("发\u3000货", "发 货"),  # ideographic space
        ("发\u200b货\ufeff", "发货"),  # zero-width space, BOM
        ("a\x00b\x07c", "abc"),  # control characters
        ("a\ud800b", "ab"),  # lone surrogate
        ("", ""),
        ("   ", ""),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_keeps_simplified_text_that_opencc_t2s_corrupts() -> None:
    # opencc-purepy 1.5.0 maps 结束 -> 結束 and 拉坏 -> 拉坯 under t2s; we pin them.
    assert fold("活动结束了") == "活动结束了"
    assert fold("拉链拉坏了") == "拉链拉坏了"
    assert fold("打坏了") == "打坏了"
    assert fold("效果显著") == "效果显著"


def test_fold_keeps_emoji_and_common_simplified_words() -> None:
    assert fold("😊發貨👍") == "😊发货👍"
    assert fold("什么时候发货") == "什么时候发货"
    assert fold("头发 干什么 皇后 里面 面条") == "头发 干什么 皇后 里面 面条"


def test_fold_long_text() -> None:
    text = "發貨了嗎？" * 2000
    assert fold(text) == "发货了吗?" * 2000


def test_is_traditional() -> None:
    assert is_traditional("甚麼時候發貨")
    assert is_traditional("這個有貨嗎")
    assert not is_traditional("什么时候发货")
    assert not is_traditional("活动结束了")
    assert not is_traditional("XL size 👍")
    assert not is_traditional("")


# ------------------------------------------------------------- normalize_message


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("亲在吗 请问什么时候发货呀", "什么时候发货"),
        ("亲亲，这个还有货吗呢", "这个还有货吗"),
        ("您好，请问包邮吗", "包邮吗"),
        ("你好 在不在 能便宜点吗", "能便宜点吗"),
        ("hi 发货了吗", "发货了吗"),
        ("Hello，什么时候发货？谢谢", "什么时候发货"),
        ("哈喽 亲 尺码偏大吗 谢谢亲", "尺码偏大吗"),
        ("发货了吗？？？👍😊🎉", "发货了吗"),
        ("好的哦", "好的"),
        ("好的亲", "好的"),
        ("什么时候到啊", "什么时候到"),
        ("好好好好", "好"),
        ("嗯嗯嗯嗯 好的", "好的"),
        ("谢谢谢谢 好评", "好评"),
        ("发货了吗 多谢了", "发货了吗"),
        ("看看", "看看"),
        ("可以试试吗", "可以试试吗"),
        ("XXXL有吗", "xxxl有吗"),
        ("手机13800000000", "手机13800000000"),
        ("1.5米的床可以吗", "1.5米的床可以吗"),
        ("亲肤吗", "亲肤吗"),
        ("亲子装有吗", "亲子装有吗"),
        ("送给母亲的", "送给母亲的"),
        ("hike鞋", "hike鞋"),
        ("發貨了嗎", "发货了吗"),
    ],
)
def test_normalize_message(raw: str, normalized: str) -> None:
    assert normalize_message(raw) == normalized


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("好的谢谢", "好的谢谢"),
        ("明白了，多谢亲", "明白了 多谢"),
        ("收到 谢啦", "收到 谢"),
        ("嗯嗯 知道了谢谢您", "知道了谢谢您"),
        ("好的，什么时候发货？谢谢", "好的 什么时候发货"),
    ],
)
def test_a_thanks_after_an_acknowledgement_is_the_message_not_filler(raw: str, normalized: str) -> None:
    """好的谢谢 is a thank-you an agent answers (closing scripts): only the question's thanks go."""
    assert normalize_message(raw) == normalized


@pytest.mark.parametrize(
    "filler",
    ["亲", "亲在吗？", "在吗在吗", "谢谢", "谢谢亲！", "你好", "hello", "哈哈哈哈", "👍😊🎉", "？？？", ""],
)
def test_normalize_message_pure_filler_is_empty(filler: str) -> None:
    assert normalize_message(filler) == ""


# --------------------------------------------------------------- split_questions


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        ("什么时候发货？能便宜点吗", ["什么时候发货", "能便宜点吗"]),
        ("发货了吗，还有能开发票吗", ["发货了吗", "还有能开发票吗"]),
        ("在吗\n什么时候发货\n包邮吗", ["什么时候发货", "包邮吗"]),
        ("什么时候发货 能便宜点吗", ["什么时候发货", "能便宜点吗"]),
        ("亲，在吗，什么时候发货，能便宜点吗", ["什么时候发货", "能便宜点吗"]),
        ("发货了吗。包邮吗！运费险有吗；", ["发货了吗", "包邮吗", "运费险有吗"]),
        ("什麼時候發貨？", ["什么时候发货"]),
        ("xl的，有货吗", ["xl的 有货吗"]),  # short clause: not split on the comma
        ("红色 xl 有货吗", ["红色 xl 有货吗"]),
        ("什么时候发货", ["什么时候发货"]),
        ("好的，谢谢", ["好的 谢谢"]),
        ("好的，发货了吗？谢谢", ["好的 发货了吗"]),
    ],
)
def test_split_questions(raw: str, parts: list[str]) -> None:
    assert split_questions(raw) == parts


@pytest.mark.parametrize("filler", ["", "谢谢", "亲？在吗？", "👍\n😊", "\n\n"])
def test_split_questions_drops_filler(filler: str) -> None:
    assert split_questions(filler) == []


# ------------------------------------------------------------------ segment


def test_segment_finds_domain_words() -> None:
    tokens = segment("包邮吗？尺码偏大 什么时候发货")
    assert {"包邮", "尺码", "发货"} <= set(tokens)
    assert "？" not in tokens
    assert "?" not in tokens
    assert " " not in tokens


def test_segment_builtin_domain_words() -> None:
    assert "运费险" in segment("运费险怎么用")
    assert "七天无理由" in segment("支持七天无理由退换货吗")
    assert "快递员" in segment("快递员不送货上门")
    assert "家居服" in segment("四件套和家居服")
    assert "运费险" in DOMAIN_WORDS


def test_segment_folds_first_and_drops_emoji() -> None:
    assert segment("運費險👍怎麼用") == segment("运费险怎么用")
    assert segment("XL碼") == segment("xl码")
    assert segment("") == []
    assert segment("👍😊 ？！") == []


def test_kept_words_are_cut_whole_for_that_caller_only() -> None:
    keep = re.compile("水洗棉|磨毛款")
    assert "水洗棉" not in segment("这是水洗棉款的")
    assert "水洗棉" in segment("这是水洗棉款的", keep=keep)
    assert "水洗棉" not in segment("这是水洗棉款的")  # rjieba's shared dictionary was not taught it
    assert "磨毛款" in segment("天絲磨毛款", keep=keep)  # matched on folded text: Traditional input finds it
    assert cut("天丝磨毛款", keep=keep)[-1] == "磨毛款"


# --------------------------------------------------------------- char_ngrams


def test_char_ngrams() -> None:
    assert char_ngrams("发货时间") == ["发货", "货时", "时间"]
    assert char_ngrams("发") == ["发"]
    assert char_ngrams("XL码，有货！") == ["xl", "码", "有货"]
    assert char_ngrams("發貨 iPhone15") == ["发货", "iphone15"]
    assert char_ngrams("发货时间", n=3) == ["发货时", "货时间"]
    assert char_ngrams("发货", n=1) == ["发", "货"]
    assert char_ngrams("👍 。") == []


def test_char_ngrams_rejects_bad_n() -> None:
    with pytest.raises(ValueError, match="n must be"):
        char_ngrams("发货", n=0)


# ----------------------------------------------------------------- laziness


def test_import_is_cheap_and_lazy() -> None:
    code = (
        "import sys, knowledge.text\n"
        "heavy = {'opencc_purepy', 'rjieba', 'pypinyin'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


# ------------------------------------------------------------------ properties

_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec=None, categories=None),  # anything, lone surrogates included
        st.sampled_from("發貨甚麼亲在吗请问呢啊好谢，。？！ \n👍😊🎉\u200b\ufeff\ud800\udfff"),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None, database=None)
@given(_TEXT)
def test_never_raises_and_fold_is_idempotent(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded
    normalized = normalize_message(text)
    assert normalize_message(normalized) == normalized
    for part in split_questions(text):
        assert part
        assert part == part.strip()
    for token in segment(text):
        assert token.strip()
    char_ngrams(text)
    is_traditional(text)
