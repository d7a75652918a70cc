"""Parser tests on the bundled corpus: sections, entries, credits, captions, tables, offsets."""

from __future__ import annotations

import random

import pytest

from ingest.parse import ParseResult, parse_yearbook
from rag.schema import Entry, SourceInfo

SECTIONS = [
    "党政机构", "组织工作", "人才工作", "机构改革和管理", "宣传工作", "统战工作", "台湾事务",
    "外事工作", "信访工作", "信息化工作", "档案方志", "机关事务", "人民武装",
]
CREDITS = ["钱虹", "张景林", "全 美", "顾明筠"]
CAPTION = "2020年4月3日,苏州工业园区第二轮档案移交进馆工作会议召开"


def entry(parsed: ParseResult, section: str, title: str) -> Entry:
    found = [e for e in parsed.entries if e.section == section and e.title == title]
    assert len(found) == 1, f"expected one entry {section} › {title}, found {len(found)}"
    return found[0]


def titles(parsed: ParseResult, section: str) -> list[str]:
    return [e.title for e in parsed.entries if e.section == section and e.kind == "text"]


def test_thirteen_sections_in_order(parsed):
    assert parsed.sections == SECTIONS
    assert list(dict.fromkeys(e.section for e in parsed.entries)) == SECTIONS


def test_entry_counts(parsed):
    kinds = [e.kind for e in parsed.entries]
    assert kinds.count("text") == 78
    assert kinds.count("caption") == 1
    assert len(parsed.entries) == 79
    assert parsed.warnings == []


def test_every_section_but_first_opens_with_overview(parsed):
    for section in SECTIONS[1:]:
        texts = titles(parsed, section)
        if section == "机构改革和管理":
            assert "概况" not in texts
            continue
        assert texts[0] == "概况", section


def test_misplaced_heading_entries_belong_to_united_front(parsed):
    moved = ["思想政治共识凝聚", "民主党派工作", "党外知识分子和新的社会阶层人士统战工作", "侨务工作", "民族宗教工作"]
    assert titles(parsed, "统战工作") == ["概况", *moved]
    for title in moved:
        assert entry(parsed, "统战工作", title).section == "统战工作"


def test_taiwan_affairs_section(parsed):
    assert titles(parsed, "台湾事务") == ["概况", "苏州金鸡湖台青创业园", "助力台资企业复工复产", "台湾大学生暑期研习营"]
    assert entry(parsed, "台湾事务", "概况").body.startswith("2020年,园区台湾事务办公室")


@pytest.mark.parametrize(
    ("section", "title", "joined"),
    [
        ("党政机构", "苏州工业园区管理委员会", "保证园区经济和建设正常运行"),
        ("档案方志", "概况", "完成园区档案行政规范性文件清理工作"),
        ("机关事务", "概况", "等指导文件"),
    ],
)
def test_page_breaks_are_joined(parsed, section, title, joined):
    body = entry(parsed, section, title).body
    assert joined in body, f"page break not joined in {section} › {title}"


def test_bodies_hold_no_blank_lines_credits_or_brackets(parsed):
    for e in parsed.entries:
        assert "\n\n" not in e.body, e.title
        assert "【" not in e.body and "】" not in e.body, e.title
        assert "供稿" not in e.body, e.title
        for name in CREDITS:
            assert name not in e.body, f"credit {name} left in body of {e.section} › {e.title}"
        assert e.body == e.body.strip(), e.title


def test_credits_go_to_the_right_entries(parsed):
    assert entry(parsed, "党政机构", "苏州工业园区管理委员会").credits == ["钱虹"]
    assert entry(parsed, "统战工作", "概况").credits == ["张景林"]
    assert entry(parsed, "档案方志", "概况").credits == ["顾明筠"]
    foreign = [e for e in parsed.entries if e.section == "外事工作"]
    assert len(foreign) == 4
    assert all(e.credits == ["全 美"] for e in foreign)
    for name in CREDITS:
        assert any(name in e.credits for e in parsed.entries), name


def test_photo_caption_is_its_own_entry(parsed):
    captions = [e for e in parsed.entries if e.kind == "caption"]
    assert len(captions) == 1
    caption = captions[0]
    assert caption.body == CAPTION
    assert caption.title == CAPTION
    assert caption.credits == ["园区档案管理中心 供稿"]
    assert caption.section == "机关事务"
    overview = entry(parsed, "机关事务", "概况")
    assert CAPTION not in overview.body
    assert "2020年4月3日" not in overview.body
    assert overview.body.endswith("个人表彰9人次。")


def test_tables_attached_to_foreign_affairs_service(parsed):
    with_tables = [e for e in parsed.entries if e.tables]
    assert [(e.section, e.title) for e in with_tables] == [("外事工作", "外事管理与服务")]
    table4, table5 = with_tables[0].tables
    assert table4.caption == "表4 2020年园区重大外事活动"
    assert table4.header == ("日期", "活动内容")
    assert len(table4.rows) == 4
    assert table5.caption == "表5 2020年园区重要外宾到访情况"
    assert table5.header == ("日期", "国家", "外宾姓名和职务", "活动内容")
    assert len(table5.rows) == 47
    assert all(row.cells != table5.header for row in table5.rows), "续表 header repeated as a row"
    assert all(len(row.cells) == len(table5.header) for row in table5.rows)
    assert "5月15日 | 美国 | 微软全球资深副总裁王永东 | 会谈" in [r.text() for r in table5.rows]
    assert not any("续表" in r.text() for r in table5.rows)


