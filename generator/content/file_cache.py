"""The file cache: what a content file parses (and a catalogue checks) into, kept by the hash
of the file's bytes.

Reading YAML is most of what checking a large site costs: parsing a catalogue of 1,000
projects takes about a tenth of a second, checking its fields another few hundredths. Both
depend only on the file's bytes and on yunzhao's code (checking also on the site's languages
and on which images exist, see `check.py`). So each result is pickled into
`<site>/.yunzhao-cache/parsed/<sha256 of the bytes>.<kind>.pickle`, and a build where one
catalogue changed parses and checks that file only (and of it, only the projects that changed:
`previous` names the entry of the bytes it had before); the others are unpickled, about ten
times faster. Kinds: `yaml` and `markdown` (the values with the line of every key and item, or
the YAML mistake and its line; see `loader.py`) and `catalogue` (a catalogue file checked on
its own, kept instead of its parse; see `check.py`).

The cache can make a build faster, never different:
- an entry is a CRC-32 checksum and a pickle that holds the stamp of the code that made it (a
  hash of yunzhao's own sources and the versions of yunzhao, PyYAML and Python) and what else
  the result depends on; an entry made otherwise, or that cannot be read back (damaged
  anywhere, truncated), is ignored and made again;
- entries are read by an unpickler that builds only the few classes a result is made of, so a
  file planted in the cache cannot run code;
- a site folder that cannot be written builds without the cache (using what is there);
- `prune`, after a run that read every content file, removes the entries of bytes no file has
  any more: of files that changed or went away (and writes `previous`, a JSON file of names
  and digests: a hint, checked like anything else that leads to an entry).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import pickle
import sys
import zlib
from pathlib import Path

import yaml

from .. import __version__

FORMAT = 3        # raise when what an entry holds changes shape
FOLDER = Path(".yunzhao-cache") / "parsed"
SUFFIX = ".pickle"
# Which bytes each file had when it was last read into an entry (`previous`): a file that
# changed can start from the entry of its previous bytes. A hint only: whatever it names is
# checked like any entry, and a wrong or missing name only means reading the file in full.
PREVIOUS = "previous.json"
_DIGEST = re.compile(r"[0-9a-f]{64}")
PACKAGE = Path(__file__).resolve().parent.parent

# What results are made of, besides what pickle writes itself (dict, list, tuple, str, int,
# float, bool, None, bytes): positioned YAML values, YAML's dates and times, and a checked
# catalogue's fields.
_ALLOWED = {
    ("generator.content.yamlpos", "PosDict"),
    ("generator.content.yamlpos", "PosList"),
    ("generator.content.yamlpos", "ParseInfo"),
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
    ("decimal", "Decimal"),
    ("generator.units", "Money"),
    ("generator.units", "Area"),
    ("generator.model", "LText"),
    ("generator.model", "Source"),
    ("generator.model", "Catalogue"),
    ("generator.content.schema", "Fields"),
    ("generator.check", "CatalogueFile"),
    ("generator.check", "ItemsLayout"),
}


@functools.cache
def code_stamp() -> str:
    """Changes whenever yunzhao's code (or the YAML library) could give another result."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{yaml.__version__}\0{sys.version}\0".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a cached result")
        return super().find_class(module, name)


class FileCache:
    """Results by the hash of a file's bytes, in one folder; `folder=None` keeps nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.writable = folder is not None
        self.used: set[str] = set()    # digests of the files read in this run
        self._previous: dict[str, str] | None = None   # PREVIOUS, once read
        self._previous_changed = False

    @classmethod
    def for_site(cls, root: Path) -> "FileCache":
        return cls(root / FOLDER)

    def digest(self, data: bytes) -> str:
        """The name of a file's bytes; their entries are kept by `prune`."""
        return self.note(hashlib.sha256(data).hexdigest())

    def note(self, digest: str) -> str:
        """A file of this run has the bytes named `digest` (found without reading them): their
        entries are kept by `prune`."""
        self.used.add(digest)
        return digest

    def has(self, digest: str, kind: str) -> bool:
        """Whether an entry exists (it may still fail its checks when loaded)."""
        return self.folder is not None and (self.folder / f"{digest}.{kind}{SUFFIX}").is_file()

    def load(self, digest: str, kind: str, depends: str = ""):
        """The stored result, or None when there is none that can be trusted."""
        if self.folder is None:
            return None
        try:
            blob = (self.folder / f"{digest}.{kind}{SUFFIX}").read_bytes()
        except OSError:
            return None
        # A damaged file, wherever the damage is, fails its checksum (or else the unpickler).
        if len(blob) < 4 or int.from_bytes(blob[:4], "big") != zlib.crc32(memoryview(blob)[4:]):
            return None
        stream = io.BytesIO(blob)
        stream.seek(4)
        try:
            stored = _Unpickler(stream).load()
        except Exception:      # anything a damaged file makes the unpickler raise: make it again
            return None
        if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == (code_stamp(), digest, depends)):
            return None
        return stored[1]

    def store(self, digest: str, kind: str, result, depends: str = "") -> None:
        """Keep `result`, made from the bytes named `digest` (and from `depends`)."""
        if not self.writable:
            return
        path = self.folder / f"{digest}.{kind}{SUFFIX}"
        try:
            payload = pickle.dumps(((code_stamp(), digest, depends), result), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
            return                            # a value pickle cannot store is made each time
        self._write(path, zlib.crc32(payload).to_bytes(4, "big") + payload)

    def _write(self, path: Path, blob: bytes) -> None:
        temporary = self.folder / f".{path.name}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(blob)
            os.replace(temporary, path)       # readers see the whole entry or none
        except FileNotFoundError:
            pass                              # a concurrent run pruned it, or the folder went away
        except OSError:
            self.writable = False             # e.g. a read-only site folder: build without storing
            try:
                temporary.unlink()
            except OSError:
                pass

    def previous(self, name: str) -> str | None:
        """The digest of the bytes the file `name` had when `remember` was last told of it."""
        if self._previous is None:
            self._previous = {}
            if self.folder is not None:
                try:
                    stored = json.loads((self.folder / PREVIOUS).read_text("utf-8"))
                except (OSError, ValueError):
                    stored = None
                if isinstance(stored, dict):
                    # Only names of entries: a digest is also part of a file name to open.
                    self._previous = {key: value for key, value in stored.items()
                                      if isinstance(value, str) and _DIGEST.fullmatch(value)}
        return self._previous.get(name)

    def remember(self, name: str, digest: str) -> None:
        """Note that the file `name` was read into an entry from the bytes named `digest`
        (written by `prune`)."""
        if self.previous(name) != digest:
            self._previous[name] = digest
            self._previous_changed = True

    def prune(self) -> None:
        """Remove the entries of bytes no file read in this run has; call only after every
        content file was read."""
        if self.folder is None or not self.writable:
            return
        if self._previous_changed:
            kept = {name: digest for name, digest in sorted(self._previous.items()) if digest in self.used}
            self._write(self.folder / PREVIOUS, json.dumps(kept, indent=0).encode())
            self._previous_changed = False
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name == PREVIOUS:
                continue
            # .tmp: left by a run killed while writing (or one writing now, which only loses that entry)
            if name.split(".", 1)[0] not in self.used or name.endswith(".tmp"):
                try:
                    (self.folder / name).unlink()
                except OSError:
                    pass
