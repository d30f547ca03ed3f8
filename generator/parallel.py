"""Render pages on every core.

Rendering is CPU-bound Python, so threads would take turns; processes run at once. Workers are
forked after the model, views and templates are ready, so they inherit them instead of
receiving pickles, and each writes its own pages straight into the staging folder (every page
has its own file, decided by the plan). Each worker takes every n-th route, which spreads
expensive and cheap pages evenly; the output does not depend on which worker wrote what.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import jinja2

from .errors import Problem

# Below this many pages, starting processes costs more than it saves.
PARALLEL_FROM = 400

_job = None   # (renderer, routes, target folder, pid of the build) — set before forking, read by workers


def _template_problem(exc: jinja2.TemplateError) -> Problem:
    where = getattr(exc, "filename", None) or getattr(exc, "name", None) or "theme"
    return Problem(str(where), getattr(exc, "lineno", 0) or 0, "", f"theme template error: {exc.message}")


def _render_share(share: tuple[int, int]):
    index, count = share
    renderer, routes, target, build_pid = _job
    pages: dict[str, int] = {}
    for route in routes[index::count]:
        if os.getpid() != build_pid and os.getppid() != build_pid:
            # The build was killed: stop, rather than go on writing into its staging folder
            # while the next build cleans it up.
            os._exit(1)
        try:
            data = renderer.render(route)
        except jinja2.TemplateError as exc:
            return pages, set(), [_template_problem(exc)]
        if target is not None:
            path = target / route.file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        pages[route.lang or ""] = pages.get(route.lang or "", 0) + 1
    return pages, renderer.localizer.missing, []


def render_routes(renderer, routes, target: Path | None, workers: int | None = None):
    """Render `routes` (into `target` if given): (pages per language, missing translations, problems)."""
    global _job
    workers = workers or int(os.environ.get("YUNZHAO_WORKERS", 0)) or os.cpu_count() or 1
    if len(routes) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        workers = 1
    _job = (renderer, routes, target, os.getpid())
    try:
        if workers == 1:
            results = [_render_share((0, 1))]
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(_render_share, [(i, workers) for i in range(workers)])
    finally:
        _job = None
    pages: dict[str, int] = {}
    missing: set = set()
    problems: list[Problem] = []
    for part_pages, part_missing, part_problems in results:
        for lang, count in part_pages.items():
            pages[lang] = pages.get(lang, 0) + count
        missing |= part_missing
        problems += part_problems
    return pages, missing, problems
