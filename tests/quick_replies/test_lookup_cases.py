"""What agents type and the phrase they mean: every kind of input, measured as top-3 hits."""

from __future__ import annotations

import pytest

from tests.quick_replies.phrases import build_library, codes

# (kind, typed, expected code)
CASES: list[tuple[str, str, str]] = [
    # short codes and their prefixes
    ("code", "fh", "fh"),
    ("code", "fh2", "fh2"),
    ("code", "fhkd", "fhkd"),
    ("code", "tkl", "tkl"),
    ("code", "d11", "d11"),
    ("code", "d11by", "d11by"),
    ("code", "hy", "hy"),
    ("code", "cmb", "cmb"),
    ("code", "qrsh", "qrsh"),
    ("code", "zxsj", "zxsj"),
    ("code", "FH", "fh"),
    ("code", " fh ", "fh"),
    ("prefix", "fhk", "fhkd"),
    ("prefix", "d11y", "d11yh"),
    ("prefix", "qrs", "qrsh"),
    ("prefix", "wlc", "wlcx"),
    ("prefix", "zls", "zlwt"),
    ("prefix", "cf", "cfd"),
    ("prefix", "gd", "gdz"),
    ("prefix", "yh", "yhq"),
    # pinyin initials of the title or the body
    ("initials", "fhsj", "fh"),
    ("initials", "fhdz", "fh2"),
    ("initials", "tklm", "tkl"),
    ("initials", "tklc", "tk"),
    ("initials", "thdz", "th"),
    ("initials", "hhsm", "hh"),
    ("initials", "hpyq", "hp"),
    ("initials", "cpcl", "cp"),
    ("initials", "kdylx", "kdy"),
    ("initials", "wl", "wlcx"),
    ("initials", "zpbz", "zp"),
    ("initials", "czsm", "cz"),
    ("initials", "scsm", "sc"),
    ("initials", "cmtj", "cm"),
    ("initials", "fqfk", "fq"),
    ("initials", "fpsm", "fp"),
    ("initials", "jsy", "jsy"),
    ("initials", "lpbz", "lp"),
    ("initials", "qhbh", "qh"),
    ("initials", "hbhk", "hk"),
    ("initials", "kzcd", "cd"),
    ("initials", "bbzd", "zd"),
    ("initials", "cqdq", "cq"),
    ("initials", "xjxz", "xj"),
    ("initials", "sqtk", "tk"),
    ("initials", "abzcl", "bz"),
    # full pinyin, with the domain readings
    ("pinyin", "fahuo", "fh"),
    ("pinyin", "fahuoshijian", "fh"),
    ("pinyin", "fa huo di zhi", "fh2"),
    ("pinyin", "tuikuan", "tk"),
    ("pinyin", "tuihuo", "th"),
    ("pinyin", "huankuan", "hk"),
    ("pinyin", "huabeihuankuan", "hk"),
    ("pinyin", "kuaidiyuan", "kdy"),
    ("pinyin", "chongqing", "cq"),
    ("pinyin", "kuzichangdu", "cd"),
    ("pinyin", "changdu", "cd"),
    ("pinyin", "baobaozhangda", "zd"),
    ("pinyin", "zhangda", "zd"),
    ("pinyin", "haoping", "hp"),
    ("pinyin", "chaping", "cp"),
    ("pinyin", "fapiao", "fp"),
    ("pinyin", "huanhuo", "hh"),
    ("pinyin", "youhuiquan", "yhq"),
    ("pinyin", "xin'jiang", "xj"),
    ("pinyin", "queren", "qrsh"),
    # Chinese characters anywhere, Traditional, full width, mixed
    ("chinese", "发货", "fh"),
    ("chinese", "发货地址", "fh2"),
    ("chinese", "退款了", "tkl"),
    ("chinese", "快递员", "kdy"),
    ("chinese", "原路退回", "tkl"),
    ("chinese", "余杭区", "th"),
    ("chinese", "无门槛", "yhq"),
    ("chinese", "假一赔四", "zp"),
    ("chinese", "礼盒", "lp"),
    ("chinese", "税号", "fp"),
    ("chinese", "重庆", "cq"),
    ("chinese", "尾款", "d11"),
    ("traditional", "發貨", "fh"),
    ("traditional", "退貨地址", "th"),
    ("traditional", "優惠券", "yhq"),
    ("traditional", "質量問題", "zlwt"),
    ("traditional", "發票", "fp"),
    ("traditional", "換貨", "hh"),
    ("fullwidth", "ＦＨ２", "fh2"),
    ("fullwidth", "ｆｈｓｊ", "fh"),
    ("fullwidth", "ｄ１１", "d11"),
    ("fullwidth", "ＸＬ码", "xl"),
    ("fullwidth", "４８小时", "fh"),
    ("mixed", "d11 优惠", "d11yh"),
    ("mixed", "双11包邮", "d11by"),
    ("mixed", "d11包邮", "d11by"),
    ("mixed", "双11 预售", "d11"),
    ("mixed", "xl码", "xl"),
    ("mixed", "花呗 分期", "fq"),
    ("mixed", "tk 流程", "tk"),
    ("mixed", "fh 杭州", "fh2"),
    # typos and transpositions in codes and pinyin
    ("typo", "hf", "fh"),
    ("typo", "fhjs", "fh"),
    ("typo", "fahou", "fh"),
    ("typo", "tuikaun", "tk"),
    ("typo", "ktl", "tkl"),
    ("typo", "qrhs", "qrsh"),
    ("typo", "kuadiyuan", "kdy"),
    ("typo", "chonqing", "cq"),
    ("typo", "yhw", "yhq"),
    ("typo", "wlxc", "wlcx"),
    ("typo", "zxjs", "zxsj"),
    ("typo", "huankaun", "hk"),
]

KINDS = {"code", "prefix", "initials", "pinyin", "chinese", "traditional", "fullwidth", "mixed", "typo"}


def test_there_are_enough_written_cases_of_every_kind() -> None:
    assert len(CASES) >= 80
    assert {kind for kind, _, _ in CASES} == KINDS
    assert len({(typed, code) for _, typed, code in CASES}) == len(CASES)


def test_expected_phrase_is_in_the_top_three_for_95_percent() -> None:
    library = build_library()
    misses = [
        (kind, typed, code, codes(library, typed)[:3])
        for kind, typed, code in CASES
        if code not in codes(library, typed)[:3]
    ]
    share = 1 - len(misses) / len(CASES)
    assert share >= 0.95, f"top-3 share {share:.1%}; misses: {misses}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_of_input_mostly_finds_its_phrase(kind: str) -> None:
    library = build_library()
    cases = [(typed, code) for k, typed, code in CASES if k == kind]
    found = sum(code in codes(library, typed)[:3] for typed, code in cases)
    assert found >= len(cases) - 1, f"{kind}: {found}/{len(cases)}"


def test_an_exact_code_ranks_first_then_prefixes() -> None:
    library = build_library()
    assert codes(library, "fh")[:3] == ["fh", "fh2", "fhkd"]
    assert codes(library, "d11")[0] == "d11"
    assert set(codes(library, "d11")[1:3]) == {"d11by", "d11yh"}
