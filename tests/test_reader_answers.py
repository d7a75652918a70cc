"""The learned reader on hand-made evidence: each failure class of issue 12, the answer format and the tiers."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from rag.answer.schema import REFUSAL_TEXT
from rag.reader.question import analyse, dictionary_words, split_parts
from rag.reader.reader import Reader


def chunk(text: str, entry: str = "概况", section: str = "综合", year: int = 2019, n: int = 0) -> Document:
    """A retrieved text chunk as the store returns it."""
    meta = {"kind": "text", "entry": entry, "section": section, "year": year, "span_start": 0,
            "chunk_id": f"c{n}", "yearbook": "测试县年鉴"}
    return Document(page_content=text, metadata=meta)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


def ask(reader: Reader, question: str, *texts: str, years: set[int] | None = None):
    documents = [chunk(t, n=i) for i, t in enumerate(texts)]
    return reader.answer(question, documents, years or {2019})


FARMS = "2019年,全县新登记农民专业合作社218家,比上年增加35家,其中示范社41家。"
TOWNS = "全县设施蔬菜主要分布在河阳镇、青山镇、石门镇、大王庄镇等地,面积12.6万亩。"
ROSTER = "县委书记:周德明 县长:孙立平(2019年3月任) 副县长 王 瑞"
MONEY = "全年实现一般公共预算收入9,927万元,城镇居民人均月增收3 860元。"
GROWTH = "全县农村公路通车里程由1,980公里增加到2,356公里。"


def test_a_paraphrased_question_is_answered_not_refused(reader):
    # other verb (吸收 for 新登记), other measure word (个 for 家), words reordered
    answer = ask(reader, "2019年全县农民专业合作社新登记了多少个？", FARMS)
    assert not answer.refused, answer.text
    assert "218家" in answer.text


def test_the_part_after_qizhong_is_bound_to_its_own_noun(reader):
    answer = ask(reader, "2019年全县示范社有多少家？", FARMS)
    assert answer.short_answer == "41家", answer.text


def test_the_change_is_given_when_the_change_is_asked(reader):
    answer = ask(reader, "2019年新登记的农民专业合作社比上年增加了多少家？", FARMS)
    assert answer.short_answer == "35家", answer.text


def test_the_end_of_a_movement_is_the_level_reached(reader):
    answer = ask(reader, "全县农村公路通车里程增加到了多少公里？", GROWTH)
    assert answer.short_answer == "2,356公里", answer.text


def test_a_person_after_a_role_and_a_colon(reader):
    # The name after the asked role ranks first, whole; the model is about as sure of it as not
    # (confidence ≈ the span threshold), so it may be given as the short answer or in the quoted line.
    reading = reader.read("谁是县委书记？", [chunk(ROSTER)], {2019})[0]
    assert reading.ranked[0].text == "周德明"
    answer = ask(reader, "谁是县委书记？", ROSTER)
    assert answer.short_answer in ("周德明", ROSTER), answer.text


def test_a_person_question_is_not_answered_with_the_date_of_its_sentence(reader):
    answer = ask(reader, "县长是谁？", "3月5日,县第九届人民代表大会第二次会议开幕,县长孙立平作政府工作报告。")
    assert answer.short_answer == "孙立平", answer.text


def test_kind_agreement_pools_every_pair_of_kinds():
    from rag.reader.features import _kind_agreement

    assert _kind_agreement("person", "date") == {"kind_same": 0.0, "kind_clash": 1.0}
    assert _kind_agreement("number", "person") == {"kind_same": 0.0, "kind_clash": 1.0}
    assert _kind_agreement("date", "date") == {"kind_same": 1.0, "kind_clash": 0.0}
    assert _kind_agreement("person", "cell")["kind_clash"] == 0.0  # a cell's column decides
    assert _kind_agreement("what", "date")["kind_clash"] == 0.0  # 「什么」 may ask for anything


def test_a_list_answer_shows_every_item(reader):
    answer = ask(reader, "设施蔬菜主要分布在哪些镇？", TOWNS)
    assert not answer.refused
    assert "河阳镇、青山镇、石门镇、大王庄镇" in answer.text, answer.text  # the quoted clause holds the list
    assert answer.short_answer and answer.short_answer in TOWNS and "分布" not in answer.short_answer


@pytest.mark.parametrize(
    ("question", "figure"),
    [("全年一般公共预算收入是多少万元？", "9,927万元"), ("城镇居民人均月增收多少元？", "3 860元")],
)
def test_figures_with_thousands_separators_are_kept_whole(reader, question, figure):
    answer = ask(reader, question, MONEY)
    assert answer.short_answer == figure, answer.text


def test_traditional_characters_and_full_width_digits_are_read(reader):
    answer = ask(reader, "２０１９年全縣新登記農民專業合作社多少家？", FARMS)
    assert answer.short_answer == "218家", answer.text


def test_a_year_the_evidence_does_not_cover_is_refused(reader):
    answer = ask(reader, "2015年全县新登记农民专业合作社多少家？", FARMS, years={2019})
    assert answer.refused and answer.text.startswith(REFUSAL_TEXT), answer.text


def test_a_body_the_evidence_never_names_is_refused(reader):
    answer = ask(reader, "县人民医院2019年门诊量是多少人次？", FARMS, TOWNS)
    assert answer.refused, answer.text


def test_a_question_of_markup_only_gets_no_answer(reader):
    answer = ask(reader, "<script>alert(1)</script>", FARMS, TOWNS, ROSTER)
    assert answer.refused, answer.text


def test_the_answer_reads_as_a_sentence_with_its_clause_quoted(reader):
    answer = ask(reader, "2019年全县示范社有多少家？", FARMS)
    assert answer.text == "41家。其中示范社41家【1】", answer.text
    citation = answer.citations[0]
    assert citation.quote == FARMS and citation.span == (0, len(FARMS))
    assert citation.entry == "概况" and citation.year == 2019


def test_refusals_list_the_closest_entries(reader):
    answer = ask(reader, "2015年全县新登记农民专业合作社多少家？", FARMS, years={2019})
    assert "最接近的条目" in answer.text and "综合 › 概况" in answer.text


def test_a_refusal_names_the_nouns_the_yearbook_never_says(reader):
    answer = ask(reader, "2019年全县有多少家养蜂场？", FARMS)
    assert answer.refused and "所查年鉴中没有出现「养蜂场」" in answer.text, answer.text
    traditional = ask(reader, "2019年全縣有多少家養蜂場？", FARMS)
    assert traditional.refused and "「養蜂場」" in traditional.text, traditional.text  # quoted as asked
    plain = ask(reader, "2015年全县新登记农民专业合作社多少家？", FARMS, years={2019})
    assert plain.refused and "没有出现" not in plain.text  # every word is said: only the year is not held


def test_reading_comprehension_never_refuses(reader):
    span = reader.best_span("2019年全县示范社有多少家？", FARMS)
    assert span == "41家"


def test_confidence_reads_the_best_span_and_its_lead_over_another_answer(reader):
    from rag.reader.features import MAX_LEAD, confidence_features

    reading = reader.read("2019年全县示范社有多少家？", [chunk(FARMS)])[0]
    features = confidence_features(reading.ranked)
    runner_up = next(s for s in reading.ranked[1:] if s.text.strip() != reading.ranked[0].text.strip())
    assert features["top_score"] == reading.ranked[0].score
    assert features["lead"] == min(MAX_LEAD, reading.ranked[0].score - runner_up.score) >= 0
    assert confidence_features(reading.ranked[:1])["lead"] == MAX_LEAD  # nothing else to choose
    assert confidence_features([]) == {}


def test_confidence_tells_a_lead_over_the_same_place_from_a_lead_over_another_answer(reader):
    from rag.reader.features import confidence_features, overlaps

    reading = reader.read("2019年全县示范社有多少家？", [chunk(FARMS)])[0]
    top = reading.ranked[0]
    features = confidence_features(reading.ranked, reading.asked.kind)
    elsewhere = next(s for s in reading.ranked[1:] if not overlaps(s, top))
    assert features["lead_elsewhere"] == min(3.0, top.score - elsewhere.score) >= features["lead"]
    assert features["ask:number"] == features[f"top:{top.kind}"] == 1.0
    assert features["top_kind_same"] == top.features["kind_same"]


def test_the_refusal_model_sees_a_best_answer_of_the_wrong_kind(reader):
    reading = reader.read("全县有多少家合作社？", [chunk("全县合作社工作由县农业农村局负责。")])[0]
    assert reading.evidence["e_best_kind_clash"] == 1.0 or reading.evidence["e_best_unit_missing"] == 1.0
    assert reader.model.answerable.weights["e_best_kind_clash"] < 0  # learned: it makes an answer less likely


@pytest.mark.parametrize(
    ("question", "glued", "pieces"),
    [
        ("2019年县纪委监委结案多少件?", "年县", {"县", "纪委", "监委"}),
        ("园区网信办关了多少个网站？", "办关", {"网", "信", "网站"}),
    ],
)
def test_words_jieba_glues_from_unknown_runs_become_dictionary_words(question, glued, pieces):
    words = {t.text for t in analyse(question).terms}
    assert glued not in words
    assert pieces <= words


def test_dictionary_words_keep_known_words_and_names_whole():
    assert dictionary_words("嘉祥县") == ["嘉祥县"]
    assert dictionary_words("生产总值") == ["生产总值"]
    assert dictionary_words("2019") == ["2019"]
    assert dictionary_words("年县") == ["年", "县"]


def test_a_later_part_takes_its_best_span_not_yet_given():
    from rag.reader.candidates import Span, sentences
    from rag.reader.reader import PartReading, _set_aside

    text = "截至2019年底,创业园累计吸纳创业企业40家,当前入驻创业企业30家。"
    sentence = sentences([chunk(text)])[0]
    forty, thirty = (Span(sentence, text.index(f), text.index(f) + len(f), "number") for f in ("40家", "30家"))
    reading = PartReading(analyse("当前入驻的创业企业有多少家？"), [forty, thirty], [])
    _set_aside(reading, given=[forty])
    assert reading.ranked == [thirty, forty]
    _set_aside(reading, given=[])
    assert reading.ranked == [thirty, forty]  # nothing given: the order stands


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("区人大常委会主任叫啥？", "person"),  # a name asked of a role a roster lists
        ("县纪委书记叫什么？", "person"),
        ("政协的一把手叫什么名字？", "person"),  # a person cue word after the cue
        ("这个村叫什么名字？", "place"),  # … but a village's name is a place's
        ("韩雪梅担任什么职务？", "what"),  # the head says what is asked: a role, not a person
        ("县长是什么级别？", "what"),
        ("考上北大的那个学生叫啥？", "person"),  # a subject that names people
        ("园区的主题叫什么？", "what"),
    ],
)
def test_a_what_question_takes_the_kind_its_subject_and_cue_word_give(question, kind):
    assert analyse(question).kind == kind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("2010年末全县党员人数超过3万名了吗？", "yesno"),  # a topic cue (人数) inside a yes/no question
        ("临安税收收入占比超过九成吗？", "yesno"),
        ("这个村拿过省级文明村称号吗？", "yesno"),
        ("全县有多少党员？", "number"),
        ("你知道全县有多少党员吗？", "number"),  # an interrogative still asks for the thing
        ("能告诉我全县党员人数吗？", "number"),  # a request's 吗 is no yes/no form
        ("城际铁路的车站都完工了没有？", "yesno"),
    ],
)
def test_a_yes_no_form_outranks_a_topic_cue_but_not_an_interrogative_or_a_request(question, kind):
    assert analyse(question).kind == kind


def test_a_figure_qualified_by_words_the_question_does_not_say_is_marked(reader):
    text = "年末全区共有党员32418名,其中35岁及以下党员5470名。"
    reading = reader.read("年末全区共有党员多少名？", [chunk(text)], {2019})[0]
    unsaid = {s.text: s.features["n_unsaid_qualifier"] for s in reading.found if s.kind == "number"}
    assert unsaid["5470名"] == 1.0  # 其中 … 35岁及以下: six characters the question never says
    assert unsaid["32418名"] == 0.0  # 年末全区共有党员: all said


def test_a_figure_after_qizhong_is_marked_with_how_much_of_its_part_the_question_names(reader):
    text = "完成进出口总额27.9亿元,其中出口21.4亿元,进口6.5亿元。"
    reading = reader.read("进出口总额中出口是多少？", [chunk(text)], {2019})[0]
    part = {s.text: (s.features["n_part"], s.features["n_part_said"]) for s in reading.found if s.kind == "number" and s.unit}
    assert part["27.9亿元"] == (0.0, 0.0)  # the total: no part
    assert part["21.4亿元"] == (1.0, 1.0)  # 出口: the part the question names
    assert part["6.5亿元"] == (1.0, 0.0)  # 进口 is not said by 进出口


def test_a_figure_is_marked_with_how_much_of_its_own_words_the_question_says(reader):
    text = "共命名表彰四星级党组织188个、五星级党组织17个。"
    reading = reader.read("共命名表彰了多少个五星级党组织？", [chunk(text)], {2019})[0]
    own = {s.text: (s.features["n_own_said"], s.features["rel:n_own_said"]) for s in reading.found if s.kind == "number" and s.unit}
    assert own["17个"] == (1.0, 0.0)  # 五星级党组织: every bigram said, the best of the sentence
    assert own["188个"][0] < 1.0 and own["188个"][1] < 0.0  # 四星 is not said


def test_two_figures_together_are_marked_by_whether_the_question_asks_two(reader):
    text = "2020年,园区落实涉外接待102批2142人次。"
    both = reader.read("园区落实涉外接待多少批、多少人次？", [chunk(text, year=2020)], {2020})[0]
    one = reader.read("园区落实涉外接待多少批？", [chunk(text, year=2020)], {2020})[0]
    pair = lambda reading: {s.text: (s.features["n_pair_asked"], s.features["n_pair_unasked"]) for s in reading.found if s.kind == "number"}  # noqa: E731
    assert pair(both)["102批2142人次"] == (1.0, 0.0) and pair(one)["102批2142人次"] == (0.0, 1.0)
    assert pair(both)["102批"] == (0.0, 0.0)


@pytest.mark.parametrize(("question", "like"), [("新门诊楼一共花了多少钱？", "万元"), ("产值增长了几倍？", "倍"), ("办理要多少天？", "个工作日"), ("古树还剩几棵？", "株"), ("全年出栏多少只？", "头"), ("新建了几栋楼？", "座")])
def test_the_unit_a_question_asks_for_is_read_after_its_cue_word_in_the_units_family(question, like):
    from rag.reader.lexicon import load_lexicon

    lexicon = load_lexicon()
    asked = analyse(question)
    assert asked.unit and lexicon.family(asked.unit) == lexicon.family(like)


def test_a_question_for_a_sum_marks_a_figure_of_another_measure_as_of_another_unit(reader):
    text = "市人民医院新建门诊楼1栋,建筑面积6,800平方米,总投资3,200万元。"
    reading = reader.read("新门诊楼一共花了多少钱？", [chunk(text)], {2019})[0]
    differs = {s.text: s.features.get("u_differs") for s in reading.found if s.kind == "number" and s.unit}
    assert differs["6,800平方米"] == 1.0 and differs["3,200万元"] == 0.0


def test_a_figure_sharing_digits_with_the_questions_year_repeats_nothing_of_it(reader):
    text = "2020年,为204名人才发放学费补贴380余万元。"
    reading = reader.read("2020年园区为多少名人才发放了学费补贴？", [chunk(text, year=2020)], {2020})[0]
    echo = {s.text: s.features.get("c_in_question", 0.0) for s in reading.found if s.kind == "number"}
    assert echo["204名"] == pytest.approx(0.25)  # 名 only: 2 and 0 are the year's digits
    assert echo["380余万元"] == 0.0
    words = {s.text: s.features.get("c_in_question", 0.0) for s in reading.found}
    assert words.get("学费补贴") == 1.0  # words the question writes still echo it


@pytest.mark.parametrize(
    ("question", "post", "body"),
    [
        ("沂南县公安局局长是谁？", "局长", "公安局"),
        ("谁是沂南县委秘书长?", "秘书长", "县委"),
        ("县委书记叫什么名字", "书记", "县委"),  # one word: the post ends it
        ("区人大常委会主任叫啥", "主任", "人大常委会"),  # the last post written, not 常委 inside the body
        ("金乡县政协副主席有哪几位?", "副主席", "政协"),
        ("接任沂南县长的是谁?", "县长", ""),  # a place before the post is not a body
        ("中共苏州工业园区工作委员会是何时成立的？", "", ""),  # 委员会 is a body, not a post
        ("县政协的一把手是谁？", "一把手", "县政协"),  # whoever heads the body, its post unnamed
        ("县政协的主席是谁？", "主席", "县政协"),  # a 的 between body and post
    ],
)
def test_a_question_names_a_post_and_the_body_it_is_of(question, post, body):
    asked = analyse(question)
    assert (asked.role, asked.role_body) == (post, body)


def test_a_name_whose_row_holds_another_post_is_marked(reader):
    roster = "县委书记:周德明,县长:孙立平,副县长:王红。"
    reading = reader.read("县长是谁？", [chunk(roster)], {2019})[0]
    said = {s.text: s.features.get("post_said") for s in reading.found if s.kind == "person"}
    assert said["孙立平"] == 1.0
    assert said["周德明"] == 0.0  # its clause names 县委书记
    assert said["王红"] == 0.0  # 副县长 is the deputy, not the post asked
    refused = reader.read("县公安局局长是谁？", [chunk(roster)], {2019})[0]
    assert refused.evidence["e_post_unsaid"] == 1.0 and refused.evidence["e_post_body_unsaid"] == 1.0


def test_a_qualifier_beside_a_shared_word_breaks_the_compound_asked(reader):
    text = "全县粮食总产量36.8万吨,蔬菜总产量128.5万吨。"
    asked = analyse("2019年全县花生总产量有多少吨？")
    assert ("花生", "总产量") in asked.compounds
    sibling = reader.read("2019年全县花生总产量有多少吨？", [chunk(text)], {2019})[0]
    same = reader.read("2019年全县粮食总产量有多少吨？", [chunk(text)], {2019})[0]
    assert sibling.evidence["e_compound_broken"] == 1.0  # 总产量 read, next to 粮食, not 花生
    assert same.evidence["e_compound_broken"] == 0.0


def test_a_noun_the_searched_yearbooks_never_say_is_marked_absent(reader):
    text = "细颗粒物(pm2.5)年均浓度34微克/立方米,比上年下降10.5%。"
    asked = {t.text: t for t in analyse("全县一共花了多少钱治理臭氧？").terms}
    assert asked["臭氧"].noun and not asked["花"].noun  # a thing recorded, against the asker's verb
    unsaid = reader.read("2019年全县臭氧年均浓度是多少？", [chunk(text)], {2019})[0]
    assert "臭氧" in [t.text for t in unsaid.absent] and unsaid.evidence["e_absent_noun_max"] > 0.5
    said_elsewhere = reader.read("2019年全县臭氧年均浓度是多少？", [chunk(text)], {2019}, mentions=lambda word: True)[0]
    assert not said_elsewhere.absent and said_elsewhere.evidence["e_absent_max"] == 0.0
    nowhere = reader.read("2019年全县年均浓度是多少？", [chunk(text)], {2019}, mentions=lambda word: word != "浓度")[0]
    assert [t.text for t in nowhere.absent] == ["浓度"]  # asked of the yearbooks, not of the retrieved chunks


def test_a_word_is_a_noun_by_where_it_stands_not_by_how_the_tagger_cut_it():
    asked = {t.text: t for t in analyse("孔令军担任什么职务？").terms}
    assert all(asked[c].noun for c in "孔令军")  # one name to the tagger, three characters to the term cut
    assert not asked["担任"].noun and asked["职务"].noun


def test_a_noun_the_best_sentence_lacks_weighs_more_than_a_verb_it_lacks(reader):
    text = "全年粮食总产量52.74万吨,比上年增长3.1%。"
    thing = reader.read("全年花生总产量是多少万吨？", [chunk(text)], {2019}, mentions=lambda word: True)[0]
    assert thing.evidence["e_missing_noun_max"] > 0.3 and thing.evidence["e_missing_noun_everywhere"] > 0.3
    wording = reader.read("全年粮食总产量达到多少万吨？", [chunk(text)], {2019}, mentions=lambda word: True)[0]
    assert wording.evidence["e_missing_max"] > 0.0 and wording.evidence["e_missing_noun_max"] == 0.0


def test_a_rate_or_a_years_additions_is_marked_against_a_question_for_the_total(reader):
    text = "全市医院有病床7,236张,每千人拥有病床4.3张;年内新建农村文化礼堂48个,累计建成226个。"
    beds = reader.read("全市医院一共有多少张病床？", [chunk(text)], {2019})[0]
    rate = {s.text: s.features["n_rate_unasked"] for s in beds.found if s.kind == "number" and s.text.endswith("张")}
    assert rate == {"7,236张": 0.0, "4.3张": 1.0}
    halls = reader.read("累计建成的农村文化礼堂有多少个？", [chunk(text)], {2019})[0]
    flow = {s.text: s.features["n_flow_unasked"] for s in halls.found if s.kind == "number" and s.text.endswith("个")}
    stock = {s.text: s.features["n_stock_asked_not_given"] for s in halls.found if s.kind == "number" and s.text.endswith("个")}
    assert flow == {"48个": 1.0, "226个": 0.0} and stock == {"48个": 1.0, "226个": 0.0}


def test_a_short_form_finds_the_sentence_that_writes_it_in_full(reader):
    text = "全县普通高中在校生2.27万人,其中县一中学生李明哲考入北京大学。"
    asked = analyse("哪个学生考上了北大？")
    reading = reader.read("哪个学生考上了北大？", [chunk(text)], {2019})[0]
    assert any("北京大学" in t.variants for t in asked.terms) and any("考入" in t.variants for t in asked.terms)
    assert reading.matches[0].cov_sentence == 1.0  # 北大 is 北京大学, 考上 is 考入


@pytest.mark.parametrize(("question", "kind"), [("哪个学生考上了北京大学？", "person"), ("哪名运动员获得金牌？", "person"), ("哪个单位获评文明单位？", "org")])
def test_a_cue_whose_head_names_people_asks_for_a_person(question, kind):
    assert analyse(question).kind == kind


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("2010年城镇登记失业率和城镇化率分别是多少?", ["2010年城镇登记失业率是多少", "城镇化率是多少"]),
        ("区委宣传部长和统战部长分别是谁？", ["区委宣传部长是谁", "统战部长是谁"]),
        ("住房和城乡建设局与交通局各有多少人？", ["住房和城乡建设局有多少人", "交通局有多少人"]),
        ("庆元的五大主导产业分别是什么？", ["庆元的五大主导产业分别是什么？"]),  # one thing asked: no connector
        ("各乡镇和街道的名称", ["各乡镇和街道的名称"]),  # no cue after the marker
    ],
)
def test_a_question_of_two_things_joined_before_respectively_is_read_as_two(question, parts):
    assert split_parts(question) == parts


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("授权专利有多少件？不是申请量。", ["授权专利有多少件？不是申请量。"]),  # a remark, no second question
        ("那边的噪音问题。装隔音屏了吗？", ["那边的噪音问题。装隔音屏了吗？"]),  # context before the one question
        ("台青园累计吸纳多少家？当前入驻多少家？", ["台青园累计吸纳多少家", "当前入驻多少家"]),
    ],
)
def test_a_piece_that_asks_nothing_belongs_to_the_question_beside_it(question, parts):
    assert split_parts(question) == parts


def test_what_the_asker_rules_out_is_not_a_term_of_the_question():
    terms = {t.text for t in analyse("黑河市1998年水产品产量多少？注意是水产品，不是肉类、鲜奶或禽蛋。").terms}
    assert {"水产品", "产量"} <= terms
    assert not terms & {"肉类", "鲜奶", "禽蛋"}


def test_a_name_after_a_title_is_a_person_however_jieba_cuts_it():
    from rag.reader.candidates import sentences, titled_names
    from rag.reader.lexicon import load_lexicon

    def names(text: str) -> list[str]:
        sentence = sentences([chunk(text)])[0]
        return [sentence.folded[a:b] for a, b in titled_names(sentence, load_lexicon())]

    assert names("2019年,沂南一中学生李明哲被北京大学录取。") == ["李明哲"]
    assert names("县长:孙立平(2019年3月任),副县长欧阳红出席。") == ["孙立平", "欧阳红"]  # compound family name
    assert names("全县党员大会召开。") == []  # 大 is no family name


def test_the_student_a_question_asks_for_is_answered_not_the_university(reader):
    text = "2019年,沂南一中学生李明哲被北京大学录取。"
    assert reader.answer("沂南一中哪个学生考上了北大？", [chunk(text)], {2019}).short_answer == "李明哲"


def test_a_body_written_in_full_in_the_roster_title_is_the_short_form_asked(reader):
    # 「人大常委会」 asked; the roster's title writes 「人民代表大会常务委员会」, the other roster's row
    # names a 主任 of another body
    party = Document(page_content="县委常委、县纪委书记、县监委主任 | 季红梅 | (女)", metadata={
        "kind": "table", "table": "中国共产党测试县委员会", "section": "领导名单", "year": 2019,
        "span_start": 0, "chunk_id": "r0", "table_header": "职务 | 姓名 | 简况"})
    congress = Document(page_content="主任 | 吴立平 | ", metadata={
        "kind": "table", "table": "测试县人民代表大会常务委员会", "section": "领导名单", "year": 2019,
        "span_start": 0, "chunk_id": "r1", "table_header": "职务 | 姓名 | 简况"})
    reading = reader.read("测试县人大常委会主任是谁？", [party, congress], {2019})[0]
    said = {s.text: s.features.get("post_body_said") for s in reading.found if s.kind == "cell"}
    assert said["吴立平"] == 1.0 and said["季红梅"] == 0.0


def test_the_head_of_a_body_is_a_top_post_never_a_deputy(reader):
    roster = "主席:叶春华,副主席:蓝晓东。"
    reading = reader.read("县政协的一把手是谁？", [chunk(roster)], {2019})[0]
    said = {s.text: s.features.get("post_said") for s in reading.found if s.kind == "person"}
    assert said["叶春华"] == 1.0 and said["蓝晓东"] == 0.0


def test_a_holder_whose_row_says_he_left_is_marked(reader):
    rows = [Document(page_content=f"县委副书记、县长 | {name} | ({note})", metadata={
        "kind": "table", "table": "县领导名单", "section": "领导名单", "year": 2019, "span_start": 0,
        "chunk_id": f"r{i}", "table_header": "职务 | 姓名 | 简况"}) for i, (name, note) in enumerate((("陈志刚", "2019年3月调离"), ("张立新", "2019年3月任")))]
    reading = reader.read("县长是谁？", rows, {2019})[0]
    left = {s.text: s.features.get("post_left") for s in reading.found if s.kind == "cell" and s.text in ("陈志刚", "张立新")}
    assert left == {"陈志刚": 1.0, "张立新": 0.0}


def test_a_leader_word_written_in_the_clause_is_the_post_asked(reader):
    reading = reader.read("它的运营负责人是谁？", [chunk("中心运营负责人高德敏，副经理王红。")], {2019})[0]
    said = {s.text: s.features.get("post_said") for s in reading.found if s.text in ("高德敏", "王红")}
    assert said.get("高德敏") == 1.0


def test_an_unsure_reader_answers_short_only_where_the_open_stretch_is_its_best_span():
    from dataclasses import replace

    from rag.reader.candidates import Span, sentences
    from rag.reader.reader import stretch_agrees

    unsure = Reader(replace(Reader().model, span_threshold=1.0, answer_threshold=0.0))
    text = "年内信访局与星湖社工委启动调解项目。"
    answer = unsure.answer("信访局与哪个社工委启动了调解项目？", [chunk(text)], {2019})
    sentence = sentences([chunk(text)])[0]
    asked = analyse("信访局与哪个社工委启动了调解项目？")
    at = text.index("星湖")
    assert stretch_agrees(asked, Span(sentence, at, at + 5, "org"))  # 「星湖社工委」: what the question leaves open
    assert not stretch_agrees(asked, Span(sentence, at, at + 2, "place"))  # 「星湖」: a piece of it
    assert answer.short_answer in ("星湖社工委", "年内信访局与星湖社工委启动调解项目")  # the agreed stretch, or the clause quoted


def test_a_span_is_marked_where_its_ends_or_the_words_beside_them_are_the_questions(reader):
    text = "年内完成电视台高清演播室改造,开办自办栏目6个。"
    reading = reader.read("电视台改造的是什么？", [chunk(text)], {2019})[0]
    echo = {s.text: (s.features.get("e_first_said"), s.features.get("e_before_said"), s.features.get("e_after_said")) for s in reading.found}
    spans = [t for t in echo if t.endswith("演播室")]
    assert "电视台高清演播室" in spans and "高清演播室" in spans, spans
    whole = "电视台高清演播室"
    assert echo[whole][0] == 1.0  # begins with the question's own words
    assert echo["高清演播室"][:2] == (0.0, 1.0)  # begins right after them
    assert echo["高清演播室"][2] == 1.0  # and 改造, which the question says, follows it


def test_a_span_is_marked_by_whether_its_clause_holds_the_direction_asked(reader):
    text = "东与莒县、莒南县相邻,西与蒙阴县、费县接壤。"
    reading = reader.read("沂南县西边和哪些县挨着？", [chunk(text)], {2019})[0]
    marks = {s.text: (s.features.get("d_same"), s.features.get("d_other")) for s in reading.found}
    assert marks["费县"] == (1.0, 0.0)  # in the clause that starts 西与
    assert marks["莒南县"] == (0.0, 1.0)  # in the clause of another direction
    undirected = reader.read("沂南县和哪些县挨着？", [chunk(text)], {2019})[0]
    assert all("d_same" not in s.features for s in undirected.found)  # a question that asks no direction: no mark


@pytest.mark.parametrize(
    ("text", "directions_used"),
    [("东与莒县相邻", {"东"}), ("河东区和山东省", set()), ("区境以北", {"北"}), ("南北长约50千米", {"南北"}),
     ("什么东西", set()), ("东部和北部为山地", {"东", "北"}), ("北京", set())],
)
def test_a_direction_is_read_where_it_is_used_as_one(text, directions_used):
    from rag.reader.features import directions

    assert directions(text) == directions_used
