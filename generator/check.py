"""Check: turn loaded documents into the typed model, resolving every reference.

Each content kind is read against its schema; then ids are resolved across files (a project's
sector and park, a brochure's projects). Every problem is collected; the build stops after
this stage if there is any, so later stages can trust the model.

Catalogue files, which hold nearly all of a large site, are checked in two steps: each file on
its own (`read_catalogue_file`, kept in the file cache while the file is unchanged), then linked
to the rest of the site in every run (`read_catalogues`).
"""

from __future__ import annotations

import dataclasses
import gc
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from . import model as m
from .content import schema as s
from .content.file_cache import FileCache
from .content.loader import ContentLoader, Document
from .content.yamlpos import PosDict, PosList
from .errors import Problems, did_you_mean
from .i18n import LANGUAGES, canonical_lang
from .markdown import find_unsafe_links
from .units import money_key


class Checker:
    def __init__(self, root: Path, problems: Problems, cache: FileCache | None = None):
        self.root = root
        self.problems = problems
        self.loader = ContentLoader(root, problems, cache)     # cache: the site's own unless given
        self.ctx: s.Context | None = None
        self.ids: dict[tuple[str, str], m.Source] = {}   # (kind, id or alias) → where
        # Items written but left out because of an error already reported, and kinds whose file
        # could not be read at all: a reference to them is not a second mistake to report.
        self.broken: set[tuple[str, str]] = set()        # (kind, id)
        self.unreadable: set[str] = set()                # kinds
        self.aliases: set[tuple[str, str]] = set()       # (kind, alias) claimed by `aliases:`
        self.images: dict[str, tuple[m.Source, str, set[str]]] = {}   # path → (first referrer, field, roles)
        self.checked: list[str] = []     # catalogue files checked in this run (the others were kept)

    # ---- helpers -----------------------------------------------------------------------

    def error(self, shown, line, field, message):
        self.problems.error(shown, line, field, message)

    def claim(self, kind: str, item_id: str, source: m.Source, field: str = "id") -> bool:
        """Ids (and aliases, which share their URLs) must be unique within a kind, across files."""
        key = (kind, item_id)
        if key in self.ids:
            first = self.ids[key]
            used = "as an alias " if key in self.aliases else ""
            self.error(source.file, source.line, field, f'the id "{item_id}" is already used {used}by a {kind} at '
                       f"{first.file}:{first.line}; each {kind} needs an id of its own (it is the page address)")
            if field == "id":
                self.broken.add(key)
            return False
        self.ids[key] = source
        if field == "aliases":
            self.aliases.add(key)
        return True

    def left_out(self, kind: str, item_id) -> None:
        """An item with an error is left out; references to it are not reported again."""
        if isinstance(item_id, str):
            self.broken.add((kind, item_id))

    def resolve(self, table: dict, value, what: str, source: m.Source, field: str, line: int = 0):
        if value is None:
            return None
        if value in table:
            return table[value]
        if (what, value) in self.broken or what in self.unreadable:
            return None
        self.error(source.file, line or source.line, field,
                   f'no {what} has the id "{value}"' + (did_you_mean(value, table) or
                                                        f"; known: {', '.join(sorted(table)) or 'none yet'}"))
        return None

    def resolve_list(self, table, values, what, source, field, data):
        lines = data.get(field) if isinstance(data, dict) else None
        out = []
        for i, value in enumerate(values):
            line = lines.line_of(i) if isinstance(lines, PosList) else data.line_of(field)
            item = self.resolve(table, value, what, source, field, line)
            if item is not None:
                out.append(item)
        return out

    def check_markdown(self, shown: str, body_line: int, text: str, field: str = ""):
        for line, href in find_unsafe_links(text):
            self.error(shown, body_line + line, field, f'the link "{href[:60]}" is refused: a link may not run '
                       "script or embed data; link to an https:// (or http://, mailto:, tel:) address or to a "
                       "page of this site")

    def note_images(self, images, source: m.Source, data=None, field: str = "", role: str = "photo",
                    lines: list[int] | None = None):
        """Remember each image, where it was first referred to (file:line) and what for.

        The first image of a list is its item's cover, which also gets share-card crops.
        `lines` (one per image) are taken from `data` unless given.
        """
        if lines is None:
            lines = image_lines(images, data, field, source.line)
        for i, image in enumerate(images):
            if not image:
                continue
            roles = {"qr"} if role == "qr" else {"photo", "cover"} if role == "cover" and i == 0 else {"photo"}
            self.images.setdefault(image, (m.Source(source.file, lines[i]), field or role, set()))[2].update(roles)

    # ---- the stages --------------------------------------------------------------------

    def run(self) -> m.Site | None:
        content = self.root / "content"
        if not (content / "site.yaml").is_file():
            self.error("content/site.yaml", 0, "", "not found; a site needs content/site.yaml "
                       "(run `yunzhao init` to start one)")
            return None
        site_doc = self.loader.yaml(content / "site.yaml")
        languages = self.read_languages(site_doc) if site_doc is not None else None
        # When site.yaml is wrong (reported), the rest of the content is still checked, in every
        # known language, so that one run reports every mistake.
        self.ctx = s.Context(languages or list(LANGUAGES), content)
        readable = site_doc is not None and isinstance(site_doc.data, dict)
        site = s.read_fields(site_doc.data, s.SITE, self.ctx, self.problems, site_doc.shown,
                             "site.yaml", partial=True) if readable else None
        brand = s.read_fields(site["brand"], s.BRAND, self.ctx, self.problems, site_doc.shown,
                              "brand") if site else None
        image_settings = s.read_fields(site["images"], s.IMAGES, self.ctx, self.problems, site_doc.shown,
                                       "images") if site else None

        files = self.loader.files
        self.loader.parse_ahead([(p, "markdown") for p in files("parks", "*.md") + files("pages", "*.md")] +
                                [(p, "yaml") for p in files("projects", "*.yaml") + files("projects", "*.yml")])
        sectors = self.read_list_file("data/sectors.yaml", s.SECTOR, "sector", self.make_sector)
        staff = self.read_list_file("data/staff.yaml", s.STAFF, "staff member", self.make_staff)
        sector_table = {x.id: x for x in sectors}
        staff_table = {x.id: x for x in staff}
        parks = self.read_parks(sector_table, staff_table)
        park_table = {x.id: x for x in parks}
        pages = self.read_pages()
        catalogues, projects = self.read_catalogues(sector_table, park_table, staff_table)
        project_table = {x.id: x for x in projects}
        page_table = {x.id: x for x in pages}
        brochures = self.read_brochures(project_table, park_table, page_table, staff_table)
        # Every content file has been read: cached parses no file used are of files that
        # changed or went away.
        self.loader.cache.prune()

        if site is None:
            return None
        source = m.Source(site_doc.shown, 1)
        contact = self.resolve(staff_table, site["contact"], "staff member", source, "contact",
                               site_doc.data.line_of("contact"))
        featured = self.resolve_list(project_table, site["featured"], "project", source, "featured",
                                     site_doc.data)
        if not site.ok or brand is None or image_settings is None:
            return None
        for project in projects:
            project.sector.projects.append(project)
            if project.park:
                project.park.projects.append(project)
        if self.problems:
            return None
        return m.Site(
            root=str(self.root), title=site["title"], tagline=site["tagline"],
            description=site["description"], languages=languages,
            base_url=site["base_url"].rstrip("/") + "/", theme=site["theme"], contact=contact,
            brand_color=brand["color"], hant_variant=site["hant_variant"],
            markdown_html=site["markdown_html"], featured=featured, sectors=sectors, staff=staff,
            parks=parks, catalogues=catalogues, projects=projects, pages=pages, brochures=brochures,
            images=sorted(self.images),
            image_refs={path: m.ImageRef(path, first, field, frozenset(roles))
                        for path, (first, field, roles) in sorted(self.images.items())},
            image_settings=m.ImageSettings(**image_settings), pdf=site["pdf"],
            wechat_signature_endpoint=site["wechat_signature_endpoint"])

    def read_languages(self, doc: Document) -> list[str] | None:
        data = doc.data
        if not isinstance(data, dict):
            self.error(doc.shown, 1, "", f'{s.found(data)}; expected the site\'s fields ("title: ...", '
                       '"languages: ...")')
            return None
        value = data.get("languages")
        line = data.line_of("languages") if "languages" in data else 1
        known = list(LANGUAGES)
        if not isinstance(value, list) or not value:
            self.error(doc.shown, line, "languages", f"{s.found(value)}; write the languages as a list, source first, "
                       f"e.g. [zh, en, zh-Hant]; known: {', '.join(known)}")
            return None
        languages = []
        for i, code in enumerate(value):
            lang = canonical_lang(code, known) if isinstance(code, str) else None
            if lang is None:
                self.error(doc.shown, value.line_of(i), "languages", f"{s.found(code)}, which is not a language "
                           f"yunzhao knows; known: {', '.join(known)}" + did_you_mean(code, known))
                return None
            if lang in languages:
                self.error(doc.shown, value.line_of(i), "languages", f'"{code}" is listed twice')
                return None
            languages.append(lang)
        if languages[0] == "zh-Hant":
            self.error(doc.shown, line, "languages", "the source language (first) must be zh or en; "
                       "Traditional Chinese is derived from the Simplified source")
            return None
        return languages

    def read_list_file(self, rel: str, kind, what, make):
        path = self.root / "content" / rel
        if not path.is_file():
            self.error(f"content/{rel}", 0, "", f'not found; the site needs this file: a list with every {what}, '
                       'each starting with "- id: ..."')
            self.unreadable.add(what)
            return []
        doc = self.loader.yaml(path)
        if doc is None:
            self.unreadable.add(what)
            return []
        if not isinstance(doc.data, list):
            self.error(doc.shown, getattr(doc.data, "line", 1), "", f"{s.found(doc.data)}; expected a list: "
                       f'each {what} starts with "- id: ..."')
            self.unreadable.add(what)
            return []
        items = []
        for i, entry in enumerate(doc.data):
            fields = s.read_fields(entry, kind, self.ctx, self.problems, doc.shown, f"a {what}",
                                   line=doc.data.line_of(i))
            if fields is None:
                self.left_out(what, entry.get("id") if isinstance(entry, dict) else entry)
                continue
            source = m.Source(doc.shown, doc.data.line_of(i))
            if self.claim(what, fields["id"], source):
                items.append(make(fields, source))
        return items

    def make_sector(self, f, source):
        return m.Sector(id=f["id"], name=f["name"], source=source)

    def make_staff(self, f, source):
        self.note_images([f["wechat_qr"]], source, field="wechat_qr", role="qr")
        return m.Staff(id=f["id"], name=f["name"], role=f["role"], phone=str(f["phone"]),
                       email=f["email"], wechat=f["wechat"], wechat_qr=f["wechat_qr"], source=source)

    def read_translated(self, folder, kind, translatable, what):
        """Markdown documents with translations merged: [(id, fields, bodies, source, data)]."""
        out = []
        kind_name = {"parks": "park", "pages": "page"}.get(folder, folder)
        for path in self.loader.files(folder, "*.md"):
            # Until it is read without error, every profile is a reference not to report again.
            self.left_out(kind_name, path.name.split(".")[0])
        for doc_id, docs in sorted(self.loader.documents(folder).items()):
            source_doc = docs.get(None)
            if source_doc is None:
                for lang, doc in docs.items():
                    self.error(doc.shown, 0, "", f"a translation without its source file; "
                               f"add content/{folder}/{doc_id}.md or rename this file")
                continue
            source = m.Source(source_doc.shown, 1)
            try:
                s.slug(doc_id, self.ctx)
            except s.Invalid as exc:
                self.error(source_doc.shown, 0, "", f"file name: {exc.message}")
                continue
            fields = s.read_fields(source_doc.data, kind, self.ctx, self.problems, source_doc.shown, what)
            self.check_markdown(source_doc.shown, source_doc.body_line, source_doc.body)
            bodies = m.LText({self.ctx.languages[0]: source_doc.body} if source_doc.body else {})
            for lang_code, doc in sorted((k, v) for k, v in docs.items() if k is not None):
                lang = canonical_lang(lang_code, self.ctx.languages)
                if lang is None:
                    self.error(doc.shown, 0, "", f'"{lang_code}" is not one of this site\'s languages '
                               f"({', '.join(self.ctx.languages)})" + did_you_mean(lang_code, self.ctx.languages))
                    continue
                translated = s.read_fields(doc.data, kind, self.ctx, self.problems, doc.shown,
                                           f"a translation of {what}", only=translatable)
                self.check_markdown(doc.shown, doc.body_line, doc.body)
                if translated is None or fields is None:
                    continue
                for name, value in translated.items():
                    # A plain string in a translation file is in that file's language; a mapping
                    # may only name that language ({en: ...} in xipeng.en.md).
                    source_lang = self.ctx.languages[0]
                    if isinstance(value, m.LText) and set(value) <= {source_lang, lang} and len(value) == 1:
                        text = value.get(lang, value.get(source_lang))
                        fields[name] = m.LText({**fields[name], lang: text})
                    else:
                        self.error(doc.shown, doc.data.line_of(name) if hasattr(doc.data, "line_of") else 0,
                                   name, f"a translation file holds text in {lang} only; write it as plain "
                                   f"text (\"{name}: ...\"), not as a mapping of languages")
                if doc.body:
                    bodies[lang] = doc.body
            if fields is not None:
                self.broken.discard((kind_name, doc_id))
                out.append((doc_id, fields, bodies, source, source_doc.data))
        return out

    def read_parks(self, sectors, staff) -> list[m.Park]:
        parks = []
        for park_id, f, bodies, source, data in self.read_translated("parks", s.PARK, s.PARK_TRANSLATABLE,
                                                                       "a park profile"):
            if not self.claim("park", park_id, source):
                continue
            for alias in f["aliases"]:
                self.claim("park", alias, m.Source(source.file, data.line_of("aliases")), "aliases")
            self.note_images(f["images"], source, data, "images", role="cover")
            parks.append(m.Park(
                id=park_id, title=f["title"], summary=f["summary"], body=bodies, level=f["level"],
                location=f["location"], coordinates=f["coordinates"], area=f["area"],
                industries=self.resolve_list(sectors, f["industries"], "sector", source, "industries", data),
                land_available=f["land_available"], plants_available=f["plants_available"],
                transport=f["transport"],
                contact=self.resolve(staff, f["contact"], "staff member", source, "contact",
                                     data.line_of("contact")),
                images=f["images"], aliases=f["aliases"], source=source))
        return parks

    def read_pages(self) -> list[m.Page]:
        pages = []
        for page_id, f, bodies, source, data in self.read_translated("pages", s.PAGE, s.PAGE_TRANSLATABLE,
                                                                       "a page"):
            if not self.claim("page", page_id, source):
                continue
            for alias in f["aliases"]:
                self.claim("page", alias, m.Source(source.file, data.line_of("aliases")), "aliases")
            pages.append(m.Page(id=page_id, title=f["title"], body=bodies, menu=f["menu"],
                                aliases=f["aliases"], source=source))
        return pages

    def read_catalogues(self, sectors, parks, staff):
        catalogues, projects = [], []
        for path in self.loader.files("projects", "*.yaml") + self.loader.files("projects", "*.yml"):
            read = self.catalogue_file(path)
            if read is None:
                self.unreadable.add("project")     # which projects it holds is unknown
                continue
            shown = self.loader.shown(path)
            for line, field, message in read.problems:
                self.error(shown, line, field, message)
            if read.catalogue is None:
                self.unreadable.add("project")
                continue
            title, updated, line = read.catalogue
            catalogue = m.Catalogue(id=path.stem, title=title, updated=updated, source=m.Source(shown, line))
            catalogues.append(catalogue)
            if read.entries is None:
                self.unreadable.add("project")
                continue
            for entry in read.entries:
                project = self.read_project(entry, shown, catalogue, sectors, parks, staff)
                if project is not None:
                    projects.append(project)
        return catalogues, sorted(projects, key=lambda p: p.id)

    def catalogue_file(self, path: Path) -> CatalogueFile | None:
        """A catalogue file checked on its own (None if it cannot be read; reported).

        Taken from the file cache when the file's bytes and the site's languages are those it
        was checked with, and every image it names is found (or missing) as it was then.
        """
        data = self.loader.read_bytes(path)
        if data is None:
            return None
        cache = self.loader.cache
        digest = cache.digest(data)
        languages = ",".join(self.ctx.languages)
        read = cache.load(digest, "catalogue", languages)
        if isinstance(read, CatalogueFile) and all(
                s.image_answer(value, self.ctx) == answer for value, answer in read.images.items()):
            return read
        # Its parse is not kept besides: that would double what a first build writes, for the
        # rare run where an image or the languages changed and the file is parsed again.
        doc = self.loader.yaml(path, data, keep=False)
        if doc is None:
            return None
        ctx = replace(self.ctx, images_seen={})
        read = read_catalogue_file(doc.data, ctx)
        self.checked.append(doc.shown)
        cache.store(digest, "catalogue", read, languages)
        return read

    def read_project(self, entry: ProjectEntry, shown: str, catalogue, sectors, parks, staff):
        for line, field, message in entry.problems:
            self.error(shown, line, field, message)
        f = entry.fields
        if f is None:
            return None
        if not f.ok:
            self.left_out("project", entry.written_id)
            if not f.get("id"):
                return None
        source = m.Source(shown, entry.line)
        if not self.claim("project", f["id"], source):
            return None
        lines = entry.lines
        for alias in f["aliases"]:
            if alias == f["id"]:
                self.error(shown, lines["aliases"], "aliases", f'"{alias}" is this project\'s own id; '
                           "aliases are the earlier ids that should lead to it")
                continue
            self.claim("project", alias, m.Source(shown, lines["aliases"]), "aliases")
        for lang, text in f["description"].items():
            self.check_markdown(shown, lines["description"], text, "description")
        self.note_images(f["images"], source, field="images", role="cover", lines=entry.image_lines)
        sector = self.resolve(sectors, f["sector"], "sector", source, "sector", lines["sector"])
        park = self.resolve(parks, f["park"], "park", source, "park", lines["park"])
        contact = self.resolve(staff, f["contact"], "staff member", source, "contact", lines["contact"])
        if sector is None or not f.ok:
            self.left_out("project", f["id"])
            return None
        return m.Project(
            id=f["id"], title=f["title"], sector=sector, park=park, investment=f["investment"],
            status=f["status"], cooperation=f["cooperation"], land=f["land"], location=f["location"],
            coordinates=f["coordinates"], summary=f["summary"], description=f["description"],
            highlights=f["highlights"], images=f["images"], contact=contact, aliases=f["aliases"],
            catalogue=catalogue, source=source, signed=f["signed"])

    def read_brochures(self, projects, parks, pages, staff) -> list[m.Brochure]:
        brochures = []
        for path in self.loader.files("brochures", "*.yaml"):
            doc = self.loader.yaml(path)
            if doc is None:
                continue
            # partial: a brochure with a wrong field still has its references checked in this run
            f = s.read_fields(doc.data, s.BROCHURE, self.ctx, self.problems, doc.shown, "a brochure",
                              partial=True)
            if f is None:
                continue
            data = doc.data
            source = m.Source(doc.shown, 1)
            if f["id"] is not None and f["id"] != path.stem:
                self.error(doc.shown, data.line_of("id"), "id", f'the id "{f["id"]}" differs from the file name '
                           f'"{path.name}"; make them the same so the brochure is easy to find')
                continue
            if f["id"] is not None and not self.claim("brochure", f["id"], source):
                continue
            if ("projects" in data) == ("filter" in data):
                self.error(doc.shown, data.line, "projects", "write either projects (a list of ids) or filter "
                           "(sector, park, status, min_investment, max_investment), not both or neither")
                continue
            if f["projects"] is not None:
                chosen = self.resolve_list(projects, f["projects"], "project", source, "projects", data)
                if not f["projects"]:
                    self.error(doc.shown, data.line_of("projects"), "projects", "lists no project; a brochure "
                               "shows at least one (write their ids, or a filter)")
            elif f["filter"] is None:
                chosen = None      # written, but wrong: already reported
            else:
                chosen = self.select(f["filter"], projects, parks, doc, source)
                if chosen is not None and not chosen:
                    self.error(doc.shown, data.line_of("filter"), "filter", "selects no project; widen the "
                               "filter or list the projects by id")
            parks_chosen = self.resolve_list(parks, f["parks"], "park", source, "parks", data)
            pages_chosen = self.resolve_list(pages, f["pages"], "page", source, "pages", data)
            contact = self.resolve(staff, f["contact"], "staff member", source, "contact", data.line_of("contact"))
            if not f.ok:
                continue
            self.note_images([f["cover"]], source, data, "cover", role="cover")
            brochures.append(m.Brochure(
                id=f["id"], title=f["title"], subtitle=f["subtitle"], cover=f["cover"], projects=chosen or [],
                parks=parks_chosen, pages=pages_chosen, contact=contact, source=source))
        return brochures

    def select(self, raw, projects, parks, doc, source):
        """The projects a brochure filter selects; amount bounds are inclusive."""
        f = s.read_fields(raw, s.FILTER, self.ctx, self.problems, doc.shown, "a filter")
        if f is None:
            return None
        sectors = {x.sector.id for x in projects.values()}
        for name, known, what in (("sector", sectors, "sector"), ("park", parks, "park")):
            for value in f[name]:
                if value not in known:
                    self.error(doc.shown, raw.line_of(name), f"filter.{name}", f'no {what} "{value}" has '
                               "projects" + did_you_mean(value, known))
                    return None
        low, high = f["min_investment"], f["max_investment"]
        if low is not None and high is not None and low.currency == high.currency and low > high:
            self.error(doc.shown, raw.line_of("min_investment"), "filter.min_investment",
                       f"is more than max_investment ({low.format('zh')} > {high.format('zh')}), so nothing "
                       "can be selected; swap them")
            return None
        chosen = []
        for project in projects.values():
            amount = project.investment
            if f["sector"] and project.sector.id not in f["sector"]:
                continue
            if f["park"] and (project.park is None or project.park.id not in f["park"]):
                continue
            if f["status"] and project.status not in f["status"]:
                continue
            if low is not None and (amount.currency != low.currency or money_key(amount) < money_key(low)):
                continue
            if high is not None and (amount.currency != high.currency or money_key(amount) > money_key(high)):
                continue
            chosen.append(project)
        return sorted(chosen, key=lambda p: p.id)


