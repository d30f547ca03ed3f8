"""`yunzhao export`: a catalogue YAML → an Excel workbook (or CSV) staff keep working in.

The reverse of sheets.py, in the same words: Chinese headers, sector, park and contact by name,
status and cooperation in Chinese, amounts as written (5亿元, 2亿美元), one list item a line.
`yunzhao import` of the file gives the same catalogue back. The workbook has three sheets:
项目 (the projects, under a title row), 目录 (the catalogue's title and date) and 选项 (the
accepted words, used as drop-down lists in the 项目 sheet).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from ..content import schema as s
from ..content.loader import ContentLoader
from ..errors import Problems
from .sitedata import NameIndex, SiteData, catalogue_files, read_site
from .vocabulary import COOPERATION_ZH, STATUS_ZH

PROJECT_SHEET = "项目"
META_SHEET = "目录"
OPTIONS_SHEET = "选项"

LANGUAGE_LABEL = {"zh": "中文", "en": "英文", "zh-Hant": "繁体"}

# (key, Chinese header, localized?, always shown?)
COLUMNS = [
    ("id", "项目编号", False, True),
    ("title", "项目名称", True, True),
    ("sector", "所属行业", False, True),
    ("park", "所在园区", False, True),
    ("investment", "投资额", False, True),
    ("status", "项目状态", False, True),
    ("cooperation", "合作方式", False, True),
    ("land", "用地面积", False, True),
    ("signed", "签约日期", False, False),
    ("location", "项目地址", True, False),
    ("longitude", "经度", False, False),
    ("latitude", "纬度", False, False),
    ("summary", "项目简介", True, True),
    ("description", "项目详情", True, False),
    ("highlights", "项目亮点", True, False),
    ("images", "图片", False, False),
    ("contact", "联系人", False, True),
    ("phone", "联系电话", False, True),
    ("aliases", "曾用编号", False, False),
]
WIDE = {"summary": 40, "description": 60, "highlights": 40, "title": 30, "location": 24}


class ExportRefused(Exception):
    """Nothing was written; the message (possibly several lines) says why."""


@dataclass
class ExportResult:
    target: Path
    projects: int
    columns: list[str]


def find_catalogue(root: Path, name: str) -> Path:
    given = Path(name)
    if given.suffix in (".yaml", ".yml") and given.is_file():
        return given
    for suffix in (".yaml", ".yml"):
        path = root / "content" / "projects" / f"{name}{suffix}"
        if path.is_file():
            return path
    known = ", ".join(p.stem for p in catalogue_files(root)) or "none yet"
    raise ExportRefused(f'no catalogue "{name}" in content/projects/ (catalogues: {known})')


def export_catalogue(root: Path, name: str, target: Path, force: bool = False) -> ExportResult:
    site = read_site(root)
    path = find_catalogue(root, name)
    if target.exists() and not force:
        raise ExportRefused(f"{target} exists; add --force to replace it (changes made in it are lost) "
                            "or give another file name")
    if target.suffix.lower() not in (".xlsx", ".csv"):
        raise ExportRefused(f"{target.name}: give a file name ending in .xlsx (or .csv)")
    catalogue, projects = _read_catalogue(site, path)
    table = _Table(site, catalogue, projects)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() == ".csv":
        _write_csv(table, target)
    else:
        _write_xlsx(table, target)
    return ExportResult(target, len(projects), [header for _, header in table.columns])


def _read_catalogue(site: SiteData, path: Path):
    """The catalogue's head and its projects as the build reads them (raw text kept for amounts)."""
    problems = Problems()
    loader = ContentLoader(site.root, problems)
    ctx = site.context()
    doc = loader.yaml(path)
    projects = []
    head = None
    if doc is not None:
        fields = s.read_fields(doc.data, s.CATALOGUE_FILE, ctx, problems, doc.shown, "a catalogue file")
        if fields is not None:
            head = s.read_fields(fields["catalogue"], s.CATALOGUE, ctx, problems, doc.shown, "the catalogue")
            entries = fields["projects"] if isinstance(fields["projects"], list) else []
            for entry in entries:
                project = s.read_fields(entry, s.PROJECT, ctx, problems, doc.shown, "a project")
                if project is not None:
                    project["investment_text"] = str(entry["investment"]).strip()
                    project["land_text"] = str(entry["land"]).strip() if entry.get("land") is not None else ""
                    projects.append(project)
    if problems or head is None:
        lines = [str(p) for p in problems.sorted_errors()]
        raise ExportRefused("\n".join(lines + [f"fix {loader.shown(path)} first (yunzhao check shows every "
                                               "mistake), then export again"]))
    return head, projects


