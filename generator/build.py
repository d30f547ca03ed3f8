"""Build: load → check → plan → render → write, gathering everything before writing.

The whole site is rendered into a staging folder; only when every page rendered and no
content error was found is it swapped in for output/. Problems of every stage are collected
and reported together.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import background, brochure_files, cache, deps, incremental, output
from .check import check_site
from .errors import BuildFailed, Problems
from .file_digests import FileDigests
from .i18n import Localizer
from .images import publish_images
from .parallel import Rendered, digest, render_routes
from .render import Renderer
from .result import BuildResult
from .routes import Plan, plan_site
from .theme import find_theme, load_strings


def prepare(root: Path, problems: Problems, digests: FileDigests | None = None):
    """Check content and theme; returns (site, renderer, plan) or raises BuildFailed. `digests`:
    of the files cache.quick_check fingerprinted."""
    site = check_site(root, problems, digests)
    if site is None or problems:
        raise BuildFailed(problems)
    theme = find_theme(site.theme, root, problems)
    if theme is None:
        raise BuildFailed(problems)
    strings = load_strings(theme, site.languages, problems)
    if problems:
        raise BuildFailed(problems)
    images = publish_images(root, site, problems)
    if problems:
        raise BuildFailed(problems)
    plan = plan_site(site)
    renderer = Renderer(site, plan, theme, strings, Localizer(site.languages, site.hant_variant), images,
                        cache_dir=root / ".yunzhao-cache")
    return site, renderer, plan


def check_plan(plan: Plan) -> None:
    files = [route.file for route in plan.routes]
    if len(set(files)) != len(files):
        duplicates = sorted(f for f, n in Counter(files).items() if n > 1)
        raise output.OutputError(f"two pages would be written to {', '.join(duplicates)}")


def render_all(renderer: Renderer, plan: Plan, problems: Problems, target=None,
               routes=None, unchanged=None, progress=None, meanwhile=None) -> Rendered:
    """Render pages (every page, or `routes`) on all cores, into `target` (a Staging or Journal).

    `meanwhile(files)`, if given, gets every file that is not a page (see `other_files`) while
    the workers render."""
    routes = plan.routes if routes is None else routes
    if target is not None:
        target.reserve(route.file for route in routes)     # checks every path stays inside output/
    folder = target.files if isinstance(target, output.Journal) else target.dir if target else None
    # The search indexes are built while the workers render (this process would wait otherwise),
    # in this process alone (the cores are busy rendering), and the files that are not pages are
    # written then too; only the search pages name the indexes, and they are rendered afterwards.
    renderer.search_workers = 1

    def search_and_files():
        renderer.search
        if meanwhile is not None:
            meanwhile()
    # When a forked process is making the search index already (see _build), a few pages are
    # rendered here: a worker of their own would only add the cost of forking and of copying
    # the memory they touch (twice the time of rendering them at 10,000 projects).
    elsewhere = renderer.search_job is not None
    rendered = render_routes(renderer, [r for r in routes if r.kind != "search"], folder, unchanged,
                             progress=progress, meanwhile=None if elsewhere else search_and_files)
    if elsewhere:
        search_and_files()
    rendered.add(render_routes(renderer, [r for r in routes if r.kind == "search"], folder, unchanged))
    renderer.localizer.missing |= rendered.missing
    if rendered.problems:
        problems.errors.extend(rendered.problems)
        raise BuildFailed(problems)
    return rendered


def routes_fingerprint(plan: Plan) -> str:
    """Which pages there are, each of which kind: all the sitemap is made of, with the site's address."""
    return hashlib.sha256("\n".join([f"{r.kind} {r.path}" for r in plan.routes]).encode()).hexdigest()


def published_urls(plan: Plan) -> list[str]:
    return sorted(r.path for r in plan.routes if r.kind not in ("sitemap", "robots"))


def other_files(renderer: Renderer, extra, plan: Plan, lost: list[str]) -> dict[str, bytes | Path]:
    """Every file of output/ that is not a page: search indexes, theme assets, images, brochure
    files and the manifest of links (bytes, or the cached file to copy)."""
    files: dict[str, bytes | Path] = {}
    for index in renderer.search.values():
        files.update(index.files)
    for path, data in renderer.assets.values():
        files[path] = data
    files.update(renderer.images.files)
    files.update(extra.files)
    files[output.MANIFEST] = output.manifest_bytes(published_urls(plan), lost)
    return files


@dataclass(frozen=True)
class Published:
    """In place of a file's bytes: output/ holds this file already, with these bytes (digest)."""
    digest: str