# ---- a catalogue file on its own -------------------------------------------------------
#
# What a catalogue file says can be checked without the rest of the site: its fields, amounts,
# dates, texts and images. `Checker.catalogue_file` keeps that reading in the file cache, and
# every build links it to the rest again (ids unique across files, sectors, parks and staff
# resolved, images noted), in `read_catalogues` and `read_project`, the same code whether the
# reading came from the cache or not.

Found = list[tuple[int, str, str]]     # (line, field, message) of each problem; the file is added when shown


@dataclass
class ProjectEntry:
    """One item of a catalogue's `projects:`, checked on its own."""
    line: int                      # where the item starts
    fields: s.Fields | None        # the checked fields (with .ok); None when the item is not a mapping
    problems: Found                # what checking its fields found
    written_id: str | None         # its id as written (for an item left out: not reported again)
    lines: dict[str, int]          # where aliases, description, sector, park and contact are written
    image_lines: list[int]         # where each image is written


@dataclass
class CatalogueFile:
    """A catalogue file checked on its own: what `read_catalogues` needs of it."""
    problems: Found                          # about the file's own fields
    catalogue: tuple | None                  # (title, updated, line); None when the file is wrong
    entries: list[ProjectEntry] | None       # None when `projects:` is not a list
    # Each image path written in the file → what looking for it found (`schema.image_answer`):
    # a kept reading holds while these answers do.
    images: dict = dataclasses.field(default_factory=dict)


