"""The chat page: Gradio Blocks with streaming answers, a sources panel and highlighted evidence."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import gradio as gr

from rag.answer.service import AnswerOptions, QAService, open_service
from rag.answer.schema import Answer, Citation
from rag.store.entries import load_entry
from rag.errors import YearbookError
from rag.answer.followup import message_text
from rag.settings import Settings
from rag.store.chroma import store_location
from ingest.formats import SUPPORTED_SUFFIXES
from ui.feedback import record_feedback
from ui.library import LISTING_HEADERS, Library
from ui.render import PAGE_CSS, answer_markdown, citation_label, entry_html, sources_html

ALL = "全部"
EXAMPLES = [
    "2020年园区发展党员多少人？",
    "5月15日到访的美国客人是谁？",
    "园区融媒体中心是哪天揭牌启用的？",
    "2020年园区有哪几个民主党派？",
    "新到园区的海归有多少？",
]


class ChatApp:
    """Holds the answer service (opened lazily, reopened after a failure) and the page handlers."""

    def __init__(self, settings: Settings, service: QAService | None = None) -> None:
        self.settings = settings
        self._service = service
        self._lock = threading.Lock()

    def service(self) -> QAService:
        """The service, opening the store now if it was missing or unreachable before."""
        with self._lock:
            if self._service is None:
                self._service = open_service(self.settings)
            return self._service

    def summary(self) -> str:
        """The header: what is loaded, and which answerer answers."""
        try:
            service = self.service()
            service.retriever.store.refresh()  # the library tab may have changed it
            manifest = service.retriever.store.manifest()
            chunks = service.retriever.store.count()
        except YearbookError as exc:
            return f"### 年鉴问答\n⚠️ {exc}"
        books = sorted({f"{r['yearbook']}（{r['year']}）" for r in manifest.values()})
        entries = sum(int(r.get("entries", 0)) for r in manifest.values())
        years = sorted({int(r["year"]) for r in manifest.values()})
        places = sorted({str(r.get("place") or "") for r in manifest.values()} - {""})
        return (
            f"### 年鉴问答\n已载入：{'、'.join(books) or '（空）'} · 地区 {'、'.join(places) or '未知'} · "
            f"年份 {', '.join(map(str, years))} · {entries} 个条目 · {chunks} 个片段 · 回答方式：{service.mode_label}"
        )

    def filters(self) -> tuple[list[str], list[str], list[str]]:
        """Year, section and place choices, from the store."""
        try:
            retriever = self.service().retriever
            years = [str(y) for y in sorted(retriever.years())]
            sections = retriever.sections()
            places = retriever.places()
        except YearbookError:
            return [ALL], [ALL], [ALL]
        return [ALL, *years], [ALL, *sections], [ALL, *places]

    def refreshed_filters(self) -> tuple[Any, Any, Any]:
        """Dropdown updates after the library changed (choices reset to 全部)."""
        years, sections, places = self.filters()
        return (
            gr.update(choices=years, value=ALL), gr.update(choices=sections, value=ALL),
            gr.update(choices=places, value=ALL),
        )

    def options(self, year: str | None, section: str | None, k: float | None, place: str | None = None) -> AnswerOptions:
        """Page controls → answer options."""
        return AnswerOptions(
            k=int(k) if k else None,
            year=int(year) if year and year != ALL else None,
            section=section if section and section != ALL else None,
            place=place if place and place != ALL else None,
        )

    def respond(
        self,
        message: str,
        history: list[dict[str, Any]],
        year: str | None,
        section: str | None,
        k: float | None,
        answers: dict[int, dict[str, Any]],
        place: str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream one answer into the chat; errors become a readable message, never a traceback."""
        history = list(history or [])
        asked = [m for m in history if m.get("role") in ("user", "assistant")]
        history.append({"role": "user", "content": _escape_text(message)})
        history.append({"role": "assistant", "content": "…"})
        index = len(history) - 1
        yield history, "", sources_html(None), gr.update(choices=[], value=None), "", answers
        try:
            final: Answer | None = None
            for final in self.service().stream(message, _plain(asked), self.options(year, section, k, place)):
                history[index] = {"role": "assistant", "content": answer_markdown(final)}
                if not final.final:
                    yield history, "", sources_html(None), gr.update(), "", answers
            assert final is not None
        except YearbookError as exc:
            history[index] = {"role": "assistant", "content": f"⚠️ {_escape_text(str(exc))}"}
            self._forget_if_unreachable()
            yield history, message, sources_html(None), gr.update(choices=[], value=None), "", answers
            return
        answers = {**answers, index: final.model_dump()}
        labels = [citation_label(c) for c in final.citations]
        first = self.entry_panel(labels[0], final) if labels else ""
        yield history, "", sources_html(final), gr.update(choices=labels, value=labels[0] if labels else None), first, answers

    def entry_panel(self, label: str | None, answer: Answer | dict[str, Any] | None) -> str:
        """The entry a citation points to, with its sentence highlighted."""
        if not label or not answer:
            return ""
        answer = Answer.model_validate(answer) if isinstance(answer, dict) else answer
        citation: Citation | None = next((c for c in answer.citations if citation_label(c) == label), None)
        if citation is None:
            return ""
        try:
            view = load_entry(self.service().retriever.store, citation.chunk_id)
        except YearbookError as exc:
            return f"<p>⚠️ {_escape_text(str(exc))}</p>"
        return entry_html(view, citation)

    def show_source(self, label: str | None, answers: dict[int, dict[str, Any]]) -> str:
        """Selecting a citation shows its entry (from the latest answer)."""
        if not answers:
            return ""
        latest = answers[max(answers, key=int)]
        return self.entry_panel(label, latest)

    def feedback(self, data: gr.LikeData, answers: dict[int, dict[str, Any]]) -> str:
        """Append 👍/👎 for an answer to the feedback file."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        answer = answers.get(index) or answers.get(str(index))  # type: ignore[call-overload]
        if answer is None:
            return ""
        record_feedback(
            self.settings.feedback_path,
            liked=bool(data.liked),
            answer=answer,
            settings={"answerer": self.settings.answerer, "retrieval_mode": self.settings.retrieval_mode, "top_k": self.settings.top_k},
        )
        return "感谢反馈。"

    def api_ask(self, question: str, year: int | None = None, section: str | None = None, k: int | None = None) -> dict[str, Any]:
        """The /ask endpoint: the answer object as JSON."""
        try:
            answer = self.service().answer(question, options=AnswerOptions(k=k, year=year, section=section))
        except YearbookError as exc:
            self._forget_if_unreachable()
            raise gr.Error(str(exc)) from None
        return answer.model_dump()

    def _forget_if_unreachable(self) -> None:
        """Drop a service whose store failed, so the next question reopens it."""
        with self._lock:
            service = self._service
            if service is None:
                return
            try:
                service.retriever.store.refresh()
            except YearbookError:
                self._service = None


def _escape_text(text: str) -> str:
    from html import escape

    return escape(text)


def _plain(history: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Chat history with HTML stripped back to text, for follow-up questions."""
    from html import unescape

    return [{"role": m["role"], "content": unescape(message_text(m.get("content", "")))} for m in history]