def _unpublished(indexes: dict, published: dict[str, str]) -> dict:
    """The search indexes with every file that output/ holds already, byte for byte, replaced by
    Published. Done by the process that patches them: an edit changes a few of the 2,000 files
    (20 MB at 10,000 projects), and only those then cross to the build's process."""
    for index in indexes.values():
        for path, data in index.files.items():
            sha = digest(data)
            if published.get(path) == sha:
                index.files[path] = Published(sha)
    return indexes


def _file_digest(content: bytes | Path | Published) -> str:
    # A cached image rendition lives in a folder named by the hash of its source and settings:
    # that folder and the file's name are its digest (wherever the site folder is).
    if isinstance(content, Path):
        return "file:" + "/".join(content.parts[-2:])
    if isinstance(content, Published):
        return content.digest
    return digest(content)


def build(root: Path, out: Path, strict: bool = False, write: bool = True, pdf: bool = False,
          progress=None, quick: cache.Quick | None = None) -> BuildResult:
    """Build the site in `root` into `out`; raises BuildFailed or output.OutputError.

    `progress(stage, done, total)`, if given, hears how far the build is; `quick` is what
    cache.quick_check already found (for `out` made absolute), so it is not done twice."""
    if write:
        quick = quick or cache.quick_check(root.absolute(), out if out.is_absolute() else Path.cwd() / out,
                                           {"strict": strict, "pdf": pdf})
    collecting = gc.isenabled()
    try:
        return _build(root, out, strict, write, pdf, progress, quick)
    finally:
        gc.unfreeze()     # `serve` builds again and again in one process: let the old model go
        if collecting:
            gc.enable()
        background.join_all()     # (a build that failed early never asked for their results)


def _build(root: Path, out: Path, strict: bool, write: bool, pdf: bool, progress, quick) -> BuildResult:
    started = time.monotonic()
    root = root.absolute()
    out = out if out.is_absolute() else Path.cwd() / out
    say = progress or (lambda stage, done=0, total=0: None)
    problems = Problems()
    if write:
        if quick.result is not None:
            return quick.result
        settings, inputs = quick.settings, quick.inputs
    say("content")
    # Reading content makes hundreds of thousands of objects and no garbage: collections while it
    # runs would only walk them again and again (0.2 s of 0.5 s at 10,000 projects).
    gc.disable()
    try:
        site, renderer, plan = prepare(root, problems, quick.digests if write else None)
        # The model lives as long as the build: the collector need not scan it again while pages
        # are rendered, and forked workers then do not copy its memory by touching it.
        gc.freeze()
    finally:
        gc.enable()
    check_plan(plan)
    result = BuildResult(images=len(renderer.images.images), images_processed=renderer.images.processed,
                         images_cached=renderer.images.cached)
    # Brochures' QR codes, posters and PDFs first: their pages link them (and list the PDF's pages).
    extra = brochure_files.make(site, renderer, plan, problems, pdf=pdf or site.pdf, draw=write)
    if problems:
        raise BuildFailed(problems)
    result.posters, result.pdfs = extra.posters, extra.pdfs
    if not write:
        render_all(renderer, plan, problems, progress=lambda done, total: say("pages", done, total))
        _finish(result, renderer, problems, strict, started)
        return result

    values = deps.key_values(site, renderer.images, _brochure_files(renderer))
    values[deps.ROUTES] = routes_fingerprint(plan)
    renderer.content_values = values
    previous = output.read_manifest(out) if out.is_dir() else None
    if previous is not None:
        served, lost_before = map(set, previous)
        urls = set(published_urls(plan))
        result.lost_links = sorted((served | lost_before) - urls)
        result.lost_before = sorted(lost_before - urls)
        if strict and result.lost_links:
            problems.error("content", 0, "", "these links, possibly already sent to investors, would now "
                           "be 404: " + ", ".join(result.lost_links) +
                           "; add the old ids as aliases of the items that replace them")
    # (once the search indexes are built)
    others = lambda: other_files(renderer, extra, plan, result.lost_links)
    state, result.full_because = incremental.load(root, settings, quick.listing) if out.is_dir() else (None, "")
    if state is not None:
        # The rest of an incremental build makes hundreds of thousands of objects and little
        # garbage (the kept page parts take 0.09 s to load at 10,000 projects, and took 0.12-0.45 s
        # with collections walking them as they arrived): no collection until build() ends. (A
        # whole build keeps them: this process gathers the workers' results, and without
        # collections its peak memory grew by a fifth.)
        gc.disable()
        # The search index is patched by a forked process from now on, while this one reads the
        # records and renders the pages that changed.
        renderer.search_workers = 1
        renderer.search_job = background.Background(lambda: _unpublished(renderer.make_search(), state.files))

    def before_publishing(kept_missing: set) -> None:
        # Everything is rendered and nothing published yet: the last moment to refuse the build.
        renderer.localizer.missing |= kept_missing
        _finish(result, renderer, problems, strict, started)

    pages_progress = lambda done, total: say("pages", done, total)
    fragments = incremental.Fragments(root, settings)
    if state is None:
        rendered, files = _build_whole(renderer, plan, problems, out, others, pages_progress,
                                       lambda: before_publishing(set()))
    else:
        changed = incremental.changed_keys(state, values)
        by_file = {route.file: route for route in plan.routes}
        routes = [by_file[f] for f in incremental.pages_to_render(state, list(by_file), changed)]
        # Only the kept parts of the folders of these pages (a part's links are relative to its page).
        renderer.fragments = fragments.load(values, {route.path.rpartition("/")[0] for route in routes})
        rendered, files = _update(renderer, plan, problems, out, others, state, routes, pages_progress,
                                  lambda: before_publishing(incremental.missing_kept(state, changed)))
        result.rendered = len(routes)
        result.changed = set(rendered.written)
    missing = renderer.localizer.missing
    result.written = len(rendered.written)
    result.pages = dict(Counter(route.lang or "" for route in plan.routes))
    # Both records are written only once output/ is complete, and describe exactly it.
    if state is None:
        # every file of output/, noted as it was written (see Staging)
        listing = cache.listing_of(rendered.stats)
    else:
        listing = cache.restat(out, quick.listed, quick.listing, rendered.written)
    pages = dict(state.pages) if state else {}
    pages.update(rendered.keys)
    pages = {route.file: pages[route.file] for route in plan.routes}
    incremental.save(root, incremental.State(settings, files, pages, values, set(missing), listing), last=state)
    fragments.save(values, rendered.fragments)
    cache.remember(root, inputs, listing, result.summary())
    result.seconds = time.monotonic() - started
    return result


