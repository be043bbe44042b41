"""Phrases and typed queries for ``bench_lookup.py``: deterministic, realistic, and fair.

Phrases: ``item + topic + variant`` titles (40 × 40 × 13 combinations, e.g. 四件套发货时间老客),
bodies from a few templates, and mnemonic short codes the way shops write them: the first six
pinyin initials of item + topic, then a short mark for the variant (老客 -> ``lk``, 二 -> ``2``),
then a digit only when two phrases would still share a code (``sjtfhs``, ``sjtfhslk``, ``sjtfhs2``).

Queries: each one is what an agent would type to get ONE phrase, drawn from a fixed mix of kinds
(``KINDS``, weights in percent). A query is kept only if it identifies its phrase, checked
against every phrase of the shop (``Oracle``): no other phrase matches it as well, on the field
the query was made from, and no other phrase's code starts with an ASCII query (codes rank
first by design). When a draw is ambiguous, another phrase is drawn for the same kind, so the
mix stays as stated; the number of draws dropped is printed.

- ``code``: the full short code.
- ``code_prefix``: a proper prefix (≥ 2 letters) that only this phrase's code starts with.
- ``code_fullwidth``: the code (or its identifying prefix) typed with the IME in full-width mode,
  sometimes upper case (``ＳＪＴＦＨＳ``).
- ``code_typo``: one human slip in a code of ≥ 4 characters: two neighbours swapped, a letter
  dropped or doubled, or a neighbouring key hit; kept only if no code starts with the result,
  no title's pinyin contains it, and exactly one code is one edit away.
- ``initials``: the pinyin initials of the title (``sjtfhsjlk``), or the first ones of them as
  long as no other title's initials start the same way.
- ``pinyin``: the full pinyin of the title, the last syllable sometimes cut short (the agent
  stops typing once it is unique): must be an exact or the only prefix match.
- ``pinyin_typo``: that full pinyin with one slip as above; the slip must not occur in any title.
- ``chinese``: a fragment of the title (≥ 2 characters) found in no other title, else the title.
- ``traditional``: such a fragment written in Traditional characters (only fragments that change).
- ``mixed``: item initials, a space, then the topic (or part of it) in Chinese and the variant
  (``sjt 发货时间 老客``): every token must match, and only one title matches them all.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.pinyin import pinyin_keys
from quick_replies.rows import StoredQuickReply

ITEMS = [
    "四件套",
    "被子",
    "枕头",
    "床笠",
    "家居服",
    "拖鞋",
    "收纳箱",
    "衣架",
    "台灯",
    "吸顶灯",
    "落地灯",
    "电饭煲",
    "空气炸锅",
    "电水壶",
    "榨汁机",
    "保温杯",
    "浴巾",
    "毛巾",
    "地垫",
    "窗帘",
    "沙发垫",
    "抱枕",
    "凉席",
    "蚊帐",
    "乳胶枕",
    "羽绒被",
    "蚕丝被",
    "儿童睡袋",
    "餐具套装",
    "炒锅",
    "蒸锅",
    "砧板",
    "刀具",
    "置物架",
    "挂钩",
    "香薰机",
    "加湿器",
    "电热毯",
    "暖手宝",
    "靠垫",
]
TOPICS = [
    "发货时间",
    "发货地址",
    "快递选择",
    "物流查询",
    "退款流程",
    "退款进度",
    "退货地址",
    "换货说明",
    "尺码推荐",
    "尺寸说明",
    "材质说明",
    "色差说明",
    "洗涤方法",
    "保修政策",
    "价格保护",
    "优惠券",
    "包邮说明",
    "赠品说明",
    "发票说明",
    "花呗分期",
    "花呗还款",
    "质量问题",
    "破损处理",
    "少件漏发",
    "催付提醒",
    "改地址",
    "订单备注",
    "好评邀请",
    "差评处理",
    "安装方法",
    "使用说明",
    "长度说明",
    "重庆时效",
    "快递员电话",
    "预售定金",
    "双11活动",
    "缺货补货",
    "礼品包装",
    "正品保证",
    "确认收货",
]
#: variant -> the mark shops append to the code
VARIANTS = {
    "": "",
    "二": "2",
    "三": "3",
    "详细版": "xx",
    "简短版": "jd",
    "老客": "lk",
    "新客": "xk",
    "活动期": "hd",
    "夜班": "yb",
    "大促": "dc",
    "周末": "zm",
    "高峰": "gf",
    "售后版": "sh",
}
BODIES = [
    "亲，{item}的{topic}我来帮您说明一下：{detail}，有问题随时找我～",
    "{detail}。{item}这边我们都核实过，您放心，{topic}有变化会第一时间通知您。",
    "您好亲，关于{topic}：{detail}。{buyer}亲如果还有疑问可以直接留言。",
]
DETAILS = [
    "现货48小时内从杭州仓发出",
    "一般3到5天送达，偏远地区慢一两天",
    "在订单页申请后1到3个工作日原路退回",
    "请拍照发给我们，质量问题来回运费我们承担",
    "支持7天无理由退换，不影响二次销售即可",
    "满59元包邮，新疆西藏除外",
    "花呗分期3期免息，下单时选择即可",
    "尺码表在详情页第三屏",
    "双11付定金立减，尾款11月11日0点支付",
    "可以开电子发票，发货后24小时内开出",
]
S2T = str.maketrans(
    "发货时间退款进度还换码说明质问题费优惠订单处理运递长后时枕头纳灯饭锅电壶汁温巾垫帘凉乳绒丝儿童丝锅砧刀热宝靠简详详细"
    "老新动夜周峰售质损少漏发催确认货礼装证缺补预金庆员效质邮赠发票价格护选择查询寻尺码荐寸材差涤法",
    "發貨時間退款進度還換碼說明質問題費優惠訂單處理運遞長後時枕頭納燈飯鍋電壺汁溫巾墊簾涼乳絨絲兒童絲鍋砧刀熱寶靠簡詳詳細"
    "老新動夜週峰售質損少漏發催確認貨禮裝證缺補預金慶員效質郵贈發票價格護選擇查詢尋尺碼薦寸材差滌法",
)
KINDS: dict[str, int] = {
    "code": 18,
    "code_prefix": 10,
    "code_fullwidth": 5,
    "code_typo": 10,
    "initials": 15,
    "pinyin": 10,
    "pinyin_typo": 5,
    "chinese": 12,
    "traditional": 5,
    "mixed": 10,
}
_KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
_NEIGHBOURS = {
    ch: "".join(
        row2[j]
        for row2_i, row2 in enumerate(_KEYBOARD)
        if abs(row2_i - i) <= 1
        for j in range(len(row2))
        if abs(j - col) <= 1 and row2[j] != ch
    )
    for i, row in enumerate(_KEYBOARD)
    for col, ch in enumerate(row)
}


def make_phrases(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(code, title, body), deterministic; codes and titles unique."""
    rnd = random.Random(seed)
    phrases: list[tuple[str, str, str]] = []
    seen_codes: set[str] = set()
    combos = [(i, t, v) for i in ITEMS for t in TOPICS for v in VARIANTS]
    rnd.shuffle(combos)
    for item, topic, variant in combos[:n]:
        base = pinyin_keys(f"{item}{topic}").initials[:6] + VARIANTS[variant]
        code, k = base, 1
        while code in seen_codes:
            k += 1
            code = f"{base}{k}"
        seen_codes.add(code)
        body = rnd.choice(BODIES).format(
            item=item, topic=topic, detail=rnd.choice(DETAILS), buyer="{{ buyer.nick }}"
        )
        phrases.append((code, f"{item}{topic}{variant}", body))
    return phrases


