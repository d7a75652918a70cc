"""Layouts beyond 【title】 entries: hard wrap, page chrome, inline and numbered heads, rosters, nothing dropped."""

from __future__ import annotations

from ingest.layout import find_heading, is_hard_wrapped, join_wrapped, split_lines
from ingest.parse import parse_yearbook
from ingest.roster import roster_rows
from rag.schema import SourceInfo

INFO = SourceInfo(source="t.txt", yearbook="黑河市年鉴", year=1999, chapter="综述")

WRAPPED = (
    "您的当前位置:首页 > 地方志 > 黑河市年鉴(1999)\n"
    "黑河市\n"
    "市委书记:于晓东 1953年4月生,汉族,黑龙江宾县人,大学学历\n"
    "市长:王建华 1956年2月生\n"
    "\n"
    "概况\n"
    "　　黑河市位于黑龙江省北部,与俄罗斯隔江相望,全市总面积6.87万平方公\n"
    "里,辖2区3县2市,1998年末总人口172.6万人,其中城镇人口78.2万人,人口自\n"
    "然增长率4.8‰,男女性别比为103.2∶100。全市共有27,348户农户参加了合作\n"
    "医疗。\n"
    "　　1998年,全市实现国内生产总值63.5亿元,比上年增长8.9%,人均国内生产\n"
    "总值3,680元,财政收入完成9,927万元,比上年增长6.2%,外贸进出口总额达到\n"
    "1945.6万美元。\n"
    "Original URL: http://www.example-dfz.cn/heihe/1999/1.html\n"
    "农业\n"
    "　　1998年,全市粮食总产量达到52.74万吨,比上年增长3.1%,大豆播种面积扩大\n"
    "到420万亩,大豆总产量16.2万吨。\n"
    "第 3 页\n"
)


def test_hard_wrap_found_and_paragraphs_joined():
    lines = split_lines(WRAPPED)
    assert is_hard_wrapped(lines)
    paragraphs = [line.text for line in join_wrapped(lines, set())]
    assert any("总面积6.87万平方公里,辖2区3县2市" in p for p in paragraphs)
    assert any("人口自然增长率4.8‰" in p and p.endswith("合作医疗。") for p in paragraphs)


def test_paragraph_lines_are_not_joined_when_not_wrapped():
    paragraphs = [
        "2020年,园区举办各类活动三十场,参加人员达到一千余人次,活动内容丰富多彩,受到好评。",
        "全年接待游客100万人次。",
        "区文化馆组织开展各类群众文化活动820余场次,参与群众约95万人次,其中线上活动120场,网络点击量超过300万人次,比上年增长18.2%。",
        "望丛祠全年接待游客62万人次",
        "区图书馆藏书74.8万册,全年接待读者56万人次,新增数字资源12TB。",
        "全区有公共图书馆1个、文化馆1个、镇(街道)综合文化站10个、村(社区)综合性文化服务中心185个,公共文化设施实现全覆盖,群众满意度达到96%。",
    ]
    lines = split_lines("\n".join(paragraphs))
    assert not is_hard_wrapped(lines)
    assert len(join_wrapped(lines, set())) == 6


def test_wrapped_file_parses_into_whole_paragraphs_with_source_offsets():
    result = parse_yearbook(WRAPPED, INFO)
    bodies = [e.body for e in result.entries if e.body]
    assert len(bodies) == 3
    assert bodies[0].startswith("黑河市位于") and "6.87万平方公里" in bodies[0]
    assert [e.section for e in result.entries if e.body] == ["概况", "概况", "农业"]
    for entry in result.entries:
        for body_start, source, length in entry.segments:
            assert WRAPPED[source : source + length] == entry.body[body_start : body_start + length]
    assert not any("当前位置" in e.body or "Original URL" in e.body or "第 3 页" in e.body for e in result.entries)


def test_nothing_dropped_and_chrome_counted():
    result = parse_yearbook(WRAPPED, INFO)
    assert result.chars_chrome > 50
    assert result.kept_share >= 0.99
    assert not any("skipped" in w for w in result.warnings)


