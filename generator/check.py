"""Check: turn loaded documents into the typed model, resolving every reference.

Each content kind is read against its schema; then ids are resolved across files (a project's
sector and park, a brochure's projects). Every problem is collected; the build stops after
this stage if there is any, so later stages can trust the model.

Catalogue files, which hold nearly all of a large site, are checked in two steps: each file on
its own (`read_catalogue_file`, kept in the file cache while the file is unchanged; after an
edit, `reread_catalogue_file` reads again only the projects that changed), then linked to the
rest of the site in every run (`link_projects`).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path

from . import deps, model as m
from .content import schema as s
from .content.file_cache import FileCache
from .content.loader import ContentLoader, Document
from .content.yamlpos import (MAX_ALIAS_VALUES, MAX_DEPTH, ParseInfo, PosDict, PosList, YamlError, bracket_depth,
                              brackets, parse_items, plain_lines, split_items)
from .errors import Problems, did_you_mean
from .file_digests import FileDigests
from .i18n import LANGUAGES, canonical_lang
from .markdown import find_unsafe_links
from .units import money_key


class Checker:
    def __init__(self, root: Path, problems: Problems, cache: FileCache | None = None,
                 digests: FileDigests | None = None):
        self.root = root
        self.problems = problems
        self.loader = ContentLoader(root, problems, cache, digests)   # cache: the site's own unless given
        self.ctx: s.Context | None = None
        self.ids: dict[tuple[str, str], m.Source] = {}   # (kind, id or alias) → where
        # Items written but left out because of an error already reported, and kinds whose file
        # could not be read at all: a reference to them is not a second mistake to report.
        self.broken: set[tuple[str, str]] = set()        # (kind, id)
        self.unreadable: set[str] = set()                # kinds
        self.aliases: set[tuple[str, str]] = set()       # (kind, alias) claimed by `aliases:`
        self.images: dict[str, tuple[m.Source, str, set[str]]] = {}   # path → (first referrer, field, roles)
        self.checked: list[str] = []     # catalogue files checked in this run (the others were kept)
        self.checked_ahead: set[str] = set()    # of those, the ones parse_ahead's workers checked

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
            self.error(shown, body_line + line, field, unsafe_link_message(href))

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
        # A large site read without its cache: the catalogue files are parsed and checked (each
        # on its own, as `catalogue_file` keeps them) by workers on every core, the profiles and
        # pages parsed; this process then finds them all in the cache.
        self.checked_ahead = set(self.loader.parse_ahead(
            [(p, "markdown") for p in files("parks", "*.md") + files("pages", "*.md")] +
            [(p, "yaml") for p in files("projects", "*.yaml") + files("projects", "*.yml")],
            read=self._check_ahead))
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
            catalogues.append(read.catalogue)
            if read.entries is None:
                self.unreadable.add("project")
                continue
            self.link_projects(read.entries, shown, sectors, parks, staff, projects)
        return catalogues, sorted(projects, key=attrgetter("id"))

    def _check_ahead(self, path: Path, kind: str) -> str | None:
        """In a parse_ahead worker: a catalogue file (the only YAML files read ahead) checked on
        its own, into the cache (its shown name); None for a profile or page (parsed only)."""
        if kind != "yaml":
            return None
        self.catalogue_file(path)
        shown = self.loader.shown(path)
        return shown if shown in self.checked else None

    def catalogue_file(self, path: Path) -> CatalogueFile | None:
        """A catalogue file checked on its own (None if it cannot be read; reported).

        Taken from the file cache when the file's bytes, its name and the site's languages are
        those it was checked with, and every image it names is found (or missing) as it was
        then. A file that changed is read again item by item from the reading of its previous
        bytes where that gives what reading it in full would (`reread_catalogue_file`).
        """
        bytes_read = self.loader.read(path)
        if bytes_read is None:
            return None
        data, digest = bytes_read
        cache = self.loader.cache
        shown = self.loader.shown(path)
        # The reading holds the model's projects, which say where they were written.
        depends = f"{','.join(self.ctx.languages)}\0{shown}"
        previous = cache.previous(shown)
        cache.remember(shown, digest)
        read = cache.load(digest, "catalogue", depends)
        if isinstance(read, CatalogueFile) and self.images_as_they_were(read):
            if shown in self.checked_ahead:
                self.checked.append(shown)      # (by a worker, in this run)
            return read
        if data is None:        # only hashed so far
            bytes_read = self.loader.read_now(path)
            if bytes_read is None:
                return None
            data, digest = bytes_read
            cache.remember(shown, digest)
        ctx = replace(self.ctx, images_seen={})
        read = None
        if previous is not None and previous != digest:
            before = cache.load(previous, "catalogue", depends)
            if isinstance(before, CatalogueFile):
                read = reread_catalogue_file(data, before, ctx, shown)
            if read is not None and not self.images_as_they_were(read):
                read = None
            if read is not None:
                self.loader.parsed.append(shown)
        if read is None:
            # Its parse is not kept besides: that would double what a first build writes, for the
            # rare run where an image or the languages changed and the file is parsed again.
            doc = self.loader.yaml(path, bytes_read, keep=False)
            if doc is None:
                return None
            read = read_catalogue_file(doc.data, ctx, shown, path.stem, data, doc.info)
        self.checked.append(shown)
        cache.store(digest, "catalogue", read, depends)
        return read

    def images_as_they_were(self, read: CatalogueFile) -> bool:
        """Whether every image the file names is found (or missing) as when it was checked."""
        return all(s.image_answer(value, self.ctx) == answer for value, answer in read.images.items())

    def link_projects(self, entries: list[tuple], shown: str, sectors, parks, staff, projects: list) -> None:
        """Link the checked entries of a catalogue file to the rest of the site: ids unique
        across files, sectors, parks and staff resolved, images noted, every problem reported;
        each project that holds is added to `projects`.

        This runs for every project in every build, so the usual case (nothing wrong) takes
        the shortest path; `claim` and `resolve` report the rest."""
        ids, error = self.ids, self.error
        for (values, ok, sector_id, park_id, contact_id, aliases_line, sector_line, park_line, contact_line,
             image_lines, problems, link_problems, written_id, _) in entries:
            for line, field, message in problems:
                error(shown, line, field, message)
            if values is None:
                continue
            project_id = values[_ID]
            if not ok:
                self.left_out("project", written_id)
                if not project_id:
                    continue
            source = values[_SOURCE]
            key = ("project", project_id)
            if key in ids:
                self.claim("project", project_id, source)      # reports the id used twice
                continue
            ids[key] = source
            for alias in values[_ALIASES]:
                if alias == project_id:
                    error(shown, aliases_line, "aliases", f'"{alias}" is this project\'s own id; '
                          "aliases are the earlier ids that should lead to it")
                    continue
                self.claim("project", alias, m.Source(shown, aliases_line), "aliases")
            for line, field, message in link_problems:
                error(shown, line, field, message)
            if values[_IMAGES]:
                self.note_images(values[_IMAGES], source, field="images", role="cover", lines=image_lines)
            sector = sectors.get(sector_id)
            if sector is None:
                self.resolve(sectors, sector_id, "sector", source, "sector", sector_line)
            park = parks.get(park_id) if park_id is not None else None
            if park is None and park_id is not None:
                self.resolve(parks, park_id, "park", source, "park", park_line)
            contact = staff.get(contact_id) if contact_id is not None else None
            if contact is None and contact_id is not None:
                self.resolve(staff, contact_id, "staff member", source, "contact", contact_line)
            if sector is None or not ok:
                self.left_out("project", project_id)
                continue
            project = m.Project(*values)
            project.sector, project.park, project.contact = sector, park, contact
            projects.append(project)

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
# dates, texts, images and the links in its descriptions. `Checker.catalogue_file` keeps that
# reading in the file cache, and every build links it to the rest again (ids unique across
# files, sectors, parks and staff resolved, images noted) in `link_projects`, the same code
# whether the reading came from the cache or not.
#
# A project entry is kept as a tuple, the cheapest thing to unpickle (10,000 of them are read
# from the cache in every build), of:
#   values         the project's fields in the order of _PROJECT_FIELDS (m.Project's arguments),
#                  with its catalogue, source and the digest of its fields (`written`); sector,
#                  park and contact are None until linked. None when the item is not a mapping.
#                  (Unpickling m.Project objects themselves costs twice as much as unpickling
#                  these and calling m.Project, and gives objects whose attributes are slower
#                  to read.)
#   ok             whether every field was right (if not, the project is left out once its
#                  references were checked)
#   sector_id, park_id, contact_id            the ids as written
#   aliases_line, sector_line, park_line, contact_line   where each is written
#   image_lines    where each image is written
#   problems       what checking its fields found: (line, field, message)
#   link_problems  refused links in its description, reported only when its id is its own
#   written_id     its id as written, when text (an item left out is not reported again)
#   images         the image paths it names, as checked (see CatalogueFile.images)

_PROJECT_FIELDS = tuple(field.name for field in dataclasses.fields(m.Project))
_ID, _IMAGES, _ALIASES, _SOURCE = map(_PROJECT_FIELDS.index, ("id", "images", "aliases", "source"))

Found = list[tuple[int, str, str]]     # (line, field, message) of each problem; the file is added when shown


@dataclass
class ItemsLayout:
    """How a catalogue file was cut into its head and its projects (`yamlpos.split_items`), so
    that the file's next bytes can be read again item by item (`reread_catalogue_file`)."""
    head: bytes                  # the SHA-256 of the head's bytes
    head_spent: int              # values its parse made (the alias budget, `yamlpos.ParseInfo`)
    head_brackets: tuple         # how brackets nest in it (`yamlpos.brackets`)
    starts: list[int]            # the line of each project's "- "
    digests: list[bytes]         # the SHA-256 of each project's bytes (its lines)
    spent: list[int]             # values each project's parse made
    brackets: list[tuple]        # how brackets nest in each project's lines


