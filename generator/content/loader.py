"""Load: read the files of `content/` into documents that remember where values came from.

Nothing here knows what a project or a park is; that is `check`'s job. A file that cannot be
read at all (not UTF-8, bad YAML, empty) becomes a problem, and loading goes on with the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problems
from .yamlpos import PosDict, YamlError, decode, parse

# A translation file is `<id>.<lang>.md`, e.g. xipeng.en.md or xipeng.zh-Hant.md.
TRANSLATION = re.compile(r"^(?P<id>[^.]+)\.(?P<lang>[A-Za-z]{2}(?:-[A-Za-z]{2,4})?)\.md$")


@dataclass
class Document:
    path: Path           # on disk
    shown: str           # how messages name it: relative to the site folder
    data: object         # PosDict for a YAML mapping / front matter, PosList, or None
    body: str = ""       # Markdown after the front matter
    body_line: int = 1   # the line the body starts on
    lang: str | None = None   # for translation files


class ContentLoader:
    def __init__(self, root: Path, problems: Problems):
        self.root = root
        self.content = root / "content"
        self.problems = problems

    def shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def read_text(self, path: Path) -> str | None:
        shown = self.shown(path)
        if not path.resolve().is_relative_to(self.content.resolve()):
            # A symlink to e.g. a private key would otherwise be read, quoted in messages, published.
            self.problems.error(shown, 0, "", "this file is a link to a file outside content/; "
                                "copy the file itself into content/")
            return None
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.problems.error(shown, 0, "", f"cannot read this file: {exc.strerror}")
            return None
        try:
            text = decode(data)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.problems.error(shown, line, "", "this file is not UTF-8 text; "
                                "save it as UTF-8 (in Notepad: Save As → Encoding → UTF-8)")
            return None
        if not text.strip():
            self.problems.error(shown, 0, "", "this file is empty; write its fields or delete it")
            return None
        return text

    def yaml(self, path: Path) -> Document | None:
        text = self.read_text(path)
        if text is None:
            return None
        shown = self.shown(path)
        try:
            data = parse(text)
        except YamlError as exc:
            self.problems.error(shown, exc.line, "", exc.message)
            return None
        return Document(path, shown, data)

    def markdown(self, path: Path, lang: str | None = None) -> Document | None:
        """A Markdown file with YAML front matter between `---` lines."""
        text = self.read_text(path)
        if text is None:
            return None
        shown = self.shown(path)
        lines = text.split("\n")
        if lines[0].strip() != "---":
            self.problems.error(shown, 1, "", 'a profile starts with a line "---", then its fields, '
                                "then another \"---\" line, then the text")
            return None
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
        except StopIteration:
            self.problems.error(shown, 1, "", 'the fields at the top are not closed: add a line "---" after them')
            return None
        front = "\n".join(lines[1:end])
        try:
            data = parse(front, first_line=2) if front.strip() else PosDict()
        except YamlError as exc:
            self.problems.error(shown, exc.line, "", exc.message)
            return None
        rest = "\n".join(lines[end + 1:])
        body = rest.lstrip("\n")
        body_line = end + 2 + (len(rest) - len(body))   # the line of the body's first text
        return Document(path, shown, data, body=body.rstrip("\n"), body_line=body_line, lang=lang)

    def files(self, folder: str, pattern: str) -> list[Path]:
        """Files in a content folder, sorted so every build reads them in the same order."""
        base = self.content / folder
        if not base.is_dir():
            return []
        return sorted(p for p in base.glob(pattern) if p.is_file() and not p.name.startswith("."))

    def documents(self, folder: str) -> dict[str, dict[str | None, Document]]:
        """Markdown documents of a folder grouped by id: {id: {None: source, "en": translation}}."""
        grouped: dict[str, dict[str | None, Document]] = {}
        for path in self.files(folder, "*.md"):
            match = TRANSLATION.match(path.name)
            if match:
                doc_id, lang = match["id"], match["lang"]
            else:
                doc_id, lang = path.name[:-3], None
            doc = self.markdown(path, lang)
            if doc is not None:
                grouped.setdefault(doc_id, {})[lang] = doc
        return grouped
