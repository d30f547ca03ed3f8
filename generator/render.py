"""Render: routes into bytes, through the theme's Jinja templates.

Each route kind has one template; the template receives views already resolved in the
page's language (see `views`). Links are written as site-root paths and made relative to the
page being rendered by the `rel` filter, so the output works under any sub-path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import jinja2
from markupsafe import Markup

from . import deps
from .i18n import LANGUAGES, Localizer
from .images import ImageCatalog
from .model import Site
from .qr import qr_inline
from .routes import Plan, Route, relative
from .search import SearchIndex, build_indexes
from .theme import Theme, hashed_name
from .views import LANG_VIEW_KEYS, LangView

TEMPLATES = {
    "home": "home.html",
    "catalogue": "catalogue.html",
    "project": "project.html",
    "parks": "parks.html",
    "park": "park.html",
    "sectors": "sectors.html",
    "sector": "sector.html",
    "page": "page.html",
    "notfound": "404.html",
    "search": "search.html",
    "root": "root.html",
    "rootnotfound": "404.html",
    "alias": "redirect.html",
    "brochure": "brochure.html",
    "brochures": "brochures-index.html",
}


@jinja2.pass_context
def _rel(context, path) -> str:
    # An image (or one of its renditions) links by its `path`: `{{ park.cover|rel }}` works too.
    if isinstance(path, deps.Traced):
        deps.read(path.dep_keys)
    return relative(context["route"].path, getattr(path, "path", path))


class TracingEnvironment(jinja2.Environment):
    """Records what a template reads from views, for incremental builds (see deps.py).

    Templates reach content only through attribute and item access on the objects they are
    given, and Jinja routes every such access through these two methods. Most accesses are to
    strings and dicts: one lookup of the object's type decides that nothing is to be recorded."""

    def getattr(self, obj, attribute):
        tracer = deps.TRACERS.get(type(obj))
        if tracer is not None:
            tracer(obj, attribute)
        try:      # jinja2.Environment.getattr, inlined: this runs millions of times in a large site
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj, argument):
        tracer = deps.TRACERS.get(type(obj))
        if tracer is not None:
            tracer(obj, argument)
        return super().getitem(obj, argument)


def _trace_lang_view(view, attribute) -> None:
    deps.read(LANG_VIEW_KEYS.get(attribute, (deps.EVERYTHING,)) if isinstance(attribute, str)
              else (deps.EVERYTHING,))


deps.TRACERS[LangView] = _trace_lang_view
deps.TRACERS[Site] = lambda site, attribute: deps.read((deps.EVERYTHING,))


def _fragment_key(context, macro, args) -> tuple:
    parts = []
    for arg in args:
        if isinstance(arg, deps.Traced):
            parts.append((arg.kind, arg.id))
        elif isinstance(arg, (str, int)) or arg is None:
            parts.append(arg)
        elif arg is context.get("t"):
            parts.append("t")
        else:
            raise TypeError(f"cached({macro.name}, …) takes views, strings and numbers, not {type(arg).__name__}")
    # The fragment's links are relative to the page's folder: the same card in another folder differs.
    route = context["route"]
    return (macro.name, route.lang, route.path.rpartition("/")[0], *parts)


