"""Render: routes into bytes, through the theme's Jinja templates.

Each route kind has one template; the template receives views already resolved in the
page's language (see `views`). Links are written as site-root paths and made relative to the
page being rendered by the `rel` filter, so the output works under any sub-path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from xml.sax.saxutils import escape as xml_escape

import jinja2
from markupsafe import Markup

from .i18n import LANGUAGES, Localizer
from .images import ImageCatalog
from .model import Site
from .qr import qr_inline
from .routes import Plan, Route, relative
from .search import SearchIndex, build_indexes
from .theme import Theme, hashed_name
from .views import LangView

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
    return relative(context["route"].path, getattr(path, "path", path))


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

    def __post_init__(self):
        self.env = jinja2.Environment(
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
            brand_color=self.site.brand_color, search_meta=lambda lang: self.search[lang].meta)

    @cached_property
    def search(self) -> dict[str, SearchIndex]:
        """The search index of each language: every page names its index in the search box."""
        return build_indexes(self.site, self.views)

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

