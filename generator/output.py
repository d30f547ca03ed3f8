"""Write: files into a staging folder beside output/, swapped in only when all succeeded.

The published site is never half-written: a build that fails, or is killed at any moment,
leaves the previous output/ as it was (an incremental build, which changes a few files in
place through a `Journal`, leaves it as it was or, once committed, finished by the next run). yunzhao marks the folders it creates and refuses to
replace a non-empty folder without its mark, so `--out ~` can never wipe a home folder.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import signal
from pathlib import Path, PurePosixPath

MARK = ".yunzhao-output"
MANIFEST = ".yunzhao-manifest.json"
MARK_TEXT = "This folder is written by yunzhao build; it is replaced whole at every build.\n"


class OutputError(Exception):
    """The output folder cannot be used; the message says why and what to do."""


def check_target(out: Path) -> None:
    """Refuse folders yunzhao did not create: root, home, the site itself, anything unmarked."""
    resolved = out.resolve()
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve() or len(resolved.parts) < 3:
        raise OutputError(f"refusing to write the site into {out}: it would replace that whole folder; "
                          "choose a folder of its own, e.g. --out output")
    if resolved.exists() and not resolved.is_dir():
        raise OutputError(f"{out} is a file, not a folder; choose another --out")
    if resolved.is_dir() and any(resolved.iterdir()) and not (resolved / MARK).is_file():
        raise OutputError(f"{out} is not empty and was not written by yunzhao; yunzhao only replaces folders "
                          "it created. Empty it yourself or choose another --out")


def safe_relative(rel: str) -> str:
    """A path inside the output folder, or OutputError: content decides file names (through ids,
    which are checked slugs), and this is the last guard that none can leave output/."""
    path = PurePosixPath(rel)
    if not rel or "\0" in rel or "\\" in rel or path.is_absolute() or ".." in path.parts:
        raise OutputError(f"refusing to write outside the output folder: {rel!r}")
    return rel


def write_noted(path: Path, data: bytes) -> tuple[int, int]:
    """Write a file; its (size, mtime ns) as listing output/ would find them (cache.list_files),
    taken from the open file so that a build from nothing need not walk output/ again."""
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        info = os.fstat(f.fileno())
    return info.st_size, info.st_mtime_ns


class Staging:
    """A fresh folder beside the output; `publish` swaps it in, `discard` removes it."""

    def __init__(self, out: Path):
        # A symlinked output/ (e.g. to /srv/www/site) stays a symlink: its target is replaced.
        self.out = Path(os.path.realpath(out.absolute()))
        self.dir = self.out.parent / f".{self.out.name}.staging-{os.getpid()}"
        self.written: set[str] = set()
        self.stats: dict[str, tuple[int, int]] = {}    # file written here → (size, mtime ns)

    def __enter__(self) -> "Staging":
        self.out.parent.mkdir(parents=True, exist_ok=True)
        recover(self.out)
        if self.dir.exists():
            _remove_own(self.dir)
        self.dir.mkdir()
        self._note(MARK, self.dir / MARK, MARK_TEXT.encode("utf-8"))
        return self

    def _note(self, rel: str, target: Path, data: bytes | None = None) -> None:
        """Write `data` (if given) and note the file's size and time (see `write_noted`)."""
        if data is None:
            info = os.stat(target)
            self.stats[rel] = (info.st_size, info.st_mtime_ns)
        else:
            self.stats[rel] = write_noted(target, data)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()

    def reserve(self, files) -> None:
        """Claim files that are written by other processes (the render workers)."""
        for rel in files:
            self.written.add(safe_relative(rel))

    def write(self, rel: str, data: bytes) -> None:
        """Write one file; two routes to one file is a bug in planning, never silently allowed."""
        safe_relative(rel)
        if rel in self.written:
            raise OutputError(f"two pages would be written to {rel}")
        target = (self.dir / rel).resolve()
        if not target.is_relative_to(self.dir.resolve()):
            raise OutputError(f"refusing to write outside the output folder: {rel}")
        self.written.add(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._note(rel, target, data)

    def link_or_copy(self, rel: str, source: Path) -> None:
        safe_relative(rel)
        if rel in self.written:
            raise OutputError(f"two files would be written to {rel}")
        target = self.dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        self.written.add(rel)
        shutil.copyfile(source, target)
        self._note(rel, target)

    def publish(self) -> None:
        """Swap the staging folder in atomically where the OS allows, then drop the old site."""
        _fsync_tree(self.dir)
        _crash_point("before-swap")
        old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
        if self.out.exists():
            if _exchange(self.dir, self.out):
                _crash_point("after-swap")
                _remove_own(self.dir)     # now holds the previous site
                return
            # Two renames: if killed in between, `recover` puts the old site back next time.
            os.rename(self.out, old)
            _crash_point("between-renames")
        os.rename(self.dir, self.out)
        if old.exists():
            _remove_own(old)

    def discard(self) -> None:
        if self.dir.exists():
            _remove_own(self.dir, ignore_errors=True)


class Journal:
    """Changes to an existing output/: written beside it first, then moved in file by file.

    An incremental build changes a few files of a large site; copying the whole site into a
    staging folder would cost more than the build. The changed files are written into the
    journal folder; when all are there, a commit record listing them is written (one atomic
    rename), and only then are they moved into output/ (each move atomic). A build killed
    before the commit leaves output/ as it was; one killed after it is finished by the next
    build (`recover` rolls the journal forward), so output/ always ends up whole."""

    COMMIT = "commit.json"

    def __init__(self, out: Path):
        self.out = Path(os.path.realpath(out.absolute()))
        self.dir = self.out.parent / f".{self.out.name}.journal-{os.getpid()}"
        self.files = self.dir / "files"
        self.written: set[str] = set()
        self.deleted: set[str] = set()

    def __enter__(self) -> "Journal":
        recover(self.out)
        if self.dir.exists():
            _remove_own(self.dir)
        self.dir.mkdir()
        (self.dir / MARK).write_text(MARK_TEXT, encoding="utf-8")
        self.files.mkdir()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.dir.exists():     # a failed build's, or one that found nothing to change
            _remove_own(self.dir, ignore_errors=True)

    def reserve(self, files) -> None:
        """Check the paths the render workers will write (they report which they did write)."""
        for rel in files:
            safe_relative(rel)

    def write(self, rel: str, data: bytes) -> None:
        target = self.files / safe_relative(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.written.add(rel)

    def link_or_copy(self, rel: str, source: Path) -> None:
        target = self.files / safe_relative(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        self.written.add(rel)

    def delete(self, rel: str) -> None:
        self.deleted.add(safe_relative(rel))

    def apply(self) -> None:
        _fsync_tree(self.dir)
        record = self.dir / self.COMMIT
        tmp = record.with_suffix(".tmp")
        tmp.write_text(json.dumps({"replace": sorted(self.written), "delete": sorted(self.deleted)}), "utf-8")
        os.replace(tmp, record)
        _crash_point("journal-committed")
        _roll_forward(self.dir, self.out)


def _roll_forward(journal: Path, out: Path) -> None:
    """Move a committed journal's files into output/ and delete what it deletes; safe to repeat."""
    changes = json.loads((journal / Journal.COMMIT).read_text("utf-8"))
    for number, rel in enumerate(changes["replace"]):
        source = journal / "files" / safe_relative(rel)
        if source.exists():                 # else moved already by an earlier, killed attempt
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
        if number == 0:
            _crash_point("journal-applying")
    for rel in changes["delete"]:
        target = out / safe_relative(rel)
        target.unlink(missing_ok=True)
        # A page's folder goes with its last file (zh/projects/<id>/ of a removed project).
        folder = target.parent
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    _remove_own(journal)


def recover(out: Path) -> None:
    """Clean up after a build that was killed: restore a moved-away site, drop stale staging.

    Only folders of a build that is no longer running, and only if they carry yunzhao's mark
    (or are empty): a folder that merely has a similar name is left alone.
    """
    parent = out.parent
    for leftover in sorted(parent.glob(f".{out.name}.old-*")):
        if _running(leftover) or not _ours(leftover):
            continue
        if not out.exists() and (leftover / MARK).is_file():
            os.rename(leftover, out)    # killed between the two renames: the previous site returns
        else:
            _remove_own(leftover, ignore_errors=True)
    for leftover in sorted(parent.glob(f".{out.name}.staging-*")):
        if not _running(leftover) and _ours(leftover):
            _remove_own(leftover, ignore_errors=True)
    for leftover in sorted(parent.glob(f".{out.name}.journal-*")):
        if _running(leftover) or not _ours(leftover):
            continue
        if (leftover / Journal.COMMIT).is_file() and out.is_dir():
            _roll_forward(leftover, out)     # killed while moving files in: finish the job
        else:
            _remove_own(leftover, ignore_errors=True)


def _running(leftover: Path) -> bool:
    """Whether the build that named this folder (…-<pid>) is still running."""
    pid = leftover.name.rsplit("-", 1)[-1]
    return pid.isdigit() and _alive(int(pid))


def _ours(folder: Path) -> bool:
    if not folder.is_dir() or folder.is_symlink():
        return False
    return (folder / MARK).is_file() or not any(folder.iterdir())


def _remove_own(folder: Path, ignore_errors: bool = False) -> None:
    """Remove a folder yunzhao made, its mark last: if this is interrupted, what is left still
    carries the mark, so a later build recognises it as its own and finishes the job."""
    try:
        for child in folder.iterdir():
            if child.name == MARK:
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        (folder / MARK).unlink(missing_ok=True)
        folder.rmdir()
    except OSError:
        if not ignore_errors:
            raise


def _crash_point(name: str) -> None:
    """Tests kill the build at this exact moment (YUNZHAO_TEST_KILL_AT=<name>) to prove that a
    build killed at any moment leaves a complete output/."""
    if os.environ.get("YUNZHAO_TEST_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): both names swap in one step, so output/ always exists."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return result == 0


def _fsync_tree(root: Path) -> None:
    """Flush file contents before the swap, so a power cut cannot publish empty files."""
    os.sync()


def read_manifest(out: Path) -> tuple[list[str], list[str]] | None:
    """(the addresses output/ serves, those it served once and no longer does), or None."""
    try:
        data = json.loads((out / MANIFEST).read_text("utf-8"))
        urls, lost = data["urls"], data.get("lost", [])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not all(isinstance(x, list) and all(isinstance(u, str) for u in x) for x in (urls, lost)):
        return None
    return urls, lost


def manifest_bytes(urls: list[str], lost: list[str] = ()) -> bytes:
    """Every address served, and every address served once but not now: a link lost stays on
    record (and is reported at every build) until an alias or the item brings it back."""
    data = {"urls": sorted(urls), "lost": sorted(lost)}
    return (json.dumps(data, ensure_ascii=False, indent=0) + "\n").encode("utf-8")