def _json(value) -> Markup:
    # For inline <script type="application/json">: "<" escaped so content cannot close the tag.
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@dataclass
class Renderer:
    site: Site
    plan: Plan
    theme: Theme
    strings: dict[str, dict]
    localizer: Localizer
    images: ImageCatalog = field(default_factory=ImageCatalog)
    cache_dir: Path | None = None      # <site>/.yunzhao-cache/: the search keeps its terms there
    search_workers: int | None = None  # processes that cut search terms (None: one per core)

    def __post_init__(self):
        self.env = TracingEnvironment(
            loader=jinja2.FileSystemLoader(self.theme.template_dirs),
            autoescape=True, trim_blocks=True, lstrip_blocks=True,
            undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        self.env.filters["rel"] = _rel
        self.env.filters["json"] = _json
        self.env.filters["qr"] = qr_inline      # {{ absolute(path)|qr }}: an inline SVG QR code
        self.views = {lang: LangView(self.site, lang, self.localizer, self.plan, self.strings[lang],
                                     self.images)
                      for lang in self.site.languages}
        self.assets = self.static_assets()
        self.items = {(kind, x.id): x for kind, items in (
            ("project", self.site.projects), ("park", self.site.parks),
            ("sector", self.site.sectors), ("page", self.site.pages),
            ("brochure", self.site.brochures)) for x in items}
        self.env.globals.update(
            asset=lambda name: self.assets[name][0], languages=LANGUAGES,
            brand_color=self.site.brand_color, search_meta=self.search_meta, cached=self.cached)
        self.fragments: dict[tuple, tuple[str, tuple[str, ...]]] = {}       # see `cached`
        self.new_fragments: dict[tuple, tuple[str, tuple[str, ...]]] = {}   # made in this build

    @cached_property
    def search(self) -> dict[str, SearchIndex]:
        """The search index of each language: every page names its index in the search box."""
        return build_indexes(self.site, self.views, self.cache_dir, self.search_workers)

    @jinja2.pass_context
    def cached(self, context, macro, *args) -> Markup:
        """`{{ cached(project_card, p, t, 'h2') }}`: the macro's output, made once and kept with
        the content it read, so that a list of 10,000 projects costs 10,000 look-ups, not 10,000
        renders, when one project changed (see incremental.py)."""
        key = _fragment_key(context, macro, args)
        found = self.fragments.get(key)
        if found is not None:
            deps.read(found[1])
            return Markup(found[0])
        outer = deps.begin_part()
        try:
            html = str(macro(*args))     # kept as plain text: it pickles much faster than Markup
        finally:
            keys = deps.end_part(outer)
        self.fragments[key] = (html, keys)
        self.new_fragments[key] = (html, keys)
        return Markup(html)

    def search_meta(self, lang: str) -> str:
        # The index is named by its content, which any edit may change: the page that names it
        # (the search page) is made at every build.
        deps.read((deps.EVERYTHING,))
        return self.search[lang].meta

    def static_assets(self) -> dict[str, tuple[str, bytes]]:
        """Theme static files under content-hashed names: name → (path, bytes)."""
        out = {}
        for name, path in self.theme.static_files().items():
            data = path.read_bytes()
            out[name] = ("assets/" + hashed_name(name, data), data)
        return out

    def item(self, route: Route, lv: LangView):
        found = self.items.get((route.kind, route.key))
        if found is None:
            return None
        return getattr(lv, route.kind)(found)

    def context(self, route: Route) -> dict:
        if route.lang is None:
            lv = self.views[self.site.source_language]
        else:
            lv = self.views[route.lang]
        alternates = self.plan.alternates(route) if route.lang else []
        return {
            "route": route, "site": lv, "lang": lv.lang, "t": lv.strings, "item": self.item(route, lv),
            "alternates": [(LANGUAGES[a.lang], a.path) for a in alternates],
            "absolute": self.plan.absolute, "all_languages": [self.views[x] for x in self.site.languages],
        }

    def render(self, route: Route) -> bytes:
        if route.kind == "sitemap":
            return self.sitemap()
        if route.kind == "robots":
            return f"User-agent: *\nAllow: /\nSitemap: {self.plan.absolute('sitemap.xml')}\n".encode()
        template = self.env.get_template(TEMPLATES[route.kind])
        return template.render(self.context(route)).encode("utf-8")

    def render_traced(self, route: Route) -> tuple[bytes, tuple[str, ...]]:
        """The page, and the keys of the content it read (see deps.py)."""
        deps.start()
        try:
            data = self.render(route)
        finally:
            keys = deps.stop()
        if route.kind in ("sitemap", "alias"):
            # Written from the plan rather than through views (and cheap): made at every build.
            keys = keys + (deps.EVERYTHING,)
        return data, keys

    def sitemap(self) -> bytes:
        """Every page of every language, each with its alternates (Google's hreflang form)."""
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                 'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
        for route in self.plan.routes:
            # Brochures are sent to one investor, and their index is for staff: neither is listed.
            if route.lang is None or route.kind in ("alias", "notfound", "brochure", "brochures"):
                continue
            lines.append(f"<url><loc>{xml_escape(self.plan.absolute(route.path))}</loc>")
            for other in self.plan.alternates(route):
                lines.append(f'<xhtml:link rel="alternate" hreflang="{other.lang}" '
                             f'href="{xml_escape(self.plan.absolute(other.path))}"/>')
            lines.append("</url>")
        lines.append("</urlset>\n")
        return "\n".join(lines).encode("utf-8")

