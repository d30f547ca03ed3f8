"""Dependencies of pages on content, recorded while they render.

A page's output is a function of the theme, the build options and the content it reads. The
theme and options are fingerprinted as a whole (a change there renders everything again); the
content a page reads is recorded here, as *keys*, while its template runs:

    project:<id>  park:<id>  sector:<id>  staff:<id>  page:<id>  brochure:<id>  catalogue:<id>
                  one item's own fields (references to other items count by id)
    members:sector:<id>  members:park:<id>    which projects a sector or park lists, in order
    list:projects  list:parks  …              which items exist, in order
    image:<path>   one published image;  figures  the home page's totals and charts
    site           site.yaml: every page depends on it
    *              something not tracked: the page renders at every build

Recording happens where templates read: the Jinja environment reports every attribute a
template takes from a view (see `render.TracingEnvironment`), and each view names the keys its
properties read (`dep_keys`), including the other items they reach through the model. A view
that returns another view does not need to name it: the template reads the returned view too.

`key_values` gives each key's value fingerprint for the current content; a page whose keys all
kept their values would render the same bytes, so an incremental build renders only pages with
a changed key (see incremental.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import marshal
import operator
import re
from dataclasses import fields

from . import model as m
from .units import Area, Money

EVERYTHING = "*"
ROUTES = "routes"    # which pages there are (the sitemap's key; see build.routes_fingerprint)

# The keys read by the page being rendered, or None when nothing is recording.
_reading: set[str] | None = None


def start() -> None:
    global _reading
    _reading = {"site"}


def stop() -> tuple[str, ...]:
    """The keys read since `start` (a tuple: thousands of pages' keys are kept, and tuples are small)."""
    global _reading
    keys, _reading = tuple(_reading or ()), None
    return keys


def reading() -> set[str] | None:
    """The set the keys read now go into (None when nothing records): for loops over many reads."""
    return _reading


def read(keys) -> None:
    if _reading is not None:
        _reading.update(keys)


def begin_part():
    """Record a part of a page on its own (a cached fragment); returns what `end_part` needs."""
    global _reading
    outer, _reading = _reading, set()
    return outer


def end_part(outer) -> tuple[str, ...]:
    """The keys the part read; they count for the page that holds it too."""
    global _reading
    keys, _reading = tuple(_reading), outer
    if outer is not None:
        outer.update(keys)
    return keys


# Type → what to record when a template reads an attribute of an object of that type. Only
# exact types are looked up (one dict lookup per access, in the hot path of rendering).
TRACERS: dict[type, object] = {}


class Traced:
    """A view whose reads are recorded: `dep_keys` names the content that any of its properties
    reads; `attribute_keys` what particular properties read besides (a park's `projects` list
    depends on which projects are in the park, its title does not)."""
    dep_keys: tuple[str, ...] = (EVERYTHING,)
    attribute_keys: dict[str, tuple[str, ...]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        TRACERS[cls] = _trace_view


def _trace_view(view: Traced, attribute) -> None:
    if _reading is not None:
        _reading.update(view.dep_keys)
        more = view.attribute_keys.get(attribute)
        if more:
            _reading.update(more)


def _trace_model(obj, attribute) -> None:
    keys = model_keys(obj, attribute)
    if keys:
        read(keys)


def model_keys(obj, attribute) -> tuple[str, ...] | None:
    """Keys of a model object that a template reads directly (`item.model.park.title` in a
    site's own template), or None if `obj` is not one."""
    kind = _ITEM_KINDS.get(type(obj))
    if kind is None:
        return None
    if attribute == "projects" and kind in ("sector", "park"):
        return (f"{kind}:{obj.id}", f"members:{kind}:{obj.id}")
    return (f"{kind}:{obj.id}",)


def key(kind: str, item_id: str) -> str:
    return f"{kind}:{item_id}"


def ref_key(ref: str) -> str:
    """The key of an item as the missing-translation report names it ("project p1" → project:p1)."""
    return ref.replace(" ", ":", 1) if " " in ref else ref


# ---- value fingerprints -----------------------------------------------------------------

_ITEM_KINDS = {m.Project: "project", m.Park: "park", m.Sector: "sector", m.Staff: "staff",
               m.Page: "page", m.Brochure: "brochure", m.Catalogue: "catalogue"}
for _kind in _ITEM_KINDS:
    TRACERS[_kind] = _trace_model     # a site's own template may read `item.model.park.title`


# An item's value is a digest of its own fields, made plain — text, numbers, dates and amounts as
# themselves, the items it refers to by id (their own fields are their own keys: a project's
# value does not change when its park's does) — and serialized with `marshal` (format 2), which
# is C-fast, exact (a type byte before every value: 1 ≠ 1.0 ≠ True ≠ "1", a tuple ≠ a list) and
# depends on the value alone: format 2 writes no back-references, so two equal strings are
# written alike whether or not they are one object (pickle's memo would tell them apart, and a
# project read from the check cache shares objects that a freshly checked one does not). A value
# marshal refuses (another class) is digested by its repr instead, so fingerprints stay exact for
# any content. (The model holds no sets: marshal, like repr, would write them in the order of the
# hash seed, and an unchanged set could count as changed — never a changed one as unchanged.)


def _money(value: Money) -> tuple:
    return ("Money", str(value.amount), value.currency)      # str(Decimal) is exact, exponent too


def _area(value: Area) -> tuple:
    return ("Area", str(value.value), value.unit)


def _date(value: dt.date) -> tuple:
    return ("date", value.toordinal())


def _plain_list(value: list) -> list:
    return [v.id for v in value] if value and type(value[0]) in _ITEM_KINDS else value


# Exact type → what its value counts as (types not here count as themselves).
_PLAIN = {m.LText: dict, list: _plain_list, Money: _money, Area: _area, dt.date: _date,
          **{kind: operator.attrgetter("id") for kind in _ITEM_KINDS}}


def _plain(value):
    """A field's value for fingerprinting: text, numbers and lists of them as they are, items by
    their id, amounts, areas and dates as tuples of plain values."""
    convert = _PLAIN.get(type(value))
    return value if convert is None else convert(value)


# Annotations of fields that only ever hold values marshal takes as they are: those fields are
# not looked at one by one (a project has 18 fields; 10,000 projects are fingerprinted each build).
_PLAIN_NAMES = {"str", "int", "float", "bool", "None", "tuple", "list"}


def _holds_plain(annotation) -> bool:
    return isinstance(annotation, str) and set(re.findall(r"[\w.]+", annotation)) <= _PLAIN_NAMES


# A project counts by the digest of its fields as written (`written_digest`, made once when its
# catalogue entry is checked and kept with it in the check cache) and by the items it refers
# to, by id. Digesting the 30 MB of text of 10,000 projects at every build cost 0.07 s.
_PROJECT_REFERENCES = ("sector", "park", "contact", "catalogue")
_PROJECT_SHAPE = ("written", "id", *_PROJECT_REFERENCES)


def _shape_of(own: list) -> tuple:
    names = tuple(f.name for f in own)
    getter = operator.attrgetter(*names) if len(names) > 1 else lambda item: (getattr(item, names[0]),)
    return names, getter, tuple(i for i, f in enumerate(own) if not _holds_plain(f.type))


@functools.lru_cache(maxsize=None)
def _own_shape(cls) -> tuple:
    """Of an item class: the names of the fields that show on pages, a getter of them all, and
    the positions of those that may need `_plain`."""
    if cls is m.Project:
        by_name = {f.name: f for f in fields(cls)}
        return _shape_of([by_name[name] for name in _PROJECT_SHAPE])
    # Where it is written does not show on any page; the projects a sector or park lists are
    # its members:… key.
    return _shape_of([f for f in fields(cls) if f.name not in ("source", "projects")])


@functools.lru_cache(maxsize=None)
def _written_shape() -> tuple:
    """A project's fields that are what its catalogue entry says (all but where it is written,
    the items it refers to and `written` itself). A field made from another file would have to
    count by that item's id, in _PROJECT_REFERENCES: the digest is kept while the entry is."""
    return _shape_of([f for f in fields(m.Project)
                       if f.name not in ("source", "written", *_PROJECT_REFERENCES)])


def written_digest(project: m.Project) -> str:
    """The fingerprint of a project's fields as written (`Project.written`). They are what the
    catalogue entry was checked into, which depends on the entry's bytes, the site's languages
    and which images exist — exactly what the check cache keeps a reading by."""
    return fingerprint(_converted(_written_shape(), project))


def _converted(shape: tuple, item) -> list:
    _, getter, to_convert = shape
    values = list(getter(item))
    for i in to_convert:
        value = values[i]
        convert = _PLAIN.get(type(value))
        if convert is not None:
            values[i] = convert(value)
    return values


def _own_fields(item) -> list:
    """The fields of an item that show on pages, made plain (`_plain`), in their order: what
    its value is the fingerprint of (search_state fingerprints items with it too). A project's
    are the digest of its written fields and its references (see _PROJECT_SHAPE); one made
    without that digest gets it here, so its value is the same either way."""
    if type(item) is m.Project:
        return _project_fields(item)
    return _converted(_own_shape(type(item)), item)


def _project_fields(project: m.Project) -> list:
    """`_own_fields` of a project (the fields of _PROJECT_SHAPE), read directly: 10,000 projects
    are fingerprinted at every build."""
    park, contact = project.park, project.contact
    return [project.written or written_digest(project), project.id, project.sector.id,
            park.id if park is not None else None, contact.id if contact is not None else None,
            project.catalogue.id]


def fingerprint(value) -> str:
    """96 bits of SHA-1 of the value (SHA-1: the fastest digest hashlib has on most machines; the
    text of 10,000 projects is 30 MB, digested when a whole site is checked)."""
    try:
        data = marshal.dumps(value, 2)
    except ValueError:
        # Marshal's output starts with a type code, a printable character: never with a NUL.
        data = b"\0" + repr(value).encode("utf-8", "surrogatepass")
    return hashlib.sha1(data).hexdigest()[:24]


# Site fields that are not the site's own settings: items have keys of their own, and where the
# site folder is shows on no page (a site folder copied elsewhere stays incremental).
_NOT_SITE_FIELDS = ("sectors", "staff", "parks", "catalogues", "projects", "pages", "brochures",
                    "images", "image_refs", "root")


def site_fingerprint(site: m.Site) -> str:
    """The value of the `site` key: site.yaml's settings."""
    return fingerprint([(f.name, _plain(getattr(site, f.name))) for f in fields(site)
                        if f.name not in _NOT_SITE_FIELDS])


def key_values(site: m.Site, images, brochure_files: dict) -> dict[str, str]:
    """The value fingerprint of every key, for the content as it is now."""
    values: dict[str, str] = {}
    # The home figures sum every project's amount and status by sector.
    figure_rows = []
    for project in site.projects:
        values[f"project:{project.id}"] = fingerprint(_project_fields(project))
        figure_rows.append((project.id, _plain(project.investment), project.status, project.sector.id))
    values["list:projects"] = fingerprint([p.id for p in site.projects])
    for kind, items in (("park", site.parks), ("sector", site.sectors),
                        ("staff", site.staff), ("page", site.pages), ("brochure", site.brochures),
                        ("catalogue", site.catalogues)):
        for item in items:
            values[f"{kind}:{item.id}"] = fingerprint(_own_fields(item))
        values[f"list:{kind}s" if kind != "staff" else "list:staff"] = fingerprint([i.id for i in items])
    for sector in site.sectors:
        values[f"members:sector:{sector.id}"] = fingerprint([p.id for p in sector.projects])
    for park in site.parks:
        values[f"members:park:{park.id}"] = fingerprint([p.id for p in park.projects])
    values["sectors-in-use"] = fingerprint([s.id for s in site.sectors if s.projects])
    values["figures"] = fingerprint(figure_rows + [values[f"sector:{s.id}"] for s in site.sectors])
    values["site"] = site_fingerprint(site)
    for rel, image in images.images.items():
        values[f"image:{rel}"] = fingerprint(image)
    for brochure_id, published in brochure_files.items():
        values[f"brochure-files:{brochure_id}"] = fingerprint(published)
    return values
