"""The inverted index behind the intent matcher: features of buyer text, candidate generation.

A text is normalised (``knowledge.text``), synonyms are rewritten to their group's canonical
word (发出/寄出 → 发货), and the result is turned into weighted features: rjieba words
(dictionary words only), Han character bigrams and single characters, and pinyin syllable pairs
(which survive homophone typos such as 发伙 for 发货); the features of the buyer's own words are
kept beside the canonical ones at ``ORIG_FACTOR``, and those of the built-in lexicon's related
phrasings (多少瓦 → 功率) at ``RELATED_FACTOR``.  An example's pinyin is computed when it is
saved (``stored_pinyin``) and read back at start-up.  Each document (one intent example) is posted
under its features; a query only visits the posting lists of its own features, and very
common features (in more than ``MAX_DF_SHARE`` of the documents) are not walked at all,
so the cost of a query grows with the size of a few posting lists, not with the
knowledge base.  Candidates get an exact idf-weighted cosine (idf over intents, not examples)
blended with query coverage afterwards.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from knowledge.lexicon import LEXICON
from knowledge.pinyin import syllables as text_syllables
from knowledge.text import char_ngrams, cut, fold, normalize_message, segment

__all__ = ["Analyzer", "Doc", "InvertedIndex", "prepare", "read_pinyin", "stored_pinyin"]

#: Weight of each feature family in the cosine. Single characters weigh most: buyers and editors
#: cut the same idea into different words (掉色/褪色, 多谢/谢谢, 发出去/发货) that still share
#: characters, and idf keeps the common characters low. (1.5 against 0.5 before: better top-1
#: and top-3 on the own, held-out and demo sets alike; see docs/performance.md.)
WEIGHTS = {"w": 1.0, "g": 0.8, "c": 1.5, "p": 0.35}
#: Features present in more than this share of documents are not walked for candidates.
MAX_DF_SHARE = 0.12
#: Weight factor of question-frame words (有没有, 会不会, 怎么办, 可以…吗): they say how a buyer
#: asks, not what about, and would otherwise make 有没有折扣 look like 有没有礼品袋.
STOP_FACTOR = 0.15
_STOP_TEXT = (
    "吗 呢 吧 啊 呀 的 了 么 嘛 哦 喔 哈 我 你 您 他 她 它 我们 你们 咱们 这 那 这个 那个 这款 这种 有 有没有 没有 没 "
    "会 会不会 能 能不能 可以 可不可以 可否 能否 是 是不是 不是 不 要 想 怎么 怎么办 怎么样 怎样 如何 什么 啥 "
    "哪 哪个 哪里 哪儿 几 一下 一个 下 个 帮 帮我 给 给我 请 麻烦 还 都 就 也 再 又 很 太 把 被 在 和 跟 或 "
    "还是 或者 吗亲 行 行不行 好不好 可不可 一点 点 些 一些 呗 啦 了吗 的话"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())
STOP_CHARS = frozenset(w for w in STOP_WORDS if len(w) == 1) | frozenset("以什怎样否")
_NON_WORD = re.compile(r"[\W_]+")


#: Weight factor of the buyer's own words where a synonym was rewritten (打个折 keeps 折
#: after 折扣 → 优惠): expansion, not replacement.
ORIG_FACTOR = 0.6
#: Weight factor of the features added by the built-in lexicon's related phrasings (0.9: with the
#: lexicon's later words, 0.6 → 0.9 gained top-3 on the own, held-out and demo sets alike; still
#: below the buyer's own words, which the related text never replaces).
RELATED_FACTOR = 0.9
#: Share of query coverage (how much of the question's weight an example holds) next to the
#: cosine: a short example that says all the question asks is not penalised for being short.
COVERAGE_SHARE = 0.4


def is_frame(word: str) -> bool:
    """A question-frame word: a stop word, or made only of stop characters (不会, 几个)."""
    return word in STOP_WORDS or all(ch in STOP_CHARS for ch in word)


def prepare(text: str) -> str:
    """Normalise a buyer text; keep greetings (``在吗``) that normalisation would empty."""
    normalized = normalize_message(text)
    return normalized or _NON_WORD.sub("", fold(text))


def stored_pinyin(text: str) -> str:
    """What is stored beside an example when it is saved: its prepared text and one pinyin
    syllable per character of it (pypinyin costs ~0.2 ms a text: paid at save, not at start-up)."""
    prepared = prepare(text)
    return json.dumps({"text": prepared, "syllables": text_syllables(prepared)}, ensure_ascii=False)


def read_pinyin(value: str | None) -> tuple[str, list[str]] | None:
    """``(prepared text, syllables)`` from a stored value; None when missing or malformed."""
    if not value:
        return None
    try:
        data = json.loads(value)
        text, syllables = data["text"], data["syllables"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(text, str) or not isinstance(syllables, list) or len(syllables) != len(text):
        return None
    return text, [str(x) for x in syllables]


def _canonical_words(groups: Iterable[Iterable[str]]) -> dict[str, str]:
    """Word -> the canonical word of its group. Groups that share a word are one group (a shop's
    让利 ≈ 打折 joins the built-in 优惠 ≈ 折扣 ≈ 打折 instead of splitting it), whose canonical
    word is the first word of the earliest of them (the shop's groups come first)."""
    parent: dict[str, str] = {}
    order: dict[str, int] = {}

    def root(word: str) -> str:
        while parent[word] != word:
            parent[word] = parent[parent[word]]
            word = parent[word]
        return word

    for group in groups:
        words = [w for w in (fold(x).replace(" ", "") for x in group) if w]
        if len(set(words)) < 2:
            continue
        for word in words:
            if word not in parent:
                parent[word] = word
                order[word] = len(order)
        for word in words[1:]:
            a, b = sorted((root(words[0]), root(word)), key=order.__getitem__)
            parent[b] = a  # the root seen first (the earlier group's head) stays the head
    return {word: root(word) for word in parent}


class Rewriter:
    """Rewrites each variant of some word groups to its group's head (longest variant first,
    leftmost, one pass), and a text's pinyin syllables alongside (pypinyin is called once per head,
    not per text)."""

    def __init__(self, heads: dict[str, str]) -> None:
        self.heads = heads
        variants = sorted((w for w, c in heads.items() if w != c), key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, variants))) if variants else None
        self._head_syllables: dict[str, list[str]] = {}

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self.heads[m.group()], text)

    def syllables(self, text: str, syllables: Sequence[str]) -> list[str]:
        """The syllables of ``self(text)`` from those of ``text``."""
        if self._pattern is None:
            return list(syllables)
        out: list[str] = []
        pos = 0
        for match in self._pattern.finditer(text):
            head = self.heads[match.group()]
            if head not in self._head_syllables:
                self._head_syllables[head] = text_syllables(head)
            out += syllables[pos : match.start()]
            out += self._head_syllables[head]
            pos = match.end()
        out += syllables[pos:]
        return out


