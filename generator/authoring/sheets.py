"""`yunzhao import`: a bureau's project sheet (.xlsx or .csv) → a catalogue YAML.

Reads the sheets the way bureaus keep them (see columns.py for headers, grid.py for merged
cells), finds sectors, parks and staff by name, turns Chinese status and cooperation words into
the YAML's ids, and writes `content/projects/<catalogue>.yaml` in the layout of the demo.

Every cell that cannot be read is reported by sheet, row and column (项目表!E7) with the same
message the build would give; the field is left out, and a project missing a required field
is left out, so the written catalogue always passes `yunzhao check`. The report also says
which column became which field. An existing catalogue is replaced only with `force`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from ..content import schema as s
from ..errors import did_you_mean
from . import yamltext
from .columns import LOCALIZED, Column, apply_unit, read_header, read_part
from .grid import Grid, SheetError, blank, read_grids
from .sitedata import NameIndex, SiteData, fold, read_site
from .vocabulary import COOPERATION_BY_WORD, COOPERATION_ZH, STATUS_BY_WORD, STATUS_ZH

# The order fields are written in, as in docs/content.md.
FIELD_ORDER = ("id", "title", "sector", "park", "investment", "status", "cooperation", "land", "signed",
               "location", "coordinates", "summary", "description", "highlights", "images", "contact",
               "aliases")
REQUIRED = {"title": "项目名称 (title)", "sector": "所属行业 (sector)", "investment": "投资额 (investment)"}
META_SHEETS = ("目录", "目录信息", "catalogue", "catalog")
OPTION_SHEETS = ("选项", "options")      # the drop-down lists `yunzhao export` adds
_TOTAL_WORDS = ("合计", "总计", "小计", "total", "subtotal", "sum")
_NUMBER = re.compile(r"^\d[\d,]*(?:\.\d+)?$")
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．])\s*")
_COUNT = re.compile(r"[(（]\s*(?:共)?\s*\d+\s*(?:个|项)?(?:项目)?\s*[)）]\s*$")


class ImportRefused(Exception):
    """Nothing was read or written; one line saying why and what to do."""


@dataclass
class SheetReport:
    name: str
    header_rows: tuple[int, int]          # 1-based, inclusive
    columns: list[Column]
    projects: int = 0


@dataclass
class ImportResult:
    target: Path
    sheets: list[SheetReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)    # unreadable cells: 项目表!E7: 投资额: ...
    notes: list[str] = field(default_factory=list)       # rows skipped on purpose, titles found
    projects: list[dict] = field(default_factory=list)
    text: str = ""                                       # the catalogue YAML
    written: bool = False


def slugify(text) -> str:
    """An ASCII id from a written code: JLP-2024/001 → jlp-2024-001; '' when nothing ASCII is left."""
    folded = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def catalogue_path(site: SiteData, name: str) -> Path:
    return site.content / "projects" / f"{name}.yaml"


def check_catalogue_name(name: str) -> None:
    if not s.SLUG.match(name):
        raise ImportRefused(f'"{name}" cannot be a catalogue name: it becomes the file name '
                            f"content/projects/<name>.yaml; use lowercase letters, digits and hyphens, e.g. 2024")


# ---- reading ----------------------------------------------------------------------------

def import_sheet(root: Path, source: Path, name: str, force: bool = False, title: str | None = None,
                 write: bool = True) -> ImportResult:
    check_catalogue_name(name)
    if not source.is_file():
        raise ImportRefused(f"no file {source}; give the path of the .xlsx or .csv file to import")
    site = read_site(root)
    target = catalogue_path(site, name)
    if target.exists() and not force and write:
        raise ImportRefused(f"content/projects/{name}.yaml exists; add --force to replace it "
                            "(its current text is lost) or choose another --catalogue")
    try:
        grids = read_grids(source)
    except SheetError as exc:
        raise ImportRefused(str(exc)) from None
    reader = _Reader(site, name, target)
    meta = {}
    project_grids = []
    for grid in grids:
        if fold(grid.name) in META_SHEETS:
            meta = reader.read_meta(grid)
        elif fold(grid.name) not in OPTION_SHEETS:
            project_grids.append(grid)
    banner_title = None
    for number, grid in enumerate(project_grids):
        found = reader.read_grid(grid, number)
        banner_title = banner_title or found
    result = reader.result
    if not result.sheets:
        raise ImportRefused(f"{source.name}: found no table of projects; the header row needs at least a "
                            "项目名称 (or Project name) column and one more known column, e.g. 所属行业, 投资额")
    result.projects = reader.finish()
    catalogue = _catalogue_head(site, name, title, meta, banner_title, result)
    result.text = _catalogue_text(catalogue, result.projects, source.name, site.languages)
    if write:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(result.text, encoding="utf-8")
        result.written = True
    return result


def _catalogue_head(site, name, title, meta, banner_title, result) -> dict:
    head = {}
    if title:
        head["title"] = title
    elif meta.get("title"):
        head["title"] = meta["title"]
    elif banner_title:
        head["title"] = banner_title
        result.notes.append(f'catalogue title "{banner_title}" taken from the title row of the sheet')
    else:
        head["title"] = name
    if isinstance(head["title"], dict) and list(head["title"]) == [site.source_language]:
        head["title"] = head["title"][site.source_language]
    if meta.get("updated"):
        head["updated"] = meta["updated"]
    return head


class _Reader:
    def __init__(self, site: SiteData, name: str, target: Path):
        self.site = site
        self.name = name
        self.ctx = site.context()
        self.sectors = NameIndex(site.sectors, lambda x: x.name)
        self.parks = NameIndex(site.parks, lambda x: x.title)
        self.staff = NameIndex(site.staff, lambda x: x.name)
        self.result = ImportResult(target)
        self.rows: list[tuple[Grid, int, dict]] = []      # every project read, with its row
        shown = target.relative_to(site.root).as_posix()
        self.other_ids = {key: file for key, file in site.ids["project"].items() if file != shown}

    # -- the catalogue sheet (written by export): title and updated --------------------------

    def read_meta(self, grid: Grid) -> dict:
        meta: dict = {}
        titles = {}
        for r, row in enumerate(grid.rows):
            if len(row) < 2 or blank(row[0]) or blank(row[1]):
                continue
            part = read_part(row[0])
            key = fold(re.sub(r"[(（].*", "", str(row[0])))
            if key in ("目录名称", "名称", "标题", "title", "目录标题", "name"):
                titles[part.lang or self.site.source_language] = str(row[1]).strip()
            elif key in ("更新日期", "更新时间", "updated", "date"):
                try:
                    meta["updated"] = _date(row[1])
                except ValueError as exc:
                    self.problem(grid, r, 1, str(row[0]), str(exc))
        if titles:
            meta["title"] = {lang: titles[lang] for lang in self.site.languages if lang in titles}
        return meta

    # -- a sheet of projects -------------------------------------------------------------

    def read_grid(self, grid: Grid, number: int) -> str | None:
        """Read one sheet's projects; returns the text of a title row above the header, if any."""
        found = _find_header(grid)
        if found is None:
            if grid.rows:
                self.result.notes.append(f"sheet {grid.name}: no table of projects found; skipped")
            return None
        start, end = found
        parts = _header_parts(grid, start, end)
        columns = read_header(parts, self.site.languages, lambda c: _text_language(grid, end + 1, c))
        report = SheetReport(grid.name, (start + 1, end + 1), columns)
        self.result.sheets.append(report)
        title = None
        for r in range(start):
            if grid.is_banner(r) and title is None:
                title = _text(next(v for v in grid.rows[r] if not blank(v)))
        section_sector = section_park = None
        for r in range(end + 1, len(grid.rows)):
            row = grid.rows[r]
            if all(blank(v) for v in row):
                continue
            if grid.is_banner(r) and not _lone_title(grid, r, columns):
                section_sector, section_park = self.read_section(grid, r)
                continue
            fields = self.read_row(grid, r, number, columns, section_sector, section_park)
            if fields is not None:
                self.rows.append((grid, r, fields))
                report.projects += 1
        return title

    def read_section(self, grid: Grid, r: int):
        """A row spanning the table (一、新材料产业（5个）): its sector or park applies below it."""
        text = _text(next(v for v in grid.rows[r] if not blank(v)))
        if fold(text).startswith(_TOTAL_WORDS):
            self.result.notes.append(f"{grid.name}!{r + 1}: a total row; skipped")
            return None, None
        name = _COUNT.sub("", _NUMBERING.sub("", text)).strip()
        for candidate in (name, re.sub(r"(产业|行业|类|项目|领域)$", "", name)):
            sectors = self.sectors.find(candidate)
            if len(sectors) == 1:
                self.result.notes.append(f"{grid.name}!{r + 1}: section \"{text}\": sector {sectors[0].id} "
                                         "for the rows below")
                return sectors[0].id, None
            parks = self.parks.find(candidate)
            if len(parks) == 1:
                self.result.notes.append(f"{grid.name}!{r + 1}: section \"{text}\": park {parks[0].id} "
                                         "for the rows below")
                return None, parks[0].id
        self.result.notes.append(f"{grid.name}!{r + 1}: \"{text[:40]}\" spans the row; read as a note, skipped")
        return None, None

    def problem(self, grid: Grid, r: int, c: int, header: str, message: str) -> None:
        self.result.problems.append(f"{grid.where(r, c)}: {header}: {message}")

    def read_row(self, grid, r, number, columns, section_sector, section_park) -> dict | None:
        values: dict = {}
        localized: dict[str, dict[str, object]] = {}
        wrong: dict[str, int] = {}               # field → index of its problem (for "left out")
        used = [c for c in columns if c.field and c.field != "row-number"]
        title_columns = [c for c in used if c.field == "title"]
        titles = [_text(grid.cell(r, c.index)) for c in title_columns if not blank(grid.cell(r, c.index))]
        texts = [_text(v) for v in grid.rows[r] if not blank(v)]
        if all(fold(t).startswith(_TOTAL_WORDS) for t in titles) and any(
                fold(t).startswith(_TOTAL_WORDS) for t in texts):
            self.result.notes.append(f"{grid.name}!{r + 1}: a total row; skipped")
            return None
        if not titles:
            col = title_columns[0].index if title_columns else 0
            self.problem(grid, r, col, "项目名称", f"is empty, so row {r + 1} is left out; write the project's name")
            return None
        for column in used:
            value = grid.cell(r, column.index)
            if blank(value):
                continue
            try:
                parsed = self.read_cell(column, value, grid.where(r, column.index))
            except s.Invalid as exc:
                wrong[column.field] = len(self.result.problems)
                self.problem(grid, r, column.index, column.header, exc.message)
                continue
            if column.field in LOCALIZED:
                localized.setdefault(column.field, {})[column.lang] = parsed
            else:
                values[column.field] = parsed
        for name, texts in localized.items():
            ordered = {lang: texts[lang] for lang in self.site.languages if lang in texts}
            source_only = list(ordered) == [self.site.source_language]
            values[name] = ordered[self.site.source_language] if source_only else ordered
        self.finish_contact(values, grid, r, columns, wrong)
        self.finish_coordinates(values, grid, r, columns, wrong)
        if "sector" not in values and "sector" not in wrong and section_sector:
            values["sector"] = section_sector
        if "park" not in values and "park" not in wrong and section_park:
            values["park"] = section_park
        if "id" not in values:
            prefix = slugify(self.name) or "project"
            values["id"] = f"{prefix}-{r + 1}" if number == 0 else f"{prefix}-{number + 1}-{r + 1}"
        missing = [f for f in REQUIRED if f not in values]
        if missing:
            for f in missing:
                if f in wrong:
                    self.result.problems[wrong[f]] += f" (row {r + 1} is left out: a project needs {f})"
                elif any(c.field == f for c in columns):
                    col = next(c.index for c in columns if c.field == f)
                    self.problem(grid, r, col, REQUIRED[f], f"is empty, so row {r + 1} is left out; "
                                 f"a project needs {f}")
                else:
                    self.result.problems.append(f"{grid.name}!{r + 1}: {REQUIRED[f]}: the sheet has no such "
                                                f"column, so row {r + 1} is left out; add the column")
            return None
        return {name: values[name] for name in FIELD_ORDER if name in values}

    def read_cell(self, column: Column, value, where: str):
        """One cell → the YAML value of its field; raises Invalid with the build's message."""
        f = column.field
        if f == "id":
            written = slugify(value)
            if not written:
                raise s.Invalid(f'"{_text(value)}" cannot become an id: an id uses letters a-z, digits and '
                                "hyphens; write e.g. jlp-2024-001, or leave the cell empty for a generated id")
            return written
        if f in ("title", "location"):
            return " ".join(line.strip() for line in _text(value).splitlines() if line.strip())
        if f == "summary":
            return _text(value)
        if f == "description":
            return str(value).replace("\r\n", "\n") if isinstance(value, str) else _text(value)
        if f == "highlights":
            return [line.strip() for line in str(value).replace("\r\n", "\n").split("\n") if line.strip()]
        if f in ("sector", "park", "contact"):
            return self.find(f, value, where, column.header)
        if f == "investment":
            return self.amount(value, column.unit, "money")
        if f == "land":
            return self.amount(value, column.unit, "area")
        if f == "status":
            found = STATUS_BY_WORD.get(fold(value))
            if found is None:
                words = list(STATUS_ZH.values())
                raise s.Invalid(f'"{_text(value)}" is not a status; write one of: {"、".join(words)}'
                                + did_you_mean(_text(value), words))
            return found
        if f == "cooperation":
            found = []
            words = []
            for word in re.split(r"[、,，/;；+＋\n]+|和|及|或", _text(value)):
                word = word.strip()
                # "joint venture" is one word; "合资 合作" are two
                words += [word] if fold(word) in COOPERATION_BY_WORD else word.split()
            for word in words:
                key = COOPERATION_BY_WORD.get(fold(word))
                if key is None:
                    words = list(COOPERATION_ZH.values())
                    raise s.Invalid(f'"{word}" is not a way of cooperating; write one or more of: '
                                    f'{"、".join(words)}' + did_you_mean(word, words))
                if key not in found:
                    found.append(key)
            return found
        if f == "signed":
            try:
                return _date(value)
            except ValueError as exc:
                raise s.Invalid(str(exc)) from None
        if f == "coordinates":
            numbers = re.split(r"[,，;；\s]+", _text(value).strip("[]()（） "))
            try:
                pair = [float(n) for n in numbers if n]
            except ValueError:
                pair = numbers
            return list(s.coordinates(pair, self.ctx))
        if f in ("longitude", "latitude"):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            try:
                return float(_text(value))
            except ValueError:
                raise s.Invalid(f'cannot read "{_text(value)}" as a {f}; write a number such as '
                                f'{"106.47" if f == "longitude" else "29.50"}') from None
        if f == "images":
            return s.image_list([p for p in re.split(r"[\n,，;；]+", _text(value)) if p.strip()], self.ctx)
        if f == "aliases":
            return s.slug_list([p for p in re.split(r"[\s,，;；、]+", _text(value)) if p], self.ctx)
        if f == "phone":
            return _text(value)
        raise AssertionError(f)

    def amount(self, value, unit: str | None, kind: str) -> str:
        """An amount as YAML text: the cell's own unit wins; a bare number takes the header's."""
        number = _plain_number(value)
        examples = "投资额(亿元)" if kind == "money" else "用地面积(亩)"
        if number is not None:
            if unit is None:
                raise s.Invalid(f"the number {number} has no unit; put the unit in the header, e.g. {examples}, "
                                "or in the cell, e.g. " + ("5亿元" if kind == "money" else "120亩"))
            written = apply_unit(number, unit, kind)
            if written is None:
                raise s.Invalid(f'cannot read "{number}" in {unit}')
            return written
        written = _text(value)
        parse = s.money if kind == "money" else s.area
        parse(written, self.ctx)
        return written

    def find(self, kind: str, value, where: str, header: str) -> str:
        index = {"sector": self.sectors, "park": self.parks, "contact": self.staff}[kind]
        what = {"sector": "sector", "park": "park", "contact": "staff member"}[kind]
        where = {"sector": "content/data/sectors.yaml", "park": "content/parks/",
                 "contact": "content/data/staff.yaml"}[kind]
        written = _text(value)
        found = index.find(written)
        if len(found) == 1:
            if not index.exact(written):      # a guess from part of the name: say so
                self.result.notes.append(f'{where}: {header}: "{written}" read as the {what} {found[0].id}')
            return found[0].id
        if len(found) > 1:
            raise s.Invalid(f'"{written}" could be any of {", ".join(sorted(x.id for x in found))}; '
                            f"write the {what}'s id instead")
        raise s.Invalid(f'no {what} is called "{written}"' + (did_you_mean(fold(written), index.names()) or
                        f"; add it to {where} or write one of: " + ", ".join(sorted(x.id for x in index.items))))

    def finish_contact(self, values, grid, r, columns, wrong) -> None:
        """A phone number finds the contact when the name is missing or shared."""
        phone = values.pop("phone", None)
        if "contact" in values or "contact" in wrong or phone is None:
            return
        digits = re.sub(r"\D", "", phone)
        found = [x for x in self.site.staff
                 if len(digits) >= 7 and re.sub(r"\D", "", x.phone).endswith(digits[-8:])]
        if len(found) == 1:
            values["contact"] = found[0].id
        else:
            col = next(c.index for c in columns if c.field == "phone")
            self.problem(grid, r, col, "联系电话", f'no staff member in content/data/staff.yaml has the phone '
                         f'"{phone}"; add the contact there or write the contact\'s name')

    def finish_coordinates(self, values, grid, r, columns, wrong) -> None:
        lng, lat = values.pop("longitude", None), values.pop("latitude", None)
        if lng is None and lat is None or "coordinates" in values:
            return
        col = next(c.index for c in columns if c.field in ("longitude", "latitude"))
        if lng is None or lat is None:
            if "longitude" not in wrong and "latitude" not in wrong:
                self.problem(grid, r, col, "经度/纬度", "write both the longitude and the latitude, or neither")
            return
        try:
            values["coordinates"] = list(s.coordinates([lng, lat], self.ctx))
        except s.Invalid as exc:
            self.problem(grid, r, col, "经度/纬度", exc.message)

    def finish(self) -> list[dict]:
        """Ids must be unique within the sheet and among the site's other catalogues."""
        projects, seen = [], {}
        for grid, r, fields in self.rows:
            where = f"{grid.name}!{r + 1}"
            project_id = fields["id"]
            if project_id in seen:
                self.result.problems.append(f"{where}: id: \"{project_id}\" is also the id of {seen[project_id]}; "
                                            f"row {r + 1} is left out; give each project its own id")
                continue
            if project_id in self.other_ids:
                self.result.problems.append(f"{where}: id: \"{project_id}\" is already used in "
                                            f"{self.other_ids[project_id]}; row {r + 1} is left out; "
                                            "give it another id")
                continue
            seen[project_id] = where
            projects.append(fields)
        return projects