class _Table:
    """The rows and columns of the 项目 sheet, as cell values."""

    def __init__(self, site: SiteData, catalogue, projects):
        self.site = site
        self.catalogue = catalogue
        self.sectors = NameIndex(site.sectors, lambda x: x.name)
        self.parks = NameIndex(site.parks, lambda x: x.title)
        self.staff = NameIndex(site.staff, lambda x: x.name)
        self.sector_by_id = {x.id: x for x in site.sectors}
        self.park_by_id = {x.id: x for x in site.parks}
        self.staff_by_id = {x.id: x for x in site.staff}
        source = site.source_language
        written = [lang for lang in site.languages if lang != "zh-Hant" or lang == source]
        self.columns: list[tuple[tuple[str, str | None], str]] = []
        rows = [self.values(p) for p in projects]
        for key, header, localized, always in COLUMNS:
            for lang in (site.languages if localized else [None]):
                cell_key = (key, lang)
                shown = always and (lang is None or lang in written)
                if shown or any(row.get(cell_key) not in (None, "") for row in rows):
                    label = "" if lang in (None, source) else f"({LANGUAGE_LABEL[lang]})"
                    self.columns.append((cell_key, header + label))
        self.rows = [[row.get(key) for key, _ in self.columns] for row in rows]

    def name(self, index: NameIndex, table: dict, item_id: str | None, name_of) -> str | None:
        if item_id is None:
            return None
        item = table.get(item_id)
        if item is None:
            raise ExportRefused(f'"{item_id}" is not known to the site; fix the catalogue first (yunzhao check)')
        return index.unique_name(item, name_of, self.site.source_language)

    def values(self, p) -> dict:
        row: dict = {
            ("id", None): p["id"],
            ("sector", None): self.name(self.sectors, self.sector_by_id, p["sector"], lambda x: x.name),
            ("park", None): self.name(self.parks, self.park_by_id, p["park"], lambda x: x.title),
            ("investment", None): p["investment_text"],
            ("status", None): STATUS_ZH[p["status"]],
            ("cooperation", None): "、".join(COOPERATION_ZH[c] for c in p["cooperation"]),
            ("land", None): p["land_text"] or None,
            ("signed", None): p["signed"],
            ("images", None): "\n".join(p["images"]) or None,
            ("contact", None): self.name(self.staff, self.staff_by_id, p["contact"], lambda x: x.name),
            ("aliases", None): ", ".join(p["aliases"]) or None,
        }
        contact = self.staff_by_id.get(p["contact"]) if p["contact"] else None
        row[("phone", None)] = contact.phone if contact is not None and contact.phone else None
        if p["coordinates"] is not None:
            row[("longitude", None)], row[("latitude", None)] = p["coordinates"]
        for key in ("title", "location", "summary", "description", "highlights"):
            for lang, text in p[key].items():
                row[(key, lang)] = "\n".join(text) if isinstance(text, list) else text
        return row

    def options(self) -> list[tuple[str, list[str]]]:
        lang = self.site.source_language
        return [
            ("项目状态", list(STATUS_ZH.values())),
            ("合作方式", list(COOPERATION_ZH.values())),
            ("所属行业", [self.sectors.unique_name(x, lambda i: i.name, lang) for x in self.site.sectors]),
            ("所在园区", [self.parks.unique_name(x, lambda i: i.title, lang) for x in self.site.parks]),
            ("联系人", [self.staff.unique_name(x, lambda i: i.name, lang) for x in self.site.staff]),
        ]


def _write_csv(table: _Table, target: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header in table.columns])
    for row in table.rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])
    # With a BOM, Excel opens the file as UTF-8 instead of the system's code page.
    target.write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))


def _write_xlsx(table: _Table, target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    # No timestamps of the moment: the same catalogue gives the same workbook contents.
    fixed = dt.datetime.combine(table.catalogue["updated"] or dt.date(2000, 1, 1), dt.time())
    book.properties.created = book.properties.modified = fixed
    book.properties.creator = "yunzhao"
    sheet = book.active
    sheet.title = PROJECT_SHEET
    width = len(table.columns)
    source = table.site.source_language
    title = table.catalogue["title"].get(source) or next(iter(table.catalogue["title"].values()), "")
    sheet.cell(1, 1, title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    header_fill = PatternFill("solid", fgColor="EEEEEE")
    for c, (key, header) in enumerate(table.columns, start=1):
        cell = sheet.cell(2, c, header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        wide = WIDE.get(key[0])
        sheet.column_dimensions[get_column_letter(c)].width = wide or max(10, len(header) * 2 + 2)
    for r, row in enumerate(table.rows, start=3):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(r, c, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"          # a text, not a formula
            key = table.columns[c - 1][0][0]
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str) and key not in ("investment", "land", "phone"):
                cell.number_format = "@"      # text, so Excel never turns an id or a phone into a number
            if key in WIDE or (isinstance(value, str) and "\n" in value):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B3"

    meta = book.create_sheet(META_SHEET)
    meta_rows = [("目录名称" + ("" if lang == source else f"({LANGUAGE_LABEL[lang]})"), text)
                 for lang, text in table.catalogue["title"].items()]
    if table.catalogue["updated"]:
        meta_rows.append(("更新日期", table.catalogue["updated"]))
    for r, (key, value) in enumerate(meta_rows, start=1):
        meta.cell(r, 1, key).font = Font(bold=True)
        cell = meta.cell(r, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    meta.column_dimensions["A"].width = 18
    meta.column_dimensions["B"].width = 40

    options = book.create_sheet(OPTIONS_SHEET)
    headers = [header for _, header in table.columns]
    last_row = len(table.rows) + 500        # room for rows staff add
    for c, (header, words) in enumerate(table.options(), start=1):
        options.cell(1, c, header).font = Font(bold=True)
        for r, word in enumerate(words, start=2):
            options.cell(r, c, word)
        options.column_dimensions[get_column_letter(c)].width = 20
        if header in headers and header != "合作方式" and words:   # 合作方式 may hold several words
            column = get_column_letter(headers.index(header) + 1)
            ref = f"{quote_sheetname(OPTIONS_SHEET)}!${get_column_letter(c)}$2:${get_column_letter(c)}${len(words) + 1}"
            validation = DataValidation(type="list", formula1=f"={ref}", allow_blank=True,
                                        errorStyle="warning", showErrorMessage=True,
                                        error="不在选项表中 (not in the 选项 sheet)")
            validation.add(f"{column}3:{column}{last_row}")
            sheet.add_data_validation(validation)
    book.save(target)
