"""Chunker tests: entry-bounded, body-covering, budgeted chunks with stable ids and exact spans."""

from __future__ import annotations

from collections import defaultdict

import pytest

from ingest.chunk import chunk_entries, chunk_entry, heading_path, split_sentences
from ingest.parse import parse_yearbook
from rag.tokens import count_tokens

BUDGETS = [128, 200, 320]


@pytest.fixture(scope="module", params=BUDGETS, ids=[f"budget{b}" for b in BUDGETS])
def budget_chunks(request, parsed):
    return request.param, chunk_entries(parsed.entries, request.param)


def by_entry(chunks):
    grouped = defaultdict(list)
    for chunk in chunks:
        grouped[chunk.metadata["entry_id"]].append(chunk)
    return grouped


def test_text_chunks_concatenate_to_the_body(parsed, budget_chunks):
    _, chunks = budget_chunks
    grouped = by_entry(chunks)
    for entry in parsed.entries:
        texts = [c.text for c in grouped[entry.id] if c.metadata["kind"] != "table"]
        assert "".join(texts) == entry.body, f"{entry.section} › {entry.title}"


def test_chunks_never_cross_entries(parsed, budget_chunks):
    _, chunks = budget_chunks
    entries = {e.id: e for e in parsed.entries}
    seen_order = list(dict.fromkeys(c.metadata["entry_id"] for c in chunks))
    assert seen_order == [e.id for e in parsed.entries], "chunks out of document order or interleaved"
    for entry_id, group in by_entry(chunks).items():
        entry = entries[entry_id]
        assert [c.metadata["chunk_index"] for c in group] == list(range(len(group)))
        for chunk in group:
            assert chunk.metadata["entry"] == entry.title
            assert chunk.metadata["section"] == entry.section
            if chunk.metadata["kind"] != "table":
                assert chunk.text in entry.body


def test_text_chunks_within_budget(budget_chunks):
    budget, chunks = budget_chunks
    for chunk in chunks:
        assert chunk.metadata["tokens"] == count_tokens(chunk.embed_text)
        if chunk.metadata["kind"] != "table":
            assert chunk.metadata["tokens"] <= budget, chunk.embed_text


def test_every_chunk_within_budget(budget_chunks):
    budget, chunks = budget_chunks
    over = [(c.metadata["table"] or c.metadata["entry"], c.metadata["tokens"]) for c in chunks if c.metadata["tokens"] > budget]
    assert not over, (
        f"chunks over the token budget {budget}: {len(over)}, e.g. {over[:3]}"
    )


@pytest.mark.parametrize("budget", [128, 150])
def test_text_chunks_within_small_budgets_settings_allow(parsed, budget):
    chunks = chunk_entries(parsed.entries, budget)
    over = [(c.metadata["entry"], c.metadata["tokens"]) for c in chunks if c.metadata["kind"] != "table" and c.metadata["tokens"] > budget]
    assert not over, (
        f"text chunks over chunk_tokens={budget}: {len(over)}, e.g. {over[:3]}"
    )


def test_small_budgets_split_more(parsed):
    counts = [len(chunk_entries(parsed.entries, budget)) for budget in BUDGETS]
    assert counts[0] > counts[1] > counts[2]


def test_embed_text_starts_with_heading_path(parsed, budget_chunks):
    _, chunks = budget_chunks
    entries = {e.id: e for e in parsed.entries}
    first = next(c for c in chunks if c.metadata["section"] == "组织工作")
    assert first.embed_text.startswith("2020年 · 组织工作 › 概况\n")
    for chunk in chunks:
        entry = entries[chunk.metadata["entry_id"]]
        if chunk.metadata["kind"] == "table":
            assert chunk.embed_text.startswith(f"2020年 · {entry.section} › {chunk.metadata['table']}\n")
        else:
            assert chunk.embed_text.startswith(heading_path(entry) + "\n")
            assert chunk.embed_text.endswith(chunk.text.strip())


