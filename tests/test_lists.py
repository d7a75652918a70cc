"""List answers: the enumeration of the chosen clause, cut at the words around its first and last items."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from rag.reader.candidates import Span, sentences
from rag.reader.lists import list_span
from rag.reader.question import analyse


def _listed(question: str, text: str) -> str | None:
    sentence = sentences([Document(page_content=text, metadata={"kind": "text", "span_start": 0})])[0]
    whole = Span(sentence, 0, len(sentence.folded.rstrip("。")), "span")
    asked = analyse(question)
    found = list_span(whole, {v for t in asked.terms for v in t.variants})
    return found.text if found else None


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("全县有哪几大支柱产业？", "全县形成食品加工、纺织服装、机械制造、新材料四大支柱产业。", "食品加工、纺织服装、机械制造、新材料"),
        ("该局整合了哪些职能？", "该局整合安全生产、防汛抗旱、森林防火等职能。", "安全生产、防汛抗旱、森林防火"),
        ("哪些乡镇通过了卫生乡镇复审？", "湖东镇、柳林镇通过省级卫生乡镇复审。", "湖东镇、柳林镇"),
        ("市区哪些道路完成了改造？", "全年改造道路7条，其中滨江路、海星街完成改造。", "滨江路、海星街"),
        ("丛书包括哪几个分卷？", "该丛书包括东塘、西塘、南湖、北湖4个分卷。", "东塘、西塘、南湖、北湖"),
        ("储量较大的矿产有哪些？", "境内矿产丰富，其中石英砂、大理石、金、铁储量较大。", "石英砂、大理石、金、铁"),
        ("新设了哪三个委员会？", "设立经济发展委员会、投资促进委员会、规划建设委员会。", "经济发展委员会、投资促进委员会、规划建设委员会"),
        ("全县形成哪些产业？", "全县形成电动车、建材、纺织提升。", "电动车、建材、纺织"),
        ("哪些单位参加？", "参加单位为区委、区政府、区人大。", "区委、区政府、区人大"),
        ("包括哪些产业？", "包括电动车、建材和纺织。", "电动车、建材和纺织"),
        ("镇里和哪些高校签约？", "镇里与南开大学、河北农业大学、沧州学院签订合作协议。", "南开大学、河北农业大学、沧州学院"),
        ("哪几家医院组建医联体？", "由县第一人民医院、县中医院、县第二人民医院牵头组建。", "县第一人民医院、县中医院、县第二人民医院"),
        # quotes around the whole enumeration are its bounds
        ("推行的活动是哪三样？", "在全镇推行党员“亮身份、亮承诺、亮实绩”活动。", "亮身份、亮承诺、亮实绩"),
        ("提出了哪几个口号？", "会议提出“绿色甲县、活力甲县”目标。", "绿色甲县、活力甲县"),
        ("建成了哪些平台？", "建成“城市大脑”、智慧停车、“智慧社区”三个平台。", "“城市大脑”、智慧停车、“智慧社区”"),  # items quoting themselves keep their quotes
        # the last item ends as every other item ends, though a verb comes first
        ("哪几个率达到100%？", "其中合格率、按期办结率均达到100%。", "合格率、按期办结率"),
        ("考核看哪几个方面？", "围绕工作结合度、资源整合度、项目成效度等方面考核。", "工作结合度、资源整合度、项目成效度"),
        # … but never past a word the question asks of, and a shared ending inside the last item does not cut it
        ("哪两项污染物的排放量下降了？", "其中化学需氧量、二氧化硫排放量分别下降3.1%和2.8%。", "化学需氧量、二氧化硫"),
        ("新建了哪些学校？", "新建沂河县第八实验小学、沂河县实验中学北校区。", "沂河县第八实验小学、沂河县实验中学北校区"),
        # of two items, the first is cut to about the length of the last
        ("综合体有哪几个功能区？", "去年建成创意农业示范区、乡村民宿群和农耕文化展示区。", "创意农业示范区、乡村民宿群和农耕文化展示区"),
    ],
)
def test_the_enumeration_is_cut_at_its_lead_in_and_its_tail(question, text, expected):
    assert _listed(question, text) == expected


def test_a_note_in_brackets_stays_with_its_item():
    text = "大赛在华东（苏州）、华南（深圳）、西北（西安）等地组织区域决赛。"
    assert _listed("大赛在哪些地区组织了决赛？", text) == "华东（苏州）、华南（深圳）、西北（西安）"  # as written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("该办围绕“清朗”“护苗”“净网”三大工程，加强网络治理。", "“清朗”“护苗”“净网”"),
        ("完成《甲县农业志》《甲县水利志》的评审工作。", "《甲县农业志》《甲县水利志》"),
    ],
)
def test_items_set_off_by_quotes_alone_are_an_enumeration(text, expected):
    assert _listed("完成了哪几项？", text) == expected


def test_the_sentence_is_searched_when_the_chosen_clause_holds_no_enumeration():
    sentence = sentences([Document(page_content="2020年，全县形成纺织、机械、化工三大产业。", metadata={"kind": "text", "span_start": 0})])[0]
    year = Span(sentence, 0, 5, "date")
    asked = analyse("全县形成了哪三大产业？")
    found = list_span(year, {v for t in asked.terms for v in t.variants})
    assert found is not None and found.text == "纺织、机械、化工"


def test_a_clause_without_an_enumeration_gives_no_list():
    assert _listed("该局有哪些职能？", "该局负责全县安全生产监督管理工作。") is None


def test_the_enumeration_next_to_the_question_words_is_chosen():
    text = "全县辖东乡、西乡两个街道，粮食主产区为小麦、玉米、大豆种植带。"
    assert _listed("全县的粮食主产区种植哪些作物？", text) == "小麦、玉米、大豆"


def test_a_table_row_is_cut_at_its_cells():
    row = Document(page_content="表1\n单位 | 姓名 | 职务\n区委 | 张三、李四 | 书记", metadata={"kind": "table", "table_header": "单位 | 姓名 | 职务"})
    sentence = sentences([row])[0]
    found = list_span(Span(sentence, 0, len(sentence.folded), "cell"), {"区委", "领导"})
    assert found is not None and found.text == "张三、李四"


@pytest.mark.parametrize("question", ["全镇辖哪6个村？", "新设了哪12个机构？", "新设了哪三个机构？", "新设了哪几个机构？"])
def test_a_count_after_which_asks_for_a_list_whether_written_in_digits_or_characters(question):
    asked = analyse(question)
    assert asked.kind == "list"
    assert asked.cue and asked.cue in asked.text  # the cue as the question writes it


@pytest.mark.parametrize("question", ["人代会是哪几天开的？", "台风哪几日影响全县？", "规划期是哪几年？"])
def test_which_days_asks_for_a_date_not_a_list(question):
    assert analyse(question).kind == "date"


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("南面与哪些区相连？", "南连兰山区、河东区,北靠沂水县。", "兰山区、河东区"),
        ("东面与哪些县相邻？", "隶属济宁市,东邻嘉祥县、鱼台县,南接江苏省丰县。", "嘉祥县、鱼台县"),
    ],
)
def test_a_direction_and_its_verb_lead_into_the_enumeration(question, text, expected):
    assert _listed(question, text) == expected  # the dictionary holds 「南连」「东邻」 as names: split into 南|连
