"""Place discipline for answers: never answer one place's question from another place's yearbook, and say whose figure it is."""

from __future__ import annotations

from langchain_core.documents import Document

from rag.answer.schema import REFUSAL_TEXT, Answer
from rag.retrieval.places import place_aliases, places_named, unknown_places


def settle_place(
    answer: Answer, question: str, documents: list[Document], places_held: list[str], selected: str | None = None
) -> Answer:
    """Check an answer against the places its question names, the place chosen and the places loaded.

    - A place was chosen (the page's 地区 filter) and the question names another loaded
      place: refused, saying so.
    - The question names a place that no loaded yearbook covers, and no cited sentence
      mentions it: the answer is refused, saying which places are loaded.
    - The question names a loaded place but a citation comes from another place's yearbook:
      that answer is refused too (the retriever filters by place, so this is a guard).
    - The question names no place and several places are loaded: the answer is prefixed
      with the place its first citation comes from (「黑河市：…」).
    """
    if answer.refused or not answer.citations:
        return answer
    named = places_named(question, places_held)
    if selected and named and selected not in named:
        return _refuse(answer, f"问题问的是{named[0]}，当前只查{selected}的年鉴。")
    by_chunk = {str(d.metadata.get("chunk_id") or d.id or ""): d for d in documents}
    cited = [by_chunk.get(c.chunk_id) for c in answer.citations]
    cited_places = [str(d.metadata.get("place", "")) for d in cited if d is not None]
    cited_text = "\n".join(f"{d.metadata.get('embed_text', '')}\n{d.page_content}" for d in cited if d is not None)
    if named and any(p and p not in named for p in cited_places):
        return _refuse(answer, f"所引条目不属于{named[0]}的年鉴。")
    missing = [name for name in unknown_places(question, places_held) if name not in cited_text]
    if missing and not named:
        held = selected or ("、".join(places_held) if places_held else "（未知）")
        return _refuse(answer, f"所查年鉴记述的是{held}，没有关于{missing[0]}的记载。")
    if not named and not selected and len(places_held) > 1 and cited_places and cited_places[0]:
        place = cited_places[0]
        if not any(alias in answer.text for alias in place_aliases(place)[:1]):
            return answer.model_copy(update={"text": f"{place}：{answer.text}"})
    return answer


def _refuse(answer: Answer, reason: str) -> Answer:
    return answer.model_copy(
        update={"text": REFUSAL_TEXT + reason, "refused": True, "short_answer": None, "citations": []}
    )