@dataclass(frozen=True)
class Phrase:
    id: int
    code: str
    title: str
    initials: str
    full: str
    syllable_ends: tuple[int, ...]  # where each syllable of ``full`` ends


def _field(keys: list[str]) -> tuple[Counter[str], str]:
    return Counter(keys), "\x1f" + "\x1f".join(keys)


class Oracle:
    """Does a query identify one phrase? Checked on plain string facts, not on our index."""

    def __init__(self, phrases: list[Phrase]) -> None:
        self.codes = sorted(p.code for p in phrases)
        self.code_list = [p.code for p in phrases]
        self.fields = {
            "title": _field([p.title for p in phrases]),
            "initials": _field([p.initials for p in phrases]),
            "full": _field([p.full for p in phrases]),
        }

    def codes_starting(self, q: str) -> int:
        i = bisect_left(self.codes, q)
        n = 0
        while i < len(self.codes) and self.codes[i].startswith(q):
            n, i = n + 1, i + 1
        return n

    def unique(self, field: str, q: str, own: str) -> bool:
        """No other phrase's ``field`` matches ``q`` as well as ``own`` does (exact > prefix > inside)."""
        exact, joined = self.fields[field]
        if own == q:
            return exact[q] == 1
        if own.startswith(q):
            return joined.count("\x1f" + q) == 1
        return q in own and joined.count(q) == 1

    def anywhere(self, q: str) -> int:
        """Occurrences of ``q`` in every title, title initials and title pinyin."""
        return sum(joined.count(q) for _, joined in self.fields.values())

    def codes_within_one(self, q: str) -> int:
        found = process.extract(
            q, self.code_list, scorer=OSA.distance, processor=None, score_cutoff=1, limit=5
        )
        return len(found)


def load_phrases(stored: list[StoredQuickReply]) -> list[Phrase]:
    out = []
    for phrase in stored:
        title = phrase.search_keys["title"]
        offsets = title["full_offsets"]
        ends = tuple(
            i + 1 for i in range(len(offsets)) if i + 1 == len(offsets) or offsets[i + 1] != offsets[i]
        )
        reply = phrase.reply
        out.append(Phrase(phrase.id, reply.code, reply.title, title["initials"], title["full"], ends))
    return out


