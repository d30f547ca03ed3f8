"""Load: read the files of `content/` into documents that remember where values came from.

Nothing here knows what a project or a park is; that is `check`'s job. A file that cannot be
read at all (not UTF-8, bad YAML, empty) becomes a problem, and loading goes on with the rest.
What a file parses into is kept in the file cache (`file_cache.py`) by the hash of its bytes,
so an unchanged file is not parsed again.
"""

from __future__ import annotations

import fnmatch
import multiprocessing
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problems
from ..file_digests import FileDigests
from .file_cache import FileCache
from .yamlpos import ParseInfo, PosDict, YamlError, decode, parse

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
    info: ParseInfo | None = None   # of a YAML file: what its parse saw


class ContentLoader:
    def __init__(self, root: Path, problems: Problems, cache: FileCache | None = None,
                 digests: FileDigests | None = None):
        """`digests`: of the files the build fingerprinted already (cache.quick_check)."""
        self.root = root
        self.content = root / "content"
        self.problems = problems
        self.cache = cache if cache is not None else FileCache.for_site(root)
        self.digests = digests
        self.parsed: list[str] = []     # files parsed in this run (the others came from the cache)
        self._content_real: str | None = None
        # Files parse_ahead read, with the digest of their bytes: neither read nor hashed twice.
        self._read_ahead: dict[Path, tuple[bytes, str]] = {}
        self._inside: dict[Path, bool] = {}                  # inside_content, once per file
        self._listed: dict[tuple[str, str], list[Path]] = {}  # files(), once per folder and pattern

    def shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def read(self, path: Path) -> tuple[bytes | None, str] | None:
        """The file's bytes and their digest (`FileCache.digest`), or None when it cannot be
        read (reported). The bytes are None when parse_ahead hashed the file and the cache had
        its parse: they are not kept (they are not needed unless that entry fails to load, then
        `read_now` reads them)."""
        ahead = self._read_ahead.pop(path, None)
        if ahead is not None:
            return ahead         # (parse_ahead reads only files inside content/)
        return self.read_now(path)

    def read_now(self, path: Path) -> tuple[bytes, str] | None:
        """The file's bytes, read now, and their digest; None when it cannot be read (reported)."""
        if not self.inside_content(path):
            # A symlink to e.g. a private key would otherwise be read, quoted in messages, published.
            self.problems.error(self.shown(path), 0, "", "this file is a link to a file outside content/; "
                                "copy the file itself into content/")
            return None
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.problems.error(self.shown(path), 0, "", f"cannot read this file: {exc.strerror}")
            return None
        return data, self.cache.digest(data)

    def inside_content(self, path: Path) -> bool:
        """Whether the file, links followed, is in content/ (as `Path.is_relative_to` says of the
        resolved paths; with strings, since a site may have thousands of files)."""
        inside = self._inside.get(path)
        if inside is None:
            inside = self._inside[path] = self._real_inside(os.path.realpath(path))
        return inside

    def _real_inside(self, real: str) -> bool:
        if self._content_real is None:
            self._content_real = os.path.realpath(self.content)
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

    def _parsed(self, path: Path, kind: str, parse_text, read: tuple[bytes, str] | None = None,
                keep: bool = True):
        """`parse_text(text)` of the file (of `read`, its bytes and digest, when they were read
        already), from the cache when the same bytes were parsed before; kept there for the
        next run unless `keep` is false.

        Returns the result tuple, or None when the file cannot be read (reported). Only bytes
        that decoded to text were ever stored, so a cached file needs no decoding.
        """
        read = self.read(path) if read is None else read
        if read is None:
            return None
        data, digest = read
        result = self.cache.load(digest, kind)
        if result is None or not _well_formed(kind, result):
            if data is None:
                read = self.read_now(path)
                if read is None:
                    return None
                data, digest = read
            shown = self.shown(path)
            text = self.text(shown, data)
            if text is None:
                return None
            self.parsed.append(shown)
            result = parse_text(text)
            if keep:
                self.cache.store(digest, kind, result)
        return result

    def parse_ahead(self, files: list[tuple[Path, str]], workers: int | None = None,
                    read=None) -> list[str]:
        """Parse the (path, "yaml" | "markdown") files the cache lacks on every core, into the
        cache, so that reading them afterwards (in order, in this process) finds them there.

        `read(path, kind)`, if given, runs in the workers first: it may do more with a file (and
        keep that in the cache), and returns a note to say it took the file, or None to have it
        parsed. Returns the notes.

        Only worth it for a large site built without its cache (10,000 projects: 1.5 s of
        parsing); anything unusual (no cache, one core, a file that cannot be read) is left to
        the normal reading, which reports it."""
        global _ahead_job
        workers = workers or int(os.environ.get("YUNZHAO_WORKERS", 0)) or os.cpu_count() or 1
        if self.cache.folder is None or not self.cache.writable or workers < 2 \
                or "fork" not in multiprocessing.get_all_start_methods() \
                or multiprocessing.current_process().daemon:
            return []
        missing, size = [], 0
        buffer = _Buffer()
        for path, kind in files:
            inside = self.inside_content(path)
            # A file fingerprinted unchanged whose parse is kept is not read at all.
            known = self.digests.known(path) if inside and self.digests is not None else None
            if known is not None and self.cache.has(known, kind):
                self._read_ahead[path] = (None, self.cache.note(known))
                continue
            try:
                data = buffer.read(path) if inside else None
            except OSError:
                data = None
            if data:
                digest = self.cache.digest(data)
                if self.cache.has(digest, kind):
                    self._read_ahead[path] = (None, digest)
                else:
                    self._read_ahead[path] = (bytes(data), digest)
                    missing.append((path, kind))
                    size += len(data)
        if size < PARSE_AHEAD_FROM or len(missing) < 2:
            return []     # (one file, e.g. the catalogue just edited, is parsed no faster elsewhere)
        # Big files first, dealt out in turn, so the workers finish together.
        missing.sort(key=lambda f: -len(self._read_ahead[f[0]][0]))
        _ahead_job = (self, missing, read)
        workers = min(workers, len(missing))
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                shares = pool.map(_parse_share, [(i, workers) for i in range(workers)])
        finally:
            _ahead_job = None
        notes = []
        for parsed, noted in shares:
            self.parsed.extend(parsed)
            notes.extend(noted)
        return notes

    def yaml(self, path: Path, read: tuple[bytes, str] | None = None, keep: bool = True) -> Document | None:
        """A YAML file (`read`: its bytes and digest, when read already); the document's `info`
        says what the parse saw (`yamlpos.ParseInfo`)."""
        result = self._parsed(path, "yaml", _parse_yaml, read, keep)
        if result is None:
            return None
        shown = self.shown(path)
        if result[0] == "error":
            self.problems.error(shown, result[1], "", result[2])
            return None
        return Document(path, shown, result[1], info=result[2])

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
        """Files in a content folder, sorted so every build reads them in the same order (listed
        once per loader: a loader is one reading of the content)."""
        listed = self._listed.get((folder, pattern))
        if listed is None:
            base = self.content / folder
            try:
                with os.scandir(base) as found:
                    entries = sorted((entry for entry in found if fnmatch.fnmatchcase(entry.name, pattern)
                                      and not entry.name.startswith(".") and entry.is_file()),
                                     key=lambda entry: entry.name)
            except OSError:       # no such folder (or not a folder)
                entries = []
            listed = self._listed[(folder, pattern)] = [base / entry.name for entry in entries]
            # A file that is not a link is where its folder is: one realpath for the folder.
            folder_inside = None
            for path, entry in zip(listed, entries):
                if not entry.is_symlink():
                    if folder_inside is None:
                        folder_inside = self._real_inside(os.path.join(os.path.realpath(base), entry.name))
                    self._inside[path] = folder_inside
        return list(listed)

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


