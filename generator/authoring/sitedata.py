"""What the authoring tools need to know about an existing site, read leniently.

`yunzhao new` and `yunzhao import` must work on a site that has a mistake somewhere (that is
when staff use them), so this reads only the parts they need — languages, sectors, staff,
parks, the ids in use — with the same loader and schema as the build, and ignores problems
elsewhere. The build's own check still has the last word.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .. import model as m
from ..check import Checker
from ..content import schema as s
from ..content.yamlpos import PosDict, decode, parse
from ..errors import Problems


class SiteError(Exception):
    """The site cannot be used at all (no site.yaml, unreadable languages); one line to show."""


@dataclass
class SiteData:
    root: Path
    languages: list[str]
    sectors: list[m.Sector]
    staff: list[m.Staff]
    parks: list[m.Park]
    ids: dict[str, dict[str, str]] = field(default_factory=dict)   # kind → {id or alias: file}
    project_ids: list[str] = field(default_factory=list)          # ids only, in catalogue order

    @property
    def source_language(self) -> str:
        return self.languages[0]

    @property
    def content(self) -> Path:
        return self.root / "content"

    def context(self) -> s.Context:
        return s.Context(self.languages, self.content)


def read_site(root: Path) -> SiteData:
    problems = Problems()
    checker = Checker(root, problems)
    site_file = root / "content" / "site.yaml"
    if not site_file.is_file():
        raise SiteError(f"{root} has no content/site.yaml; run yunzhao in your site folder, give it with "
                        "--site, or start a site with yunzhao init")
    doc = checker.loader.yaml(site_file)
    languages = checker.read_languages(doc) if doc is not None else None
    if languages is None:
        first = problems.sorted_errors()[0] if problems.errors else "cannot read the languages"
        raise SiteError(f"{first}; fix content/site.yaml first")
    checker.ctx = s.Context(languages, root / "content")
    sectors = checker.read_list_file("data/sectors.yaml", s.SECTOR, "sector", checker.make_sector)
    staff = checker.read_list_file("data/staff.yaml", s.STAFF, "staff member", checker.make_staff)
    parks = checker.read_parks({x.id: x for x in sectors}, {x.id: x for x in staff})
    data = SiteData(root, languages, sectors, staff, parks)
    data.ids, data.project_ids = _ids_in_use(root, checker)
    return data


def _ids_in_use(root: Path, checker: Checker) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Every id and alias per kind, and the file that holds it, read straight from the files;
    and the projects' own ids in catalogue order."""
    ids: dict[str, dict[str, str]] = {"project": {}, "park": {}, "page": {}, "brochure": {}}
    project_ids: list[str] = []
    loader = checker.loader
    for path in catalogue_files(root):
        doc = loader.yaml(path)
        entries = doc.data.get("projects") if doc is not None and isinstance(doc.data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                if isinstance(entry.get("id"), str):
                    project_ids.append(entry["id"])
                for value in [entry.get("id")] + _as_list(entry.get("aliases")):
                    if isinstance(value, str):
                        ids["project"].setdefault(value, doc.shown)
    for kind, folder in (("park", "parks"), ("page", "pages")):
        for path in loader.files(folder, "*.md"):
            shown = loader.shown(path)
            ids[kind].setdefault(path.name.split(".")[0], shown)
            doc = loader.markdown(path)
            if doc is not None and isinstance(doc.data, dict):
                for alias in _as_list(doc.data.get("aliases")):
                    if isinstance(alias, str):
                        ids[kind].setdefault(alias, shown)
    for path in loader.files("brochures", "*.yaml"):
        ids["brochure"].setdefault(path.stem, loader.shown(path))
    return ids, project_ids


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def catalogue_files(root: Path) -> list[Path]:
    folder = root / "content" / "projects"
    if not folder.is_dir():
        return []
    return sorted(p for p in list(folder.glob("*.yaml")) + list(folder.glob("*.yml"))
                  if p.is_file() and not p.name.startswith("."))


def newest_catalogue(root: Path) -> Path | None:
    """The catalogue with the latest `updated:` date; by file name when dates are equal or missing."""
    def key(path: Path):
        updated = dt.date.min
        try:
            data = parse(decode(path.read_bytes()))
            value = data.get("catalogue", {}).get("updated") if isinstance(data, PosDict) else None
            if isinstance(value, dt.date):
                updated = value
        except Exception:   # an unreadable catalogue is simply not the newest
            pass
        return (updated, path.name)
    files = catalogue_files(root)
    return max(files, key=key) if files else None


def fold(text) -> str:
    """A name as compared when staff write it: full-width folded, case and spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


class NameIndex:
    """Finds an item by its id or by its name in any language (how staff write it in a sheet)."""

    def __init__(self, items, name_of):
        self.items = list(items)
        self.table: dict[str, list] = {}
        for item in self.items:
            keys = {fold(item.id)} | {fold(text) for text in name_of(item).values() if isinstance(text, str)}
            for key in keys:
                if key:
                    self.table.setdefault(key, []).append(item)

    def exact(self, written) -> list:
        return list({id(item): item for item in self.table.get(fold(written), [])}.values())

    def find(self, written) -> list:
        """Items that match exactly; else those whose name contains, or is contained in, the text."""
        key = fold(written)
        if not key:
            return []
        exact = self.exact(written)
        if exact:
            return exact
        near = {id(item): item for name, items in self.table.items()
                if len(name) >= 2 and len(key) >= 2 and (name in key or key in name) for item in items}
        return list(near.values())

    def names(self) -> list[str]:
        return sorted(self.table)

    def unique_name(self, item, name_of, lang: str) -> str:
        """The item's name in `lang` if it finds only this item, else its id (always unique)."""
        name = name_of(item).get(lang)
        if isinstance(name, str) and self.find(name) == [item]:
            return name
        return item.id
