"""Render: routes into bytes, through the theme's Jinja templates.

Each route kind has one template; the template receives views already resolved in the
page's language (see `views`). Links are written as site-root paths and made relative to the
page being rendered by the `rel` filter, so the output works under any sub-path.
"""

from __future__ import annotations

# (html.escape for the sitemap: xml.sax.saxutils, which escapes the same three characters,
# imports urllib.request, http.client and ssl, 25 ms at every start.)
import html
import json
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from pathlib import Path

import jinja2
from jinja2.compiler import CodeGenerator
from markupsafe import Markup

from . import deps, template_cache
from .i18n import LANGUAGES, Localizer, escape_text
from .images import ImageCatalog
from .model import Site
from .qr import qr_inline
from .routes import Plan, Route, link_class, plain, relative
from .search import SearchIndex, build_indexes
from .theme import Theme, hashed_name
from .views import LANG_VIEW_KEYS, LangView, ViewList

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


# The URL path of the page being rendered: `|rel` makes links relative to it. Kept here rather
# than read from the template's context so that macros work without it: templates import
# `_macros.html` without context, and Jinja then makes its module once instead of on every page.
_page_path = ""


class PageContext(jinja2.runtime.Context):
    """A template's context; one made for a page (it has a `route`) names the page for `|rel`."""

    def __init__(self, environment, parent, name, blocks, globals=None):
        super().__init__(environment, parent, name, blocks, globals)
        route = parent.get("route")
        if route is not None:
            global _page_path
            _page_path = route.path


# While a cached fragment renders (see `Renderer.cached`), the links `|rel` makes in it, as
# (target, link) pairs; otherwise None.
_links: list[tuple[str, str]] | None = None


def _rel(path) -> str:
    if type(path) is not str:
        # An image (or one of its renditions) links by its `path`: `{{ park.cover|rel }}` works too.
        if isinstance(path, deps.Traced):
            deps.read(path.dep_keys)
        path = getattr(path, "path", path)
    link = relative(_page_path, path)
    if _links is not None:
        _links.append((path, link))
    return link


# What a plain dict answers as an attribute (`items`, `get`, …): there `t.x` stays Jinja's getattr.
_DICT_ATTRIBUTES = frozenset(dir(dict))