def test_roster_before_first_heading_becomes_a_table_of_rows():
    result = parse_yearbook(WRAPPED, INFO)
    roster = next(e for e in result.entries if e.title == "领导名单")
    rows = [row.cells for row in roster.tables[0].rows]
    assert rows[0][:2] == ("市委书记", "于晓东") and rows[0][2].startswith("1953年4月生")
    assert rows[1][:2] == ("市长", "王建华")
    assert "黑河市" not in result.sections  # the title line is not a section


def test_roster_line_forms():
    assert [r.cells()[:2] for r in roster_rows("书 记〓曹景群")] == [("书记", "曹景群")]
    assert [r.cells()[:2] for r in roster_rows("县委常委、组织部部长 王 瑞")] == [("县委常委、组织部部长", "王瑞")]
    assert [r.cells()[:2] for r in roster_rows("县委书记  张立国\t县长  李炳众")] == [("县委书记", "张立国"), ("县长", "李炳众")]
    assert roster_rows("县委副书记、县长:张立新(2019年3月任)")[0].notes == "(2019年3月任)"
    assert roster_rows("县长办公会议研究了全县农业结构调整工作,确定了十项重点任务。") == []
    assert roster_rows("镇党委书记 王明在会上讲话,要求各村抓紧落实春耕生产各项措施,确保全年粮食丰收。") == []


def test_heading_kinds():
    assert find_heading("·农业·").level == 1 and find_heading("·农业·").title == "农业"
    assert find_heading("一、综合").title == "综合" and find_heading("一、综合").level == 1
    assert find_heading("（一）农业").level == 2
    assert find_heading("1.粮食生产").title == "粮食生产"
    assert find_heading("【县情综述】").level == 1
    inline = find_heading("政区〓逊克县位于黑龙江省北部,小兴安岭北麓。")
    assert inline.title == "政区" and inline.rest_at == 3
    assert find_heading("经济概况　全县实现地区生产总值12.5亿元。").title == "经济概况"
    assert find_heading("人口:全县总人口10.2万人,比上年减少0.3%。").title == "人口"
    assert find_heading("其中:公办幼儿园63所,民办幼儿园78所。") is None
    assert find_heading("1.5万吨粮食运往外地,比上年增加。") is None
    assert find_heading("2021年,全区有普通高中9所,在校学生1.57万人。") is None


def test_inline_and_numbered_heads_title_their_paragraphs():
    text = (
        "金乡县年鉴(2010)\n"
        "一、综合\n"
        "政区〓金乡县位于山东省西南部,总面积886平方公里。\n"
        "人口〓2009年末全县总人口62.8万人。\n"
        "（一）农业\n"
        "1.粮食生产\n"
        "全年粮食总产量52.74万吨,比上年增长2.1%。\n"
        "·工业经济·\n"
        "经济概况 2009年,全县规模以上工业实现增加值78.6亿元。\n"
    )
    result = parse_yearbook(text, INFO)
    titled = [(e.section, e.title, e.body[:6]) for e in result.entries]
    assert titled == [
        ("综合", "政区", "金乡县位于山"),
        ("综合", "人口", "2009年末"),
        ("综合", "粮食生产", "全年粮食总产"),
        ("工业经济", "经济概况", "2009年,"),
    ]
    first = result.entries[0]
    assert text[first.source_offset(0) : first.source_offset(0) + 5] == "金乡县位于"
    assert result.kept_share == 1.0


def test_bracket_layout_keeps_preamble_roster_and_prose():
    entries = "".join(f"【条目{i}】\n第{i}条内容,全年完成{i}项工作。\n" for i in range(6))
    text = "沂南县年鉴(2019)\n县委书记 孙伟东\n县长 张立新\n本卷记述2018年全县情况。\n综合\n" + entries
    result = parse_yearbook(text, INFO)
    roster = next(e for e in result.entries if e.title == "领导名单")
    assert [r.cells[1] for r in roster.tables[0].rows] == ["孙伟东", "张立新"]
    assert any(e.body == "本卷记述2018年全县情况。" for e in result.entries)
    assert result.kept_share == 1.0 and not result.warnings