def test_table_rows_point_at_their_source_lines(parsed, corpus_text):
    table5 = entry(parsed, "外事工作", "外事管理与服务").tables[1]
    for row in table5.rows:
        assert corpus_text[row.start : row.end].split("\t")[0].strip() == row.cells[0]


def test_toc_and_chapter_title_are_not_entries(parsed):
    assert not {e.title for e in parsed.entries} & set(SECTIONS)
    assert parsed.entries[0].title == "中共苏州工业园区工作委员会"
    assert parsed.entries[0].section == "党政机构"


def test_cross_reference_entry(parsed):
    assert entry(parsed, "人才工作", "产业人才国际职业资格比照认定").body == "（参见第38页）"


def test_source_offsets_map_back_to_the_source(parsed, corpus_text):
    rng = random.Random(20200)
    checked = 0
    for e in parsed.entries:
        offsets = [i for i in range(len(e.body)) if e.body[i] != "\n"]
        sample = sorted(rng.sample(offsets, min(40, len(offsets))))
        mapped = [e.source_offset(i) for i in sample]
        for i, source in zip(sample, mapped):
            assert corpus_text[source] == e.body[i], f"{e.title}: body[{i}] maps to the wrong char"
        assert mapped == sorted(mapped) and len(set(mapped)) == len(mapped), e.title
        assert e.start <= mapped[0] and mapped[-1] < e.end, e.title
        checked += len(sample)
    assert checked > 2000


def test_source_offsets_span_page_breaks_and_credits(parsed, corpus_text):
    e = entry(parsed, "档案方志", "概况")
    at = e.body.index("档案行政规范性")
    left, right = e.source_offset(at + 2), e.source_offset(at + 3)  # 行 | 政
    assert corpus_text[left] == "行" and corpus_text[right] == "政"
    assert "(顾明筠)" in corpus_text[left:right]


def test_inserted_paragraph_breaks_have_no_source_char(parsed):
    e = entry(parsed, "人才工作", "概况")
    assert "\n" in e.body
    with pytest.raises(ValueError):
        e.source_offset(e.body.index("\n"))


def test_entry_ids_unique_and_stable(parsed, corpus_text):
    ids = [e.id for e in parsed.entries]
    assert len(set(ids)) == len(ids)
    again = parse_yearbook(corpus_text, parsed.entries[0].info)
    assert [e.id for e in again.entries] == ids
    assert [e.body for e in again.entries] == [e.body for e in parsed.entries]


def test_entry_ids_depend_on_the_source(parsed, corpus_text):
    info = parsed.entries[0].info
    other = SourceInfo(source="other.txt", yearbook=info.yearbook, year=info.year, chapter=info.chapter)
    ids = {e.id for e in parse_yearbook(corpus_text, other).entries}
    assert not ids & {e.id for e in parsed.entries}


def test_text_without_headings_parses_into_paragraphs():
    text = "2020年,园区举办活动。\n\n  全年接待游客100万人次。\n第三段文字,没有标题。\n"
    info = SourceInfo(source="plain.txt", yearbook="测试年鉴", year=2020, chapter="测试")
    result = parse_yearbook(text, info)
    assert [e.body for e in result.entries] == ["2020年,园区举办活动。", "全年接待游客100万人次。", "第三段文字,没有标题。"]
    assert [e.title for e in result.entries] == ["测试", "测试", "测试"]  # no heading line: the chapter
    assert all(e.kind == "text" and e.section == "测试" for e in result.entries)
    assert result.sections == ["测试"]
    assert result.warnings == [] and result.kept_share == 1.0
    second = result.entries[1]
    assert text[second.source_offset(0) : second.source_offset(0) + len(second.body)] == second.body
    assert len({e.id for e in result.entries}) == 3


def test_paragraph_layout_heading_lines_open_sections():
    text = "某区年鉴(2021)\n\n社会事业\n\n教育\n\n全区共有学校262所。\n\n学前教育:全区共有幼儿园171所。\n\n医疗卫生\n\n全区有医院12家。\n"
    info = SourceInfo(source="district.txt", yearbook="某区年鉴", year=2021, chapter="社会事业")
    result = parse_yearbook(text, info)
    assert [(e.section, e.title, e.body) for e in result.entries] == [
        ("教育", "教育", "全区共有学校262所。"),
        ("教育", "学前教育", "全区共有幼儿园171所。"),  # an inline head titles its paragraph
        ("医疗卫生", "医疗卫生", "全区有医院12家。"),
    ]
    assert result.sections == ["教育", "医疗卫生"]
    assert result.kept_share == 1.0  # the title line counts as structure: nothing is dropped
