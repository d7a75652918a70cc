"""HTML for the page: every string from the corpus or a model is escaped before it is shown."""

from __future__ import annotations

from html import escape

from rag.answer.schema import Answer, Citation
from rag.store.entries import EntryView


def answer_markdown(answer: Answer) -> str:
    """The chat message for an answer: its text and notices, escaped."""
    parts = [escape(answer.text)]
    if answer.standalone_question:
        parts.insert(0, f"<small>理解为：{escape(answer.standalone_question)}</small><br>")
    for notice in answer.notices:
        parts.append(f"<br><small>⚠️ {escape(notice)}</small>")
    return "".join(parts)


def citation_label(citation: Citation) -> str:
    """「【1】苏州工业园区 · 2020 · 组织工作 › 概况」 (the table caption for a table row, the page for a PDF)."""
    return f"【{citation.n}】{citation.where()}"


def sources_html(answer: Answer | None) -> str:
    """The list of cited sources with their supporting sentence or row."""
    if answer is None:
        return "<div class='yq-sources yq-empty'>提问后，这里列出答案引用的条目。</div>"
    if answer.refused or not answer.citations:
        return "<div class='yq-sources yq-empty'>没有可引用的条目。</div>"
    items = "".join(
        f"<li><b>{escape(citation_label(c))}</b><br><q>{escape(c.quote)}</q></li>" for c in answer.citations
    )
    return f"<div class='yq-sources'><ol>{items}</ol></div>"


def entry_html(view: EntryView, citation: Citation) -> str:
    """The cited entry, with the supporting sentence highlighted (or the cited table row)."""
    head = f"<div class='yq-entry'><h4>{escape(view.yearbook)} · {escape(view.path)}</h4>"
    credits = f"<p class='yq-credit'>撰稿：{escape(view.credits)}</p>" if view.credits else ""
    if citation.table:
        table = next((t for t in view.tables if t.caption == citation.table), None)
        body = _table_html(table.caption, table.header, table.rows, citation.row_index) if table else ""
        return head + body + credits + "</div>"
    text = view.text
    start, end = citation.span if citation.span else (-1, -1)
    if 0 <= start < end <= len(text) and text[start:end] == citation.quote:
        marked = escape(text[:start]) + f"<mark>{escape(text[start:end])}</mark>" + escape(text[end:])
    else:
        marked = escape(text).replace(escape(citation.quote), f"<mark>{escape(citation.quote)}</mark>", 1)
    paragraphs = "".join(f"<p>{line}</p>" for line in marked.split("\n") if line)
    return head + paragraphs + credits + "</div>"


def _table_html(caption: str, header: list[str], rows: list[list[str]], row_index: int | None) -> str:
    """A small table: the caption, the header and the cited row (highlighted)."""
    chosen = [rows[row_index]] if row_index is not None and 0 <= row_index < len(rows) else rows
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr class='yq-cited'>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in chosen
    )
    return f"<table class='yq-table'><caption>{escape(caption)}</caption><tr>{head}</tr>{body}</table>"


PAGE_CSS = """
.yq-sources ol { padding-left: 1.2em; }
.yq-sources li { margin-bottom: .6em; }
.yq-entry mark, .yq-table tr.yq-cited td { background: #ffe58a; }
.yq-entry { max-height: 32em; overflow-y: auto; overflow-wrap: anywhere; }
.yq-table { border-collapse: collapse; width: 100%; font-size: .9em; }
.yq-table th, .yq-table td { border: 1px solid #ccc; padding: 4px; text-align: left; overflow-wrap: anywhere; }
.yq-credit { color: #666; font-size: .85em; }
.yq-empty { color: #888; }
"""