def test_roster_inside_a_bracket_entry_is_rows():
    entries = "".join(f"【条目{i}】\n第{i}条内容。\n" for i in range(5))
    text = "综合\n" + entries + "【县领导名单】\n县委书记 孙伟东\n县委副书记、县长:张立新(2019年3月任)\n县委常委、组织部部长 王 瑞\n"
    result = parse_yearbook(text, INFO)
    entry = next(e for e in result.entries if e.title == "县领导名单")
    assert entry.body == ""
    assert [r.cells[:2] for r in entry.tables[0].rows] == [("县委书记", "孙伟东"), ("县委副书记、县长", "张立新"), ("县委常委、组织部部长", "王瑞")]


def test_roster_table_with_two_pairs_a_line_and_a_header():
    text = "领导名单\n职务\t姓名\t\t职务\t姓名\n县委书记\t王建华\t\t县长\t刘庆民\n县委副书记\t张明\t\t副县长\t李红\n一、综合\n全县总面积886平方公里,辖13个镇街。\n"
    result = parse_yearbook(text, INFO)
    roster = next(e for e in result.entries if e.tables)
    assert [r.cells for r in roster.tables[0].rows] == [
        ("县委书记", "王建华", ""), ("县长", "刘庆民", ""), ("县委副书记", "张明", ""), ("副县长", "李红", "")
    ]
    assert [e.body for e in result.entries if e.body] == ["全县总面积886平方公里,辖13个镇街。"]
    assert result.kept_share == 1.0


def test_one_role_several_people_and_prose_that_only_looks_like_a_roster():
    assert [r.cells()[:2] for r in roster_rows("副县长 王 瑞\u3000于洪波\u3000鄂 军(鄂伦春族)\u3000蔡淑芬(女)")] == [
        ("副县长", "王瑞"), ("副县长", "于洪波"), ("副县长", "鄂军"), ("副县长", "蔡淑芬")
    ]
    for prose in ("局长 张三 在会上作了工作报告。", "农业局长 周末 到田间调研。", "全市共有中小学校长 三百余人，均经过培训。"):
        assert roster_rows(prose) == [], prose


def test_wrapped_file_keeps_tables_and_numbered_heads():
    text = (
        "一、综合\n（一）农业\n"
        "全县粮食播种面积63.8万亩,粮食总产量31.26万吨,比上年增\n长2.1%,其中小麦播种面积35.2万亩,总产量15.6万吨,玉米播\n种面积28.6万亩。\n"
        "全县蔬菜播种面积12.4万亩,总产量86.3万吨,其中大蒜种植面\n积58.3万亩,大蒜总产量52.74万吨,比上年增长6.2%,出口大\n蒜及制品38.6万吨。\n"
        "表1 主要指标\n指标\t单位\t数值\n粮食总产量\t万吨\t31.26\n蔬菜总产量\t万吨\t86.3\n大蒜总产量\t万吨\t52.74\n"
        "（二）工业\n全县规模以上工业企业218家,完成工业总产值436.8亿元,比上年增\n长21.3%。\n"
    )
    result = parse_yearbook(text, INFO)
    titled = [(e.section, e.title) for e in result.entries]
    assert titled[0] == ("综合", "农业") and ("综合", "工业") in titled
    bodies = [e.body for e in result.entries if e.body]
    assert bodies[0].endswith("玉米播种面积28.6万亩。") and "比上年增长2.1%" in bodies[0]
    table = next(t for e in result.entries for t in e.tables)
    assert table.header == ("指标", "单位", "数值") and len(table.rows) == 3
    assert result.kept_share == 1.0


def test_page_chrome_inside_a_wrapped_paragraph_does_not_split_it():
    line = "全市国内生产总值完成74.52亿元,按可比价格计算比上年增长8.6%,其中第"
    text = "概况\n" + "\n".join([line] * 4) + "\n第 3 页\n一产业增加值28.17亿元。\n"
    result = parse_yearbook(text, INFO)
    assert [e.body for e in result.entries if e.body] == [line * 4 + "一产业增加值28.17亿元。"]


