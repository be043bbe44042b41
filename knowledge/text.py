"""Chinese text normalisation for quick-reply lookup and intent matching.

Everything here is a pure function over ``str`` that never raises on odd input
(emoji, control characters, lone surrogates, very long text).  The heavy
libraries (opencc-purepy, rjieba) are imported lazily on first use, so that
importing this module stays cheap.  Folding (width, Traditional to Simplified, case) is
``knowledge.fold``, re-exported here; pinyin keys live in ``knowledge.pinyin``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from knowledge.fold import HAN_CLASS as _HAN_CLASS
from knowledge.fold import fold, is_traditional, to_simplified

__all__ = [
    "DOMAIN_WORDS",
    "char_ngrams",
    "cut",
    "fold",
    "is_traditional",
    "normalize_message",
    "segment",
    "split_questions",
    "to_simplified",
]

# --------------------------------------------------------------------------- #
# normalize_message / split_questions: buyers' messages
# --------------------------------------------------------------------------- #

# A run of characters that are not letters/digits (punctuation, symbols, emoji,
# spaces, underscores), except ``.:/-`` between two digits (1.5, 10:30, 11-11).
_NON_WORD_RE = re.compile(r"(?:(?!(?<=\d)[.:/\-]\d)[\W_])+")
# The same character three times or more becomes one (好好好好 -> 好), or two
# for characters that form doubled words (谢谢谢 -> 谢谢, 哈哈哈哈 -> 哈哈).
# ASCII letters and digits are left alone: XXXL and phone numbers must survive.
_RUN_RE = re.compile(r"([^\W\d_a-z])\1{2,}")
_DOUBLED = frozenset("谢看试想等问说听聊尝亲哈嘿呵嘻嗯宝妈爸哥姐弟妹刚常渐稍慢悄偷")


def _collapse_run(match: re.Match[str]) -> str:
    """Replacement for _RUN_RE: one character, or two for doubled-word characters."""
    ch = match.group(1)
    return ch * 2 if ch in _DOUBLED else ch


# 亲 is a form of address, except in words such as 亲子, 亲肤, 亲测.
_QIN = "亲(?![子肤手自戚人测情密友身口属眼笔])"
_LEAD_FILLER_RE = re.compile(
    "^(?:"
    + "|".join(
        [
            "亲爱的",
            f"亲{_QIN}",
            _QIN,
            "请问一下",
            "请问下",
            "请问",
            "问一下",
            "在不在",
            "在吗",
            "在么",
            "在嘛",
            "你好",
            "您好",
            "哈喽",
            "哈啰",
            "嗨",
            "嗯",
            "老板",
            "掌柜的",
            "(?:hello|hi|hey)(?![a-z])",
        ]
    )
    + ")+"
)
# Trailing fillers, longest first; 亲 only after a particle (好的亲, 发货了吗亲),
# so that 母亲 and 父亲 survive.
_THANKS = (
    "谢谢亲",
    "谢谢你",
    "谢谢您",
    "谢谢啦",
    "谢谢了",
    "多谢了",
    "多谢啦",
    "多谢你",
    "多谢您",
    "谢谢",
    "多谢",
    "谢啦",
    "谢了",
)
_PARTICLES = tuple("呢啊呀哦哈喔噢啦")
_TRAIL_FILLERS = (*_THANKS, *_PARTICLES)
_QIN_AFTER = frozenset("吗呢啊呀哦了的哈嘛么啦亲谢")
# A message of these words and a thanks is a thank-you (好的谢谢, 明白了多谢): there the
# thanks is what the buyer says, not filler after a question.
_ACK_ONLY_RE = re.compile("(?:好的|好吧|好|嗯|行|ok|知道了|知道|明白了|明白|了解|收到|懂了|没问题)+")

_HARD_SPLIT_RE = re.compile(r"[?？﹖!！﹗。｡；;﹔\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
_SOFT_SPLIT_RE = re.compile(r"[,，\s]+")
_MIN_CLAUSE = 4


def _trailing_filler_start(token: str, fillers: tuple[str, ...]) -> int:
    """Index where the run of trailing filler words of ``token`` begins (linear time)."""
    end = len(token)
    while end:
        for filler in fillers:
            if token.endswith(filler, 0, end):
                end -= len(filler)
                break
        else:
            if token[end - 1] == "亲" and (end == 1 or token[end - 2] in _QIN_AFTER):
                end -= 1
            else:
                break
    return end


def _strip_filler(token: str, fillers: tuple[str, ...]) -> str:
    """Remove filler words at both edges of one token, repeatedly."""
    while token:
        lead = _LEAD_FILLER_RE.match(token)
        stripped = token[lead.end() if lead else 0 : _trailing_filler_start(token, fillers)]
        if stripped == token:
            break
        token = stripped
    return token


def _normalize_folded(folded: str) -> str:
    """normalize_message() for text that is already folded."""
    raws = [_RUN_RE.sub(_collapse_run, raw) for raw in _NON_WORD_RE.split(folded)]
    tokens = [t for t in (_strip_filler(raw, _TRAIL_FILLERS) for raw in raws) if t]
    if _ACK_ONLY_RE.fullmatch("".join(tokens)):
        tokens = [t for t in (_strip_filler(raw, _PARTICLES) for raw in raws) if t]
    return " ".join(tokens)


def normalize_message(text: str) -> str:
    """Fold a buyer message and strip emoji, punctuation, filler and repeats."""
    return _normalize_folded(fold(text))


def split_questions(text: str) -> list[str]:
    """Split a buyer message into normalised questions, dropping filler-only parts.

    Always split on ``？?！!。；;`` and line breaks; split on ``，,`` and spaces
    only when both the clause so far and the next piece have at least four
    characters after normalisation (so ``xl的，有货吗`` stays one question).
    """
    parts: list[str] = []
    for sentence in _HARD_SPLIT_RE.split(text):
        current: list[str] = []
        current_len = 0
        for piece in _SOFT_SPLIT_RE.split(sentence):
            norm = normalize_message(piece)
            if not norm:
                continue
            norm_len = len(norm) - norm.count(" ")
            if current_len >= _MIN_CLAUSE and norm_len >= _MIN_CLAUSE:
                parts.append(" ".join(current))
                current, current_len = [], 0
            current.append(norm)
            current_len += norm_len
        if current:
            parts.append(" ".join(current))
    if parts and _ACK_ONLY_RE.fullmatch("".join(parts).replace(" ", "")):
        return [normalize_message(text)]  # 好的，谢谢: one thank-you, thanks kept
    return parts


# --------------------------------------------------------------------------- #
# segment / char_ngrams: tokens for BM25 and fuzzy matching
# --------------------------------------------------------------------------- #

#: Built-in domain words (every shop's) taught to rjieba once, on first use of segment().
DOMAIN_WORDS: tuple[str, ...] = (
    "尺码",
    "码数",
    "偏大",
    "偏小",
    "偏长",
    "偏短",
    "断码",
    "有货",
    "现货",
    "缺货",
    "预售",
    "包邮",
    "运费险",
    "七天无理由",
    "退换货",
    "退运费",
    "发顺丰",
    "顺丰",
    "定金",
    "尾款",
    "保价",
    "价保",
    "差价",
    "快递员",
    "快递单号",
    "开发票",
    "发票抬头",
    "好评返现",
    "色差",
    "起球",
    "掉色",
    "褪色",
    "四件套",
    "家居服",
    "睡衣",
    "纯棉",
    "亲肤",
    "微信",
    "花呗",
    "天猫",
    "拼多多",
    "抖音",
)

_TOKEN_RE = re.compile(r"[^\W_]")
_words_lock = threading.Lock()
_words_loaded = False


def _jieba_add(words: Iterable[str]) -> None:
    """Fold each word and teach it to rjieba (skipping empty or spaced words)."""
    import rjieba

    for word in words:
        folded = fold(word)
        if folded and " " not in folded:
            rjieba.add_word(folded, None, None)


def _ensure_domain_words() -> None:
    """Add DOMAIN_WORDS to rjieba's dictionary once per process."""
    global _words_loaded
    if not _words_loaded:
        with _words_lock:
            if not _words_loaded:
                _jieba_add(DOMAIN_WORDS)
                _words_loaded = True


