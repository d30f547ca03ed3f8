"""The authoring commands through the real CLI: init, new, import, export, stats, help and errors."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import textwrap

import pytest
import yaml

from conftest import DEMO, REPO, run_yunzhao

from generator.content import schema as s
from generator.content.loader import ContentLoader
from generator.errors import Problems
from generator.units import parse_money, sum_money


def check_ok(root):
    result = run_yunzhao("check", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


# ---- init ----------------------------------------------------------------------------------

@pytest.mark.parametrize("langs, folders", [(None, {"zh", "en", "zh-hant"}), ("zh,en", {"zh", "en"})])
def test_init_then_build_has_no_error_no_warning_no_missing_translation(tmp_path, langs, folders):
    root = tmp_path / "newsite"
    result = run_yunzhao("init", str(root), *(["--lang", langs] if langs else []), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = yaml.safe_load((root / "content/site.yaml").read_text("utf-8"))
    assert site["languages"] == (langs.split(",") if langs else ["zh", "en", "zh-Hant"])
    assert (root / "content/parks/riverside.md").is_file() and (root / "content/parks/riverside.en.md").is_file()
    catalogue = yaml.safe_load((root / "content/projects/key-projects.yaml").read_text("utf-8"))
    assert len(catalogue["projects"]) == 2
    built = run_yunzhao("build", "--site", str(root), "--strict", cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "warning" not in (built.stdout + built.stderr).lower()
    assert "missing" not in built.stdout
    out = root / "output"
    assert {p.name for p in out.iterdir() if p.is_dir()} - {"assets", "images", "brochures"} == folders
    assert "复合材料生产基地项目" in (out / "zh/projects/composite-materials-plant/index.html").read_text("utf-8")
    assert "Riverside Industrial Park" in (out / "en/parks/riverside/index.html").read_text("utf-8")


def test_init_english_only_site_builds(tmp_path):
    root = tmp_path / "en-site"
    assert run_yunzhao("init", str(root), "--lang", "en", cwd=tmp_path).returncode == 0
    text = (root / "content/projects/key-projects.yaml").read_text("utf-8")
    assert "zh:" not in text and "Composite Materials Production Base" in text
    built = run_yunzhao("build", "--site", str(root), "--strict", cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr


def test_init_refuses_a_non_empty_folder_and_writes_nothing(tmp_path):
    root = tmp_path / "taken"
    root.mkdir()
    (root / "notes.txt").write_text("mine", "utf-8")
    result = run_yunzhao("init", str(root), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not empty" in result.stderr
    assert [p.name for p in root.iterdir()] == ["notes.txt"]


def test_init_refuses_unknown_language(tmp_path):
    result = run_yunzhao("init", str(tmp_path / "x"), "--lang", "zh,fr", cwd=tmp_path)
    assert result.returncode == 2 and '"fr"' in result.stderr
    assert not (tmp_path / "x").exists()


# ---- new -----------------------------------------------------------------------------------

@pytest.fixture
def started(tmp_path):
    root = tmp_path / "site"
    assert run_yunzhao("init", str(root), "--lang", "zh,en,zh-Hant", cwd=tmp_path).returncode == 0
    return root


def test_new_stubs_of_every_kind_pass_check_and_list_every_field(started):
    root = started
    catalogue = root / "content/projects/key-projects.yaml"
    before = catalogue.read_text("utf-8")
    for kind, item_id in [("project", "harbour-logistics"), ("park", "north-park"), ("brochure", "expo-2025"),
                          ("page", "policies")]:
        result = run_yunzhao("new", kind, item_id, "--site", str(root), cwd=root)
        assert result.returncode == 0, result.stderr
        assert item_id in result.stdout
    after = catalogue.read_text("utf-8")
    assert after.startswith(before.rstrip("\n")), "the catalogue's own text and comments must stay as they were"
    stub = after[len(before.rstrip("\n")):]
    for kind_fields, text in [(s.PROJECT, stub),
                              (s.PARK, (root / "content/parks/north-park.md").read_text("utf-8")),
                              (s.BROCHURE, (root / "content/brochures/expo-2025.yaml").read_text("utf-8")),
                              (s.PAGE, (root / "content/pages/policies.md").read_text("utf-8"))]:
        for name in kind_fields:
            assert f"{name}:" in text, f"{name} missing from stub:\n{text}"
        assert text.count("#") >= len(kind_fields), "every field carries a comment"
    data = yaml.safe_load(after)
    assert [p["id"] for p in data["projects"]][-1] == "harbour-logistics"
    named = run_yunzhao("new", "project", "port-hub", "--catalogue", "2026", "--site", str(root), cwd=root)
    assert named.returncode == 0, named.stderr
    data = yaml.safe_load((root / "content/projects/2026.yaml").read_text("utf-8"))
    assert [p["id"] for p in data["projects"]] == ["port-hub"]
    check_ok(root)


def test_new_refuses_an_id_in_use_and_changes_nothing(started):
    root = started
    catalogue = root / "content/projects/key-projects.yaml"
    before = catalogue.read_text("utf-8")
    for kind, item_id in [("project", "composite-materials-plant"), ("park", "riverside"),
                          ("brochure", "investment-guide")]:
        result = run_yunzhao("new", kind, item_id, "--site", str(root), cwd=root)
        assert result.returncode == 2, result.stdout
        assert "already used" in result.stderr and result.stderr.count("\n") == 1
    assert catalogue.read_text("utf-8") == before
    bad = run_yunzhao("new", "project", "智慧园区", "--site", str(root), cwd=root)
    assert bad.returncode == 2 and "cannot be an id" in bad.stderr


# ---- import --------------------------------------------------------------------------------

def write_bureau_sheet(path):
    """A project list the way a bureau keeps it: title row, two-level merged header, sections,
    amounts in 亿元 by the header or with their own unit, names instead of ids, a total row."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "项目表"
    sheet["A1"] = "2024年重点招商项目表"
    sheet.merge_cells("A1:M1")
    for col, text in zip("ADEFGHILM", ["序号", "所属产业", "投资额(亿元)", "用地面积(亩)", "合作方式", "项目状态",
                                       "所在园区", "项目简介", "备注"]):
        sheet[f"{col}2"] = text
        sheet.merge_cells(f"{col}2:{col}3")
    sheet["B2"], sheet["B3"], sheet["C3"] = "项目名称", "中文", "英文"
    sheet.merge_cells("B2:C2")
    sheet["J2"], sheet["J3"], sheet["K3"] = "联系方式", "联系人", "联系电话"
    sheet.merge_cells("J2:K2")
    sheet["A4"] = "一、新材料产业（3个）"
    sheet.merge_cells("A4:M4")
    rows = {
        5: [1, "碳纤维复合材料项目", "Carbon Fibre Composites", None, 3.5, 120, "合资、合作", "招商中", "西区园区",
            "王明", None, "建设碳纤维生产线。", "重点"],
        6: [2, "气凝胶项目", None, "新材料", "5000万元", "10万平方米", "独资", "已签约", "West Park", None,
            "023-0000 0000", None, None],
        7: [3, "石墨烯项目", None, None, "五个亿", 50, "合作", "洽谈中", None, "王明", None, None, None],
        9: [4, "冷链物流中心", "Cold Chain Hub", None, "2亿美元", None, "PPP", "在建", None, "Wang Ming", None,
            None, None],
        10: ["合计", None, None, None, "=SUM(E5:E9)", None, None, None, None, None, None, None, None],
    }
    for r, values in rows.items():
        for c, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    sheet["A8"] = "二、物流"
    sheet.merge_cells("A8:M8")
    book.save(path)