def _find_header(grid: Grid) -> tuple[int, int] | None:
    """The header rows: the first row naming a title and one more field, plus sub-header rows."""
    for r in range(min(len(grid.rows), 20)):
        if grid.is_banner(r):
            continue
        fields = {read_part(v).field for v in grid.rows[r] if not blank(v)} - {None}
        if "title" in fields and len(fields) >= 2:
            end = r
            while end + 1 < len(grid.rows) and end - r < 2 and _is_sub_header(grid, end + 1, r):
                end += 1
            return r, end
    return None


def _text_language(grid: Grid, first_row: int, col: int) -> str | None:
    """zh when most texts of a column are written in Chinese characters, en when most are not."""
    texts = [str(grid.cell(r, col)) for r in range(first_row, len(grid.rows))
             if isinstance(grid.cell(r, col), str) and grid.cell(r, col).strip()]
    chinese = sum(1 for text in texts if re.search(r"[\u3400-\u9fff]", text))
    if not texts:
        return None
    return "zh" if chinese * 2 >= len(texts) else "en"


def _lone_title(grid: Grid, r: int, columns: list[Column]) -> bool:
    """A row with only a project's name (the rest not filled in yet) is a project, not a section."""
    cells = [c for c, v in enumerate(grid.rows[r]) if not blank(v)]
    return (len(cells) == 1 and (r, cells[0]) not in grid.origin
            and any(col.index == cells[0] and col.field == "title" for col in columns))


