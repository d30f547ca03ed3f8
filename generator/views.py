"""Model objects as one language sees them: what templates receive.

Templates never pick a language or parse an amount: every text here is already resolved
(with fallback marked), every amount formatted, every link a site-root path for `|rel`.
Views are built once per item and language and shared by every page that shows them, so
lists, navigation and figures cost nothing extra per page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from urllib.parse import quote

from markupsafe import Markup

from . import charts, deps
from . import model as m
from .i18n import LANGUAGES, Localizer, Shown, wrap_lang
from .images import ImageCatalog, PublishedImage, Rendition
from .markdown import render_markdown
from .routes import Plan
from .units import sum_money


class cached_property:
    """functools.cached_property without its lock: before Python 3.12 it takes one at every first
    read, which costs more than most values here, and a 10,000-project site reads hundreds of
    thousands (views are used by one thread)."""

    def __init__(self, func):
        self.func = func
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


class ViewList(Sequence):
    """The views of a list of model items, made when the list is first read: a template that
    only counts it (`park.projects|length`: the catalogue page counts every park's and sector's
    projects) or finds every card of it kept (`render.cached_each`) makes none. `kind` is
    the kind of its views."""

    def __init__(self, kind: str, models: list, make):
        self.kind = kind
        self.models = models
        self._make = make            # models → their views (the language's, made once per item)
        self._views = None

    def views(self) -> list:
        if self._views is None:
            self._views = self._make(self.models)
        return self._views

    def one(self, index: int):
        """The view of one item, without making the others'."""
        return self._views[index] if self._views is not None else self._make([self.models[index]])[0]

    def __len__(self) -> int:
        return len(self.models)

    def __bool__(self) -> bool:
        return bool(self.models)

    def __getitem__(self, index):
        return self.views()[index]

    def __iter__(self):
        return iter(self.views())

    def __eq__(self, other):
        """As the list it stands for: a theme may write `park.projects == []`."""
        if not isinstance(other, (list, ViewList)):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None       # (a list is not hashable either)