def test_table_row_chunks_carry_caption_header_and_row(parsed):
    entry = next(e for e in parsed.entries if e.title == "外事管理与服务")
    tables = [c for c in chunk_entry(entry, 320) if c.metadata["kind"] == "table"]
    assert len(tables) == 4 + 47
    row = next(c for c in tables if "微软全球资深副总裁王永东" in c.text)
    assert row.text == "表5 2020年园区重要外宾到访情况\n日期 | 国家 | 外宾姓名和职务 | 活动内容\n5月15日 | 美国 | 微软全球资深副总裁王永东 | 会谈"
    assert row.metadata["table"] == "表5 2020年园区重要外宾到访情况"
    assert row.metadata["table_header"] == "日期 | 国家 | 外宾姓名和职务 | 活动内容"
    assert row.metadata["span_start"] == row.metadata["span_end"] == -1
    for chunk in tables:
        lines = chunk.text.split("\n")
        assert len(lines) == 3 and lines[0] == chunk.metadata["table"]
        assert lines[1] == chunk.metadata["table_header"]
        assert lines[2] != lines[1], "a repeated 续表 header became a row chunk"
    assert sum(c.metadata["table"].startswith("表4") for c in tables) == 4


def test_spans_slice_the_body_to_the_chunk_text(parsed, budget_chunks):
    _, chunks = budget_chunks
    entries = {e.id: e for e in parsed.entries}
    for chunk in chunks:
        if chunk.metadata["kind"] == "table":
            continue
        body = entries[chunk.metadata["entry_id"]].body
        start, end = chunk.metadata["span_start"], chunk.metadata["span_end"]
        assert 0 <= start < end <= len(body)
        assert body[start:end] == chunk.text


def test_chunk_metadata_fields(parsed):
    chunks = chunk_entries(parsed.entries, 320)
    caption = [c for c in chunks if c.metadata["kind"] == "caption"]
    assert len(caption) == 1 and caption[0].text.startswith("2020年4月3日")
    for chunk in chunks:
        meta = chunk.metadata
        assert meta["source"] == "sip-2020-party-government.txt"
        assert meta["yearbook"] == "苏州工业园区年鉴" and meta["year"] == 2020
        assert meta["chapter"] == "党政机构"
        assert all(isinstance(v, (str, int)) for v in meta.values())
    overview = next(c for c in chunks if c.metadata["section"] == "统战工作" and c.metadata["entry"] == "概况")
    assert overview.metadata["credits"] == "张景林"


def test_chunk_ids_unique_and_stable(parsed, corpus_text, budget_chunks):
    budget, chunks = budget_chunks
    ids = [c.id for c in chunks]
    assert len(set(ids)) == len(ids)
    reparsed = parse_yearbook(corpus_text, parsed.entries[0].info)
    assert [c.id for c in chunk_entries(reparsed.entries, budget)] == ids


def test_chunk_ids_change_only_where_the_text_changes(parsed, corpus_text):
    old = chunk_entries(parsed.entries, 320)
    changed_text = corpus_text.replace("全年发展党员526人", "全年发展党员527人")
    assert changed_text != corpus_text
    new = chunk_entries(parse_yearbook(changed_text, parsed.entries[0].info).entries, 320)
    assert len(new) == len(old)
    differing = [(a, b) for a, b in zip(old, new) if a.id != b.id]
    assert len(differing) == 1
    before, after = differing[0]
    assert "526人" in before.text and "527人" in after.text
    assert after.metadata["entry"] == "概况" and after.metadata["section"] == "组织工作"


def test_chunk_ids_differ_between_budgets(parsed):
    small = {c.id for c in chunk_entries(parsed.entries, 128)}
    large = {c.id for c in chunk_entries(parsed.entries, 320)}
    assert small != large


def test_long_sentence_is_cut_by_characters(parsed):
    entry = next(e for e in parsed.entries if e.title == "苏州工业园区管理委员会")
    chunks = chunk_entry(entry, 40)
    texts = [c for c in chunks if c.metadata["kind"] == "text"]
    assert "".join(c.text for c in texts) == entry.body
    assert all(c.metadata["tokens"] <= 40 for c in texts)
    assert len(texts) > len(split_sentences(entry.body))


def test_budget_too_small_for_the_headings_is_refused(parsed):
    entry = next(e for e in parsed.entries if e.tables)
    with pytest.raises(ValueError, match="YEARBOOK_CHUNK_TOKENS"):
        chunk_entry(entry, 40)


def test_split_sentences_cover_the_text():
    text = "第一句。第二句！“引语。”第三句;\n没有句号的尾巴"
    spans = split_sentences(text)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(e1 == s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))
    assert text[spans[0][0] : spans[0][1]] == "第一句。"
    assert "“引语。”" in [text[s:e] for s, e in spans]