def read_catalogue_file(data, ctx: s.Context) -> CatalogueFile:
    """Check a parsed catalogue file against its schema; `ctx.images_seen` collects the images."""
    found = Problems()
    head = s.read_fields(data, s.CATALOGUE_FILE, ctx, found, "", "a catalogue file")
    if head is None:
        return CatalogueFile(_found(found), None, None, ctx.images_seen)
    info = s.read_fields(head["catalogue"], s.CATALOGUE, ctx, found, "", "the catalogue")
    catalogue = (info["title"] if info else m.LText(), info["updated"] if info else None,
                 data.line_of("catalogue"))
    entries = head["projects"]
    if not isinstance(entries, list):
        found.error("", data.line_of("projects"), "projects",
                    f'{s.found(entries)}; expected a list of projects, each starting with "- id: ..."')
        return CatalogueFile(_found(found), catalogue, None, ctx.images_seen)
    projects = [read_project_entry(entry, entries.line_of(i), ctx) for i, entry in enumerate(entries)]
    return CatalogueFile(_found(found), catalogue, projects, ctx.images_seen)


def read_project_entry(entry, line: int, ctx: s.Context) -> ProjectEntry:
    found = Problems()
    f = s.read_fields(entry, s.PROJECT, ctx, found, "", "a project", partial=True, line=line)
    if f is None:
        return ProjectEntry(line, None, _found(found), None, {}, [])
    written_id = entry.get("id")
    return ProjectEntry(
        line, f, _found(found), written_id if isinstance(written_id, str) else None,
        {name: entry.line_of(name) for name in ("aliases", "description", "sector", "park", "contact")},
        image_lines(f["images"], entry, "images", line))


def _found(problems: Problems) -> Found:
    return [(p.line, p.field, p.message) for p in problems.errors]


def image_lines(images, data, field: str, default: int) -> list[int]:
    """The line of each image of a field: its item's line in a list, else the field's line."""
    written = data.get(field) if isinstance(data, PosDict) else None
    if isinstance(written, PosList):
        return [written.line_of(i) for i in range(len(images))]
    line = data.line_of(field) if isinstance(data, PosDict) and field in data else default
    return [line] * len(images)


def check_site(root: Path, problems: Problems) -> m.Site | None:
    with _collector_paused():
        return Checker(root, problems).run()


@contextmanager
def _collector_paused():
    """Checking makes millions of small objects that all live on in the model; Python's cycle
    collector would walk them again and again while finding nothing to free (at 10,000
    projects that was more than the checking itself). Garbage made meanwhile is collected
    once the collector runs again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
