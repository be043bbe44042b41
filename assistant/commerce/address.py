"""Turn whatever address a buyer pasted into name, phone, province, city, district and detail.

A thin layer over a region back end (``address_regions``): normalise (NFKC, Traditional to
Simplified), take the phone out with a regex, drop labels and postcodes, split on separators and
brackets, pick the name heuristically, and hand only the address part to the back end. The result
is for an agent to confirm; anything the parser cannot pin down raises ``AddressParseError``
naming the field and the fix, instead of returning a silently wrong address.

An address alone (the usual paste when only the address changes, and every export's 收货地址
column) parses with ``name`` and ``phone`` left empty: the caller keeps the order's current ones.
An old district name is mapped to today's and said so in ``notes``; two different region chains
raise an error with ``ambiguous`` set.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pydantic import BaseModel, Field

from assistant.commerce.address_regions import CpcaRegions, RegionBackend, RegionNotFound
from knowledge.text import to_simplified

__all__ = ["AddressParseError", "ParsedAddress", "parse_address"]

MAX_LENGTH = 300


class ParsedAddress(BaseModel):
    name: str  # "" when the paste has no name: keep the order's current receiver
    phone: str  # "13800138000", or "0571-88886666" / "0571-88886666-801"; "" when none was pasted
    province: str
    city: str
    district: str  # "" for cities without districts (东莞市, 中山市, 儋州市)
    detail: str
    notes: list[str] = Field(default_factory=list)  # e.g. an old district mapped to today's, in Chinese


class AddressParseError(ValueError):
    """Which field could not be found (``phone``, ``region``, ``name`` or ``text``) and how to fix it.

    ``ambiguous`` is true for a region error caused by two different region chains in one paste.
    """

    def __init__(self, field: str, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.ambiguous = ambiguous


_CJK = "\u4e00-\u9fff"
_MOBILE_RE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s-]?)?(1[3-9]\d(?:[\s-]?\d{4}){2})(?!\d)")
_LANDLINE_RE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)?86[\s-]?)?\(?(0(?:10|2\d)|0[3-9]\d\d)\)?[\s-]?([2-9]\d{2,3}[\s-]?\d{4})"
    r"(?:\s*(?:转|-|ext\.?|分机|x)\s*(\d{1,6}))?(?!\d)",
    re.IGNORECASE,
)
_NEAR_PHONE_RE = re.compile(r"(?<!\d)1\d(?:[\s-]?\d){7,11}(?!\d)")
# A lone short number starting with 1 ("张三 1380013 浙江…"): a phone with digits missing. Six
# digits are a postcode, and a number glued to 号/室/楼 is part of the address.
_SHORT_PHONE_RE = re.compile(r"(?:^|(?<=[\s,，;；:：]))1\d(?:[\s-]?\d){3,8}(?=$|[\s,，;；])")
_POSTCODE_RE = re.compile(
    r"(?:邮编|邮政编码)\s*:?\s*\d{6}(?!\d)|(?<![\dA-Za-z#-])\d{6}(?![\dA-Za-z#号室楼栋层单元幢座弄-])"
)
_NAME_LABELS = "收货人|收件人|联系人|姓名|名字"
_ADDRESS_LABELS = "收货地址|详细地址|所在地区|所在地|地址"
_NOTE_LABELS = "备注|留言"
_OTHER_LABELS = "收货信息|手机号码|手机号|手机|联系电话|电话号码|电话|邮编|邮政编码"
_LABEL_RE = re.compile(
    rf"(?P<label>{_NAME_LABELS}|{_ADDRESS_LABELS}|{_NOTE_LABELS}|{_OTHER_LABELS})\s*(?::|(?<=\w)[】\])](?=.))\s*"
    rf"|(?:^|(?<=[^{_CJK}]))(?P<spaced>{_NAME_LABELS}|{_ADDRESS_LABELS}|{_NOTE_LABELS}|{_OTHER_LABELS})\s+"
    rf"|(?P<glued>收货人|收件人|联系人)"
)
_SPLIT_RE = re.compile(r"[\s,;|/\\()\[\]{}<>【】〔〕《》「」『』\"“”‘’:、。!?]+")
_PHONE_MARK = "\x01"
_NAME_RE = re.compile(
    rf"[{_CJK}]{{1,5}}|[{_CJK}]{{1,8}}·[{_CJK}]{{1,10}}"
    rf"|[{_CJK}]{{1,3}}[A-Za-z]{{1,10}}|[A-Za-z]{{1,10}}[{_CJK}]{{1,3}}"  # 张y, 王Lily, Lily王, Tony陈
)
_LATIN_NAME_RE = re.compile(r"[A-Za-z][A-Za-z.'-]*(?: [A-Za-z][A-Za-z.'-]*){0,3}")
_NOT_NAME_END = (
    *"省市区县镇乡村路街巷弄号楼室栋幢层座苑厦院店寓社站湾旗盟",
    "小区",
    "大厦",
    "广场",
    "中心",
    "公司",
    "大学",
    "学院",
    "花园",
    "公寓",
    "新村",
    "园区",
    "门口",
)
_NOT_NAME_WORDS = (
    "收货",
    "收件",
    "联系",
    "姓名",
    "名字",
    "手机",
    "电话",
    "地址",
    "邮编",
    "中国",
    "谢谢",
    "您好",
    "你好",
    "麻烦",
    "快递",
    "顺丰",
    "中通",
    "圆通",
    "申通",
    "韵达",
    "邮政",
    "京东",
    "备注",
    "发货",
    "尽快",
    "驿站",
    "工作日",
    "周末",
    "放在",
    "代收",
    "送货",
    "上门",
    "先生收",
    "女士收",
    "路口",
    "附近",
    "旁边",
    "对面",
    "隔壁",
    "楼下",
    "门卫",
    "前台",
)
_NOT_NAMES = frozenset({"收", "寄", "转", "亲", "先生", "女士", "小姐", "收件", "本人"})
_TRIM = " \t\n,.;:!?、。~-_/|·"
# Chat around the address that is not part of it: "亲，地址是：…，谢谢~", "张三(先生)".
_FILLER_RE = re.compile(
    r"(?:亲爱的|亲+|你好|您好|在吗|谢谢(?:啦|了|亲|你|您)?|麻烦(?:了|你|您|啦)?|辛苦(?:了|啦)?|"
    r"(?:我的|新的?|收货)?地址(?:是|为|改成|改为)|改成|改为|寄到|发到|先生|女士|小姐)[~!.。]*"
)
_SYMBOL_RE = re.compile("[\u2190-\u21ff\u2300-\u2bff\U0001f000-\U0001faff\ufe0f\u200d]")
# Single characters spaced out ("浙 江 省 杭 州 市 …"): joined before anything else.
_SPACED_OUT_RE = re.compile(rf"(?<!\S)[{_CJK}\d](?: [{_CJK}\d]){{5,}}(?!\S)")


@lru_cache(maxsize=1)
def default_regions() -> RegionBackend:
    """The shared region data (loaded once, on first use)."""
    return CpcaRegions()


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = to_simplified(text)
        text = _SYMBOL_RE.sub(" ", text)  # emoji and pictographs: 🏠 📞 ☎
    text = text.replace("\u3000", " ")
    return _SPACED_OUT_RE.sub(lambda m: m.group().replace(" ", ""), text)


def _take_phone(text: str) -> tuple[str, str]:
    """The phone, and the text with every phone number replaced by a marker token."""
    mobiles = list(_MOBILE_RE.finditer(text))
    if mobiles:
        phone = re.sub(r"\D", "", mobiles[0].group(1))
        return phone, _MOBILE_RE.sub(f" {_PHONE_MARK} ", text)
    landline = _LANDLINE_RE.search(text)
    if landline:
        area, number, extension = landline.groups()
        digits = re.sub(r"\D", "", number)
        phone = f"{area}-{digits}" + (f"-{extension}" if extension else "")
        return phone, f"{text[: landline.start()]} {_PHONE_MARK} {text[landline.end() :]}"
    near = _NEAR_PHONE_RE.search(text) or next(
        (m for m in _SHORT_PHONE_RE.finditer(text) if len(re.sub(r"\D", "", m.group())) != 6), None
    )
    if near:
        digits = re.sub(r"\D", "", near.group())
        raise AddressParseError(
            "phone",
            f"手机号「{near.group()}」无效（{len(digits)}位）：手机号应为1开头的11位数字（如 13800138000），"
            "座机请写区号（如 0571-88886666）",
        )
    return "", text  # an address alone: the order keeps its phone


def _tokens(text: str) -> list[tuple[str, str]]:
    """``(kind, token)`` pairs in order; kind is the label before the token ("name", "address") or ""."""
    out: list[tuple[str, str]] = []
    kind = ""
    position = 0
    for label in _LABEL_RE.finditer(text):
        out += [(kind if i == 0 else "", t) for i, t in enumerate(_split(text[position : label.start()]))]
        word = label.group("label") or label.group("spaced") or label.group("glued")
        kinds = {"name": _NAME_LABELS, "address": _ADDRESS_LABELS, "note": _NOTE_LABELS}
        kind = next((k for k, labels in kinds.items() if re.fullmatch(labels, word)), "")
        position = label.end()
    out += [(kind if i == 0 else "", t) for i, t in enumerate(_split(text[position:]))]
    return [(kind, token) for kind, token in out if kind != "note"]  # "备注：放快递柜" is not address


def _unglue_labels(tokens: list[tuple[str, str]], regions: RegionBackend) -> list[tuple[str, str]]:
    """``地址浙江省…`` (a label glued to a place, no colon) -> ("address", "浙江省…")."""
    out = []
    for kind, token in tokens:
        glued = re.match(_ADDRESS_LABELS, token)
        if glued and regions.starts_with_place(token[glued.end() :]):
            kind, token = "address", token[glued.end() :]
        out.append((kind, token))
    return out


def _split(text: str) -> list[str]:
    """Split on separators, but keep a latin name such as "John Smith" in one token."""
    text = re.sub(r"(?<=[A-Za-z]) (?=[A-Za-z])", "\x02", text)
    parts = _SPLIT_RE.split(text.replace(_PHONE_MARK, f" {_PHONE_MARK} "))
    return [p.replace("\x02", " ") for p in parts if p]


def _looks_like_name(token: str) -> bool:
    if not _NAME_RE.fullmatch(token) or token.endswith(_NOT_NAME_END) or token in _NOT_NAMES:
        return False
    return not any(word in token for word in _NOT_NAME_WORDS)


def _split_glued_name(token: str, regions: RegionBackend) -> tuple[str, str] | None:
    """``张三浙江省杭州市…`` -> ("张三", "浙江省杭州市…"); ``…969号张三`` -> ("张三", "…969号")."""
    for length in range(1, 6):
        head, tail = token[:length], token[length:]
        if tail and _looks_like_name(head) and regions.starts_with_place(tail):
            return head, tail
    trailing = re.fullmatch(rf"(.*[\dA-Za-z#号室楼栋层座户元])([{_CJK}]{{2,4}})", token)
    if trailing and _looks_like_name(trailing.group(2)) and not regions.starts_with_place(trailing.group(2)):
        return trailing.group(2), trailing.group(1)
    return None


def _pick_name(tokens: list[tuple[str, str]], regions: RegionBackend) -> tuple[str, list[str]]:
    """The recipient's name and the remaining (address) tokens, in order."""
    words = [token for _, token in tokens]
    marks = [i for i, token in enumerate(words) if token == _PHONE_MARK]

    words = [re.sub(r"(?<=..)收$", "", w) if _looks_like_name(w) else w for w in words]  # "张三收"

    def ok(token: str) -> bool:
        return _looks_like_name(token) and not regions.starts_with_place(token)

    def rest(index: int, replacement: str = "") -> list[str]:
        kept = [*words[:index], replacement, *words[index + 1 :]]
        return [token for token in kept if token and token != _PHONE_MARK]

    labelled = [i for i, (kind, token) in enumerate(tokens) if kind == "name" and token != _PHONE_MARK]
    for i in labelled:
        if ok(words[i]) or _LATIN_NAME_RE.fullmatch(words[i]):
            return words[i], rest(i)
        glued = _split_glued_name(words[i], regions)
        if glued:
            return glued[0], rest(i, glued[1])

    def distance(i: int) -> tuple[int, int]:
        near = min((abs(i - m) for m in marks), default=0)
        return (near, 0 if i in (0, len(words) - 1) else 1)

    skip = {i for i, (kind, _) in enumerate(tokens) if kind == "address"}
    if not marks:  # no phone: a name only stands alone at either end ("张三 浙江省…", "…969号 张三")
        skip |= set(range(1, len(words) - 1))
    for pattern in (None, _LATIN_NAME_RE):
        found = [
            i
            for i, token in enumerate(words)
            if i not in skip
            and token != _PHONE_MARK
            and (ok(token) if pattern is None else bool(pattern.fullmatch(token)))
        ]
        if found:
            best = min(found, key=distance)
            return words[best], rest(best)
    for i in sorted((i for i, t in enumerate(words) if t != _PHONE_MARK and marks), key=distance):
        glued = _split_glued_name(words[i], regions)
        if glued:
            return glued[0], rest(i, glued[1])
    for i in sorted((i for i, t in enumerate(words) if t != _PHONE_MARK and marks), key=distance):
        # "江山 13800138000 浙江省杭州市…": a name that is also a place (江山市), beside the phone,
        # when the rest is a whole address somewhere else.
        if distance(i)[0] == 1 and len(words[i]) >= 2 and _looks_like_name(words[i]):
            others = rest(i)
            try:
                region = regions.resolve(" ".join(others))
            except RegionNotFound:
                continue
            if not any(
                place.startswith(words[i]) for place in (region.province, region.city, region.district)
            ):
                return words[i], others
    return "", rest(len(words))  # an address alone: the order keeps its receiver