def _is_sub_header(grid: Grid, row: int, start: int) -> bool:
    """A row under the header that only continues it: merged from above, units, languages, fields."""
    cells = [(c, v) for c, v in enumerate(grid.rows[row]) if not blank(v)]
    if not cells or grid.is_banner(row):
        return False
    fresh = 0
    for c, value in cells:
        origin = grid.origin.get((row, c))
        if origin is not None and start <= origin[0] < row:
            continue
        if not read_part(value).known:
            return False
        fresh += 1
    return fresh > 0


def _header_parts(grid: Grid, start: int, end: int) -> list[list[str]]:
    """Each column's header texts top to bottom; a repeat from a merged cell counts once."""
    columns = []
    for c in range(grid.width):
        parts: list[str] = []
        for r in range(start, end + 1):
            value = grid.cell(r, c)
            if blank(value) and r < end and not blank(grid.cell(r + 1, c)):
                # a CSV has no merged cells: an empty upper header belongs to the one on its left
                value = next((grid.cell(r, k) for k in range(c - 1, -1, -1) if not blank(grid.cell(r, k))), None)
            text = _text(value) if not blank(value) else ""
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        columns.append(parts)
    return columns


def _text(value) -> str:
    """A cell as text: whole numbers without .0, dates as YYYY-MM-DD, surrounding space dropped."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _number_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def _plain_number(value) -> str | None:
    """The cell as a number written without a unit ("5", 3.5), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _text(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text.replace(",", "") if _NUMBER.match(text) else None


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if match:
        try:
            return dt.date(*map(int, match.groups()))
        except ValueError:
            pass
    raise ValueError(f'cannot read "{text}" as a date; write e.g. 2024-03-01')


# ---- writing ----------------------------------------------------------------------------

def _catalogue_text(catalogue: dict, projects: list[dict], source_name: str, languages: list[str]) -> str:
    lines = [f"# Imported by `yunzhao import` from {source_name}.",
             "# Edit this file, or correct the sheet and import it again with --force (which replaces this file).",
             "catalogue:"]
    for key, value in catalogue.items():
        lines += yamltext.value_lines(key, value, 2)
    lines.append("projects:" if projects else "projects: []")
    for project in projects:
        lines.append("")
        lines += yamltext.list_item_lines(project, 2)
    text = "\n".join(lines) + "\n"
    data = yaml.safe_load(text)
    expected = {"catalogue": catalogue, "projects": projects}
    if data != expected:   # the writer is ours; never hand staff a file that says something else
        raise AssertionError("the catalogue YAML does not read back as written")
    return text