def test_import_of_a_realistic_bureau_sheet(site, tmp_path):
    root = site()
    sheet = tmp_path / "2024项目表.xlsx"
    write_bureau_sheet(sheet)
    result = run_yunzhao("import", str(sheet), "--catalogue", "imported", "--site", str(root), cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr       # one cell could not be read
    assert "Traceback" not in result.stderr
    assert ('项目表!E7: 投资额(亿元): cannot read "五个亿"; write e.g. 5亿元 or 5000万元 '
            "(row 7 is left out: a project needs investment)") in result.stderr.splitlines()
    report = result.stdout
    assert "项目表: header on rows 2-3, 3 projects" in report
    for line in ["B 项目名称 / 中文 → title (zh)", "C 项目名称 / 英文 → title (en)",
                 "E 投资额(亿元) → investment, numbers in 亿元", "F 用地面积(亩) → land, numbers in 亩",
                 "J 联系方式 / 联系人 → contact (by name or id)", "M 备注 → not used"]:
        assert line in report, report
    data = yaml.safe_load((root / "content/projects/imported.yaml").read_text("utf-8"))
    assert data["catalogue"] == {"title": "2024年重点招商项目表"}
    assert data["projects"] == [
        {"id": "imported-5", "title": {"zh": "碳纤维复合材料项目", "en": "Carbon Fibre Composites"},
         "sector": "new-materials", "park": "west", "investment": "3.5亿元", "status": "seeking",
         "cooperation": ["joint-venture", "cooperation"], "land": "120亩", "summary": "建设碳纤维生产线。",
         "contact": "wang"},
        {"id": "imported-6", "title": "气凝胶项目", "sector": "new-materials", "park": "west",
         "investment": "5000万元", "status": "signed", "cooperation": ["sole-proprietorship"],
         "land": "10万平方米", "contact": "wang"},
        {"id": "imported-9", "title": {"zh": "冷链物流中心", "en": "Cold Chain Hub"}, "sector": "logistics",
         "investment": "2亿美元", "status": "under-construction", "cooperation": ["ppp"], "contact": "wang"},
    ]
    check_ok(root)
    again = run_yunzhao("import", str(sheet), "--catalogue", "imported", "--site", str(root), cwd=root)
    assert again.returncode == 2 and "--force" in again.stderr and again.stderr.count("\n") == 1


def test_import_csv_in_gb18030_with_an_id_column(site, tmp_path):
    root = site()
    path = tmp_path / "projects.csv"
    path.write_bytes(textwrap.dedent("""\
        项目编号,项目名称,所属行业,总投资(万元),项目状态,所在园区,签约日期
        WL-001,物流园,物流,8000,洽谈中,西区园区,
        WL-002,智能仓储,Logistics,1.2亿元,已签约,,2024/3/5
    """).encode("gb18030"))
    result = run_yunzhao("import", str(path), "--catalogue", "csv-list", "--site", str(root), cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    data = yaml.safe_load((root / "content/projects/csv-list.yaml").read_text("utf-8"))
    assert data["projects"] == [
        {"id": "wl-001", "title": "物流园", "sector": "logistics", "park": "west", "investment": "8000万元",
         "status": "negotiating"},
        {"id": "wl-002", "title": "智能仓储", "sector": "logistics", "investment": "1.2亿元", "status": "signed",
         "signed": dt.date(2024, 3, 5)},
    ]
    assert data["catalogue"]["title"] == "csv-list"


def test_import_reports_unknown_names_and_dry_run_writes_nothing(site, tmp_path):
    root = site()
    path = tmp_path / "list.csv"
    path.write_text("Project name,Sector,Investment (RMB 100 million),Park,Status\n"
                    "Alpha Plant,New Materials,2,Eastern Park,seeking\n", encoding="utf-8")
    result = run_yunzhao("import", str(path), "--catalogue", "dry", "--dry-run", "--site", str(root), cwd=root)
    assert result.returncode == 1
    assert 'list.csv!D2: Park: no park is called "Eastern Park"' in result.stderr
    assert "would write content/projects/dry.yaml" in result.stdout and "1 projects" in result.stdout
    assert not (root / "content/projects/dry.yaml").exists()


# ---- export ⇄ import -----------------------------------------------------------------------

@pytest.fixture
def demo_copy(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root / "content")
    return root


def read_catalogue(root, name):
    """The catalogue as yunzhao reads it (parsed fields), for comparing meaning, not layout."""
    problems = Problems()
    ctx = s.Context(["zh", "en", "zh-Hant"], root / "content")
    doc = ContentLoader(root, problems).yaml(root / "content/projects" / f"{name}.yaml")
    head = s.read_fields(doc.data["catalogue"], s.CATALOGUE, ctx, problems, doc.shown, "catalogue")
    projects = [dict(s.read_fields(e, s.PROJECT, ctx, problems, doc.shown, "project")) for e in doc.data["projects"]]
    assert not problems, problems.errors
    return dict(head), projects


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_export_then_import_gives_the_demo_catalogues_back(demo_copy, tmp_path, suffix):
    root = demo_copy
    for name in ("2024", "2025"):
        before = read_catalogue(root, name)
        sheet = tmp_path / f"{name}.{suffix}"
        exported = run_yunzhao("export", name, str(sheet), "--site", str(root), cwd=root)
        assert exported.returncode == 0, exported.stderr
        imported = run_yunzhao("import", str(sheet), "--catalogue", name, "--force", "--site", str(root), cwd=root)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        after = read_catalogue(root, name)
        if suffix == "csv":           # a CSV has no room for the catalogue's title and date
            assert after[1] == before[1]
        else:
            assert after == before      # the same values as yunzhao reads them, so check passes as before


def test_export_workbook_is_in_chinese_with_names(demo_copy, tmp_path):
    from openpyxl import load_workbook
    root = demo_copy
    path = tmp_path / "2024.xlsx"
    assert run_yunzhao("export", "2024", str(path), "--site", str(root), cwd=root).returncode == 0
    book = load_workbook(path)
    assert book.sheetnames == ["项目", "目录", "选项"]
    sheet = book["项目"]
    assert sheet["A1"].value == "2024年重点招商项目"
    headers = [c.value for c in sheet[2]]
    assert headers[:9] == ["项目编号", "项目名称", "项目名称(英文)", "所属行业", "所在园区", "投资额", "项目状态",
                           "合作方式", "用地面积"]
    first = {h: c.value for h, c in zip(headers, sheet[3])}
    assert first["所属行业"] == "新材料" and first["所在园区"] == "西彭园区" and first["项目状态"] == "在建"
    assert first["合作方式"] == "独资" and first["联系人"] == "曹刚" and first["投资额"] == "5亿元"
    again = run_yunzhao("export", "2024", str(path), "--site", str(root), cwd=root)
    assert again.returncode == 2 and "--force" in again.stderr


# ---- stats ---------------------------------------------------------------------------------

def test_stats_on_the_demo(demo_copy, tmp_path):
    root = demo_copy
    out = tmp_path / "stats.csv"
    result = run_yunzhao("stats", "--site", str(root), "--today", "2024-03-31", "--csv", str(out), cwd=root)
    assert result.returncode == 0, result.stderr
    projects = [p for f in sorted((root / "content/projects").glob("*.yaml"))
                for p in yaml.safe_load(f.read_text("utf-8"))["projects"]]
    total = " + ".join(m.format("zh") for m in sum_money(parse_money(p["investment"]) for p in projects).values())
    assert total == "245.3亿元 + 2亿美元"
    rows = list(csv.DictReader(out.read_text("utf-8-sig").splitlines()))
    by = {(r["dimension"], r["id"]): r for r in rows}
    assert by[("total", "")]["projects"] == str(len(projects)) == "30"
    assert by[("total", "")]["investment"] == total
    assert by[("total", "")]["CNY (万)"] == "2453000" and by[("total", "")]["USD (万)"] == "20000"
    for sector in {p["sector"] for p in projects}:
        mine = [p for p in projects if p["sector"] == sector]
        expected = " + ".join(m.format("zh") for m in sum_money(parse_money(p["investment"]) for p in mine).values())
        assert by[("sector", sector)]["projects"] == str(len(mine))
        assert by[("sector", sector)]["investment"] == expected
    assert sum(int(r["projects"]) for r in rows if r["dimension"] == "status") == 30
    signed = by[("signed-this-quarter", "2024-Q1")]
    assert (signed["projects"], signed["investment"]) == ("3", "11亿元")
    table = result.stdout
    assert "signed this quarter (2024-Q1, 2024-01-01 – 2024-03-31" in table
    assert "2024-02-26  precision-press-base" in table and "245.3亿元 + 2亿美元" in table
    # SOURCE_DATE_EPOCH gives "today" when --today is not given: 2024-03-31 00:00 UTC
    again = run_yunzhao("stats", "--site", str(root), cwd=root, env={"SOURCE_DATE_EPOCH": "1711843200"})
    assert again.stdout == table.replace(f"wrote {out}\n", "")


# ---- help and command-line errors ----------------------------------------------------------

COMMANDS = ["build", "check", "init", "serve", "new", "import", "export", "stats"]


@pytest.mark.parametrize("command", [None] + COMMANDS)
def test_every_help_shows_an_example(tmp_path, command):
    result = run_yunzhao(*([command] if command else []), "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Example" in result.stdout and "yunzhao " in result.stdout.split("Example")[1]
    assert result.stdout.startswith(f"Usage: yunzhao {command or ''}".rstrip())


@pytest.mark.parametrize("args, says", [
    (["build", "--sit", "x"], "yunzhao build: No such option '--sit'"),
    (["biuld"], "Did you mean 'build'"),
    (["import", "x.xlsx"], "Missing option '--catalogue'"),
    (["build", "--site", "no-such-folder"], "no folder no-such-folder"),
    (["stats", "--site", "."], "has no content/ folder"),
    (["new", "thing", "x"], "'thing' is not one of"),
])
def test_command_line_errors_are_one_line_with_what_to_do(tmp_path, args, says):
    result = run_yunzhao(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert says in result.stderr and "--help" in result.stderr