def slip(rnd: random.Random, word: str) -> str:
    """One human typo: swap two neighbours, drop or double a letter, or hit a neighbouring key."""
    i = rnd.randrange(1, len(word) - 1)  # agents get the first letter right
    kind = rnd.choice(("swap", "swap", "drop", "double", "near"))
    if kind == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "near" and word[i] in _NEIGHBOURS:
        return word[:i] + rnd.choice(_NEIGHBOURS[word[i]]) + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _fullwidth(rnd: random.Random, text: str) -> str:
    text = text.upper() if rnd.random() < 0.4 else text
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


class QueryMaker:
    def __init__(self, phrases: list[Phrase], seed: int) -> None:
        self.rnd = random.Random(seed)
        self.oracle = Oracle(phrases)
        self.phrases = phrases
        self.makers: dict[str, Callable[[Phrase], str | None]] = {
            kind: getattr(self, f"_{kind}") for kind in KINDS
        }

    def _code(self, p: Phrase) -> str | None:
        return p.code if self.oracle.codes_starting(p.code) >= 1 else None

    def _prefix_of_code(self, p: Phrase) -> str | None:
        lengths = [n for n in range(2, len(p.code)) if self.oracle.codes_starting(p.code[:n]) == 1]
        return p.code[: self.rnd.choice(lengths)] if lengths else None

    def _code_prefix(self, p: Phrase) -> str | None:
        return self._prefix_of_code(p)

    def _code_fullwidth(self, p: Phrase) -> str | None:
        prefix = self._prefix_of_code(p) if self.rnd.random() < 0.5 else None
        return _fullwidth(self.rnd, prefix or p.code)

    def _ascii_fair(self, q: str) -> bool:
        return self.oracle.codes_starting(q) == 0 and self.oracle.anywhere(q) == 0

    def _code_typo(self, p: Phrase) -> str | None:
        if len(p.code) < 4:
            return None
        q = slip(self.rnd, p.code)
        ok = self._ascii_fair(q) and self.oracle.codes_within_one(q) == 1
        return q if ok else None

    def _initials(self, p: Phrase) -> str | None:
        ini = p.initials
        lengths = [
            n
            for n in range(3, len(ini) + 1)
            if self.oracle.unique("initials", ini[:n], ini) and self.oracle.codes_starting(ini[:n]) == 0
        ]
        return ini[: self.rnd.choice(lengths)] if lengths else None

    def _pinyin(self, p: Phrase) -> str | None:
        cut = p.syllable_ends[-2] if len(p.syllable_ends) > 1 else 0
        q = p.full[: self.rnd.randint(max(cut + 1, 4), len(p.full))]
        fair = self.oracle.unique("full", q, p.full) and self.oracle.codes_starting(q) == 0
        return q if fair else None

    def _pinyin_typo(self, p: Phrase) -> str | None:
        if not self.oracle.unique("full", p.full, p.full):
            return None
        q = slip(self.rnd, p.full)
        return q if self._ascii_fair(q) else None

    def _fragment(self, p: Phrase) -> str:
        for _ in range(6):
            n = self.rnd.randint(2, len(p.title))
            start = self.rnd.randint(0, len(p.title) - n)
            q = p.title[start : start + n]
            if self.oracle.unique("title", q, p.title):
                return q
        return p.title

    def _chinese(self, p: Phrase) -> str | None:
        q = self._fragment(p)
        return q if self.oracle.unique("title", q, p.title) else None

    def _traditional(self, p: Phrase) -> str | None:
        for _ in range(4):
            q = self._fragment(p)
            if q.translate(S2T) != q and self.oracle.unique("title", q, p.title):
                return q.translate(S2T)
        return None

    def _mixed(self, p: Phrase) -> str | None:
        item = next(i for i in ITEMS if p.title.startswith(i))
        rest = p.title[len(item) :]
        topic = next(t for t in TOPICS if rest.startswith(t))
        variant = rest[len(topic) :]
        part = topic if self.rnd.random() < 0.5 else topic[: self.rnd.randint(2, len(topic))]
        tokens = [pinyin_keys(item).initials, part, variant]
        q = " ".join(t for t in tokens if t)
        ini = tokens[0]
        matching = [o for o in self.phrases if ini in o.initials and part in o.title and variant in o.title]
        return q if [o.id for o in matching] == [p.id] else None

    def make(self, phrases: list[Phrase], n: int) -> tuple[list[tuple[str, int, str]], Counter[str]]:
        """(typed, expected id, kind) × n in the ``KINDS`` mix, and the ambiguous draws dropped per kind."""
        kinds = [k for k, weight in KINDS.items() for _ in range(weight)]
        out: list[tuple[str, int, str]] = []
        dropped: Counter[str] = Counter()
        for i in range(n):
            kind = kinds[i * len(kinds) // n] if n >= len(kinds) else self.rnd.choice(kinds)
            for _ in range(200):
                p = self.rnd.choice(phrases)
                q = self.makers[kind](p)
                if q is not None:
                    out.append((q, p.id, kind))
                    break
                dropped[kind] += 1
        self.rnd.shuffle(out)
        return out, dropped
