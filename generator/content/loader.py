"""Load: read the files of `content/` into documents that remember where values came from.

Nothing here knows what a project or a park is; that is `check`'s job. A file that cannot be
read at all (not UTF-8, bad YAML, empty) becomes a problem, and loading goes on with the rest.
What a file parses into is kept in the file cache (`file_cache.py`) by the hash of its bytes,
so an unchanged file is not parsed again.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problems
from .file_cache import FileCache
from .yamlpos import PosDict, YamlError, decode, parse

# Below this many bytes of files the cache does not hold, starting processes to parse them costs
# more than it saves (libyaml composes a few MB a second; a demo site has a few hundred KB).
PARSE_AHEAD_FROM = 2_000_000

_ahead_job = None     # (loader, [(path, kind), ...]) — set before forking, read by the workers

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
    def __init__(self, root: Path, problems: Problems, cache: FileCache | None = None):
        self.root = root
        self.content = root / "content"
        self.problems = problems
        self.cache = cache if cache is not None else FileCache.for_site(root)
        self.parsed: list[str] = []     # files parsed in this run (the others came from the cache)
        self._content_real: str | None = None
        self._read_ahead: dict[Path, bytes] = {}   # files parse_ahead read: not read twice

    def shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def read_bytes(self, path: Path) -> bytes | None:
        if not self.inside_content(path):
            # A symlink to e.g. a private key would otherwise be read, quoted in messages, published.
            self.problems.error(self.shown(path), 0, "", "this file is a link to a file outside content/; "
                                "copy the file itself into content/")
            return None
        data = self._read_ahead.pop(path, None)
        if data is not None:
            return data
        try:
            return path.read_bytes()
        except OSError as exc:
            self.problems.error(self.shown(path), 0, "", f"cannot read this file: {exc.strerror}")
            return None

    def inside_content(self, path: Path) -> bool:
        """Whether the file, links followed, is in content/ (as `Path.is_relative_to` says of the
        resolved paths; with strings, since a site may have thousands of files)."""
        if self._content_real is None:
            self._content_real = os.path.realpath(self.content)
        real = os.path.realpath(path)
        base = self._content_real
        return real == base or real.startswith(base if base.endswith(os.sep) else base + os.sep)

    def text(self, shown: str, data: bytes) -> str | None:
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

    def _parsed(self, path: Path, kind: str, parse_text, data: bytes | None = None, keep: bool = True):
        """`parse_text(text)` of the file (of `data`, when its bytes were read already), from
        the cache when the same bytes were parsed before; kept there for the next run unless
        `keep` is false.

        Returns the result tuple, or None when the file cannot be read (reported). Only bytes
        that decoded to text were ever stored, so a cached file needs no decoding.
        """
        data = self.read_bytes(path) if data is None else data
        if data is None:
            return None
        digest = self.cache.digest(data)
        result = self.cache.load(digest, kind)
        if result is None or not _well_formed(kind, result):
            shown = self.shown(path)
            text = self.text(shown, data)
            if text is None:
                return None
            self.parsed.append(shown)
            result = parse_text(text)
            if keep:
                self.cache.store(digest, kind, result)
        return result

    def parse_ahead(self, files: list[tuple[Path, str]], workers: int | None = None) -> None:
        """Parse the (path, "yaml" | "markdown") files the cache lacks on every core, into the
        cache, so that reading them afterwards (in order, in this process) finds them there.

        Only worth it for a large site built without its cache (10,000 projects: 1.5 s of
        parsing); anything unusual (no cache, one core, a file that cannot be read) is left to
        the normal reading, which reports it."""
        global _ahead_job
        workers = workers or int(os.environ.get("YUNZHAO_WORKERS", 0)) or os.cpu_count() or 1
        if self.cache.folder is None or not self.cache.writable or workers < 2 \
                or "fork" not in multiprocessing.get_all_start_methods() \
                or multiprocessing.current_process().daemon:
            return
        missing, size = [], 0
        for path, kind in files:
            try:
                data = path.read_bytes() if self.inside_content(path) else None
            except OSError:
                data = None
            if data:
                self._read_ahead[path] = data
            if data and not self.cache.has(self.cache.digest(data), kind):
                missing.append((path, kind))
                size += len(data)
        if size < PARSE_AHEAD_FROM or len(missing) < 2:
            return        # (one file, e.g. the catalogue just edited, is parsed no faster elsewhere)
        # Big files first, dealt out in turn, so the workers finish together.
        missing.sort(key=lambda f: -len(self._read_ahead[f[0]]))
        _ahead_job = (self, missing)
        workers = min(workers, len(missing))
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                shares = pool.map(_parse_share, [(i, workers) for i in range(workers)])
        finally:
            _ahead_job = None
        for share in shares:
            self.parsed.extend(share)

    def yaml(self, path: Path, data: bytes | None = None, keep: bool = True) -> Document | None:
        result = self._parsed(path, "yaml", _parse_yaml, data, keep)
        if result is None:
            return None
        shown = self.shown(path)
        if result[0] == "error":
            self.problems.error(shown, result[1], "", result[2])
            return None
        return Document(path, shown, result[1])

    def markdown(self, path: Path, lang: str | None = None) -> Document | None:
        """A Markdown file with YAML front matter between `---` lines."""
        result = self._parsed(path, "markdown", _parse_markdown)
        if result is None:
            return None
        shown = self.shown(path)
        if result[0] == "error":
            self.problems.error(shown, result[1], "", result[2])
            return None
        _, data, body, body_line = result
        return Document(path, shown, data, body=body, body_line=body_line, lang=lang)

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


def _parse_share(share: tuple[int, int]) -> list[str]:
    index, count = share
    loader, files = _ahead_job
    loader.problems = Problems()     # reported when the file is read in the build's process
    loader.parsed = []
    for path, kind in files[index::count]:
        loader._parsed(path, kind, _parse_yaml if kind == "yaml" else _parse_markdown)
    return loader.parsed


# What a file parses into, as the cache keeps it: ("data", values) or ("doc", front matter,
# body, body line), or ("error", line, message) for a mistake reported at that line.

def _parse_yaml(text: str) -> tuple:
    try:
        return ("data", parse(text))
    except YamlError as exc:
        return ("error", exc.line, exc.message)


def _parse_markdown(text: str) -> tuple:
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return ("error", 1, 'a profile starts with a line "---", then its fields, '
                "then another \"---\" line, then the text")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        return ("error", 1, 'the fields at the top are not closed: add a line "---" after them')
    front = "\n".join(lines[1:end])
    try:
        data = parse(front, first_line=2) if front.strip() else PosDict()
    except YamlError as exc:
        return ("error", exc.line, exc.message)
    rest = "\n".join(lines[end + 1:])
    body = rest.lstrip("\n")
    body_line = end + 2 + (len(rest) - len(body))   # the line of the body's first text
    return ("doc", data, body.rstrip("\n"), body_line)


def _well_formed(kind: str, result) -> bool:
    """A cached result has the shape the parse gives (a damaged entry may unpickle to anything)."""
    if not isinstance(result, tuple) or not result:
        return False
    if result[0] == "error":
        return len(result) == 3 and isinstance(result[1], int) and isinstance(result[2], str)
    if kind == "yaml":
        return result[0] == "data" and len(result) == 2
    return (result[0] == "doc" and len(result) == 4 and isinstance(result[1], dict)
            and isinstance(result[2], str) and isinstance(result[3], int))
