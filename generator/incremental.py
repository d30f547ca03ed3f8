"""What the last build published and why: the record that lets the next build do less.

After every build, `.yunzhao-cache/build-state.pickle` (beside content/, never in output/) keeps:
the fingerprint of everything but content (theme, yunzhao's code, options — see cache.py), the
digest of every file of output/, the keys each page read while it rendered with their values
at the time (deps.py), and the missing translations met. The next build compares the values of
the keys now with those: only pages that read a key whose value changed are rendered again,
and only files whose bytes changed are written. Anything that makes the record doubtful — a
different theme or version, output/ touched by hand, an unreadable record — makes the build a
full one.

The keys each page read (`pages`, two thirds of the record at 10,000 projects) are kept in
`build-pages.pickle` and rewritten only when they changed, which one edit seldom does; the
record names the pages file it goes with by a token, so a build killed between the two writes
leaves a pair that does not match, read as no record at all.

The parts of pages that `render.cached` keeps (`Fragments`, below) are in files of their own.

Every file here holds builtins only (strings, tuples, dicts, sets) and is read with an unpickler
that refuses every class: a file planted in .yunzhao-cache/ cannot run code.
"""

from __future__ import annotations

import io
import os
import pickle
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, deps

RECORD = "build-state.pickle"
PAGES = "build-pages.pickle"       # State.pages, apart: see above
FRAGMENTS = "fragments"            # render.cached: parts of pages, in SHARDS files (see Fragments)
SHARDS = 64
# 2: values are digests of marshal, not repr (deps.fingerprint); builtins only; pages and
# fragments apart. 3: a project's value is by the digest of its written fields (Project.written).
# 4: a fragment file holds its fragments by the folder of the pages that show them.
FORMAT = 4


@dataclass
class State:
    settings: str                                   # cache.settings_fingerprint of that build
    files: dict[str, str]                           # every file of output/ → digest
    pages: dict[str, tuple[str, ...]]               # every page → the keys it read
    values: dict[str, str]                          # key → its value then
    missing: set = field(default_factory=set)       # (lang, item ref, field) met while rendering
    listing: str = ""                               # cache.listing_of(output/) right after that build
    pages_token: str = ""                           # names the build-pages.pickle of this record


class _Unpickler(pickle.Unpickler):
    """Reads only what these records hold, builtins: a file planted in .yunzhao-cache/ cannot run code."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a build record")


def _read(path: Path):
    with open(path, "rb") as f:
        return _Unpickler(f).load()


def _cache(root: Path) -> Path:
    return root / ".yunzhao-cache"


def load(root: Path, settings: str, listing: str) -> tuple[State | None, str]:
    """The last build's record if this build can start from it, else None and why not."""
    try:
        version, *parts = _read(_cache(root) / RECORD)
    except FileNotFoundError:
        return None, "no record of an earlier build"
    except Exception:        # unreadable, or written by another version: a full build it is
        return None, "the record of the last build is unreadable"
    if version != (FORMAT, __version__) or len(parts) != 6:
        return None, "the last build was made by another version of yunzhao"
    their_settings, files, values, missing, their_listing, token = parts
    if their_settings != settings:
        return None, "the theme, the site's templates, the options or yunzhao changed"
    if their_listing != listing:
        return None, "output/ is not as the last build left it"
    try:
        version, their_token, pages = _read(_cache(root) / PAGES)
    except Exception:
        return None, "the record of the last build is unreadable"
    if (version, their_token) != ((FORMAT, __version__), token) or not all(
            type(part) is kind for part, kind in ((files, dict), (values, dict), (missing, set), (pages, dict))):
        return None, "the record of the last build is unreadable"
    return State(settings, files, pages, values, missing, listing, token), ""


