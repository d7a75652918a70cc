"""Places as a facet: aliases, places named in questions, and answers held to the place asked."""

from __future__ import annotations

from langchain_core.documents import Document

from ingest.metadata import guess_place
from rag.answer.places import settle_place
from rag.answer.schema import Answer, Citation
from rag.retrieval.places import place_aliases, places_named, unknown_places

HELD = ["黑河市", "逊克县", "苏州工业园区", "成都市郫都区"]


def test_aliases_cover_short_forms():
    assert place_aliases("成都市郫都区") == ["成都市郫都区", "郫都区", "郫都"]
    assert place_aliases("黑河市") == ["黑河市", "黑河"]
    assert place_aliases("苏州工业园区") == ["苏州工业园区", "苏州工业园"]


def test_places_named_and_unknown():
    assert places_named("郫都区有几所学校", HELD) == ["成都市郫都区"]
    assert places_named("逊克1998年粮食产量", HELD) == ["逊克县"]
    assert places_named("2020年园区发展党员多少人", HELD) == []
    assert unknown_places("金乡县2010年大蒜总产量是多少", HELD) == ["金乡县"]
    assert unknown_places("孙吴县县委书记是谁", HELD) == ["孙吴县"]
    for ordinary in ("1998年全市接待游客多少人次", "哪些县被列为商品粮基地县", "选举市长的会议哪天开", "经济开发区有多少企业"):
        assert unknown_places(ordinary, HELD) == [], ordinary


def test_place_guessed_from_title():
    assert guess_place("黑河市年鉴", "") == "黑河市"
    assert guess_place("t", "您的当前位置:首页\n黑河市年鉴(1999)\n概况\n") == "黑河市"
    assert guess_place("2020年鉴", "概况\n全年…") is None


def _answer(place: str, quote: str = "全市总人口167.94万人。") -> tuple[Answer, list[Document]]:
    document = Document(page_content=quote, id="c1", metadata={"chunk_id": "c1", "place": place, "year": 1998})
    citation = Citation(n=1, chunk_id="c1", year=1998, section="概况", entry="概况", quote=quote, place=place)
    answer = Answer(question="q", text=f"167.94万人。{quote}【1】", short_answer="167.94万人", citations=[citation])
    return answer, [document]


def test_answer_from_another_place_is_refused():
    answer, documents = _answer("逊克县")
    settled = settle_place(answer, "黑河市1998年总人口多少", documents, HELD)
    assert settled.refused and "黑河市" in settled.text and not settled.citations


def test_question_about_an_unloaded_place_is_refused_unless_cited_text_names_it():
    answer, documents = _answer("黑河市")
    assert settle_place(answer, "北安市1998年总人口多少", documents, HELD).refused
    answer, documents = _answer("黑河市", "北安市总人口43.2万人。")
    assert not settle_place(answer, "北安市1998年总人口多少", documents, HELD).refused


def test_chosen_place_refuses_a_question_about_another_loaded_place():
    answer, documents = _answer("黑河市")
    settled = settle_place(answer, "逊克县1998年总人口多少", documents, HELD, selected="黑河市")
    assert settled.refused and "逊克县" in settled.text


def test_answer_names_its_place_when_several_are_loaded_and_none_asked():
    answer, documents = _answer("黑河市")
    assert settle_place(answer, "1998年总人口多少", documents, HELD).text.startswith("黑河市：")
    assert settle_place(answer, "1998年总人口多少", documents, ["黑河市"]).text.startswith("167.94万人")


def test_common_nouns_with_a_place_suffix_are_not_places():
    for ordinary in ("什么时候退出贫困县序列", "2019年全县改造棚户区多少户", "建成区面积多大", "综合保税区有几家企业"):
        assert unknown_places(ordinary, HELD) == [], ordinary


def test_the_narrower_of_two_places_written_together_is_asked():
    from rag.retrieval.places import asked_place

    assert asked_place("黑河市逊克县的总人口", HELD) == "逊克县"
    assert asked_place("黑河市和逊克县的总人口", HELD) == "黑河市"


def test_the_chosen_place_may_be_named_beside_another():
    answer, documents = _answer("逊克县", "逊克县距黑河市125公里。")
    assert not settle_place(answer, "逊克县距黑河市多少公里", documents, HELD, selected="逊克县").refused


def test_the_filtered_place_and_year_are_left_out_of_the_query():
    from rag.retrieval.hybrid import SearchFilters, without_filtered

    place = SearchFilters(place="沂南县")
    assert without_filtered("沂南县东边和哪些县挨着?", place).split() == ["东边和哪些县挨着?"]
    assert without_filtered("沂南东边和哪些县挨着?", place).split() == ["东边和哪些县挨着?"]
    assert without_filtered("黑河市市长是谁?", SearchFilters()) == "黑河市市长是谁?"
    both = SearchFilters(place="庆元县", year=2022)
    assert without_filtered("2022年末庆元县户籍总户数是多少?", both).split() == ["末", "户籍总户数是多少?"]
    assert without_filtered("2021年庆元县地区生产总值", both).split() == ["2021年", "地区生产总值"]  # another year stays
