"""The record every loader returns: parser-ready text, page starts and warnings."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass
class Document:
    """A yearbook file turned into parser-ready text, with where each page starts."""

    text: str
    pages: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page number holding the character at ``offset``; None without pages."""
        if not self.pages:
            return None
        index = bisect_right([start for start, _ in self.pages], offset) - 1
        return self.pages[max(index, 0)][1]