def _pieces(folded: str, keep: re.Pattern[str] | None) -> list[tuple[str, bool]]:
    """``folded`` split into (text, is a kept word) pieces, kept words matched leftmost-longest."""
    if keep is None:
        return [(folded, False)]
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for match in keep.finditer(folded):
        if match.start() > pos:
            pieces.append((folded[pos : match.start()], False))
        pieces.append((match.group(), True))
        pos = match.end()
    if pos < len(folded):
        pieces.append((folded[pos:], False))
    return pieces


def segment(text: str, *, hmm: bool = True, keep: re.Pattern[str] | None = None) -> list[str]:
    """Cut folded text with rjieba ``cut_for_search``; drop space/punct tokens.

    ``hmm=False`` keeps to dictionary words (no guessed new words such as 码要 or 我下).
    ``keep``: words of one shop (its synonyms) found by this pattern are kept whole, as if in
    the dictionary, without teaching them to the process-wide rjieba (and so to other shops).
    """
    folded = fold(text)
    if not folded:
        return []
    _ensure_domain_words()
    import rjieba

    tokens: list[str] = []
    for piece, kept in _pieces(folded, keep):
        tokens += [piece] if kept else rjieba.cut_for_search(piece, hmm)
    return [tok for tok in tokens if _TOKEN_RE.search(tok)]


def cut(text: str, *, keep: re.Pattern[str] | None = None) -> list[str]:
    """Cut text (already folded) with rjieba's precise mode, dictionary words only, keeping the
    words ``keep`` finds whole (see ``segment``); drop space/punct tokens."""
    _ensure_domain_words()
    import rjieba

    tokens: list[str] = []
    for piece, kept in _pieces(text.replace(" ", ""), keep):
        tokens += [piece] if kept else rjieba.cut(piece, False)
    return [tok for tok in tokens if _TOKEN_RE.search(tok)]


_NGRAM_RUN_RE = re.compile(f"([{_HAN_CLASS}]+)|[^\\W_{_HAN_CLASS}]+")


def char_ngrams(text: str, n: int = 2) -> list[str]:
    """Han n-grams (whole run if shorter than n) plus whole non-Han words."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    grams: list[str] = []
    for match in _NGRAM_RUN_RE.finditer(fold(text)):
        run = match.group()
        if match.group(1) is None or len(run) <= n:
            grams.append(run)
        else:
            grams.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return grams
