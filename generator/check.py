"""Check: turn loaded documents into the typed model, resolving every reference.

Each content kind is read against its schema; then ids are resolved across files (a project's
sector and park, a brochure's projects). Every problem is collected; the build stops after
this stage if there is any, so later stages can trust the model.
"""

from __future__ import annotations

from pathlib import Path

from . import model as m
from .content import schema as s
from .content.loader import ContentLoader, Document
from .content.yamlpos import PosDict, PosList
from .errors import Problems, did_you_mean
from .i18n import LANGUAGES, canonical_lang
from .markdown import find_unsafe_links
from .units import money_key


class Checker:
    def __init__(self, root: Path, problems: Problems):
        self.root = root
        self.problems = problems
        self.loader = ContentLoader(root, problems)
        self.ctx: s.Context | None = None
        self.ids: dict[tuple[str, str], m.Source] = {}   # (kind, id or alias) → where
        self.images: set[str] = set()

    # ---- helpers -----------------------------------------------------------------------

    def error(self, shown, line, field, message):
        self.problems.error(shown, line, field, message)

    def claim(self, kind: str, item_id: str, source: m.Source, field: str = "id") -> bool:
        """Ids (and aliases, which share their URLs) must be unique within a kind, across files."""
        key = (kind, item_id)
        if key in self.ids:
            first = self.ids[key]
            self.error(source.file, source.line, field, f'the id "{item_id}" is already used by a {kind} at '
                       f"{first.file}:{first.line}; every {kind} needs its own id (it is the page address)")
            return False
        self.ids[key] = source
        return True

    def resolve(self, table: dict, value, what: str, source: m.Source, field: str, line: int = 0):
        if value is None:
            return None
        if value in table:
            return table[value]
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
            self.error(shown, body_line + line, field, f'the link "{href[:60]}" is refused: links may not run '
                       "script or embed data; link to an https:// address or a page of this site")

    def note_images(self, images):
        for image in images:
            if image:
                self.images.add(image)

    # ---- the stages --------------------------------------------------------------------

    def run(self) -> m.Site | None:
        content = self.root / "content"
        if not (content / "site.yaml").is_file():
            self.error("content/site.yaml", 0, "", "not found; a site needs content/site.yaml "
                       "(run `yunzhao init` to start one)")
            return None
        site_doc = self.loader.yaml(content / "site.yaml")
        if site_doc is None:
            return None
        languages = self.read_languages(site_doc)
        if languages is None:
            return None
        self.ctx = s.Context(languages, content)
        site = s.read_fields(site_doc.data, s.SITE, self.ctx, self.problems, site_doc.shown, "site.yaml")
        brand = s.read_fields(site["brand"], s.BRAND, self.ctx, self.problems, site_doc.shown,
                              "brand") if site else None

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

        if site is None or brand is None:
            return None
        source = m.Source(site_doc.shown, 1)
        contact = self.resolve(staff_table, site["contact"], "staff member", source, "contact",
                               site_doc.data.line_of("contact"))
        featured = self.resolve_list(project_table, site["featured"], "project", source, "featured",
                                     site_doc.data)
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
            images=sorted(self.images))

    def read_languages(self, doc: Document) -> list[str] | None:
        data = doc.data
        if not isinstance(data, dict):
            self.error(doc.shown, 1, "", 'expected the site\'s fields ("title: ...", "languages: ...")')
            return None
        value = data.get("languages")
        line = data.line_of("languages") if "languages" in data else 1
        known = list(LANGUAGES)
        if not isinstance(value, list) or not value:
            self.error(doc.shown, line, "languages", f"write the languages as a list, source first, "
                       f"e.g. [zh, en, zh-Hant]; known: {', '.join(known)}")
            return None
        languages = []
        for i, code in enumerate(value):
            lang = canonical_lang(str(code), known)
            if lang is None:
                self.error(doc.shown, value.line_of(i), "languages", f'"{code}" is not a language yunzhao knows; '
                           f"known: {', '.join(known)}" + did_you_mean(code, known))
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
            self.error(f"content/{rel}", 0, "", f"not found; the site needs this file (a list of each {what})")
            return []
        doc = self.loader.yaml(path)
        if doc is None:
            return []
        if not isinstance(doc.data, list):
            self.error(doc.shown, getattr(doc.data, "line", 1), "", f"expected a list: each {what} starts "
                       'with "- id: ..."')
            return []
        items = []
        for i, entry in enumerate(doc.data):
            fields = s.read_fields(entry, kind, self.ctx, self.problems, doc.shown, f"a {what}")
            if fields is None:
                continue
            source = m.Source(doc.shown, doc.data.line_of(i))
            if self.claim(what, fields["id"], source):
                items.append(make(fields, source))
        return items

    def make_sector(self, f, source):
        return m.Sector(id=f["id"], name=f["name"], source=source)

    def make_staff(self, f, source):
        self.note_images([f["wechat_qr"]])
        return m.Staff(id=f["id"], name=f["name"], role=f["role"], phone=str(f["phone"]),
                       email=f["email"], wechat=f["wechat"], wechat_qr=f["wechat_qr"], source=source)

    def read_translated(self, folder, kind, translatable, what):
        """Markdown documents with translations merged: [(id, fields, bodies, source, data)]."""
        out = []
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
                    # A plain string in a translation file is in that file's language.
                    text = value.get(self.ctx.languages[0]) if isinstance(value, m.LText) else value
                    if isinstance(value, m.LText) and len(value) == 1 and text is not None:
                        fields[name] = m.LText({**fields[name], lang: text})
                if doc.body:
                    bodies[lang] = doc.body
            if fields is not None:
                out.append((doc_id, fields, bodies, source, source_doc.data))
        return out

    def read_parks(self, sectors, staff) -> list[m.Park]:
        parks = []
        for park_id, f, bodies, source, data in self.read_translated("parks", s.PARK, s.PARK_TRANSLATABLE,
                                                                       "a park profile"):
            if not self.claim("park", park_id, source):
                continue
            for alias in f["aliases"]:
                self.claim("park", alias, source, "aliases")
            self.note_images(f["images"])
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
                self.claim("page", alias, source, "aliases")
            pages.append(m.Page(id=page_id, title=f["title"], body=bodies, menu=f["menu"],
                                aliases=f["aliases"], source=source))
        return pages

    def read_catalogues(self, sectors, parks, staff):
        catalogues, projects = [], []
        for path in self.loader.files("projects", "*.yaml") + self.loader.files("projects", "*.yml"):
            doc = self.loader.yaml(path)
            if doc is None:
                continue
            head = s.read_fields(doc.data, s.CATALOGUE_FILE, self.ctx, self.problems, doc.shown,
                                 "a catalogue file")
            if head is None:
                continue
            info = s.read_fields(head["catalogue"], s.CATALOGUE, self.ctx, self.problems, doc.shown,
                                 "the catalogue")
            catalogue = m.Catalogue(id=path.stem, title=info["title"] if info else m.LText(),
                                    updated=info["updated"] if info else None,
                                    source=m.Source(doc.shown, doc.data.line_of("catalogue")))
            catalogues.append(catalogue)
            entries = head["projects"]
            if not isinstance(entries, list):
                self.error(doc.shown, doc.data.line_of("projects"), "projects",
                           'expected a list of projects, each starting with "- id: ..."')
                continue
            for i, entry in enumerate(entries):
                project = self.read_project(entry, doc, entries.line_of(i), catalogue, sectors, parks, staff)
                if project is not None:
                    projects.append(project)
        return catalogues, sorted(projects, key=lambda p: p.id)

    def read_project(self, entry, doc, line, catalogue, sectors, parks, staff):
        f = s.read_fields(entry, s.PROJECT, self.ctx, self.problems, doc.shown, "a project", partial=True)
        if f is None:
            return None
        if not f.ok and not f.get("id"):
            return None
        source = m.Source(doc.shown, line)
        if not self.claim("project", f["id"], source):
            return None
        for alias in f["aliases"]:
            self.claim("project", alias, m.Source(doc.shown, entry.line_of("aliases")), "aliases")
        for lang, text in f["description"].items():
            self.check_markdown(doc.shown, entry.line_of("description"), text, "description")
        self.note_images(f["images"])
        sector = self.resolve(sectors, f["sector"], "sector", source, "sector", entry.line_of("sector"))
        park = self.resolve(parks, f["park"], "park", source, "park", entry.line_of("park"))
        contact = self.resolve(staff, f["contact"], "staff member", source, "contact", entry.line_of("contact"))
        if sector is None or not f.ok:
            return None
        return m.Project(
            id=f["id"], title=f["title"], sector=sector, park=park, investment=f["investment"],
            status=f["status"], cooperation=f["cooperation"], land=f["land"], location=f["location"],
            coordinates=f["coordinates"], summary=f["summary"], description=f["description"],
            highlights=f["highlights"], images=f["images"], contact=contact, aliases=f["aliases"],
            catalogue=catalogue, source=source)

    def read_brochures(self, projects, parks, pages, staff) -> list[m.Brochure]:
        brochures = []
        for path in self.loader.files("brochures", "*.yaml"):
            doc = self.loader.yaml(path)
            if doc is None:
                continue
            f = s.read_fields(doc.data, s.BROCHURE, self.ctx, self.problems, doc.shown, "a brochure")
            if f is None:
                continue
            data = doc.data
            source = m.Source(doc.shown, 1)
            if f["id"] != path.stem:
                self.error(doc.shown, data.line_of("id"), "id", f'the id "{f["id"]}" differs from the file name '
                           f'"{path.name}"; make them the same so the brochure is easy to find')
                continue
            if not self.claim("brochure", f["id"], source):
                continue
            if (f["projects"] is None) == (f["filter"] is None):
                self.error(doc.shown, data.line, "projects", "write either projects (a list of ids) or filter "
                           "(sector, park, status, min_investment, max_investment), not both or neither")
                continue
            if f["projects"] is not None:
                chosen = self.resolve_list(projects, f["projects"], "project", source, "projects", data)
            else:
                chosen = self.select(f["filter"], projects, parks, doc, source)
                if chosen is not None and not chosen:
                    self.error(doc.shown, data.line_of("filter"), "filter", "selects no project; widen the "
                               "filter or list the projects by id")
            self.note_images([f["cover"]])
            brochures.append(m.Brochure(
                id=f["id"], title=f["title"], subtitle=f["subtitle"], cover=f["cover"], projects=chosen or [],
                parks=self.resolve_list(parks, f["parks"], "park", source, "parks", data),
                pages=self.resolve_list(pages, f["pages"], "page", source, "pages", data),
                contact=self.resolve(staff, f["contact"], "staff member", source, "contact",
                                     data.line_of("contact")), source=source))
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


def check_site(root: Path, problems: Problems) -> m.Site | None:
    return Checker(root, problems).run()
