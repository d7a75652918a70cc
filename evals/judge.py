"""LLM judge: faithfulness to the cited sources and correctness against the gold answer, cached on disk."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from tqdm import tqdm

from evals.dataset import Question
from rag.answer.schema import REFUSAL_TEXT, Answer
from rag.errors import ConfigError
from rag.settings import Settings

RUBRIC = """你是严格、公正的评测员，负责评估一个基于地方年鉴的问答系统的回答。
你会看到：问题、标准答案、系统回答，以及系统回答所引用的资料。请分别判断两项：

1. 忠实度 faithfulness：回答中的每个事实陈述（数字、日期、人名、机构名、事件）能否在所引用的资料中找到依据。
   - "supported"：全部陈述都有资料依据；
   - "partial"：部分陈述有依据，另有陈述缺乏依据或与资料不符；
   - "unsupported"：主要陈述没有依据、与资料矛盾，或回答没有引用任何资料。
   只判断回答与所引资料是否一致，不要使用你自己的知识。

2. 正确性 correctness：回答与标准答案是否一致。数字按数值比较（如“4.32万”与“43200”相同，“1,267”与“1267”相同），
   不要求措辞相同；列举题需列全。
   - "correct"：给出了标准答案，且没有与之矛盾的内容；
   - "partial"：只答对一部分（如列举题漏项、多部分问题只答对其一）；
   - "incorrect"：答错、答非所问，或在有标准答案时拒答。
   标准答案为“（无，应拒答）”时：回答拒答记为 "correct"，否则记为 "incorrect"。