@functools.cache
def related_phrasings() -> Rewriter:
    """The built-in lexicon of related phrasings (``knowledge.lexicon``), shared by every shop."""
    return Rewriter(_canonical_words(LEXICON))


class Analyzer:
    """Synonym canonicalisation and feature extraction for one shop's knowledge.

    ``groups`` are synonyms (the shop's and the built-in list): every variant is rewritten to its
    group's head. ``related``: also add, at ``RELATED_FACTOR``, the features of the text with the
    built-in lexicon's phrasings rewritten (多少瓦 → 功率): broader groups, so they expand a text
    without taking its own words away."""

    def __init__(self, groups: Iterable[Iterable[str]] = (), *, related: bool = False) -> None:
        self.canonical = _canonical_words(groups)
        self._synonyms = Rewriter(self.canonical)
        self._related = related_phrasings() if related else None
        # The groups' words are kept whole when texts are cut, as dictionary words would be, but
        # per analyzer: rjieba's dictionary is process-wide, and one shop's words would change
        # how other shops' texts are cut (and differently before and after the shop's edit).
        words = sorted(self.canonical, key=len, reverse=True)
        self._words = re.compile("|".join(map(re.escape, words))) if words else None

    def canon(self, prepared: str) -> str:
        """Rewrite every synonym to its canonical word."""
        return self._synonyms(prepared)

    def canon_syllables(self, prepared: str, syllables: Sequence[str]) -> list[str]:
        """The syllables of ``canon(prepared)`` from those of ``prepared``."""
        return self._synonyms.syllables(prepared, syllables)

    def features(self, canon: str, syllables: Sequence[str] | None = None) -> dict[str, float]:
        """Weighted features of a canonical text (each counted once; frame words weigh little).

        ``syllables``: one pinyin syllable per character of ``canon`` when already known."""
        feats: dict[str, float] = {}
        for word in segment(canon, hmm=False, keep=self._words):
            feats["w:" + word] = WEIGHTS["w"] * (STOP_FACTOR if is_frame(word) else 1.0)
        compact = canon.replace(" ", "")
        for gram in char_ngrams(compact, 2):
            stop = all(ch in STOP_CHARS for ch in gram)
            feats.setdefault("g:" + gram, WEIGHTS["g"] * (STOP_FACTOR if stop else 1.0))
        for ch in compact:
            if "\u3400" <= ch <= "\u9fff":
                feats.setdefault("c:" + ch, WEIGHTS["c"] * (STOP_FACTOR if ch in STOP_CHARS else 1.0))
        if syllables is None:
            syllables = text_syllables(canon)
        for a, b in itertools.pairwise(x for x in syllables if x):
            feats.setdefault(f"p:{a}{b}", WEIGHTS["p"])
        return feats

    def expanded(self, prepared: str, canon: str, syllables: Sequence[str] | None = None) -> dict[str, float]:
        """Features of the canonical text plus, weaker, those of the buyer's own words and of the
        lexicon's related phrasings.

        ``syllables``: one per character of ``prepared`` (stored with the example), else computed."""
        if syllables is None or len(syllables) != len(prepared):
            syllables = text_syllables(prepared)
        canon_syllables = self.canon_syllables(prepared, syllables)
        feats = self.features(canon, canon_syllables)
        if canon != prepared:
            for feat, weight in self.features(prepared, syllables).items():
                if feat not in feats:
                    feats[feat] = weight * ORIG_FACTOR
        if self._related is not None and (related := self._related(canon)) != canon:
            for feat, weight in self.features(
                related, self._related.syllables(canon, canon_syllables)
            ).items():
                if feat not in feats:
                    feats[feat] = weight * RELATED_FACTOR
        return feats

    def words(self, canon: str) -> list[str]:
        """Content words (frame words dropped), for fuzzy scoring and explanations."""
        words = [w for w in self._cut(canon) if not is_frame(w)]
        return words or self._cut(canon)

    def _cut(self, canon: str) -> list[str]:
        return cut(canon, keep=self._words)