def _tidy(detail: str) -> str:
    detail = re.sub(r"\s+", " ", detail)
    detail = re.sub(rf"(?<=[{_CJK}]) | (?=[{_CJK}])", "", detail)
    return re.sub(r"^中国(大陆)?", "", detail).strip(_TRIM)


def parse_address(text: str, *, regions: RegionBackend | None = None) -> ParsedAddress:
    """Parse a pasted address; raise ``AddressParseError`` (with ``field``) when it can't be done.

    With the default regions the result is remembered per text (an export repeats a buyer's address
    on every order): each call gets its own copy.
    """
    if regions is None and isinstance(text, str):
        return _parse_default(text).model_copy(deep=True)
    return _parse(text, regions or default_regions())


@lru_cache(maxsize=4096)
def _parse_default(text: str) -> ParsedAddress:
    return _parse(text, default_regions())


def _parse(text: str, backend: RegionBackend) -> ParsedAddress:
    if not isinstance(text, str) or not text.strip():
        raise AddressParseError("text", "地址内容为空：请粘贴买家发来的姓名、电话和地址")
    if len(text) > MAX_LENGTH:
        raise AddressParseError(
            "text", f"内容太长（{len(text)}字，最多{MAX_LENGTH}字）：请只粘贴一条收货信息（姓名、电话、地址）"
        )
    normal = _normalise(text)
    phone, rest = _take_phone(normal)
    rest = _POSTCODE_RE.sub(" ", rest)
    tokens = [(kind, token) for kind, token in _tokens(rest) if not _FILLER_RE.fullmatch(token)]
    name, address_tokens = _pick_name(_unglue_labels(tokens, backend), backend)
    address = re.sub(r"^中国(大陆)?", "", " ".join(address_tokens))
    if not address.strip():
        raise AddressParseError("region", "没有找到地址：请粘贴带省市区和街道门牌的完整地址")
    try:
        region = backend.resolve(address)
    except RegionNotFound as error:
        raise AddressParseError("region", str(error), ambiguous=error.ambiguous) from None
    detail = _tidy(region.detail)
    if not detail:
        raise AddressParseError(
            "text", "地址缺少街道和门牌号：请补上详细地址，例如「文一西路969号3号楼201室」"
        )
    return ParsedAddress(
        name=name,
        phone=phone,
        province=region.province,
        city=region.city,
        district=region.district,
        detail=detail,
        notes=list(region.notes),
    )