class LangView:
    """Views of the whole site in one language.

    Templates read it as `site`; what each of its attributes depends on is listed in
    `LANG_VIEW_KEYS` (an attribute missing there counts as depending on everything)."""

    def __init__(self, site: m.Site, lang: str, localizer: Localizer, plan: Plan, strings: dict,
                 images: ImageCatalog | None = None, shared: dict | None = None):
        self.model = site
        self.shared = shared if shared is not None else {}   # the same for every language
        self.catalog = images if images is not None else ImageCatalog()
        self.lang = lang
        self.language = LANGUAGES[lang]
        self.l10n = localizer
        self.plan = plan
        self.strings = strings
        self._cache: dict[tuple[str, str], object] = {}
        self._projects: dict[str, ProjectView] = {}     # the most numerous views, by id
        self.brochure_files: dict = {}    # brochure id → brochures.Published, filled in by the build

    # Text resolution ----------------------------------------------------------------------
    def text(self, value, item="", field="") -> Shown:
        return self.l10n.text(value, self.lang, item, field)

    def texts(self, value, item="", field="") -> list[Shown]:
        return self.l10n.texts(value, self.lang, item, field)

    def markdown(self, value, item="", field="", top_level: int | None = None) -> Markup:
        shown = self.text(value, item, field)
        if not shown:
            return Markup("")
        return wrap_lang(render_markdown(shown.text, self.model.markdown_html, top_level=top_level), shown)

    def label(self, group: str, key: str) -> str:
        return self.strings.get(group, {}).get(key, key)

    def path(self, kind: str, key: str = "") -> str:
        return self.plan.path(kind, self.lang, key)

    def image(self, rel: str | None) -> PublishedImage | None:
        """An image of content as published: renditions, upright size, share crops (see images.py)."""
        return self.catalog.get(rel)

    def images(self, rels) -> list[PublishedImage]:
        return [image for image in map(self.catalog.get, rels) if image is not None]

    def _view(self, cls, obj):
        key = (cls.__name__, obj.id)
        view = self._cache.get(key)
        if view is None:
            view = self._cache[key] = cls(obj, self)
        return view

    def project(self, p: m.Project) -> "ProjectView":
        view = self._projects.get(p.id)
        if view is None:
            view = self._projects[p.id] = ProjectView(p, self)
        return view

    def projects_of(self, projects: list[m.Project]) -> list["ProjectView"]:
        """`[self.project(p) for p in projects]`, at half the cost: the catalogue, sector and park
        lists of a large site make tens of thousands of them."""
        found, views = self._projects.get, []
        for p in projects:
            view = found(p.id)
            if view is None:
                view = self._projects[p.id] = ProjectView(p, self)
            views.append(view)
        return views

    def park(self, p: m.Park) -> "ParkView":
        return self._view(ParkView, p)

    def sector(self, s: m.Sector) -> "SectorView":
        return self._view(SectorView, s)

    def staff(self, s: m.Staff | None) -> "StaffView | None":
        return self._view(StaffView, s) if s else None

    def page(self, p: m.Page) -> "PageView":
        return self._view(PageView, p)

    def brochure(self, b: m.Brochure):
        from .brochures import BrochureView   # brochures.py builds on the views of this module
        return self._view(BrochureView, b)

    # The site as a whole -------------------------------------------------------------------
    @cached_property
    def title(self) -> Shown:
        return self.text(self.model.title, "site", "title")

    @cached_property
    def tagline(self) -> Shown:
        return self.text(self.model.tagline, "site", "tagline")

    @cached_property
    def description(self) -> Shown:
        return self.text(self.model.description, "site", "description")

    @cached_property
    def projects(self) -> ViewList:
        return ViewList("project", self.model.projects, self.projects_of)

    @cached_property
    def parks(self) -> list["ParkView"]:
        return [self.park(p) for p in self.model.parks]

    @cached_property
    def sectors(self) -> list["SectorView"]:
        return [self.sector(s) for s in self.model.sectors]

    @cached_property
    def sectors_in_use(self) -> list["SectorView"]:
        return [s for s in self.sectors if s.model.projects]

    @cached_property
    def menu_pages(self) -> list["PageView"]:
        pages = [p for p in self.model.pages if p.menu is not None]
        return [self.page(p) for p in sorted(pages, key=lambda p: (p.menu, p.id))]

    @cached_property
    def featured(self) -> list["ProjectView"]:
        chosen = self.model.featured or self.model.projects[:4]
        return [self.project(p) for p in chosen]

    @cached_property
    def contact(self) -> "StaffView":
        return self.staff(self.model.contact)

    def _sums(self) -> tuple:
        """The figures' numbers, summed once for every language: (totals by currency, [(sector,
        its CNY total)] of sectors with projects, [(status, count)])."""
        if "sums" not in self.shared:
            projects = self.model.projects
            by_sector = []
            for sector in self.model.sectors:
                if sector.projects:
                    cny = sum_money(p.investment for p in sector.projects).get("CNY")
                    by_sector.append((sector, cny.amount if cny else Decimal(0)))
            statuses = Counter(p.status for p in projects)
            self.shared["sums"] = (sum_money(p.investment for p in projects), by_sector,
                                   [(status, statuses[status]) for status in m.STATUSES])
        return self.shared["sums"]

    @cached_property
    def figures(self) -> dict:
        """Headline figures for the home page, computed once per language."""
        projects = self.model.projects
        totals, sector_sums, status_counts = self._sums()
        by_sector = [(self.sector(sector).name.text, len(sector.projects), amount) for sector, amount in sector_sums]
        by_status = [(self.label("status", status), count) for status, count in status_counts]
        return {
            "projects": len(projects),
            "parks": len(self.model.parks),
            "totals": [totals[c] for c in sorted(totals, key=lambda c: (c != "CNY", c))],
            "sector_chart": charts.bar_chart(
                [(name, amount / Decimal(100_000_000)) for name, _, amount in by_sector],
                unit=self.strings["chart"]["yi"], label=self.strings["chart"]["by_sector"],
                color=self.model.brand_color),
            "status_chart": charts.bar_chart(
                [(name, Decimal(count)) for name, count in by_status],
                unit=self.strings["chart"]["count"], label=self.strings["chart"]["by_status"],
                color=self.model.brand_color),
        }