@dataclass
class CatalogueFile:
    """A catalogue file checked on its own: what `read_catalogues` needs of it."""
    problems: Found                          # about the file's own fields
    catalogue: m.Catalogue | None            # None when the file is wrong
    entries: list[tuple] | None              # the projects (see above); None when `projects:` is not a list
    # Each image path written in the file → what looking for it found (`schema.image_answer`):
    # a kept reading holds while these answers do.
    images: dict = dataclasses.field(default_factory=dict)
    layout: ItemsLayout | None = None        # None when its items cannot be read apart


def read_catalogue_file(data, ctx: s.Context, shown: str, catalogue_id: str, file: bytes | None = None,
                        info: ParseInfo | None = None) -> CatalogueFile:
    """Check a parsed catalogue file (`shown`, named `catalogue_id`) against its schema; with its
    bytes (`file`) and the `info` of its parse, note how its items can be read apart."""
    found = Problems()
    images = ctx.images_seen = {}
    head = s.read_fields(data, s.CATALOGUE_FILE, ctx, found, "", "a catalogue file")
    if head is None:
        return CatalogueFile(_found(found), None, None, images)
    fields = s.read_fields(head["catalogue"], s.CATALOGUE, ctx, found, "", "the catalogue")
    catalogue = m.Catalogue(id=catalogue_id, title=fields["title"] if fields else m.LText(),
                            updated=fields["updated"] if fields else None,
                            source=m.Source(shown, data.line_of("catalogue")))
    items = head["projects"]
    if not isinstance(items, list):
        found.error("", data.line_of("projects"), "projects",
                    f'{s.found(items)}; expected a list of projects, each starting with "- id: ..."')
        return CatalogueFile(_found(found), catalogue, None, images)
    entries = []
    for i, item in enumerate(items):
        entries.append(read_project_entry(item, items.line_of(i), ctx, shown, catalogue))
        images.update(ctx.images_seen)
    layout = None
    if file is not None and info is not None and info.libyaml and plain_lines(file):
        cut = split_items(file, "projects")
        if cut is not None and cut.agree(data, "projects", info):
            spent = info.item_costs["projects"]
            parts = [cut.item(i) for i in range(len(cut))]
            layout = ItemsLayout(_digest(cut.head), info.spent - sum(spent), brackets(cut.head), cut.starts,
                                 [_digest(part) for part in parts], spent, _nesting(parts))
    return CatalogueFile(_found(found), catalogue, entries, images, layout)