def build_page(app: ChatApp, library: Library | None = None) -> gr.Blocks:
    """The Blocks layout and its events: the chat tab and the yearbook library tab."""
    library = library or Library(app.settings)
    years, sections, places = app.filters()
    with gr.Blocks(title="Yearbook QA · 年鉴问答") as page:
        header = gr.Markdown(app.summary(), elem_id="yq-header")
        answers = gr.State({})
        with gr.Tab("问答", elem_id="yq-tab-chat"), gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(
                    label="问答", elem_id="yq-chat", height=460, buttons=["copy"],
                    feedback_options=("Like", "Dislike"), sanitize_html=True,
                )
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="用中文提问", show_label=False,
                        elem_id="yq-question", scale=5, max_lines=4,
                    )
                    send = gr.Button("提问", variant="primary", elem_id="yq-send", scale=1, min_width=80)
                with gr.Row():
                    clear = gr.Button("清空对话", elem_id="yq-clear", size="sm")
                    thanks = gr.Markdown("", elem_id="yq-thanks")
                gr.Examples(EXAMPLES, inputs=question, label="示例问题")
            with gr.Column(scale=2, min_width=300):
                with gr.Accordion("筛选与设置", open=False):
                    place = gr.Dropdown(places, value=ALL, label="地区", elem_id="yq-place")
                    year = gr.Dropdown(years, value=ALL, label="年份", elem_id="yq-year")
                    section = gr.Dropdown(sections, value=ALL, label="栏目", elem_id="yq-section")
                    k = gr.Slider(1, 10, value=app.settings.top_k, step=1, label="参考片段数")
                sources = gr.HTML(sources_html(None), elem_id="yq-sources", label="来源")
                citation = gr.Radio([], label="查看来源条目", elem_id="yq-citations")
                entry = gr.HTML("", elem_id="yq-entry")
        with gr.Tab("年鉴管理", elem_id="yq-tab-library"):
            gr.Markdown("上传年鉴文件（.txt、.pdf、.docx 或扫描图片），填写年鉴名称、地区和年份后载入；载入后即可提问，无需重启。")
            with gr.Row():
                files = gr.File(
                    label="年鉴文件", file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
                    elem_id="yq-upload", scale=2,
                )
                with gr.Column(scale=1):
                    book_title = gr.Textbox(label="年鉴名称", placeholder="如：黑河市年鉴", elem_id="yq-book")
                    book_place = gr.Textbox(label="地区", placeholder="如：黑河市", elem_id="yq-book-place")
                    book_year = gr.Number(label="年份", precision=0, elem_id="yq-book-year")
                    load = gr.Button("载入", variant="primary", elem_id="yq-load")
            status = gr.Markdown("", elem_id="yq-status")
            listing = gr.Dataframe(
                value=library.rows(), headers=LISTING_HEADERS, interactive=False, elem_id="yq-listing", label="已载入的年鉴",
            )
            with gr.Row():
                doomed = gr.Dropdown(library.sources(), label="删除文件", elem_id="yq-remove-source", scale=3)
                drop = gr.Button("删除", variant="stop", elem_id="yq-remove", scale=1)

        def after_change(message: str) -> tuple[Any, ...]:
            return (message, library.rows(), gr.update(choices=library.sources(), value=None), app.summary(), *app.refreshed_filters())

        def load_files(chosen: list[str] | None, title: str, where: str, when: float | None,
                       progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple[Any, ...]:
            return (*after_change(library.upload(chosen, title or "", where or "", when)), None)

        changed = [status, listing, doomed, header, year, section, place]
        load.click(load_files, [files, book_title, book_place, book_year], [*changed, files],
                   api_visibility="private", concurrency_limit=1)
        drop.click(lambda source: after_change(library.remove(source)), [doomed], changed, api_visibility="private")
        outputs = [chatbot, question, sources, citation, entry, answers]
        inputs = [question, chatbot, year, section, k, answers, place]
        for trigger in (question.submit, send.click):
            trigger(app.respond, inputs, outputs, api_visibility="private", concurrency_limit=4)
        citation.change(app.show_source, [citation, answers], entry, api_visibility="private")
        chatbot.like(app.feedback, [answers], thanks, api_visibility="private")
        clear.click(
            lambda: ([], "", sources_html(None), gr.update(choices=[], value=None), "", {}, ""),
            None, [chatbot, question, sources, citation, entry, answers, thanks], api_visibility="private",
        )
        page.load(app.summary, None, header, api_visibility="private")
        gr.api(app.api_ask, api_name="ask", concurrency_limit=4)
    return page


def launch(settings: Settings, host: str | None = None, port: int | None = None, **kwargs: Any) -> tuple[Any, str, str]:
    """Build and start the page; returns Gradio's (app, local url, share url)."""
    app = ChatApp(settings)
    page = build_page(app)
    auth = None
    if settings.ui_username and settings.ui_password:
        auth = (settings.ui_username, settings.ui_password.get_secret_value())
    print(f"Yearbook QA on http://{host or settings.ui_host}:{port or settings.ui_port} ({store_location(settings)})")
    return page.queue(default_concurrency_limit=4).launch(
        server_name=host or settings.ui_host,
        server_port=port or settings.ui_port,
        auth=auth,
        max_file_size=f"{settings.upload_max_mb}mb",
        css=PAGE_CSS,
        footer_links=["api"],
        **kwargs,
    )