def _write(path: Path, record: tuple) -> bool:
    """Replace a file whole (a build killed while writing leaves the old one or none)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")      # two builds at once: two files
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            pickle.dump(((FORMAT, __version__), *record), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        return True
    except OSError:
        tmp.unlink(missing_ok=True)
        return False     # a read-only site folder only loses incremental builds


def save(root: Path, state: State, last: State | None = None) -> None:
    """Write the record of this build; `last`, the record it started from, spares rewriting the
    keys of pages when every page read what it read then."""
    if last is not None and last.pages_token and _same_pages(state.pages, last.pages):
        state.pages_token = last.pages_token
    else:
        state.pages_token = os.urandom(12).hex()
        if not _write(_cache(root) / PAGES, (state.pages_token, state.pages)):
            return
    # The pages first, then the record that names them: killed between, the two do not match.
    _write(_cache(root) / RECORD, (state.settings, state.files, state.values, state.missing,
                                   state.listing, state.pages_token))


def _same_pages(pages: dict, before: dict) -> bool:
    # The keys of a page are a tuple in the order of a set, which follows the hash seed: the same
    # keys read again come in another order.
    return pages.keys() == before.keys() and all(
        keys is before[file] or set(keys) == set(before[file]) for file, keys in pages.items())


def changed_keys(state: State, values: dict[str, str]) -> set[str]:
    """Keys whose value differs now (a key that no longer exists has changed too)."""
    changed = {key for key, value in state.values.items() if values.get(key) != value}
    changed.add(deps.EVERYTHING)
    return changed


def pages_to_render(state: State, files: list[str], changed: set[str]) -> list[str]:
    """Pages that are new, or read something that changed."""
    out = []
    for file in files:
        keys = state.pages.get(file)
        if keys is None or not changed.isdisjoint(keys):
            out.append(file)
    return out


def missing_kept(state: State, changed: set[str]) -> set:
    """Missing translations of the last build whose item did not change (the pages showing a
    changed item render again and report theirs anew)."""
    return {entry for entry in state.missing if deps.ref_key(entry[1]) not in changed}


# ---- fragments ----------------------------------------------------------------------------

class Fragments:
    """The page parts `render.cached` keeps from build to build: `.yunzhao-cache/fragments/`.

    At 10,000 projects they are 60,000 project cards, 40 MB; an edit remakes a few, and the
    pages it renders again use a third of the others (the catalogue's, not every park's and
    sector's). So they are kept in SHARDS files, a fragment in the file its item chooses
    (`shard_of`: a project's cards on every list and in every language are in one), and in a
    file by the folder of the pages that show it (a fragment's links are relative to it): a
    build reads only the folders of the pages it renders, and rewrites only the files whose
    fragments changed, copying the folders it did not read as they were.

    Each folder of a file stands on its own, and so may come from any earlier build: beside its
    fragments (key → (html, keys read, links)) it holds the value of every key they read, as it
    was when they were made. A fragment is used only if the value of every key it read is the
    same now, and the settings (theme, code, options) are those of this build — whatever else
    happened, a build killed between two files, a file lost, copied from elsewhere or unreadable
    (then it counts as empty and is written anew). Fragments that read a key without a value
    (`*`) are not kept.

        fragments = Fragments(root, settings)
        renderer.fragments = fragments.load(values, folders)   # an incremental build; none otherwise
        ...                                    # each rendering process: pack(new fragments, values)
        fragments.save(values, packs)          # what the processes packed, {(file, folder): [bytes]}

    Each rendering process packs (pickles) the folders it made itself: a whole build's workers
    made 60,000 fragments at 10,000 projects, which this process would otherwise unpickle from
    them and pickle again, one after the other (0.6 s while the cores idle). The packs of a folder
    this build did not read are kept as they came.
    """

    def __init__(self, root: Path, settings: str):
        self.folder = _cache(root) / FRAGMENTS
        self.settings = settings
        # Per file: each folder's part as read (pickled; none if load() was not called), the
        # parts read into fragments (only those that are still valid), the folders whose part
        # must be pickled again, and whether the file holds exactly `packed`.
        self.packed: list[dict[str, bytes]] = [{} for _ in range(SHARDS)]
        self.shards: list[dict[str, dict]] = [{} for _ in range(SHARDS)]
        self.changed: list[set[str]] = [set() for _ in range(SHARDS)]
        self.written = [False] * SHARDS

    def _path(self, number: int) -> Path:
        return self.folder / f"{number:02d}.pickle"

    def load(self, values: dict[str, str], folders) -> dict:
        """Every kept fragment of the given page folders that read nothing that changed since
        it was made (a new dict)."""
        kept: dict = {}
        folders = set(folders)
        for number in range(SHARDS):
            self._read_file(number)
            for folder in sorted(self.packed[number].keys() & folders):
                kept.update(self._part(number, folder, values))
        return kept

    def _read_file(self, number: int) -> None:
        try:
            version, settings, their_number, packed = _read(self._path(number))
        except Exception:        # missing, unreadable, foreign
            return
        if (version, settings, their_number) != ((FORMAT, __version__), self.settings, number) \
                or type(packed) is not dict or not all(type(part) is bytes for part in packed.values()):
            return
        self.packed[number], self.written[number] = packed, True

    def _part(self, number: int, folder: str, values: dict[str, str]) -> dict:
        """The valid fragments of one folder of a file (read from it the first time)."""
        part = self.shards[number].get(folder)
        if part is not None:
            return part
        part = {}
        data = self.packed[number].get(folder)
        if data is not None:
            try:
                made_with, part = _Unpickler(io.BytesIO(data)).load()
                if type(made_with) is not dict or type(part) is not dict:
                    raise TypeError
                changed = {key for key, value in made_with.items() if values.get(key) != value}
                if changed:
                    part = {key: fragment for key, fragment in part.items() if changed.isdisjoint(fragment[1])}
                    self.changed[number].add(folder)
            except Exception:    # damaged, or not what this code writes
                part = {}
                self.changed[number].add(folder)
        self.shards[number][folder] = part
        return part

    def save(self, values: dict[str, str], packs: dict[tuple[int, str], list[bytes]]) -> None:
        """Keep the fragments this build made (`pack`ed by the processes that made them) with
        those loaded: rewrites the files whose fragments changed (every file, if none was loaded).
        The last call on this object."""
        for (number, folder), made in sorted(packs.items()):
            if len(made) == 1 and folder not in self.shards[number]:
                self.packed[number][folder] = made[0]        # nothing read to merge with
                self.changed[number].add(folder)
                continue
            part = self._part(number, folder, values)
            for data in made:
                for key, fragment in pickle.loads(data)[1].items():
                    if not _same_fragment(part.get(key), fragment):
                        part[key] = fragment
                        self.changed[number].add(folder)
        (self.folder.parent / "fragments.pickle").unlink(missing_ok=True)    # (kept whole before)
        for number in range(SHARDS):
            if self.changed[number] or not self.written[number]:
                self._save_shard(number, values)

    def _save_shard(self, number: int, values: dict[str, str]) -> None:
        # Folders not read are copied as they were (each carries the values it was made with);
        # so are folders read and unchanged. (A build that read no file writes what it made.)
        # (Folders packed by the process that made them are in self.packed already, not in shards.)
        packed = dict(self.packed[number])
        for folder, part in self.shards[number].items():
            if folder not in self.changed[number] and folder in packed:
                continue
            data = _pack(part, values)
            if data is not None:
                packed[folder] = data
            else:
                packed.pop(folder, None)
        self.written[number] = _write(self._path(number), (self.settings, number, packed))
        # save() is the object's last use: not keeping what was written spares a whole build's
        # peak memory the pickled parts of every file (40 MB at 10,000 projects).
        self.packed[number], self.shards[number], self.changed[number] = {}, {}, set()


def _same_fragment(kept: tuple | None, made: tuple) -> bool:
    """Whether a fragment made again (a kept one is, inside another fragment) is the kept one:
    its keys are a tuple in the order of a set, which follows the hash seed."""
    return kept is not None and kept[0] == made[0] and kept[2] == made[2] and set(kept[1]) == set(made[1])


def shard_of(key: tuple) -> int:
    """The file a fragment is kept in, by its first argument (render.Renderer._fragment: the
    macro's name, language and folder come before), the item it shows: a project's cards on
    every list and in every language are in one file, and an edit of the project rewrites that
    file only. Any function of the key would do (a file's fragments are checked whatever their
    key); this one is the same in every process (repr of strings, numbers and tuples; no hash seed)."""
    return zlib.crc32(repr(key[3:4]).encode("utf-8", "surrogatepass")) % SHARDS


def pack(made: dict, values: dict[str, str]) -> dict[tuple[int, str], list[bytes]]:
    """Fragments made by one process, as Fragments.save takes them: (file number, page folder)
    → [that folder's fragments, pickled with the values of the keys they read]."""
    parts: dict[tuple[int, str], dict] = {}
    for key, fragment in made.items():
        parts.setdefault((shard_of(key), key[2]), {})[key] = fragment
    packs = {where: _pack(part, values) for where, part in parts.items()}
    return {where: [data] for where, data in packs.items() if data is not None}


def _pack(part: dict, values: dict[str, str]) -> bytes | None:
    """One folder's fragments and the values they were made with, pickled; None if none is kept."""
    made_with, kept = {}, {}
    for key, fragment in part.items():
        try:
            read = [(key_read, values[key_read]) for key_read in fragment[1]]
        except KeyError:     # read something that has no value (`*`): made again every time
            continue
        made_with.update(read)
        kept[key] = fragment
    return pickle.dumps((made_with, kept), protocol=pickle.HIGHEST_PROTOCOL) if kept else None