def reread_catalogue_file(file: bytes, before: CatalogueFile, ctx: s.Context, shown: str) -> CatalogueFile | None:
    """The catalogue file (its bytes) checked again from `before`, the reading of its previous
    bytes: the projects whose lines are unchanged are taken from it (moved to their new lines),
    the others read and checked one by one. None unless that gives exactly what reading the
    whole file would: the head unchanged, every project readable apart (no alias), and the
    file read by libyaml within the alias budget, like the previous bytes. (It is UTF-8 if
    what was read again is: the rest is bytes that were.)

    After an edit of one project in a file of 1,000 this costs a tenth of reading it in full."""
    layout = before.layout
    if layout is None or before.entries is None or before.catalogue is None \
            or not len(before.entries) == len(layout.starts) == len(layout.digests) == len(layout.spent):
        return None
    cut = split_items(file, "projects")
    if cut is None or _digest(cut.head) != layout.head:      # (the head is as plain as it was)
        return None
    where = {digest: i for i, digest in enumerate(layout.digests)}
    taken = set()
    entries, images, digests, spent, nesting = [], {}, [], [], []
    parsed = []      # (index, item, line) of the projects read again
    for index, start in enumerate(cut.starts):
        item_bytes = cut.item(index)
        digest = _digest(item_bytes)
        i = where.get(digest)
        if i is not None and i not in taken:
            taken.add(i)
            entry = _moved(before.entries[i], start - layout.starts[i], shown)
            for path in entry[-1]:          # the images it names
                if path not in before.images:
                    return None
                images[path] = before.images[path]
            entries.append(entry)
            spent.append(layout.spent[i])
            nesting.append(layout.brackets[i])
        else:
            item_bytes = bytes(item_bytes)
            if not plain_lines(item_bytes):
                return None
            nested = brackets(item_bytes)
            if nested[3] > MAX_DEPTH:
                return None        # (libyaml would recurse without a limit)
            info = ParseInfo()
            try:
                values = parse_items(item_bytes.decode(), start, info)
            except (UnicodeDecodeError, YamlError):
                return None
            if info.aliases or not isinstance(values, PosList) or len(values) != 1 or None not in info.item_costs:
                return None
            parsed.append((len(entries), values[0], values.line_of(0)))
            entries.append(None)
            spent.append(info.item_costs[None][0])
            nesting.append(nested)
        digests.append(digest)
    # What reading the whole file would have done differently: refused it as an alias bomb (a
    # budget of one value per character: at least one per 4 bytes of UTF-8), or read it with
    # PyYAML's own composer (brackets nested too deep for libyaml).
    made = layout.head_spent + sum(spent)
    if made > len(file) // 4 + MAX_ALIAS_VALUES and made > len(file.decode()) + MAX_ALIAS_VALUES \
            or bracket_depth([layout.head_brackets, *nesting]) > MAX_DEPTH:
        return None
    for index, item, line in parsed:
        entries[index] = read_project_entry(item, line, ctx, shown, before.catalogue)
        images.update(ctx.images_seen)
    return CatalogueFile(before.problems, before.catalogue, entries, images,
                         ItemsLayout(layout.head, layout.head_spent, layout.head_brackets, cut.starts, digests,
                                     spent, nesting))