只输出一个 JSON 对象，不要输出任何其他文字，格式如下：
{"faithfulness": "supported|partial|unsupported", "correctness": "correct|partial|incorrect", "reason": "不超过50字的中文理由"}"""

FAITHFULNESS = {"supported": 1.0, "partial": 0.5, "unsupported": 0.0}
CORRECTNESS = {"correct": 1.0, "partial": 0.5, "incorrect": 0.0}
NO_GOLD = "（无，应拒答）"
NO_SOURCES = "（回答没有引用任何资料）"
SOURCE_CHARS = 1500
GIVE_UP_AFTER = 3  # consecutive request failures before the judge stops asking


def parse_verdict(text: str) -> dict[str, Any] | None:
    """The verdict in a model reply (bare JSON, fenced, or inside prose); None when malformed."""
    match = re.search(r"\{.*\}", text or "", re.DOTALL)
    if not match:
        return None
    try:
        raw = json.loads(match.group(0))
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    faithful = str(raw.get("faithfulness", "")).strip().lower()
    correct = str(raw.get("correctness", "")).strip().lower()
    if faithful not in FAITHFULNESS or correct not in CORRECTNESS:
        return None
    return {
        "faithfulness": FAITHFULNESS[faithful],
        "correctness": CORRECTNESS[correct],
        "labels": [faithful, correct],
        "reason": str(raw.get("reason", ""))[:200],
    }


def cited_sources(answer: Answer) -> list[str]:
    """The text of every source the answer cites, numbered as in the answer."""
    by_chunk = {str(c.get("chunk_id")): c for c in answer.contexts}
    sources: list[str] = []
    for citation in answer.citations:
        context = by_chunk.get(citation.chunk_id)
        text = str(context.get("text", "")) if context else citation.quote
        where = citation.table or citation.entry
        sources.append(f"【{citation.n}】{citation.section} › {where}\n{text[:SOURCE_CHARS]}")
    return sources


class Judge:
    """Asks the configured chat model for verdicts; identical requests are answered from the disk cache."""

    def __init__(self, chat: BaseChatModel, model_name: str, cache_dir: Path, progress: bool = False) -> None:
        self.chat = chat
        self.progress = progress
        self.model_name = model_name
        self.cache_dir = cache_dir
        self.requests = 0
        self.cache_hits = 0
        self.errors = 0
        self._failures_in_a_row = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Judge:
        """A judge on the configured LLM server.

        Raises:
            ConfigError: no LLM server is configured.
        """
        if not settings.llm_base_url:
            raise ConfigError("the LLM judge needs an LLM server: set YEARBOOK_LLM_BASE_URL (and YEARBOOK_LLM_MODEL)")
        from langchain_openai import ChatOpenAI

        from rag.tokens import token_ids

        chat = ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_retries,
            temperature=0.0,
            custom_get_token_ids=token_ids,
        )
        return cls(chat, settings.llm_model, settings.cache_dir / "judge")

    def cache_key(self, question: str, gold: list[str], answer: str, sources: list[str]) -> str:
        """Hash of model, rubric, question, gold answer, answer and sources."""
        payload = json.dumps([self.model_name, RUBRIC, question, gold, answer, sources], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def messages(self, question: str, gold: list[str], answer: str, sources: list[str]) -> list[Any]:
        """The rubric, then the item to judge."""
        body = (
            f"问题：{question}\n\n标准答案：{' / '.join(gold) or NO_GOLD}\n\n系统回答：{answer}\n\n"
            f"所引用的资料：\n{chr(10).join(sources) or NO_SOURCES}"
        )
        return [SystemMessage(RUBRIC), HumanMessage(body)]

    def verdict(self, question: str, gold: list[str], answer: str, sources: list[str]) -> dict[str, Any]:
        """A cached or fresh verdict; on a failed request or malformed reply, ``error`` says why (not cached)."""
        key = self.cache_key(question, gold, answer, sources)
        path = self.cache_dir / key[:2] / f"{key}.json"
        if path.exists():
            try:
                cached = json.loads(path.read_text(encoding="utf-8"))
                self.cache_hits += 1
                return {**cached, "cached": True}
            except ValueError:
                path.unlink(missing_ok=True)
        if self._failures_in_a_row >= GIVE_UP_AFTER:
            self.errors += 1
            return {"error": "skipped: the judge failed repeatedly"}
        self.requests += 1
        try:
            reply = self.chat.invoke(self.messages(question, gold, answer, sources))
        except Exception as exc:  # noqa: BLE001 - any failure becomes a verdict error
            self.errors += 1
            self._failures_in_a_row += 1
            return {"error": f"request failed: {type(exc).__name__}: {str(exc)[:160]}"}
        self._failures_in_a_row = 0
        text = str(reply.content)
        parsed = parse_verdict(text)
        if parsed is None:
            self.errors += 1
            return {"error": "malformed judge output", "raw": text[:200]}
        parsed["model"] = self.model_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(parsed, ensure_ascii=False), encoding="utf-8")
        return {**parsed, "cached": False}

    def judge_answer(self, question: Question, answer: Answer) -> dict[str, Any]:
        """A verdict for one answer; refusals are scored by rule, with no request."""
        if answer.refused:
            return {
                "faithfulness": None,
                "correctness": 0.0 if question.answerable else 1.0,
                "reason": "拒答（按规则评分，未请求模型）",
                "by_rule": True,
            }
        gold = list(question.answers) if question.answerable else []
        return self.verdict(question.question, gold, answer.text or REFUSAL_TEXT, cited_sources(answer))

    def __call__(self, questions: list[Question], answers: list[Answer]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Verdicts for a configuration's answers, and their summary (a ``JudgeFn`` for the runner)."""
        requests, hits, errors = self.requests, self.cache_hits, self.errors
        pairs = tqdm(list(zip(questions, answers)), desc="judge", unit="q", disable=not self.progress or None)
        verdicts = [self.judge_answer(q, a) for q, a in pairs]
        return verdicts, summarize_verdicts(verdicts) | {
            "model": self.model_name,
            "requests": self.requests - requests,
            "cache_hits": self.cache_hits - hits,
            "errors": self.errors - errors,
        }


def summarize_verdicts(verdicts: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean faithfulness (answers that make claims) and correctness (every judged answer)."""
    faithful = [v["faithfulness"] for v in verdicts if v.get("faithfulness") is not None]
    correct = [v["correctness"] for v in verdicts if v.get("correctness") is not None]
    return {
        "judged": len(correct),
        "faithfulness": sum(faithful) / len(faithful) if faithful else None,
        "correctness": sum(correct) / len(correct) if correct else None,
    }