# What each attribute of LangView that templates read depends on, besides site.yaml (which
# every page depends on) and the theme (fingerprinted whole). Methods that return views need
# nothing: the returned views are recorded when the template reads them.
LANG_VIEW_KEYS: dict[str, tuple[str, ...]] = {
    **{name: () for name in ("title", "tagline", "description", "contact", "lang", "language", "strings",
                             "text", "texts", "markdown", "label", "path", "image", "images", "project",
                             "park", "sector", "staff", "page", "brochure")},
    "projects": ("list:projects",),
    "parks": ("list:parks",),
    "sectors": ("list:sectors",),
    "sectors_in_use": ("list:sectors", "sectors-in-use"),
    "menu_pages": ("list:pages",),
    "featured": ("list:projects",),
    "figures": ("figures",),
    "brochure_files": ("brochure-files",),
}


class ItemView(deps.Traced):
    kind = ""

    def __init__(self, obj, lv: LangView):
        self.model = obj
        self.lv = lv
        self.id = obj.id

    @cached_property
    def dep_keys(self) -> tuple[str, ...]:
        """The content this view's properties read (see deps.py); subclasses add what they reach."""
        return (deps.key(self.kind, self.id),)

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.id}"

    def text(self, field: str) -> Shown:
        return self.lv.text(getattr(self.model, field), self.ref, field)

    @cached_property
    def url(self) -> str:
        return self.lv.path(self.kind, self.id)


class SectorView(ItemView):
    kind = "sector"

    @cached_property
    def name(self) -> Shown:
        return self.text("name")

    @property
    def title(self) -> Shown:
        return self.name

    @cached_property
    def attribute_keys(self) -> dict[str, tuple[str, ...]]:
        return {"projects": (deps.key("members:sector", self.id),)}

    @cached_property
    def projects(self) -> ViewList:
        return ViewList("project", self.model.projects, self.lv.projects_of)


class StaffView(ItemView):
    kind = "staff"

    @cached_property
    def attribute_keys(self) -> dict[str, tuple[str, ...]]:
        return {"wechat_qr": (deps.key("image", self.model.wechat_qr),)} if self.model.wechat_qr else {}

    @cached_property
    def name(self) -> Shown:
        return self.text("name")

    @cached_property
    def role(self) -> Shown:
        return self.text("role")

    @property
    def phone(self) -> str:
        return self.model.phone

    @property
    def tel(self) -> str:
        return "tel:" + "".join(c for c in self.model.phone if c.isdigit() or c == "+")

    @property
    def email(self) -> str:
        return self.model.email

    @property
    def wechat(self) -> str:
        return self.model.wechat

    @property
    def wechat_qr(self) -> Rendition | None:
        """The QR code as a lossless PNG of at least 300 px (`.path`, `.width`, `.height`; `|rel` works)."""
        image = self.lv.image(self.model.wechat_qr)
        return (image.qr or image.svg) if image else None


def amap_link(coordinates, name: str) -> str | None:
    if not coordinates:
        return None
    lng, lat = coordinates
    return (f"https://uri.amap.com/marker?position={lng},{lat}&name={quote(name)}"
            "&coordinate=gaode&callnative=0")


class PlaceView(ItemView):
    """What projects and parks both have: a title, a summary, a place on the map, pictures."""

    @cached_property
    def attribute_keys(self) -> dict[str, tuple[str, ...]]:
        images = tuple(deps.key("image", rel) for rel in self.model.images)
        return {"images": images, "cover": images[:1], "share_image": images[:1],
                "projects": (deps.key(f"members:{self.kind}", self.id),)}

    @cached_property
    def title(self) -> Shown:
        return self.text("title")

    @cached_property
    def summary(self) -> Shown:
        return self.text("summary")

    @cached_property
    def location(self) -> Shown:
        return self.text("location")

    @cached_property
    def amap(self) -> str | None:
        return amap_link(self.model.coordinates, self.title.text)

    @property
    def images(self) -> list[PublishedImage]:
        return self.lv.images(self.model.images)

    @property
    def cover(self) -> PublishedImage | None:
        return self.lv.image(self.model.images[0]) if self.model.images else None

    @property
    def share_image(self) -> str | None:
        """The cover's square share-card crop (site-root path), for og:image and WeChat."""
        cover = self.cover
        return cover.share_square.path if cover and cover.share_square else None