class _Buffer:
    """Reads file after file into the same memory: 30 MB of catalogues read into new memory each
    time cost more than hashing them (the memory is mapped page by page as it is first filled)."""

    def __init__(self):
        self.memory = bytearray(1 << 16)

    def read(self, path: Path) -> memoryview:
        """The file's bytes, valid until the next read."""
        with open(path, "rb", buffering=0) as file:
            size = os.fstat(file.fileno()).st_size
            if len(self.memory) <= size:
                self.memory = bytearray(size + 1)
            view = memoryview(self.memory)
            filled = 0
            while filled < len(view):
                count = file.readinto(view[filled:])
                if not count:
                    return view[:filled]
                filled += count
        return memoryview(path.read_bytes())      # it grew while being read: read it whole


def _parse_share(share: tuple[int, int]) -> tuple[list[str], list]:
    index, count = share
    loader, files, read = _ahead_job
    loader.problems = Problems()     # reported when the file is read in the build's process
    loader.parsed = []
    notes = []
    for path, kind in files[index::count]:
        note = read(path, kind) if read is not None else None
        if note is not None:
            notes.append(note)
        else:
            loader._parsed(path, kind, _parse_yaml if kind == "yaml" else _parse_markdown)
    return loader.parsed, notes


# What a file parses into, as the cache keeps it: ("data", values, ParseInfo) or ("doc", front
# matter, body, body line), or ("error", line, message) for a mistake reported at that line.

def _parse_yaml(text: str) -> tuple:
    info = ParseInfo()
    try:
        return ("data", parse(text, info=info), info)
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
        return result[0] == "data" and len(result) == 3 and isinstance(result[2], ParseInfo)
    return (result[0] == "doc" and len(result) == 4 and isinstance(result[1], dict)
            and isinstance(result[2], str) and isinstance(result[3], int))
