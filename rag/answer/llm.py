"""The LLM answerer: a Chinese prompt over numbered sources, streamed from any OpenAI-protocol server."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from rag.answer.schema import Answer
from rag.errors import ConfigError
from rag.answer.followup import last_user_question, standalone_question
from rag.settings import Settings
from rag.tokens import count_tokens, token_ids
from rag.answer.verify import Verified, verify_answer

ANSWER_PROMPT = """你是地方年鉴问答助手，只能依据下面编号的资料回答问题。
规则：
1. 先直接给出答案，语言简洁。
2. 每个事实陈述之后紧跟其来源编号，例如【1】；只能使用资料中出现的编号。
3. 数字、日期、人名和机构名必须与资料原文一致，不得推算、换算或编造。
4. 如果资料不能回答问题，只回答：年鉴中未找到相关记载。"""

CONDENSE_PROMPT = """根据对话历史，把用户的后续问题改写成一个不依赖上下文、意思完整的问题。
只输出改写后的问题，不要回答它。"""

RETRY_BACKOFF_SECONDS = 0.5


def retryable(exc: BaseException) -> bool:
    """Timeouts, refused connections, 429 and 5xx are worth another try; other errors are not."""
    import openai

    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError)):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def describe_failure(exc: BaseException) -> str:
    """A short, person-readable reason for an LLM failure."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "请求超时"
    if isinstance(exc, openai.APIConnectionError):
        return "无法连接到 LLM 服务"
    if isinstance(exc, openai.RateLimitError):
        return "LLM 服务限流（429）"
    if isinstance(exc, openai.APIStatusError):
        return f"LLM 服务返回错误 {exc.status_code}"
    return f"LLM 调用失败（{type(exc).__name__}）"


def source_block(n: int, document: Document) -> str:
    """One numbered source as the prompt shows it: heading path, then text."""
    meta = document.metadata
    where = meta.get("table") or meta.get("entry", "")
    return f"【{n}】{meta.get('year', '')}年 · {meta.get('section', '')} › {where}\n{document.page_content}"


def pack_sources(documents: list[Document], budget: int) -> list[Document]:
    """The best-ranked documents whose numbered blocks fit in ``budget`` tokens (at least one)."""
    packed: list[Document] = []
    used = 0
    for document in documents:
        cost = count_tokens(source_block(len(packed) + 1, document)) + 2
        if packed and used + cost > budget:
            break
        packed.append(document)
        used += cost
    return packed


class LLMAnswerer:
    """Answers with a chat model, then checks citations and figures in code.

    Failures (timeout, refused connection, 429, 5xx) are retried a bounded number of
    times; after that, the offline answer is returned with a notice.
    """

    def __init__(self, chat: BaseChatModel, model_name: str, context_tokens: int = 3000, retries: int = 2) -> None:
        self.chat = chat
        self.model_name = model_name
        self.context_tokens = context_tokens
        self.retries = retries

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMAnswerer:
        """A ChatOpenAI client for the configured server (no request is made here)."""
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise ConfigError("the LLM answerer needs langchain-openai installed") from exc
        chat = ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
            max_retries=0,  # retries are ours, so that a fallback follows them
            temperature=settings.llm_temperature,
            custom_get_token_ids=token_ids,
        )
        return cls(chat, settings.llm_model, settings.llm_context_tokens, settings.llm_retries)

    def messages(self, question: str, sources: list[Document]) -> list[BaseMessage]:
        """The prompt: rules, numbered sources, question."""
        blocks = "\n\n".join(source_block(n, d) for n, d in enumerate(sources, start=1))
        return [SystemMessage(ANSWER_PROMPT), HumanMessage(f"资料：\n{blocks}\n\n问题：{question}")]

    def condense(self, question: str, history: Sequence[Any]) -> str:
        """A standalone version of a follow-up question; the offline rewrite if the LLM fails."""
        previous = last_user_question(history)
        if not previous:
            return question
        prompt = [SystemMessage(CONDENSE_PROMPT), HumanMessage(f"上一个问题：{previous}\n后续问题：{question}")]
        try:
            reply = self._with_retries(lambda: self.chat.invoke(prompt))
        except Exception:  # noqa: BLE001 - any failure falls back to the offline rewrite
            return standalone_question(question, history)
        text = str(reply.content).strip().splitlines()[0] if str(reply.content).strip() else ""
        return text or standalone_question(question, history)

    def stream(self, question: str, documents: list[Document], offline: Answer) -> Iterator[Answer]:
        """Partial answers as tokens arrive, then the verified answer (or the offline one)."""
        sources = pack_sources(documents, self.context_tokens)
        if not sources:
            yield offline
            return
        messages = self.messages(question, sources)
        started = time.perf_counter()
        failure: BaseException | None = None
        text = ""
        for attempt in range(self.retries + 1):
            text = ""
            try:
                for chunk in self.chat.stream(messages):
                    text += str(chunk.content)
                    yield Answer(question=question, text=text, mode="llm", final=False)
                failure = None
                break
            except Exception as exc:  # noqa: BLE001 - classified below
                failure = exc
                if not retryable(exc) or attempt == self.retries:
                    break
                time.sleep(RETRY_BACKOFF_SECONDS * 2**attempt)
        if failure is not None:
            notice = f"{describe_failure(failure)}，以下为离线抽取的答案。"
            yield offline.model_copy(update={"notices": [*offline.notices, notice]})
            return
        yield self._final(question, text, sources, offline, (time.perf_counter() - started) * 1000)

    def _final(self, question: str, text: str, sources: list[Document], offline: Answer, llm_ms: float) -> Answer:
        checked = verify_answer(text, sources)
        if checked.unsupported:
            return _without_unsupported(checked, offline, llm_ms)
        short = None
        if not checked.refused and offline.short_answer and offline.short_answer in checked.text:
            short = offline.short_answer
        return Answer(
            question=question,
            text=checked.text,
            short_answer=short,
            refused=checked.refused,
            citations=checked.citations,
            mode="llm",
            notices=checked.notices,
            timings={"llm_ms": round(llm_ms, 2)},
        )

    def _with_retries(self, call: Any) -> Any:
        for attempt in range(self.retries + 1):
            try:
                return call()
            except Exception as exc:  # noqa: BLE001
                if not retryable(exc) or attempt == self.retries:
                    raise
                time.sleep(RETRY_BACKOFF_SECONDS * 2**attempt)
        raise AssertionError("unreachable")


STRUCK = "（此数字未能在来源中核实，已略去）"


def _without_unsupported(checked: Verified, offline: Answer, llm_ms: float) -> Answer:
    """An LLM answer whose figure no source holds is never shown as the answer.

    The verified offline answer is shown instead, with a notice; when the offline reader
    refused too, the LLM's text is kept with each unsupported figure struck out.
    """
    figures = "、".join(f"「{f}」" for f in checked.unsupported)
    if not offline.refused:
        notice = f"模型回答中的数字{figures}在所引用的来源中找不到，以下为离线核实的答案。"
        return offline.model_copy(update={"notices": [*offline.notices, notice], "timings": {**offline.timings, "llm_ms": round(llm_ms, 2)}})
    text = checked.text
    for figure in checked.unsupported:
        text = text.replace(figure, STRUCK)
    return Answer(
        question=offline.question,
        text=text,
        short_answer=None,
        citations=checked.citations,
        mode="llm",
        notices=checked.notices,
        timings={"llm_ms": round(llm_ms, 2)},
    )
