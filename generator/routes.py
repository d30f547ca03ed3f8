"""Plan: every page of the site, its URL and its file, decided in this one place.

A URL path here is relative to the site root and never starts with "/" (`zh/projects/x/`), so
`output/` can be served from any sub-path; links between pages are made relative with `relative`.
`base_url` turns a path into an absolute URL only where one is required (canonical, hreflang,
sitemap, share metadata).
"""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass, field

from .i18n import LANGUAGES
from .model import Site

# The kinds of page each language has, and how their URL is made from an item id.
PATTERNS = {
    "home": "{lang}/",
    "catalogue": "{lang}/projects/",
    "project": "{lang}/projects/{key}/",
    "parks": "{lang}/parks/",
    "park": "{lang}/parks/{key}/",
    "sectors": "{lang}/sectors/",
    "sector": "{lang}/sectors/{key}/",
    "page": "{lang}/pages/{key}/",
    "notfound": "{lang}/404.html",
    "search": "{lang}/search/",
    "brochures": "{lang}/brochures/",             # the staff index: not linked, not in the sitemap
    "brochure": "{lang}/brochures/{key}/",
}


@dataclass(frozen=True)
class Route:
    kind: str
    lang: str | None
    key: str
    path: str                     # URL path relative to the site root
    target: str = ""              # for redirects: the path they send to

    @property
    def file(self) -> str:
        """The file that serves this route, relative to output/."""
        return self.path + "index.html" if self.path.endswith("/") or not self.path else self.path


@dataclass
class Plan:
    site: Site
    routes: list[Route] = field(default_factory=list)
    by_key: dict[tuple[str, str | None, str], Route] = field(default_factory=dict)

    def add(self, route: Route) -> None:
        self.routes.append(route)
        self.by_key[(route.kind, route.lang, route.key)] = route

    def path(self, kind: str, lang: str | None, key: str = "") -> str:
        return self.by_key[(kind, lang, key)].path

    def alternates(self, route: Route) -> list[Route]:
        """The same page in every language (itself included), in the site's language order."""
        found = []
        for lang in self.site.languages:
            other = self.by_key.get((route.kind, lang, route.key))
            if other is not None:
                found.append(other)
        return found

    def absolute(self, path: str) -> str:
        return self.site.base_url + path

    def pages(self) -> list[Route]:
        return [r for r in self.routes if r.kind not in ("alias",)]


def folder(lang: str) -> str:
    return LANGUAGES[lang].folder


def relative(from_path: str, to_path: str) -> str:
    """A link from the page at `from_path` to `to_path`, both relative to the site root."""
    base = from_path if from_path.endswith("/") or not from_path else posixpath.dirname(from_path) + "/"
    if not base:
        return to_path or "./"
    if not to_path or to_path[0] in "./" or "/." in to_path or "//" in to_path or base[0] in "./" \
            or "/." in base or "//" in base:
        rel = posixpath.relpath(to_path or ".", base.rstrip("/") or ".")
    else:
        # Plain paths (every link the plan makes): the same answer as posixpath.relpath without
        # its normalising, which costs more than the rest of a link when a page has hundreds.
        here = _parts(base)
        there = to_path.rstrip("/").split("/")
        common = 0
        for a, b in zip(here, there):
            if a != b:
                break
            common += 1
        rel = "/".join([".."] * (len(here) - common) + there[common:]) or "."
    if rel == ".":
        return "./"
    return rel + "/" if to_path.endswith("/") and not rel.endswith("/") else rel


@functools.lru_cache(maxsize=4096)
def _parts(base: str) -> tuple[str, ...]:
    return tuple(part for part in base.split("/") if part)


def plain(path: str) -> bool:
    """A path without "." or ".." parts, empty parts or a leading slash: every path of the plan."""
    return bool(path) and path[0] not in "./" and "/." not in path and "//" not in path


def link_class(from_path: str, targets) -> str | None:
    """A name shared by all pages from which `relative` makes the same links to `targets` (plain
    paths), or None (then compare the links themselves).

    A link leaves the page's folder for the longest folder it shares with the target. When no
    target is in or under the page's own folder, that shared folder is at most the folder above
    it, so the links depend only on that parent folder: every project page of a language
    (zh/projects/<id>/) gets the same links to the menu, the assets and other projects."""
    base = from_path if from_path.endswith("/") else posixpath.dirname(from_path) + "/"
    if base == "/" or not plain(base):
        return None
    for target in targets:
        if (target + "/").startswith(base):
            return None
    return base[:base.rstrip("/").rfind("/") + 1]


def plan_site(site: Site) -> Plan:
    plan = Plan(site)

    def add(kind, lang, key=""):
        path = PATTERNS[kind].format(lang=folder(lang), key=key)
        plan.add(Route(kind, lang, key, path))

    for lang in site.languages:
        for kind in ("home", "catalogue", "parks", "sectors", "search", "notfound"):
            add(kind, lang)
        for project in site.projects:
            add("project", lang, project.id)
        for park in site.parks:
            add("park", lang, park.id)
        for sector in site.sectors:
            add("sector", lang, sector.id)
        for page in site.pages:
            add("page", lang, page.id)
        if site.brochures:
            add("brochures", lang)
        for brochure in site.brochures:
            add("brochure", lang, brochure.id)
        # Old ids keep working: each alias becomes a redirect page in every language.
        for kind, items in (("project", site.projects), ("park", site.parks), ("page", site.pages)):
            for item in items:
                for alias in item.aliases:
                    plan.add(Route("alias", lang, f"{kind}:{alias}",
                                   PATTERNS[kind].format(lang=folder(lang), key=alias),
                                   target=plan.path(kind, lang, item.id)))
    plan.add(Route("root", None, "", ""))
    plan.add(Route("rootnotfound", None, "", "404.html"))
    plan.add(Route("sitemap", None, "", "sitemap.xml"))
    plan.add(Route("robots", None, "", "robots.txt"))
    return plan
