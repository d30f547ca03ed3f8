"""The no-change fast path: a build whose inputs and output are as the last build left them
does nothing.

Inputs are every file the build reads — content/, the site's own templates and themes, the
shipped themes, yunzhao's own code — plus the options. If their fingerprint equals the one the
last successful build stored, and output/ still holds exactly the files that build wrote
(same names, sizes and modification times), the output would be byte-identical, so it is kept.
The record lives in `.yunzhao-cache/` beside content/, never in output/.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from pathlib import Path

from . import __version__
from . import output
from .background import Background
from .file_digests import FileDigests
from .result import BuildResult
from .theme import shipped_themes_dir

PACKAGE = Path(__file__).resolve().parent
RECORD = "last-build.json"


def _hash_tree(digest, folder: Path, digests: FileDigests) -> None:
    """Every file's name and the digest of its bytes (read again only if it may have changed)."""
    if not folder.is_dir():
        return
    for base, dirs, files in os.walk(folder):
        dirs.sort()
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        for name in sorted(files):
            path = Path(base, name)
            digest.update(f"{path.relative_to(folder).as_posix()}\0{digests.of(path)}\0".encode())


def _system_fonts() -> bytes:
    """The font files fontconfig offers: posters and PDFs are drawn with them."""
    try:
        listed = subprocess.run(["fc-list", "--format", "%{file}\\n"], capture_output=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return b""
    return b"\n".join(sorted(listed.splitlines()))


def settings_fingerprint(root: Path, out: Path, options: dict, digests: FileDigests) -> str:
    """Everything a build reads except content/: a change here renders every page again."""
    digest = hashlib.sha256()
    # Folders count by what they hold, not where they are (and the output folder by its listing,
    # checked against the record): a site folder copied elsewhere with its output/ stays incremental.
    digest.update(json.dumps([__version__, options], sort_keys=True).encode())
    digest.update(_system_fonts())
    for label, folder in (("site templates", root / "templates"), ("site themes", root / "themes"),
                          ("shipped themes", shipped_themes_dir()), ("yunzhao", PACKAGE)):
        digest.update(b"\1" + label.encode())
        _hash_tree(digest, folder, digests)
    return digest.hexdigest()


def content_fingerprint(root: Path, digests: FileDigests) -> str:
    digest = hashlib.sha256()
    _hash_tree(digest, root / "content", digests)
    return digest.hexdigest()


def combine(settings: str, content: str) -> str:
    return hashlib.sha256((settings + content).encode()).hexdigest()


def list_files(out: Path) -> dict[str, tuple[int, int]]:
    """Every file in output/ with its size and modification time: cheap, and changed by any edit."""
    found: dict[str, tuple[int, int]] = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, prefix + entry.name + "/")
                else:
                    info = entry.stat(follow_symlinks=False)
                    found[prefix + entry.name] = (info.st_size, info.st_mtime_ns)

    if out.is_dir():
        walk(str(out), "")
    return found


def restat(out: Path, files: dict[str, tuple[int, int]], listing: str, changed) -> str:
    """Bring a `list_files` result and its `listing_of` up to date after `changed` files were
    written or deleted; returns the new listing (without hashing every entry again)."""
    total = int(listing, 16)
    for rel in changed:
        if rel in files:
            total -= _entry_hash(rel, files[rel])
        try:
            info = os.stat(out / rel)
        except FileNotFoundError:
            files.pop(rel, None)
        else:
            files[rel] = (info.st_size, info.st_mtime_ns)
            total += _entry_hash(rel, files[rel])
    return f"{total % _MODULUS:064x}"


def listing_of(files: dict[str, tuple[int, int]]) -> str:
    """A digest of the listing, as the sum of a hash of each entry (modulo 2^256): the order of
    the entries does not count, and after an edit it is brought up to date entry by entry."""
    return f"{sum(_entry_hash(rel, stat) for rel, stat in files.items()) % _MODULUS:064x}"


_MODULUS = 1 << 256


def _entry_hash(rel: str, stat: tuple[int, int]) -> int:
    return int.from_bytes(hashlib.sha256(f"{rel}\0{stat[0]}\0{stat[1]}".encode()).digest(), "big")


class Quick:
    """What the fast path found: the result of the last build if nothing changed since, and the
    fingerprints and listing of output/ that the build goes on with otherwise.

    The listing (tens of thousands of stat calls in a large site) is made by a forked process
    while this one fingerprints the inputs and, when something changed, reads the content: it is
    needed only when the build compares output/ with its record, and so costs no time."""

    def __init__(self, settings: str, inputs: str, listing: Background, result: BuildResult | None,
                 digests: FileDigests | None = None):
        self.settings, self.inputs, self.result = settings, inputs, result
        self.digests = digests         # of the files fingerprinted: the loader names parses by them
        self._listing = listing

    @property
    def listed(self) -> dict[str, tuple[int, int]]:
        """Every file of output/ with its size and modification time (see list_files)."""
        return self._listing.result()[0]

    @property
    def listing(self) -> str:
        return self._listing.result()[1]


def quick_check(root: Path, out: Path, options: dict) -> Quick:
    """Whether the last build's output stands (checked without importing the renderer)."""
    started = time.monotonic()
    output.check_target(out)     # before any work: a refused folder is refused at once
    output.recover(out)          # finish or drop what a killed build left
    listing = Background(lambda: _listed(out), fork=out.is_dir())
    digests = FileDigests.for_site(root)
    try:
        settings = settings_fingerprint(root, out, options, digests)
        inputs = combine(settings, content_fingerprint(root, digests))
    finally:
        digests.save()
    result = None
    record = _record(root)
    if record is not None and record.get("fingerprint") == inputs:
        remembered = unchanged(record, out, listing.result()[1])
        if remembered is not None:
            result = BuildResult(**remembered, images_cached=remembered["images"], unchanged=True)
            result.lost_before = list(result.lost_links)     # all of them were lost at the last build
            result.seconds = time.monotonic() - started
    return Quick(settings, inputs, listing, result, digests)


def _listed(out: Path) -> tuple[dict[str, tuple[int, int]], str]:
    files = list_files(out)
    return files, listing_of(files)


def _record_path(root: Path) -> Path:
    return root / ".yunzhao-cache" / RECORD


def _record(root: Path) -> dict | None:
    try:
        record = json.loads(_record_path(root).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def unchanged(record: dict, out: Path, listed: str) -> dict | None:
    """The stored summary of the last build if output/ is as it left it (`listed` = listing_of(out))."""
    if not out.is_dir() or record.get("listing") != listed:
        return None
    return record.get("summary")


def remember(root: Path, print_: str, listed: str, summary: dict) -> None:
    path = _record_path(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"fingerprint": print_, "listing": listed, "summary": summary},
                                  ensure_ascii=False, sort_keys=True), "utf-8")
        os.replace(tmp, path)
    except OSError:
        pass      # a read-only site folder only loses the fast path