def _brochure_files(renderer: Renderer) -> dict:
    return {f"{lang}:{bid}": published for lang, lv in sorted(renderer.views.items())
            for bid, published in sorted(lv.brochure_files.items())}


def _build_whole(renderer, plan, problems, out, others, progress, before_publishing):
    """Every page and file into a staging folder, swapped in for output/ at the end."""
    files: dict[str, str] = {}
    with output.Staging(out) as staging:
        def write_others():
            for path, content in sorted(others().items()):
                _put(staging, path, content)
                files[path] = _file_digest(content)
        rendered = render_all(renderer, plan, problems, staging, progress=progress, meanwhile=write_others)
        files.update(rendered.digests)
        rendered.stats.update(staging.stats)
        before_publishing()
        staging.publish()
    return rendered, files


def _put(target, path: str, content: bytes | Path) -> None:
    """Into a Staging or Journal: bytes are written, a cached file is copied."""
    if isinstance(content, Published):      # (its digest is the published one: never asked to)
        raise AssertionError(f"{path} is published already")
    if isinstance(content, Path):
        target.link_or_copy(path, content)
    else:
        target.write(path, content)


def _update(renderer, plan, problems, out, others, state, routes, progress, before_publishing):
    """Only what changed, moved into output/ through a journal; files no longer made are deleted."""
    files = dict(state.files)
    with output.Journal(out) as journal:
        rendered = render_all(renderer, plan, problems, journal, routes=routes, unchanged=state.files,
                              progress=progress)
        journal.written |= rendered.written
        files.update(rendered.digests)
        others = others()
        for path, content in sorted(others.items()):
            sha = _file_digest(content)
            if state.files.get(path) != sha:
                _put(journal, path, content)
            files[path] = sha
        wanted = {route.file for route in plan.routes} | set(others)
        for path in sorted(set(files) - wanted):
            journal.delete(path)
            del files[path]
        before_publishing()
        if journal.written or journal.deleted:
            journal.apply()
        rendered.written = set(journal.written) | journal.deleted
    return rendered, files


def _finish(result: BuildResult, renderer: Renderer, problems: Problems, strict: bool, started) -> None:
    result.missing = renderer.localizer.report()
    if strict and result.missing:
        for lang, items in sorted(result.missing.items()):
            for item in items:
                problems.error("content", 0, "", f"missing {lang} translation: {item}")
    if problems:
        raise BuildFailed(problems)
    result.warnings = problems.warnings
    result.seconds = time.monotonic() - started
