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

import functools
import hashlib
from dataclasses import fields

from . import model as m

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


def _plain(value):
    """A field's value for fingerprinting: items it refers to count by their id (their own
    fields are their own keys), so a project's value does not change when its park's does."""
    kind = _ITEM_KINDS.get(type(value))
    if kind is not None:
        return value.id
    if type(value) is list and value and type(value[0]) in _ITEM_KINDS:
        return [v.id for v in value]
    return value       # text, numbers, dates, amounts: their repr is exact


def _own_fields(item) -> tuple:
    # Where it is written does not show on any page; the projects a sector or park lists are
    # its members:… key.
    return tuple(_plain(getattr(item, name)) for name in _field_names(type(item))
                 if name not in ("source", "projects"))


@functools.lru_cache(maxsize=None)
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def fingerprint(value) -> str:
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=12).hexdigest()


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
    for kind, items in (("project", site.projects), ("park", site.parks), ("sector", site.sectors),
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
    # The home figures sum every project's amount and status by sector.
    values["figures"] = fingerprint([(p.id, repr(p.investment), p.status, p.sector.id) for p in site.projects]
                                    + [values[f"sector:{s.id}"] for s in site.sectors])
    values["site"] = site_fingerprint(site)
    for rel, image in images.images.items():
        values[f"image:{rel}"] = fingerprint(image)
    for brochure_id, published in brochure_files.items():
        values[f"brochure-files:{brochure_id}"] = fingerprint(published)
    return values
