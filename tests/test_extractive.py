"""The offline extractive answerer on real chunks of the bundled corpus (no retrieval involved)."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from ingest.chunk import chunk_entries
from rag.extractive import ExtractiveAnswerer
from rag.question_type import answer_kind, split_parts
from rag.refusal import uncovered_bodies


@pytest.fixture(scope="module")
def documents(parsed):
    docs = {}
    for chunk in chunk_entries(parsed.entries, 320):
        meta = dict(chunk.metadata, chunk_id=chunk.id, embed_text=chunk.embed_text)
        docs.setdefault((meta["section"], meta["table"] or meta["entry"]), []).append(
            Document(id=chunk.id, page_content=chunk.text, metadata=meta)
        )
    return docs


@pytest.fixture(scope="module")
def entries(parsed):
    return {(e.section, e.title): e for e in parsed.entries}


@pytest.mark.parametrize(
    "question, kind",
    [
        ("2020年园区发展党员多少人？", "number"),
        ("园区融媒体中心是哪天揭牌启用的？", "date"),
        ("2020年园区有哪几个民主党派？", "list"),
        ("台青园是否通过了省级众创空间验收？", "yesno"),
        ("5月15日到访的美国客人是谁？", "name"),
    ],
)
def test_answer_kind(question, kind):
    assert answer_kind(question) == kind


def test_number_with_unit_and_exact_citation(documents, entries):
    docs = documents[("组织工作", "概况")] + documents[("信访工作", "概况")]
    answer = ExtractiveAnswerer().answer("2020年园区发展党员多少人？", docs, {2020})
    assert not answer.refused
    assert answer.short_answer == "526人"
    assert answer.text.startswith("526人【1】")
    citation = answer.citations[0]
    assert (citation.section, citation.entry, citation.year) == ("组织工作", "概况", 2020)
    body = entries[("组织工作", "概况")].body
    start, end = citation.span
    assert body[start:end] == citation.quote and "526人" in citation.quote


def test_date_from_text(documents):
    docs = documents[("宣传工作", "融媒体建设")]
    answer = ExtractiveAnswerer().answer("园区融媒体中心是哪天揭牌启用的？", docs, {2020})
    assert answer.short_answer == "2020年5月26日"


def test_table_row_cell_by_column(documents):
    docs = documents[("外事工作", "表5 2020年园区重要外宾到访情况")]
    row = next(d for d in docs if "王永东" in d.page_content)
    answer = ExtractiveAnswerer().answer("5月15日到访的美国客人是谁？", [row] + docs[:3], {2020})
    assert "王永东" in answer.short_answer
    assert answer.citations[0].table == "表5 2020年园区重要外宾到访情况"
    assert answer.citations[0].span is None and answer.citations[0].row_index is not None


def test_yes_no_contradicted_by_the_figure(documents):
    docs = documents[("台湾事务", "苏州金鸡湖台青创业园")]
    answer = ExtractiveAnswerer().answer("截至2020年底台青园入驻创业企业有45家吗？", docs, {2020})
    assert answer.short_answer == "否"


def test_refuses_a_year_the_store_does_not_cover(documents):
    docs = documents[("组织工作", "概况")]
    answer = ExtractiveAnswerer().answer("2019年园区发展党员多少人？", docs, {2020})
    assert answer.refused and answer.short_answer is None and not answer.citations
    assert "未找到" in answer.text


def test_refuses_when_evidence_shares_little_with_the_question(documents):
    docs = documents[("人民武装", "国防教育")]
    answer = ExtractiveAnswerer().answer("园区今年新开了几家三甲医院？", docs, {2020})
    assert answer.refused


def test_refuses_with_no_documents():
    assert ExtractiveAnswerer().answer("2020年园区发展党员多少人？", [], {2020}).refused


def _assert_quotes_slice_bodies(answer, entries):
    for citation in answer.citations:
        if citation.span is not None:
            body = entries[(citation.section, citation.entry)].body
            start, end = citation.span
            assert body[start:end] == citation.quote


@pytest.mark.parametrize(
    "question, parts",
    [
        ("2020年园区落实涉外接待多少批、多少人次？", ["2020年园区落实涉外接待多少批？", "2020年园区落实涉外接待多少人次？"]),
        ("A协会有多少人？B平台又有多少人？", ["A协会有多少人？", "B平台又有多少人？"]),
        ("甲训练营和乙培训计划分别遴选了多少名成员？", ["甲训练营遴选了多少名成员？", "乙培训计划遴选了多少名成员？"]),
        ("2020年园区发展党员多少人？", ["2020年园区发展党员多少人？"]),
    ],
)
def test_split_parts(question, parts):
    assert split_parts(question) == parts


def test_kind_of_what_question_is_not_yes_no():
    assert answer_kind("园区外宣品牌叫什么？") == "name"
    assert answer_kind("培训班是哪几天办的？") == "date"


def test_two_part_question_answers_both_with_own_citations(documents, entries):
    docs = documents[("宣传工作", "志愿者工作")] + documents[("组织工作", "“红色管家2.0”基层党建项目实施")]
    question = "园区志愿者协会注册志愿者有多少人？“红色管家”平台注册志愿者又有多少人？"
    answer = ExtractiveAnswerer().answer(question, docs, {2020})
    assert answer.short_answer == "16.2万人；1.99万人"
    assert answer.text == "16.2万人【1】；1.99万人【2】"
    assert [c.n for c in answer.citations] == [1, 2]
    assert answer.citations[0].entry == "志愿者工作"
    assert answer.citations[1].entry == "“红色管家2.0”基层党建项目实施"
    _assert_quotes_slice_bodies(answer, entries)


def test_figure_pair_in_one_sentence(documents, entries):
    docs = documents[("外事工作", "外事管理与服务")]
    answer = ExtractiveAnswerer().answer("2020年园区落实涉外接待多少批、多少人次？", docs, {2020})
    assert answer.short_answer == "102批；2142人次"
    assert "102批【1】" in answer.text
    _assert_quotes_slice_bodies(answer, entries)


def test_list_joined_by_dunhao(documents, entries):
    docs = documents[("统战工作", "民主党派工作")]
    answer = ExtractiveAnswerer().answer("2020年园区有哪几个民主党派？", docs, {2020})
    assert answer.short_answer == (
        "中国国民党革命委员会、中国民主同盟、中国民主建国会、中国民主促进会、中国农工民主党、中国致公党、九三学社"
    )
    _assert_quotes_slice_bodies(answer, entries)


def test_name_between_anchors(documents):
    docs = documents[("组织工作", "第二期“十佳主题党日”评选活动举办")]
    answer = ExtractiveAnswerer().answer("园区第二期“十佳主题党日”评选活动在哪里举办？", docs, {2020})
    assert answer.short_answer == "园区培训中心"


def test_quoted_title_is_the_name(documents):
    docs = documents[("信息化工作", "数字政府顶层设计")]
    answer = ExtractiveAnswerer().answer("2020年园区大数据管理中心形成的电子政务总体规划叫什么？", docs, {2020})
    assert answer.short_answer == "《苏州工业园区电子政务总体规划(2020—2022)》"


def test_yes_no_cites_the_deciding_sentence(documents, entries):
    docs = documents[("台湾事务", "苏州金鸡湖台青创业园")]
    answer = ExtractiveAnswerer().answer("2020年苏州金鸡湖台青创业园是否通过了江苏省级众创空间验收？", docs, {2020})
    assert answer.short_answer == "是"
    assert "众创空间" in answer.citations[0].quote
    _assert_quotes_slice_bodies(answer, entries)


@pytest.mark.parametrize(
    "key, question",
    [
        (("人才工作", "概况"), "2020年园区人才密度在全国经济技术开发区中排名第二，对吗？"),
        (("机构改革和管理", "街道机构调整"), "唯亭街道是在全省率先完成评估验收工作的吗？"),
        (("组织工作", "星级党组织评定"), "2020年园区共命名表彰的五星级党组织是20个吗？"),
    ],
)
def test_yes_no_contradicted(documents, key, question):
    docs = documents[key]
    answer = ExtractiveAnswerer().answer(question, docs, {2020})
    assert answer.short_answer == "否"


def test_refuses_a_figure_the_evidence_does_not_give(documents):
    docs = documents[("组织工作", "概况")]
    answer = ExtractiveAnswerer().answer("2020年园区新发展党员的平均年龄是多少岁？", docs, {2020})
    assert answer.refused and not answer.citations


def test_refuses_a_body_the_evidence_does_not_name(documents):
    docs = documents[("统战工作", "侨务工作")]
    assert uncovered_bodies("园区新成立的侨商投资企业商会有多少家会员？", docs) == []
    assert uncovered_bodies("园区人民医院2020年有多少名医生？", docs) == ["人民医院"]
    answer = ExtractiveAnswerer().answer("园区人民医院2020年有多少名医生？", docs, {2020})
    assert answer.refused and answer.short_answer is None


def test_refuses_a_comparison_the_evidence_does_not_make(documents):
    docs = documents[("信息化工作", "政府网站运行保障")]
    answer = ExtractiveAnswerer().answer("2020年园区管委会门户网站访问量比2019年增长了多少？", docs, {2020})
    assert answer.refused


@pytest.mark.parametrize(
    "key, question, expected",
    [
        (("宣传工作", "意识形态工作"), "针对省委巡视反馈的意识形态问题，园区党工委制定了多少项具体整改措施？", "26项"),
        (("外事工作", "涉外新冠肺炎疫情防控"), "疫情期间园区昆山专班一共接转了多少入境人员？", "4881人"),
        (("信访工作", "信访工作责任落实"), "2020年园区党工委在哪两个月召开专题会议听取信访工作汇报？", "3月和10月"),
        (("机关事务", "企业建设"), "园区机关事务管理中心在苏州市党政机关安保技能竞赛中获团体第几名？", "第三名"),
        (("党政机构", "中共苏州工业园区工作委员会"), "中共苏州工业园区工作委员会是何时成立的？", "1995年2月"),
        (("人民武装", "概况"), "2020年园区根据苏州市统一安排组建了什么民兵队伍？", "民兵保障分队"),
        (("人才工作", "苏州自贸片区人才新政“云上”发布会举办"), "苏州自贸片区人才新政“云上”发布会的三大会场设在哪里？", "苏州、美国硅谷、日本东京"),
        (
            ("机构改革和管理", "党政机构调整"),
            "2020年园区新一轮机构调整设立了哪“四大发展委员会”？",
            "经济发展委员会、投资促进委员会、科技创新委员会、规划建设委员会",
        ),
        (("外事工作", "表5 2020年园区重要外宾到访情况"), "以色列屹立集团CEO来园区是什么活动？", "会见"),
    ],
)
def test_defining_words_pick_the_answer(documents, key, question, expected):
    answer = ExtractiveAnswerer().answer(question, documents[key], {2020})
    assert answer.short_answer == expected


@pytest.mark.parametrize(
    "key, question",
    [
        (("人才工作", "2020金鸡湖创业大赛总决赛举办"), "2020金鸡湖创业大赛二等奖是哪个项目？"),
        (("宣传工作", "舆论引领"), "2020年园区宣传部门的负责人是谁？"),
        (("统战工作", "民族宗教工作"), "园区少数民族中人口最多的是哪个民族？"),
        (("人民武装", "国防教育"), "2020年园区一共征集了多少名新兵？"),
    ],
)
def test_refuses_when_the_defining_word_is_missing(documents, key, question):
    assert ExtractiveAnswerer().answer(question, documents[key], {2020}).refused


def test_the_sibling_of_a_contrasted_question_is_answered(documents):
    docs = documents[("人才工作", "2020金鸡湖创业大赛总决赛举办")]
    answer = ExtractiveAnswerer().answer("今年金鸡湖创业大赛拿一等奖的是哪个项目？", docs, {2020})
    assert not answer.refused and "TCR-T" in answer.short_answer


def test_defining_word_helpers():
    from rag.asked import asked_noun, contrasted, counted_noun_fit, role_noun, superlatives
    from rag.question_type import expected_units

    assert asked_noun("2020年园区一共征集了多少名新兵？") == "新兵"
    assert asked_noun("园区首期轮训班一共有多少人参加？") == ""
    assert role_noun("2020年园区宣传部门的负责人是谁？") == "负责人"
    assert superlatives("园区少数民族中人口最多的是哪个民族？") == ["最多"]
    assert contrasted("大赛二等奖是哪个项目？", "其中某项目获一等奖。")
    assert not contrasted("大赛一等奖是哪个项目？", "其中某项目获一等奖。")
    sentence = "组织20名学生军训教官完成任务"
    assert counted_noun_fit("征集了多少名新兵？", sentence, 2, 5) == -1
    assert counted_noun_fit("组织了多少名学生军训教官？", sentence, 2, 5) == 1
    assert "人" in expected_units("疫情期间一共接转了多少入境人员？")


# --- figure cues, name anchors and refusals added when tuning on the odd half of the question set ---


@pytest.mark.parametrize(
    "question, units",
    [
        ("“红色管家”一共被各类媒体报道了多少篇次？", ("篇次", "篇")),
        ("办证现在要多少个工作日？", ("个工作日", "工作日")),
        ("信访局全年受理的来信来访总件数是多少？", ("件",)),
    ],
)
def test_compound_and_counted_units(question, units):
    from rag.question_type import expected_units

    assert expected_units(question) == units


def test_holiday_period_is_not_a_date_question():
    assert answer_kind("园区人武部门在哪些节日期间走访慰问驻苏部队？") == "list"


@pytest.mark.parametrize(
    "key, question, expected",
    [
        # the only figure right after the slot's own words (累计172人), not the clause with most wording
        (("人才工作", "概况"), "截至2020年，园区入选国家级重大人才引进工程的人才累计有多少人？", "172人"),
        # a total is asked: not the part after 「其中」
        (("档案方志", "概况"), "2020年园区档案馆一共接待了多少人次查档？", "3346人次"),
        # the counted noun right after the figure, weighed by its length
        (("人民武装", "国防教育"), "园区组织了多少名学生军训教官完成苏州中学园区校新生军训任务？", "20名"),
        # a clause that negates the question's term (“非快捷”) is not the answer
        (("外事工作", "涉外新冠肺炎疫情防控"), "2020年有多少批次、多少人通过快捷通道入境返苏复工？", "8批；183人"),
    ],
)
def test_figure_cues_pick_the_asked_figure(documents, key, question, expected):
    assert ExtractiveAnswerer().answer(question, documents[key], {2020}).short_answer == expected


def test_respective_pairing():
    from rag.respective import respective_answer

    quote = "1994年7月5日,甲筹备委员会、乙软件综合办公室分别更名为丙管理委员会(筹)、丁经验办公室。"
    assert respective_answer("乙软件综合办公室更名为什么？", quote) == "丁经验办公室"
    assert respective_answer("乙软件综合办公室成立于哪年？", quote) is None


def test_a_year_the_evidence_dates_events_in_is_covered(documents):
    docs = documents[("党政机构", "苏州工业园区管理委员会")]
    answer = ExtractiveAnswerer().answer("1994年7月5日，苏州新加坡工业园区软件综合办公室更名为什么？", docs, {2020})
    assert answer.short_answer == "苏州工业园区借鉴新加坡经验办公室"


@pytest.mark.parametrize(
    "question, quote, expected",
    [
        # the subject ends its clause: the asked part opens the right anchor's clause
        ("中共苏州工业园区工作委员会是哪个机构的派出机构？", "1995年2月,中共苏州工业园区工作委员会成立,为市委派出机构。", "市委"),
        ("2020年哪个单位在园区派驻了人民武装办公室？", "2020年,苏州军分区在园区派驻人民武装办公室,协助开展工作。", "苏州军分区"),
        # a 《title》 right after the question's words
        ("中心参与编写的地方标准叫什么？", "参与编写地方标准《物业服务与管理规范》(DB 1012)、团体标准《运行管理技术指南》", "《物业服务与管理规范》"),
        # quoted names right before the asked noun
        ("园区外宣品牌叫什么？", "园区宣传部门塑造推广“非凡城市SIP”和“非凡园区、非凡视界”外宣品牌,拓展外宣平台。", "“非凡城市SIP”和“非凡园区、非凡视界”"),
        # the asked noun right after the mark is not part of the name; words between them are
        ("大赛拿一等奖的是哪个项目？", "其中“新一代细胞治疗产品的研发”项目获一等奖。", "“新一代细胞治疗产品的研发”"),
        ("9月联合会举办了什么活动？", "9月,指导联合会举办“姑苏新力量 助燃八点半”园区站活动。", "“姑苏新力量 助燃八点半”园区站活动"),
    ],
)
def test_name_anchors(question, quote, expected):
    from rag.extract_spans import name_answer

    assert name_answer(question, quote) == expected


def test_each_part_of_a_respective_question_keeps_to_its_own_entry(documents):
    docs = documents[("组织工作", "第二期党务工作内训师培训计划启动")] + documents[("组织工作", "首期党建训练营开营")]
    answer = ExtractiveAnswerer().answer("园区首期党建训练营和第二期党务工作内训师培训计划分别遴选了多少名成员？", docs, {2020})
    assert answer.short_answer == "16名；31名"
    assert [c.entry for c in answer.citations] == ["首期党建训练营开营", "第二期党务工作内训师培训计划启动"]


def test_yes_no_decided_by_the_sentence_that_states_the_claim(documents):
    docs = documents[("信息化工作", "政府网站运行保障")]
    answer = ExtractiveAnswerer().answer("2020年园区管委会门户网站是否发生过重大事故？", docs, {2020})
    assert answer.short_answer == "否" and "重大事故" in answer.citations[0].quote


@pytest.mark.parametrize(
    "keys, question",
    [
        # an office title the evidence never says (the row only shares 「管委」)
        ([("机构改革和管理", "党政机构调整"), ("外事工作", "表5 2020年园区重要外宾到访情况")], "苏相合作区管委会主任是谁？"),
        # what the counted people did (入职) is not in the sentence with the figure
        ([("台湾事务", "台湾大学生暑期研习营")], "台湾大学生暑期研习营结束后，有多少名实习生在原实习单位就地入职？"),
        # a titled person (总理李显龙) no retrieved chunk mentions
        ([("外事工作", "表5 2020年园区重要外宾到访情况")], "新加坡总理李显龙2020年到访园区时参观了哪些地方？"),
    ],
)
def test_refuses_when_the_defining_attribute_is_missing(documents, keys, question):
    docs = [d for key in keys for d in documents[key]]
    assert ExtractiveAnswerer().answer(question, docs, {2020}).refused
