"""Content errors, reported the way a compiler reports them.

Staff are not programmers, so a build never stops at the first mistake and never shows a
traceback: every stage adds `Problem`s to one `Problems` list, and the build reports them all
together (`file:line: field: what is wrong; what is accepted`) before touching `output/`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    file: str            # shown as written, relative to the site folder
    line: int            # 1-based; 0 when the problem concerns the whole file
    field: str           # the field name or dotted path; "" when none applies
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        return printable(text)


def printable(text: str) -> str:
    """One line, whatever content quoted in it: a newline or terminal escape in a value is shown
    as \\n or \\x1b, so a message can neither break the `file:line:` format nor drive the terminal."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


@dataclass
class Problems:
    """Collects every problem of a run; warnings never fail the build unless --strict."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, file: str | Path, line: int, field: str, message: str) -> None:
        self.errors.append(Problem(str(file), line or 0, field, message))

    def warn(self, file: str | Path, line: int, field: str, message: str) -> None:
        self.warnings.append(Problem(str(file), line or 0, field, message))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def sorted_errors(self) -> list[Problem]:
        return sorted(set(self.errors), key=lambda p: (p.file, p.line, p.field, p.message))


class BuildFailed(Exception):
    """Raised to stop a build after problems were collected; the CLI prints them."""

    def __init__(self, problems: Problems):
        super().__init__(f"{len(problems.errors)} content error(s)")
        self.problems = problems


def did_you_mean(word: str, choices) -> str:
    """'; did you mean "x"?' for a near miss, or '' — appended to messages about unknown names."""
    close = difflib.get_close_matches(str(word), sorted(map(str, choices)), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""
