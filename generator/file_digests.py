"""The digest of a file's bytes, without reading the file again when it cannot have changed.

Every build fingerprints all it reads (cache.py: content/, themes, yunzhao's code), and the
loader names each content file's parse by the digest of its bytes: at 10,000 projects that was
31 MB read and hashed twice, 60 ms of a one-edit build. As make and git do, a file whose size,
modification time, change time and inode are what they were when it was hashed is taken to
hold the same bytes; the digests are kept in `.yunzhao-cache/file-digests.json`.

Editors, `cp` and `git checkout` all change the modification time; tools that set it back
(`cp -p`, `rsync -t`, `touch -d`) cannot set the change time, which moves on any write. What
stat cannot tell apart is a second write within one tick of the file system's clock (2 s on
FAT): so a file hashed less than RACY_NS after it was modified is hashed again next time.

One FileDigests serves one build: a file is hashed at most once in it, so the fingerprint of
the build's inputs and the parse the build uses name the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

RECORD = Path(".yunzhao-cache") / "file-digests.json"
RACY_NS = 3_000_000_000
_FORMAT = 1


def _stamp(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]


def _sha256_of(file) -> str:
    if hasattr(hashlib, "file_digest"):      # Python 3.11: reads in chunks, hashes without the GIL
        return hashlib.file_digest(file, "sha256").hexdigest()
    return hashlib.sha256(file.read()).hexdigest()


def _well_formed(entry) -> bool:
    """[stamp (five integers), digest (64 hex digits), when it was hashed (ns)]"""
    return type(entry) is list and len(entry) == 3 and type(entry[0]) is list and len(entry[0]) == 5 \
        and all(type(n) is int for n in entry[0]) and type(entry[1]) is str and len(entry[1]) == 64 \
        and type(entry[2]) is int


class FileDigests:
    def __init__(self, record: Path | None):
        """`record`: the file that keeps digests from build to build (None: kept in memory only)."""
        self.record = record
        self._kept: dict[str, list] = self._read()      # path → [stamp, digest, hashed at (ns)]
        self._this_build: dict[str, tuple[list[int], str]] = {}
        self._changed = False

    @classmethod
    def for_site(cls, root: Path) -> "FileDigests":
        return cls(root / RECORD)

    def _read(self) -> dict:
        if self.record is None:
            return {}
        try:
            kept = json.loads(self.record.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(kept, dict) or kept.get("format") != _FORMAT or not isinstance(kept.get("files"), dict):
            return {}
        # A damaged entry only means that file is hashed again.
        return {path: entry for path, entry in kept["files"].items() if _well_formed(entry)}

    def of(self, path: str | Path) -> str:
        """The sha256 (hex) of the file's bytes; OSError if it cannot be read."""
        path = os.fspath(path)
        stamp = _stamp(os.stat(path))
        known = self.known(path, stamp)
        if known is not None:
            return known
        hashed_at = time.time_ns()
        with open(path, "rb") as file:
            digest = _sha256_of(file)
        # Stat again: a file written while it was read gives no digest worth keeping.
        if _stamp(os.stat(path)) == stamp:
            self._this_build[path] = (stamp, digest)
            self._kept[path] = [stamp, digest, hashed_at]
            self._changed = True
        return digest

    def known(self, path: str | Path, stamp: list[int] | None = None) -> str | None:
        """The digest if the file is as when it was last hashed (without reading it), else None."""
        path = os.fspath(path)
        if stamp is None:
            try:
                stamp = _stamp(os.stat(path))
            except OSError:
                return None
        seen = self._this_build.get(path)
        if seen is not None and seen[0] == stamp:
            return seen[1]
        kept = self._kept.get(path)
        if kept is None or kept[0] != stamp or kept[2] - stamp[1] < RACY_NS:
            return None
        self._this_build[path] = (stamp, kept[1])
        return kept[1]

    def save(self) -> None:
        """Keep the digests of the files this build looked at (files gone since are dropped)."""
        if self.record is None or not (self._changed or self._kept.keys() != self._this_build.keys()):
            return
        files = {path: self._kept[path] for path in sorted(self._this_build) if path in self._kept}
        tmp = self.record.with_name(f"{self.record.name}.{os.getpid()}.tmp")
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps({"format": _FORMAT, "files": files}, separators=(",", ":")), "utf-8")
            os.replace(tmp, self.record)
        except OSError:
            tmp.unlink(missing_ok=True)     # a read-only site folder only hashes its files every time
