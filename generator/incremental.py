"""What the last build published and why: the record that lets the next build do less.

After every build, `.yunzhao-cache/build-state.pickle` (beside content/, never in output/) keeps:
the fingerprint of everything but content (theme, yunzhao's code, options — see cache.py), the
digest of every file of output/, the keys each page read while it rendered with their values
at the time (deps.py), and the missing translations met. The next build compares the values of
the keys now with those: only pages that read a key whose value changed are rendered again,
and only files whose bytes changed are written. Anything that makes the record doubtful — a
different theme or version, output/ touched by hand, an unreadable record — makes the build a
full one.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, deps

RECORD = "build-state.pickle"
FRAGMENTS = "fragments.pickle"     # render.cached: parts of pages, kept apart as they are large
FORMAT = 1


@dataclass
class State:
    settings: str                                   # cache.settings_fingerprint of that build
    files: dict[str, str]                           # every file of output/ → digest
    pages: dict[str, tuple[str, ...]]               # every page → the keys it read
    values: dict[str, str]                          # key → its value then
    missing: set = field(default_factory=set)       # (lang, item ref, field) met while rendering
    listing: str = ""                               # cache.listing(output/) right after that build


class _Unpickler(pickle.Unpickler):
    """Reads only what these records hold: a file planted in .yunzhao-cache/ cannot run code."""
    ALLOWED = {("generator.incremental", "State")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a build record")
        return super().find_class(module, name)


def _read(path: Path):
    with open(path, "rb") as f:
        return _Unpickler(f).load()


def _path(root: Path) -> Path:
    return root / ".yunzhao-cache" / RECORD


def load(root: Path, settings: str, listing: str) -> tuple[State | None, str]:
    """The last build's record if this build can start from it, else None and why not."""
    try:
        version, state = _read(_path(root))
    except FileNotFoundError:
        return None, "no record of an earlier build"
    except Exception:        # unreadable, or written by another version: a full build it is
        return None, "the record of the last build is unreadable"
    if version != (FORMAT, __version__) or not isinstance(state, State):
        return None, "the last build was made by another version of yunzhao"
    if state.settings != settings:
        return None, "the theme, the site's templates, the options or yunzhao changed"
    if state.listing != listing:
        return None, "output/ is not as the last build left it"
    return state, ""


def _write(path: Path, record: tuple) -> None:
    """Replace a record whole (a build killed while writing leaves the old one or none)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(((FORMAT, __version__), *record), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass      # a read-only site folder only loses incremental builds


def save(root: Path, state: State) -> None:
    _write(_path(root), (state,))


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


def load_fragments(root: Path, settings: str, changed: set[str]) -> tuple[dict, bool]:
    """The cached page parts of the last build that read nothing that changed, and whether
    any had to be dropped."""
    try:
        version, their_settings, fragments = _read(root / ".yunzhao-cache" / FRAGMENTS)
    except Exception:
        return {}, True
    if version != (FORMAT, __version__) or their_settings != settings:
        return {}, True
    kept = {key: value for key, value in fragments.items() if changed.isdisjoint(value[1])}
    return kept, len(kept) < len(fragments)


def save_fragments(root: Path, settings: str, fragments: dict) -> None:
    _write(root / ".yunzhao-cache" / FRAGMENTS, (settings, fragments))