@dataclass
class Doc:
    """One indexed text (an example question) of one entry (intent or script)."""

    entry: int
    text: str
    prepared: str
    canon: str
    feats: dict[str, float]
    content: str = ""
    alive: bool = True


@dataclass
class InvertedIndex:
    """Documents, postings and document frequencies; updated in place, never rebuilt per query."""

    docs: list[Doc] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    df: dict[str, int] = field(default_factory=dict)
    by_entry: dict[int, list[int]] = field(default_factory=dict)
    live: int = 0
    #: Entry frequency of each feature (how many intents use it, however many examples say it).
    edf: dict[str, int] = field(default_factory=dict)
    entry_feats: dict[int, dict[str, int]] = field(default_factory=dict)
    _norms: dict[int, float] = field(default_factory=dict)

    def add(self, entry: int, docs: Iterable[Doc]) -> None:
        """Post the documents of ``entry`` (documents without features are skipped)."""
        for doc in docs:
            if not doc.feats:
                continue
            doc.entry = entry
            idx = len(self.docs)
            self.docs.append(doc)
            self.by_entry.setdefault(entry, []).append(idx)
            counts = self.entry_feats.setdefault(entry, {})
            for feat in doc.feats:
                self.postings.setdefault(feat, []).append(idx)
                self.df[feat] = self.df.get(feat, 0) + 1
                seen = counts.get(feat, 0)
                counts[feat] = seen + 1
                if not seen:
                    self.edf[feat] = self.edf.get(feat, 0) + 1
            self.live += 1
        self._norms.clear()

    def remove(self, entry: int) -> None:
        """Drop an entry's documents (tombstones; compacted when they pile up)."""
        for idx in self.by_entry.pop(entry, []):
            doc = self.docs[idx]
            doc.alive = False
            for feat in doc.feats:
                self.df[feat] -= 1
            self.live -= 1
        for feat in self.entry_feats.pop(entry, {}):
            self.edf[feat] -= 1
        self._norms.clear()
        if len(self.docs) > 64 and self.live < len(self.docs) // 2:
            self._compact()

    def _compact(self) -> None:
        old = [d for d in self.docs if d.alive]
        self.docs, self.postings, self.df, self.by_entry, self.live = [], {}, {}, {}, 0
        self.edf, self.entry_feats = {}, {}
        for doc in old:
            self.add(doc.entry, [doc])

    def idf(self, feat: str) -> float:
        """BM25 idf over entries: a word all four examples of one intent repeat is still rare."""
        df = self.edf.get(feat, 0)
        n = len(self.entry_feats)
        return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0

    def norm(self, idx: int) -> float:
        value = self._norms.get(idx)
        if value is None:
            feats = self.docs[idx].feats
            value = math.sqrt(sum((w * self.idf(f)) ** 2 for f, w in feats.items())) or 1.0
            self._norms[idx] = value
        return value

    def candidates(self, feats: dict[str, float], limit: int) -> list[tuple[int, float]]:
        """Up to ``limit`` documents sharing rare-enough features, with their lexical score: the exact
        idf-weighted cosine blended with the share of the question's weight the document holds."""
        if not feats or not self.live:
            return []
        weighted = {f: w * self.idf(f) for f, w in feats.items()}
        q_norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
        cap = max(50, int(self.live * MAX_DF_SHARE))
        acc: dict[int, float] = {}
        for feat, wq in weighted.items():
            plist = self.postings.get(feat)
            if not plist or wq <= 0 or self.df.get(feat, 0) > cap:
                continue
            gain = wq * wq
            for idx in plist:
                acc[idx] = acc.get(idx, 0.0) + gain
        docs = self.docs
        top = heapq.nlargest(limit, (i for i in acc if docs[i].alive), key=acc.__getitem__)
        result = []
        for idx in top:
            doc_feats = docs[idx].feats
            dot = sum(wq * doc_feats[f] * self.idf(f) for f, wq in weighted.items() if f in doc_feats)
            cos = dot / (q_norm * self.norm(idx))
            cover = sum(wq * wq for f, wq in weighted.items() if f in doc_feats) / (q_norm * q_norm)
            result.append((idx, (1 - COVERAGE_SHARE) * cos + COVERAGE_SHARE * cover))
        return result
