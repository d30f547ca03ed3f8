"""`yunzhao new project|park|brochure|page <id>`: a stub that passes `yunzhao check`.

Every field of the kind is listed with a comment saying what it takes: the required ones
filled in with placeholders, the optional ones commented out. A project is appended to a
catalogue, keeping the file's own text and comments; the other kinds get a file of their own.
An id already used (or kept as an alias) by an item of the same kind is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..content import schema as s
from ..content.yamlpos import PosDict, YamlError, decode, parse
from .sitedata import SiteData, catalogue_files, newest_catalogue, read_site
from .textwidth import pad, width
from .yamltext import localized_inline

KINDS = ("project", "park", "brochure", "page")


class StubRefused(Exception):
    """Nothing was written; one line saying why and what to do."""


@dataclass
class StubResult:
    path: Path
    line: int          # where the stub starts, for "open it at"


def new_stub(root: Path, kind: str, item_id: str, catalogue: str | None = None) -> StubResult:
    site = read_site(root)
    try:
        s.slug(item_id, site.context())
    except s.Invalid as exc:
        raise StubRefused(exc.message) from None
    used = site.ids.get(kind, {})
    if item_id in used:
        raise StubRefused(f'the id "{item_id}" is already used by a {kind} in {used[item_id]}; '
                          f"every {kind} needs its own id (it is the page address), so choose another")
    if kind == "project":
        return _new_project(site, item_id, catalogue)
    folder = {"park": "parks", "brochure": "brochures", "page": "pages"}[kind]
    suffix = ".yaml" if kind == "brochure" else ".md"
    path = site.content / folder / f"{item_id}{suffix}"
    if path.exists():
        raise StubRefused(f"{path.relative_to(root)} exists already; choose another id")
    text = {"park": _park, "brochure": _brochure, "page": _page}[kind](site, item_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return StubResult(path, 1)


def _t(site: SiteData, zh: str, en: str):
    return localized_inline({"zh": zh, "en": en}, site.languages)


def _ids(items) -> str:
    return ", ".join(x.id for x in items) or "none yet"


# ---- project ----------------------------------------------------------------------------

def _project_lines(site: SiteData, item_id: str) -> list[str]:
    if not site.sectors:
        raise StubRefused("content/data/sectors.yaml has no sector yet; a project needs one: add a sector first")
    sector = site.sectors[0].id
    park = site.parks[0].id if site.parks else "xipeng"
    staff = site.staff[0].id if site.staff else "caogang"
    fields = [
        (f"id: {item_id}", "required; its page address: never change or reuse it"),
        (f"title: {_t(site, '新项目（请填写项目名称）', 'New project (write its name)')}", "required"),
        (f"sector: {sector}", f"required; a sector id: {_ids(site.sectors)}"),
        ("investment: 1亿元", "required; e.g. 5亿元, 5000万元, 2亿美元"),
        ("status: seeking", "seeking | negotiating | signed | under-construction | operating"),
        (f"# park: {park}", f"a park id: {_ids(site.parks)}"),
        ("# cooperation: [joint-venture]", "sole-proprietorship | joint-venture | cooperation | ppp | lease"),
        ("# land: 120亩", "land needed: 120亩, 8公顷, 2万平方米"),
        ("# signed: 2024-03-01", "the day the contract was signed (yunzhao stats counts it)"),
        (f"# location: {_t(site, '示例区某某路', 'Road, District')}", "where the project is"),
        ("# coordinates: [106.47, 29.50]", "[longitude, latitude] as Amap shows them"),
        (f"# summary: {_t(site, '一两句话的项目简介。', 'One or two sentences.')}", "shown on lists and cards"),
        (f"# description: {_t(site, '项目详情（Markdown）', 'Details in Markdown')}", "the full text, in Markdown"),
        (f"# highlights: {_t(site, ['亮点一', '亮点二'], ['First point', 'Second point'])}",
         "short selling points"),
        ("# images: [images/project.jpg]", "paths in content/; the first is the cover"),
        (f"# contact: {staff}", f"a staff id: {_ids(site.staff)}"),
        ("# aliases: [old-project-id]", "earlier ids of this project: their links keep working"),
    ]
    _check_complete("project", s.PROJECT, [line for line, _ in fields])
    size = max(width(line) for line, _ in fields) + 2
    return [pad(line, size) + "# " + comment for line, comment in fields]


def _new_project(site: SiteData, item_id: str, catalogue: str | None) -> StubResult:
    if catalogue is None:
        path = newest_catalogue(site.root)
        if path is None:
            raise StubRefused("there is no catalogue in content/projects/ yet; give a name with --catalogue "
                              "to start one, e.g. --catalogue 2025")
    else:
        matches = [p for p in catalogue_files(site.root) if p.stem == catalogue or p.name == catalogue]
        path = matches[0] if matches else site.content / "projects" / f"{catalogue}.yaml"
    shown = path.relative_to(site.root).as_posix()
    if path.exists():
        original = decode(path.read_bytes())
    else:
        original = ("catalogue:\n"
                    f"  title: {_t(site, path.stem + ' 招商项目', path.stem + ' Projects for Investment')}\n"
                    "projects:\n")
    try:
        data = parse(original)
    except YamlError as exc:
        raise StubRefused(f"{shown}:{exc.line}: {exc.message}; fix it first, then add the project") from None
    if not isinstance(data, PosDict) or "projects" not in data:
        raise StubRefused(f'{shown} has no "projects:" list; a catalogue file has "catalogue:" and "projects:"')
    lines = original.split("\n")
    key_line = data.line_of("projects")          # 1-based
    entries = data["projects"]
    if isinstance(entries, list) and entries:
        first = lines[entries.line_of(0) - 1]
        indent = len(first) - len(first.lstrip())
    else:
        indent = 2
        if entries is not None and not (isinstance(entries, list) and not entries):
            raise StubRefused(f"{shown}:{key_line}: projects: expected a list of projects")
        lines[key_line - 1] = lines[key_line - 1].split(":")[0] + ":"     # "projects: []" → "projects:"
    end = _block_end(lines, key_line)
    stub = [" " * indent + ("- " if i == 0 else "  ") + line for i, line in enumerate(_project_lines(site, item_id))]
    insert = ([""] if end > 0 and lines[end - 1].strip() else []) + stub
    new_lines = lines[:end] + insert + lines[end:]
    text = "\n".join(new_lines)
    if not text.endswith("\n"):
        text += "\n"
    _verify_appended(data, text, item_id, shown)
    newline = "\r\n" if path.exists() and b"\r\n" in path.read_bytes() else "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return StubResult(path, end + len(insert) - len(stub) + 1)


def _block_end(lines: list[str], key_line: int) -> int:
    """The index after the last line of the projects list (before the next top-level key)."""
    end = len(lines)
    for i in range(key_line, len(lines)):
        line = lines[i]
        if line and not line[0].isspace() and not line.startswith(("#", "-")):
            end = i
            break
    while end > key_line and not lines[end - 1].strip():
        end -= 1
    return end


def _verify_appended(before, text: str, item_id: str, shown: str) -> None:
    """The file must read as before plus exactly the new project, or nothing is written."""
    after = parse(text)
    old = list(before["projects"] or [])
    new = list(after.get("projects") or [])
    if (len(new) != len(old) + 1 or new[:-1] != old or new[-1].get("id") != item_id
            or {k: v for k, v in after.items() if k != "projects"} != {k: v for k, v in before.items()
                                                                    if k != "projects"}):
        raise StubRefused(f"cannot add to {shown} without changing what it says (unusual layout); "
                          "copy a project in it by hand instead")


def _check_complete(kind: str, schema: dict, lines: list[str]) -> None:
    """Every field of the schema appears in the stub (a new field must be added here too)."""
    named = {line.lstrip("# ").split(":")[0] for line in lines}
    missing = set(schema) - named
    if missing:
        raise AssertionError(f"the {kind} stub lacks {sorted(missing)}")


# ---- park, brochure, page ----------------------------------------------------------------

def _commented(fields: list[tuple[str, str]]) -> str:
    size = max(width(line) for line, _ in fields) + 2
    return "\n".join(pad(line, size) + "# " + comment for line, comment in fields)


def _park(site: SiteData, item_id: str) -> str:
    staff = site.staff[0].id if site.staff else "caogang"
    sector = site.sectors[0].id if site.sectors else "new-materials"
    fields = [
        (f"title: {_t(site, '新园区（请填写园区名称）', 'New park (write its name)')}", "required"),
        (f"# summary: {_t(site, '一两句话的园区简介。', 'One or two sentences.')}", "shown on lists and cards"),
        (f"# level: {_t(site, '市级工业园区', 'Municipal industrial park')}", "the park's rank"),
        (f"# location: {_t(site, '某某区某某镇', 'Town, District')}", "where it is"),
        ("# coordinates: [106.33, 29.33]", "[longitude, latitude] as Amap shows them"),
        ("# area: 25平方公里", "the park's area"),
        (f"# industries: [{sector}]", f"sector ids: {_ids(site.sectors)}"),
        ("# land_available: 800亩", "industrial land still available"),
        ("# plants_available: 12万平方米", "ready-built plants available"),
        (f"# transport: {_t(site, ['距高速公路入口约5公里'], ['5 km from the expressway'])}", "one line each"),
        (f"# contact: {staff}", f"a staff id: {_ids(site.staff)}"),
        ("# images: [images/park.jpg]", "paths in content/; the first is the cover"),
        ("# aliases: [old-park-id]", "earlier ids of this park: their links keep working"),
    ]
    _check_complete("park", s.PARK, [line for line, _ in fields])
    body = ("## 产业定位\n\n请在这里用 Markdown 介绍园区。\n" if site.source_language == "zh"
            else "## Industrial focus\n\nDescribe the park here, in Markdown.\n")
    return ("---\n"
            f"# The park {item_id}: its fields, then the profile in Markdown below the second \"---\".\n"
            f"# Translations go into {item_id}.<language>.md (title, summary, level, location, transport, text).\n"
            f"{_commented(fields)}\n---\n\n{body}")


def _brochure(site: SiteData, item_id: str) -> str:
    first = site.project_ids[0] if site.project_ids else None
    if first is None:
        raise StubRefused("a brochure shows projects and the site has none yet; add one first: "
                          "yunzhao new project <id>")
    staff = site.staff[0].id if site.staff else "caogang"
    park = site.parks[0].id if site.parks else "xipeng"
    fields = [
        (f"id: {item_id}", "required; the same as the file name"),
        (f"title: {_t(site, '新推介册（请填写标题）', 'New brochure (write its title)')}", "required"),
        (f"# subtitle: {_t(site, '推介对象和主题', 'Who it is for')}", "shown under the title"),
        ("# cover: images/cover.jpg", "the cover picture, in content/images/"),
        (f"projects: [{first}]", "project ids; or remove this line and use filter:"),
        ("# filter: {sector: [new-materials], min_investment: 1亿元, status: [seeking, negotiating]}",
         "choose projects by sector, park, status, investment"),
        (f"# parks: [{park}]", f"park ids: {_ids(site.parks)}"),
        ("# pages: [policies]", "page ids"),
        (f"# contact: {staff}", f"a staff id: {_ids(site.staff)}"),
    ]
    _check_complete("brochure", s.BROCHURE, [line for line, _ in fields])
    return f"# The e-brochure {item_id}: a selection of projects for one audience, sent as a link.\n" \
           f"{_commented(fields)}\n"


def _page(site: SiteData, item_id: str) -> str:
    fields = [
        (f"title: {_t(site, '新页面（请填写标题）', 'New page (write its title)')}", "required"),
        ("# menu: 3", "show it in the main menu, in this order (1 first)"),
        ("# aliases: [old-page-id]", "earlier ids of this page: their links keep working"),
    ]
    _check_complete("page", s.PAGE, [line for line, _ in fields])
    body = ("请在这里用 Markdown 写页面正文。\n" if site.source_language == "zh"
            else "Write the page here, in Markdown.\n")
    return ("---\n"
            f"# The page {item_id}: its fields, then the text in Markdown below the second \"---\".\n"
            f"# Translations go into {item_id}.<language>.md.\n"
            f"{_commented(fields)}\n---\n\n{body}")