def test_marked_heads_under_plain_chapter_lines_title_entries():
    """「概况」 then 「■人口」 again and again: the plain lines are chapters, the marks their entries."""
    lines = [
        "领导名单", "中共庆元县委员会", "县委书记　周建林", "县委副书记、县长　田健晖", "庆元县人民政府", "县长　田健晖",
        "概况", "■人口", "年末全县户籍人口19.98万人。", "■综合经济", "全县完成地区生产总值92.7亿元。",
        "农业", "■农业生产", "粮食总产量3.46万吨。", "◎农田水利　全年完成水利投资3.2亿元，新建山塘2座。",
        "表2　2022年主要食用菌生产情况", "品种  栽培量(万袋)  产值(万元)", "香菇  5,860  72,664", "合计  12,800  193,329",
    ]
    text = "\n".join(lines) + "\n"
    result = parse_yearbook(text, INFO)
    titled = [(e.section, e.title) for e in result.entries]
    assert titled == [
        ("领导名单", "中共庆元县委员会"), ("领导名单", "庆元县人民政府"),
        ("概况", "人口"), ("概况", "综合经济"), ("农业", "农业生产"), ("农业", "农田水利"),
        ("农业", "农业生产"),  # the table, under the last heading line (an inline head titles its paragraph only)
    ]
    assert [r.cells[:2] for r in result.entries[0].tables[0].rows] == [("县委书记", "周建林"), ("县委副书记、县长", "田健晖")]
    table = result.entries[-1].tables[0]
    assert table.header == ("品种", "栽培量(万袋)", "产值(万元)")
    assert [r.cells for r in table.rows] == [("香菇", "5,860", "72,664"), ("合计", "12,800", "193,329")]


def test_marks_alone_still_open_sections():
    text = "·农业·\n全年粮食总产量52.74万吨。\n·工业·\n规模以上工业增加值78.6亿元。\n"
    assert [e.section for e in parse_yearbook(text, INFO).entries] == ["农业", "工业"]


def test_bracket_file_without_contents_reads_bare_chapter_lines():
    """Bare lines with no contents list: before a 【title】 a chapter, before roster rows or prose an entry."""
    entries = "".join(f"　　【条目{i}】第{i}条内容，全年完成{i}项工作。\n" for i in range(5))
    text = (
        "临安区年鉴·2019\n概况\n" + entries + "领导机构\n中共临安区委员会\n区委书记　周立峰\n区委副书记、区长　沈文杰\n"
        "党的建设\n组织工作\n　　全年发展党员486名。\n镇街概况\n锦城街道\n　　面积72.6平方公里。\n"
        "党工委书记　冯建华　　办事处主任　朱丽君（女）\n锦北街道\n　　面积62.3平方公里。\n"
    )
    result = parse_yearbook(text, INFO)
    titled = [(e.section, e.title) for e in result.entries]
    assert titled[:5] == [("概况", f"条目{i}") for i in range(5)]
    assert titled[5:] == [("领导机构", "中共临安区委员会"), ("党的建设", "组织工作"), ("镇街概况", "锦城街道"), ("镇街概况", "锦北街道")]
    assert [r.cells[1] for r in result.entries[5].tables[0].rows] == ["周立峰", "沈文杰"]
    assert "冯建华" in result.entries[7].body  # a closing roster line stays with its entry and ends it
    assert not result.warnings


def test_quoted_table_caption_opens_a_table():
    """「表1 …」 in corner quotes is a caption like 表1 …: its rows become a table, captioned without the quotes."""
    entries = "".join(f"【条目{i}】\n第{i}条内容。\n" for i in range(5))
    text = "综合\n" + entries + "「表1 2019年沂南县主要经济指标」\n指标\t单位\t2019年\n地区生产总值\t亿元\t258.6\n"
    result = parse_yearbook(text, INFO)
    table = result.entries[-1].tables[0]
    assert table.caption == "表1 2019年沂南县主要经济指标" and table.header == ("指标", "单位", "2019年")
    assert [r.cells for r in table.rows] == [("地区生产总值", "亿元", "258.6")]
    assert result.entries[-1].title == "条目4"  # the table belongs to the entry it follows, not to a new one
