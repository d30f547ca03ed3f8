"""The width of text in a terminal or a monospaced editor, where a Chinese character takes two."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, size: int, right: bool = False) -> str:
    """`text` filled with spaces to `size` columns, on the right (or, with `right`, on the left)."""
    space = " " * max(0, size - width(text))
    return space + text if right else text + space