def read_project_entry(item, line: int, ctx: s.Context, shown: str, catalogue: m.Catalogue) -> tuple:
    """One item of a catalogue's `projects:`, checked on its own (the tuple described above);
    the images it names are left in `ctx.images_seen`."""
    found = Problems()
    seen = ctx.images_seen = {}
    f = s.read_fields(item, s.PROJECT, ctx, found, "", "a project", partial=True, line=line)
    if f is None:
        return (None, False, None, None, None, 0, 0, 0, 0, (), tuple(_found(found)), (), None, ())
    written_id = item.get("id")
    line_of = item.line_of
    description_line = line_of("description")
    link_problems = tuple((description_line + offset, "description", unsafe_link_message(href))
                          for text in f["description"].values() for offset, href in find_unsafe_links(text))
    project = m.Project(
        id=f["id"], title=f["title"], sector=None, park=None, investment=f["investment"],
        status=f["status"], cooperation=f["cooperation"], land=f["land"], location=f["location"],
        coordinates=f["coordinates"], summary=f["summary"], description=f["description"],
        highlights=f["highlights"], images=f["images"], contact=None, aliases=f["aliases"],
        catalogue=catalogue, source=m.Source(shown, line), signed=f["signed"])
    # Digested here, once: the digest is kept with the entry in the check cache (deps.py).
    project.written = deps.written_digest(project)
    return (tuple(getattr(project, name) for name in _PROJECT_FIELDS), f.ok, f["sector"], f["park"], f["contact"],
            line_of("aliases"), line_of("sector"), line_of("park"), line_of("contact"),
            tuple(image_lines(f["images"], item, "images", line)), tuple(_found(found)), link_problems,
            written_id if isinstance(written_id, str) else None, tuple(seen))


