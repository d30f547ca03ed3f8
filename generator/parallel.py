"""Render pages on every core.

Rendering is CPU-bound Python, so threads would take turns; processes run at once. Workers are
forked after the model, views and templates are ready, so they inherit them instead of
receiving pickles, and each writes its own pages straight into the target folder (every page
has its own file, decided by the plan). The output does not depend on which worker wrote what.

Workers share the routes out as they go (`Claims`): each starts on its own stretch of the plan,
in order, and one that finishes its stretch takes routes from the end of the stretch with most
left. The plan lists each language's pages together, so a worker renders pages of as few
languages as it can: a language's views (a project's summary, figures, card) are made by the
process that renders its pages, and the cards of a catalogue, a sector's or park's list and a
project's related projects are mostly made by the process that renders their projects' pages.
(Dealing routes out in turn made every worker build every language's view of every project.)

A page whose bytes equal what the previous build published (`unchanged`: file → digest) is not
written: an incremental build then moves only pages that really changed into output/.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import incremental
from .background import Background
from .errors import Problem
from .output import write_noted

# Below this many pages, starting processes costs more than it saves.
PARALLEL_FROM = 400

_job = None   # (renderer, routes, target, unchanged, build's pid, progress, claims): set before forking

# Routes a worker claims at a time: about 15 ms of pages, so claiming (a lock between processes)
# costs nothing next to them, and the workers' ends are at most that far apart.
CLAIM = 32


class Claims:
    """Which routes are left, shared by forked workers: the plan cut into one stretch per worker,
    each as [next, end) in an array in shared memory."""

    def __init__(self, routes: int, workers: int):
        self.workers = workers
        bounds = [routes * i // workers for i in range(workers + 1)]
        self.left = multiprocessing.get_context("fork").Array(
            "q", [bound for i in range(workers) for bound in (bounds[i], bounds[i + 1])])

    def take(self, worker: int) -> range:
        """The next routes for `worker`: from the front of its own stretch, else from the end of
        the stretch with most left; empty when none is left."""
        left = self.left
        with left.get_lock():
            start, end = left[2 * worker], left[2 * worker + 1]
            if start < end:
                left[2 * worker] = min(start + CLAIM, end)
                return range(start, min(start + CLAIM, end))
            other = max(range(self.workers), key=lambda i: left[2 * i + 1] - left[2 * i])
            start, end = left[2 * other], left[2 * other + 1]
            if start >= end:
                return range(0)
            left[2 * other + 1] = max(start, end - CLAIM)
            return range(max(start, end - CLAIM), end)


# Pages that show many items (their lists of cards) cost tens or hundreds of times a project's
# page: workers take them first, so that the last routes left to share out are cheap ones.
LIST_KINDS = frozenset(("catalogue", "sector", "park", "sectors", "parks", "home", "sitemap", "brochures"))


def work_order(routes: list) -> list:
    """The routes as workers take them: each language's together, as in the plan, its list pages
    first."""
    languages = {lang: number for number, lang in enumerate(dict.fromkeys(r.lang for r in routes))}
    return sorted(routes, key=lambda r: (languages[r.lang], r.kind not in LIST_KINDS))


def _mine(routes: list, index: int, claims: Claims | None):
    """The routes this worker renders, claimed as it goes (all of them without `claims`)."""
    if claims is None:
        yield from routes
        return
    while True:
        taken = claims.take(index)
        if not taken:
            return
        for number in taken:
            yield routes[number]


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


@dataclass
class Rendered:
    """What rendering a set of pages gave: per page its digest and the content it read."""
    pages: dict[str, int] = field(default_factory=dict)            # per language ("" for shared files)
    digests: dict[str, str] = field(default_factory=dict)          # file → digest of its bytes
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file → keys read (deps.py)
    written: set[str] = field(default_factory=set)                 # files written into the target
    missing: set = field(default_factory=set)                      # missing translations met
    fragments: dict = field(default_factory=dict)                  # cached parts made: incremental.pack
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)  # file written → (size, mtime ns)

    def add(self, other: "Rendered") -> None:
        for lang, count in other.pages.items():
            self.pages[lang] = self.pages.get(lang, 0) + count
        self.digests.update(other.digests)
        self.keys.update(other.keys)
        self.written |= other.written
        self.missing |= other.missing
        for where, packs in other.fragments.items():
            self.fragments.setdefault(where, []).extend(packs)
        self.stats.update(other.stats)
        self.problems += other.problems
    problems: list[Problem] = field(default_factory=list)


def _template_problem(exc: jinja2.TemplateError) -> Problem:
    where = getattr(exc, "filename", None) or getattr(exc, "name", None) or "theme"
    return Problem(str(where), getattr(exc, "lineno", 0) or 0, "", f"theme template error: {exc.message}")


def _render_share(share: tuple[int, int]) -> Rendered:
    index, count = share
    renderer, routes, target, unchanged, build_pid, progress, claims = _job
    out = Rendered()
    if os.getpid() != build_pid:
        # A worker lives for this one share. Rendering makes no reference cycles (measured: none
        # unreachable over hundreds of pages of every kind), so collections would only walk the
        # worker's objects again and again: 1-1.5 s of a 4.5 s share at 10,000 projects.
        gc.disable()
    for number, route in enumerate(_mine(routes, index, claims), 1):
        if os.getpid() != build_pid and os.getppid() != build_pid:
            # The build was killed: stop, rather than go on writing into its folder while the
            # next build cleans it up.
            os._exit(1)
        try:
            data, keys = renderer.render_traced(route)
        except jinja2.TemplateError as exc:
            out.problems.append(_template_problem(exc))
            return out
        sha = digest(data)
        out.digests[route.file] = sha
        out.keys[route.file] = keys
        if target is not None and unchanged.get(route.file) != sha:
            path = target / route.file
            path.parent.mkdir(parents=True, exist_ok=True)
            out.stats[route.file] = write_noted(path, data)
            out.written.add(route.file)
        out.pages[route.lang or ""] = out.pages.get(route.lang or "", 0) + 1
        if progress is not None and index == 0 and number % 500 == 0:
            progress(number * count, len(routes))     # the first worker speaks for all
    out.missing = set(renderer.localizer.missing)
    if renderer.content_values is not None:     # (a build that writes: it keeps them)
        out.fragments = incremental.pack(renderer.new_fragments, renderer.content_values)
        renderer.new_fragments = {}             # (packed: the next share of this process packs its own)
    return out


def render_routes(renderer, routes, target: Path | None, unchanged: dict[str, str] | None = None,
                  workers: int | None = None, progress=None, meanwhile=None) -> Rendered:
    """Render `routes` into `target` (None: only render), skipping pages whose digest is in `unchanged`.

    `meanwhile()`, if given, runs in this process while the workers render."""
    global _job
    cores = workers or int(os.environ.get("YUNZHAO_WORKERS", 0)) or os.cpu_count() or 1
    forking = cores >= 2 and "fork" in multiprocessing.get_all_start_methods()
    workers = cores if forking and len(routes) >= PARALLEL_FROM else 1
    # A few pages are rendered in one worker when this process has other work meanwhile (the
    # search index of a small site built whole): the two would otherwise add up.
    in_child = workers > 1 or (forking and meanwhile is not None and routes)
    claims = Claims(len(routes), workers) if workers > 1 else None
    order = work_order(routes) if claims else routes
    _job = (renderer, order, target, unchanged or {}, os.getpid(), progress, claims)
    try:
        if not in_child:
            if meanwhile:
                meanwhile()
            results = [_render_share((0, 1))]
        elif workers == 1:
            share = Background(lambda: _render_share((0, 1)))
            meanwhile()
            results = [share.result()]
        else:
            sys.stdout.flush()
            sys.stderr.flush()
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                pending = pool.map_async(_render_share, [(i, workers) for i in range(workers)])
                if meanwhile:
                    meanwhile()
                results = pending.get()
    finally:
        _job = None
    total = Rendered()
    for part in results:
        total.add(part)
    if progress is not None:
        progress(len(routes), len(routes))
    return total