def _escape_output(value) -> str:
    """What `{{ value }}` writes: markupsafe.escape without wrapping the result in a Markup, which
    costs more than the escaping (output is only joined into the page, so the type is lost anyway)."""
    if type(value) is str:
        return escape_text(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape_text(str(value))


class _CodeGenerator(CodeGenerator):
    """Compiles `{{ … }}` in autoescaped templates to `_escape_output` instead of `escape`."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


class TracingEnvironment(jinja2.Environment):
    """Records what a template reads from views, for incremental builds (see deps.py).

    Templates reach content only through attribute and item access on the objects they are
    given, and Jinja routes every such access through these two methods. Most accesses are to
    strings and dicts: one lookup of the object's type decides that nothing is to be recorded."""

    context_class = PageContext
    code_generator_class = _CodeGenerator
    escape_output = staticmethod(_escape_output)

    def make_globals(self, d):
        # A plain dict rather than Jinja's ChainMap over the environment's globals (all set before
        # any template loads): importing macros compares the page's globals with the template's
        # on every page, and a ChainMap answers each of those lookups in Python.
        return {**self.globals, **(d or {})}

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            # `t.nav.home`: the theme's strings. Asking the dict for the attribute first (as Jinja
            # does) raises and catches an AttributeError, which costs six times the lookup.
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
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


def _argument_part(context, macro, arg):
    """How an argument of a cached fragment counts in its key: a view by its kind and id."""
    if isinstance(arg, deps.Traced):
        return (arg.kind, arg.id)
    if arg is None or isinstance(arg, (str, int)):
        return arg
    if arg is context.get("t"):
        return "t"
    raise TypeError(f"cached({macro.name}, …) takes views, strings and numbers, not {type(arg).__name__}")


def _json(value) -> Markup:
    # For inline <script type="application/json">: "<" escaped so content cannot close the tag.
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


# How many fragments made with `cached(…, keep=False)` a renderer holds at most.
SHARED_LIMIT = 5000


@dataclass(repr=False)     # its fields hold the whole site: a traceback should not print them
class Renderer:
    site: Site
    plan: Plan
    theme: Theme
    strings: dict[str, dict]
    localizer: Localizer
    images: ImageCatalog = field(default_factory=ImageCatalog)
    cache_dir: Path | None = None      # <site>/.yunzhao-cache/: the search keeps its terms there
    search_workers: int | None = None  # processes that cut search terms (None: one per core)
    content_values: dict | None = None  # deps.key_values of this build, if made (the search uses them)
    search_job: object = None           # a background.Background making `search` elsewhere, if started

    def __post_init__(self):
        self.env = TracingEnvironment(
            loader=jinja2.FileSystemLoader(self.theme.template_dirs),
            autoescape=True, trim_blocks=True, lstrip_blocks=True,
            undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
            # A renderer lives for one build (`serve` makes a new one for each): the templates
            # cannot change under it, and checking their files costs five stat calls a page.
            auto_reload=False, bytecode_cache=template_cache.for_user())
        self.env.filters["rel"] = _rel
        self.env.filters["json"] = _json
        self.env.filters["qr"] = qr_inline      # {{ absolute(path)|qr }}: an inline SVG QR code
        shared: dict = {}     # what the views of every language compute alike
        self.views = {lang: LangView(self.site, lang, self.localizer, self.plan, self.strings[lang],
                                     self.images, shared)
                      for lang in self.site.languages}
        self.assets = self.static_assets()
        self.items = {(kind, x.id): x for kind, items in (
            ("project", self.site.projects), ("park", self.site.parks),
            ("sector", self.site.sectors), ("page", self.site.pages),
            ("brochure", self.site.brochures)) for x in items}
        self.env.globals.update(
            asset=lambda name: self.assets[name][0], languages=LANGUAGES,
            brand_color=self.site.brand_color, search_meta=self.search_meta, cached=self.cached,
            cached_each=self.cached_each)
        # See `cached`: (html, keys read, links made) by macro, language, folder and arguments.
        self.fragments: dict[tuple, tuple[str, tuple[str, ...], tuple]] = {}
        self.new_fragments: dict[tuple, tuple[str, tuple[str, ...], tuple]] = {}   # to keep
        # Fragments shared by pages (see `cached`): by (macro, language, arguments) the targets of
        # their links (None: not shared); by that key and the links, or a routes.link_class, the fragment.
        self.shared_targets: dict[tuple, tuple[str, ...] | None] = {}
        self.shared_fragments: dict[tuple, tuple] = {}
        self.odd_targets: set[tuple] = set()    # keys whose targets are not all plain paths

    @cached_property
    def search(self) -> dict[str, SearchIndex]:
        """The search index of each language: every page names its index in the search box."""
        return self.search_job.result() if self.search_job is not None else self.make_search()

    def make_search(self) -> dict[str, SearchIndex]:
        return build_indexes(self.site, self.views, self.cache_dir, self.search_workers, self.content_values)

    @jinja2.pass_context
    def cached(self, context, macro, *args, keep: bool = True) -> Markup:
        """`{{ cached(project_card, p, t, 'h2') }}`: the macro's output, made once and kept with
        the content it read, so that a list of 10,000 projects costs 10,000 look-ups, not 10,000
        renders, when one project changed (see incremental.py).

        The output may depend only on the arguments, the language and the links that `|rel`
        makes in it: a fragment is kept per folder (its links are relative to the page).
        `keep=False`: not kept for the next build, but shared by every page of this one on which
        its links come out the same: the page chrome, and the related-project cards of all project
        pages, are made once (small parts that render again with their page anyway)."""
        parts = tuple([_argument_part(context, macro, arg) for arg in args])
        return Markup(self._fragment(context["route"], macro, args, parts, keep))

    @jinja2.pass_context
    def cached_each(self, context, macro, items, *args, keep: bool = True) -> Markup:
        """`{{ cached_each(project_card, site.projects, t, 'h2') }}`: `cached(project_card, p, t,
        'h2')` for each p of the list, joined; one call from the template instead of one per
        item, which costs more than finding a kept fragment."""
        route = context["route"]
        rest = tuple([_argument_part(context, macro, arg) for arg in args])
        name, lang, folder = macro.name, route.lang, route.path.rpartition("/")[0]
        # A list of views not made yet (views.ViewList): the items' keys from their models, and
        # a view made only for an item whose fragment is not kept.
        lazy = type(items) is ViewList
        if lazy:
            kind = items.kind
            parts = [(kind, model.id) for model in items.models]
        else:
            items = list(items)
            parts = [_argument_part(context, macro, item) for item in items]
        # Every kept fragment looked up at once, in C: a catalogue of 10,000 projects after an
        # edit finds all but one, and this loop is most of what rendering it costs.
        found = list(map(self.fragments.get, [(name, lang, folder, part, *rest) for part in parts])) \
            if keep and _links is None else [None] * len(parts)
        reading = deps.reading()
        if reading is not None:
            reading.update(chain.from_iterable([fragment[1] for fragment in found if fragment is not None]))
        out = [None if fragment is None else fragment[0] for fragment in found]
        for index, fragment in enumerate(found):
            if fragment is None:
                view = items.one(index) if lazy else items[index]
                out[index] = self._fragment(route, macro, (view, *args), (parts[index], *rest), keep)
        return Markup("".join(out))

    def _fragment(self, route: Route, macro, args: tuple, parts: tuple, keep: bool) -> str:
        """The html of `macro(*args)` on the page of `route`, kept, shared or made (see `cached`)."""
        global _links
        if keep:
            key = (macro.name, route.lang, route.path.rpartition("/")[0], *parts)
            found = self.fragments.get(key)
        else:
            key = (macro.name, route.lang, *parts)
            found = self._shared_fragment(key, route.path)
        if found is None:
            outer_keys, outer_links, _links = deps.begin_part(), _links, []
            try:
                html = str(macro(*args))     # kept as plain text: it pickles much faster than Markup
            finally:
                keys = deps.end_part(outer_keys)
                links, _links = tuple(_links), outer_links
            found = (html, keys, links)
            if keep:
                self.fragments[key] = self.new_fragments[key] = found
            else:
                self._share_fragment(key, found)
        else:
            deps.read(found[1])
        if _links is not None:
            _links.extend(found[2])      # a fragment in a fragment: its links are the outer one's too
        return found[0]

    def _shared_fragment(self, key: tuple, here: str):
        """The fragment made on another page whose links come out the same on this one."""
        targets = self.shared_targets.get(key)
        if targets is None:
            return None
        # Pages whose links to these targets are the same by construction share a class: one
        # lookup instead of making every link (a page's head, menu and footer have a dozen).
        same_as = None if key in self.odd_targets else link_class(here, targets)
        found = self.shared_fragments.get((key, same_as)) if same_as is not None else None
        if found is None:
            found = self.shared_fragments.get((key, tuple([relative(here, target) for target in targets])))
            if found is not None and same_as is not None:
                self.shared_fragments[(key, same_as)] = found
        return found

    def _share_fragment(self, key: tuple, fragment: tuple) -> None:
        if len(self.shared_targets) >= SHARED_LIMIT:
            # Forget them all rather than grow (20,000 project cards are 40 MB). Most sharing
            # comes soon: the related projects of a page are neighbours of its project.
            self.shared_targets.clear()
            self.shared_fragments.clear()
            self.odd_targets.clear()
        targets = tuple([target for target, _ in fragment[2]])
        known = self.shared_targets.get(key, targets)
        if known != targets:
            # It linked elsewhere from another page: it depends on the page in another way than
            # its links, so it is not shared at all.
            self.shared_targets[key] = None
        elif known is not None:
            self.shared_targets[key] = known
            self.shared_fragments[(key, tuple([link for _, link in fragment[2]]))] = fragment
            if not all(map(plain, targets)):
                self.odd_targets.add(key)

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
        if route.kind == "sitemap":
            # Written from the plan rather than through views: it changes when a page comes or
            # goes, or the site's address does.
            keys = keys + (deps.ROUTES, "site")
        elif route.kind == "alias":
            keys = keys + (deps.EVERYTHING,)      # (cheap: made at every build)
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
            lines.append(f"<url><loc>{html.escape(self.plan.absolute(route.path), quote=False)}</loc>")
            for other in self.plan.alternates(route):
                lines.append(f'<xhtml:link rel="alternate" hreflang="{other.lang}" '
                             f'href="{html.escape(self.plan.absolute(other.path), quote=False)}"/>')
            lines.append("</url>")
        lines.append("</urlset>\n")
        return "\n".join(lines).encode("utf-8")

