"""Build: load → check → plan → render → write, gathering everything before writing.

The whole site is rendered into a staging folder; only when every page rendered and no
content error was found is it swapped in for output/. Problems of every stage are collected
and reported together.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import brochure_files, cache, output
from .check import check_site
from .errors import BuildFailed, Problems
from .i18n import Localizer
from .images import publish_images
from .parallel import render_routes
from .render import Renderer
from .routes import Plan, plan_site
from .theme import find_theme, load_strings


@dataclass
class BuildResult:
    pages: dict[str, int] = field(default_factory=dict)     # per language ("" for shared files)
    missing: dict[str, list[str]] = field(default_factory=dict)
    lost_links: list[str] = field(default_factory=list)
    warnings: list = field(default_factory=list)
    images: int = 0              # images of content published
    images_processed: int = 0    # of which worked on in this build
    images_cached: int = 0       # of which taken from the image cache
    posters: int = 0             # brochure posters drawn
    pdfs: int = 0                # brochure PDFs written
    seconds: float = 0.0
    unchanged: bool = False      # nothing changed since the last build: output/ was kept

    # What a later build with no change reports again (see cache.py).
    REMEMBERED = ("pages", "missing", "warnings", "images", "posters", "pdfs")

    def summary(self) -> dict:
        return {name: ([str(w) for w in self.warnings] if name == "warnings" else getattr(self, name))
                for name in self.REMEMBERED}


def prepare(root: Path, problems: Problems):
    """Check content and theme; returns (site, renderer, plan) or raises BuildFailed."""
    site = check_site(root, problems)
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
    renderer = Renderer(site, plan, theme, strings, Localizer(site.languages, site.hant_variant), images)
    return site, renderer, plan


def render_all(renderer: Renderer, plan: Plan, problems: Problems, staging=None) -> dict[str, int]:
    """Render every page (into the staging folder, if given) on all cores."""
    files = [route.file for route in plan.routes]
    if len(set(files)) != len(files):
        duplicates = sorted(f for f, n in Counter(files).items() if n > 1)
        raise output.OutputError(f"two pages would be written to {', '.join(duplicates)}")
    if staging is not None:
        staging.reserve(files)     # checks every path stays inside output/
    renderer.search    # the search indexes are built once here, before the render workers fork
    pages, missing, found = render_routes(renderer, plan.routes, staging.dir if staging else None)
    renderer.localizer.missing |= missing
    if found:
        problems.errors.extend(found)
        raise BuildFailed(problems)
    return pages


def build(root: Path, out: Path, strict: bool = False, write: bool = True, pdf: bool = False) -> BuildResult:
    """Build the site in `root` into `out`; raises BuildFailed or output.OutputError."""
    started = time.monotonic()
    root = root.absolute()
    out = out if out.is_absolute() else Path.cwd() / out
    if write:
        output.check_target(out)     # before any work: a refused folder is refused at once
    problems = Problems()
    if write:
        inputs = cache.fingerprint(root, out, {"strict": strict, "pdf": pdf})
        remembered = cache.unchanged(root, out, inputs)
        if remembered is not None:
            result = BuildResult(**remembered, images_cached=remembered["images"], unchanged=True)
            result.seconds = time.monotonic() - started
            return result
    site, renderer, plan = prepare(root, problems)
    result = BuildResult(images=len(renderer.images.images), images_processed=renderer.images.processed,
                         images_cached=renderer.images.cached)
    # Brochures' QR codes, posters and PDFs first: their pages link them (and list the PDF's pages).
    extra = brochure_files.make(site, renderer, plan, problems, pdf=pdf or site.pdf, draw=write)
    if problems:
        raise BuildFailed(problems)
    result.posters, result.pdfs = extra.posters, extra.pdfs
    if not write:
        render_all(renderer, plan, problems)
        _finish(result, renderer, problems, strict, started)
        return result

    output.check_target(out)
    previous = output.read_manifest(out) if out.is_dir() else None
    with output.Staging(out) as staging:
        result.pages = render_all(renderer, plan, problems, staging)
        for index in renderer.search.values():
            for path, data in sorted(index.files.items()):
                staging.write(path, data)
        for name, (path, data) in sorted(renderer.assets.items()):
            staging.write(path, data)
        for path, cached in sorted(renderer.images.files.items()):
            staging.link_or_copy(path, cached)
        for path, data in sorted(extra.files.items()):
            staging.write(path, data)
        urls = sorted(r.path for r in plan.routes if r.kind not in ("sitemap", "robots"))
        staging.write(output.MANIFEST, output.manifest_bytes(urls))
        if previous is not None:
            result.lost_links = sorted(set(previous) - set(urls))
            if strict and result.lost_links:
                problems.error("content", 0, "", "these links, possibly already sent to investors, would now "
                               "be 404: " + ", ".join(result.lost_links) +
                               "; add the old ids as aliases of the items that replace them")
        _finish(result, renderer, problems, strict, started)
        staging.publish()
    cache.remember(root, out, inputs, result.summary())
    result.seconds = time.monotonic() - started
    return result


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