def _moved(entry: tuple, by: int, shown: str) -> tuple:
    """A project entry whose text moved `by` lines."""
    if by == 0:
        return entry
    values, ok, sector_id, park_id, contact_id, *lines, image_lines, problems, link_problems, written_id, images \
        = entry

    def move(line):
        return line + by if line else line
    if values is not None:
        values = (*values[:_SOURCE], m.Source(shown, values[_SOURCE].line + by), *values[_SOURCE + 1:])
    return (values, ok, sector_id, park_id, contact_id, *map(move, lines), tuple(map(move, image_lines)),
            tuple((move(line), field, message) for line, field, message in problems),
            tuple((move(line), field, message) for line, field, message in link_problems), written_id, images)


def _digest(data) -> bytes:
    return hashlib.sha256(data).digest()


def _nesting(texts) -> list[tuple]:
    """The `brackets` of each text; equal ones are one object, stored once in the cache entry."""
    shared: dict[tuple, tuple] = {}
    return [shared.setdefault(summary, summary) for summary in map(brackets, texts)]


def unsafe_link_message(href: str) -> str:
    return (f'the link "{href[:60]}" is refused: a link may not run script or embed data; link to an '
            "https:// (or http://, mailto:, tel:) address or to a page of this site")


def _found(problems: Problems) -> Found:
    return [(p.line, p.field, p.message) for p in problems.errors]


def image_lines(images, data, field: str, default: int) -> list[int]:
    """The line of each image of a field: its item's line in a list, else the field's line."""
    written = data.get(field) if isinstance(data, PosDict) else None
    if isinstance(written, PosList):
        return [written.line_of(i) for i in range(len(images))]
    line = data.line_of(field) if isinstance(data, PosDict) and field in data else default
    return [line] * len(images)


def check_site(root: Path, problems: Problems, digests: FileDigests | None = None) -> m.Site | None:
    """The site's model, or None when the content has mistakes (in `problems`). `digests`: of
    the files the build fingerprinted (cache.quick_check), so that they are not read again."""
    with _collector_paused():
        return Checker(root, problems, digests=digests).run()


@contextmanager
def _collector_paused():
    """Checking makes millions of small objects that all live on in the model; Python's cycle
    collector would walk them again and again while finding nothing to free (at 10,000
    projects that was more than the checking itself, and walking them once afterwards still
    costs a third of it). So the collector is paused meanwhile, and what exists then is left
    out of its sight (`gc.freeze`, as `build` does with the model; `gc.unfreeze` brings it
    back) before it runs again. A caller that paused the collector itself decides that."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