class ProjectView(PlaceView):
    kind = "project"

    @cached_property
    def attribute_keys(self) -> dict[str, tuple[str, ...]]:
        p = self.model
        keys = {**super().attribute_keys,
                "catalogue": (deps.key("catalogue", p.catalogue.id),),
                "related": (deps.key("members:sector", p.sector.id),)}
        if p.contact is None and p.park is not None:
            keys["contact"] = (deps.key("park", p.park.id),)       # the park's contact stands in
        return keys

    @cached_property
    def description(self) -> Markup:
        return self.lv.markdown(self.model.description, self.ref, "description")

    @cached_property
    def highlights(self) -> list[Shown]:
        return self.lv.texts(self.model.highlights, self.ref, "highlights")

    @cached_property
    def sector(self) -> SectorView:
        return self.lv.sector(self.model.sector)

    @cached_property
    def park(self) -> "ParkView | None":
        return self.lv.park(self.model.park) if self.model.park else None

    @cached_property
    def investment(self) -> str:
        return self.model.investment.format(self.lv.lang)

    @cached_property
    def investment_parts(self) -> tuple[str, str]:
        return self.model.investment.parts(self.lv.lang)

    @cached_property
    def amount_cny(self) -> str:
        """Whole yuan for the catalogue's range filter; empty for other currencies."""
        money = self.model.investment
        return str(int(money.amount)) if money.currency == "CNY" else ""

    @property
    def status(self) -> str:
        return self.model.status

    @cached_property
    def status_label(self) -> str:
        return self.lv.label("status", self.model.status)

    @cached_property
    def cooperation(self) -> list[str]:
        return [self.lv.label("cooperation", c) for c in self.model.cooperation]

    @cached_property
    def land(self) -> str | None:
        return self.model.land.format(self.lv.lang) if self.model.land else None

    @cached_property
    def contact(self) -> StaffView:
        return self.lv.staff(self.model.contact or (self.model.park.contact if self.model.park else None)
                             or self.lv.model.contact)

    @cached_property
    def catalogue(self) -> Shown:
        return self.lv.text(self.model.catalogue.title, f"catalogue {self.model.catalogue.id}", "title")

    @cached_property
    def related(self) -> list["ProjectView"]:
        """Up to four neighbours in the same sector: linear in the sector's size overall."""
        peers = self.model.sector.projects
        index = _position(peers, self.model)
        around = peers[max(0, index - 2): index] + peers[index + 1: index + 3]
        if len(around) < 4:
            around = [p for p in peers[: 5] if p is not self.model][:4]
        return [self.lv.project(p) for p in around[:4]]


def _position(items, item) -> int:
    # Sector lists are built in id order, so a binary search finds an item without a scan.
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid].id < item.id:
            lo = mid + 1
        else:
            hi = mid
    return lo


class ParkView(PlaceView):
    kind = "park"

    @cached_property
    def level(self) -> Shown:
        return self.text("level")

    @cached_property
    def body(self) -> Markup:
        return self.lv.markdown(self.model.body, self.ref, "profile")

    @cached_property
    def transport(self) -> list[Shown]:
        return self.lv.texts(self.model.transport, self.ref, "transport")

    @cached_property
    def industries(self) -> list[SectorView]:
        return [self.lv.sector(s) for s in self.model.industries]

    def _area(self, value) -> str | None:
        return value.format(self.lv.lang) if value else None

    @cached_property
    def facts(self) -> list[tuple[str, str, str]]:
        """(label, number, unit) for the big-figure row."""
        out = []
        for key in ("area", "land_available", "plants_available"):
            value = getattr(self.model, key)
            if value:
                number, unit = value.parts(self.lv.lang)
                out.append((self.lv.label("field", key), number, unit))
        return out

    @cached_property
    def area(self):
        return self._area(self.model.area)

    @cached_property
    def land_available(self):
        return self._area(self.model.land_available)

    @cached_property
    def plants_available(self):
        return self._area(self.model.plants_available)

    @cached_property
    def projects(self) -> ViewList:
        return ViewList("project", self.model.projects, self.lv.projects_of)

    @cached_property
    def contact(self) -> StaffView:
        return self.lv.staff(self.model.contact or self.lv.model.contact)


class PageView(ItemView):
    kind = "page"

    @cached_property
    def title(self) -> Shown:
        return self.text("title")

    @cached_property
    def body(self) -> Markup:
        return self.lv.markdown(self.model.body, self.ref, "text", top_level=2)   # right under the h1
