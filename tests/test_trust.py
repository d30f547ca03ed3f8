"""Trust: hostile or broken input, atomic and deterministic output, links that never break.

Everything here runs the real `yunzhao` command in a subprocess, as bureau staff would, and
judges it by what they see: the exit status, the message (file, line, field, what to do) and
whether output/ stayed byte for byte what it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO, run_yunzhao, tree_digest, write_site

sys.path.insert(0, str(REPO))
from generator import output  # noqa: E402
from generator.content.yamlpos import YamlError, parse  # noqa: E402
from generator.output import MARK, _remove_own, recover  # noqa: E402

# One problem per line, the way a compiler reports: `content/file[:line]: [field: ]message`.
PROBLEM_LINE = re.compile(r"^content/[^:\n]+(?::\d+)?: \S.*$")


def build(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run_yunzhao("build", "--site", str(root), *args, cwd=REPO, env=env)


def source(rel: str) -> str:
    """A file of the fixture site as written on disk (MINIMAL is indented for readability)."""
    return textwrap.dedent(MINIMAL[rel]).lstrip("\n")


def edit(rel: str, old: str, new: str) -> dict[str, str]:
    text = source(rel)
    assert old in text, f"{old!r} not in {rel}"
    return {rel: text.replace(old, new, 1)}


class Symlink(str):
    """A file to create as a symbolic link to this target."""


def put(root: Path, files: dict[str, str | bytes | None]) -> None:
    """Lay files over a site as written (no dedent: the bytes are the test)."""
    for rel, data in files.items():
        path = root / rel
        if data is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Symlink):
            path.symlink_to(data)
        elif isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and not re.match(r"^\d+ errors?; ", line)]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    """The fixture site, built once: every failing build below must leave this output/ alone."""
    root = write_site(tmp_path_factory.mktemp("baseline"), {})
    result = build(root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def fails(baseline, tmp_path):
    """Copy the built site, change its content, build: exit 1, every problem on a `file:line:`
    line, no traceback, output/ byte for byte as before and no staging folder left behind."""
    def run(files: dict, *args: str) -> str:
        root = tmp_path / "site"
        shutil.copytree(baseline, root, symlinks=True)
        before = tree_digest(root / "output")
        put(root, files)
        result = build(root, *args)
        assert result.returncode == 1, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
        lines = problem_lines(result.stderr)
        assert lines, result.stderr
        for line in lines:
            assert PROBLEM_LINE.match(line), f"not a `file:line: message` line: {line!r}"
        assert re.search(r"^\d+ errors?; nothing was written, the previous output/ is unchanged\.$",
                         result.stderr, re.M), result.stderr
        assert tree_digest(root / "output") == before, "a failed build changed output/"
        assert sorted(p.name for p in root.iterdir()) == sorted(p.name for p in baseline.iterdir()), \
            "a failed build left something beside output/"
        return result.stderr
    return run


PROJECTS = "content/projects/2024.yaml"
SITE = "content/site.yaml"
STAFF = "content/data/staff.yaml"
SECTORS = "content/data/sectors.yaml"
PARK = "content/parks/west.md"

# (name, files, every text the report must contain). Line numbers refer to MINIMAL in conftest.
BAD_INPUT = [
    # ---- wrong types: say what was found and what is accepted
    ("list for text", edit(PROJECTS, "title: 贝塔项目", "title: [贝塔, 项目]"),
     [f"{PROJECTS}:14: title: found a list; write plain text here, or one per language"]),
    ("mapping for investment", edit(PROJECTS, "investment: 5000万元", "investment: {amount: 5000}"),
     [f"{PROJECTS}:16: investment: found a mapping", "write one figure with its unit, e.g. 5亿元"]),
    ("list for status", edit(PROJECTS, "status: negotiating", "status: [negotiating]"),
     [f"{PROJECTS}:17: status: found a list; write one of: seeking, negotiating"]),
    ("list for park", edit(PROJECTS, "park: west", "park: [west]"),
     [f"{PROJECTS}:8: park: found a list; write one id here"]),
    ("number for id", edit(PROJECTS, "id: beta", "id: 2024"),
     [f'{PROJECTS}:13: id: found the number 2024; an id is text: write it in quotes ("2024")']),
    ("yes/no read as true/false", edit(PROJECTS, "title: 贝塔项目", "title: no"),
     [f"{PROJECTS}:14: title: found false (YAML reads yes, no, on, off, true and false that way); "
      "write plain text here; put it in quotes"]),
    ("text for a list", edit(PARK, "industries: [new-materials]", "transport: 有高速公路"),
     [f"{PARK}:3: transport: found \"有高速公路\"; write a list"]),
    ("mapping for staff name", edit(STAFF, "name: {zh: 王明, en: Wang Ming}", "name: {zh: [王明]}"),
     [f"{STAFF}:2: name: zh: found a list; write plain text here"]),
    ("list for a site setting", {SITE: source(SITE) + "brand: [red]\n"},
     [f"{SITE}:5: brand: found a list; write the fields of this setting indented below it"]),
    ("text for the list of projects", {PROJECTS: "catalogue:\n  title: 目录\nprojects: alpha\n"},
     [f'{PROJECTS}:3: projects: found "alpha"; expected a list of projects']),
    ("unreadable amount and unit", edit(PROJECTS, "land: 120亩", "land: 很大"),
     [f'{PROJECTS}:11: land: cannot read "很大"; write e.g. 120亩']),
    ("absurdly large amount", edit(PROJECTS, "176.1亿元", "9" * 60 + "亿元"),
     [f"{PROJECTS}:9: investment:", "the number is far too large"]),
    # ---- unknown references, with suggestions
    ("unknown park", edit(PROJECTS, "park: west", "park: wset"),
     [f'{PROJECTS}:8: park: no park has the id "wset"; did you mean "west"?']),
    ("unknown staff", edit(PROJECTS, "status: negotiating", "status: negotiating\n    contact: wnag"),
     [f'{PROJECTS}:18: contact: no staff member has the id "wnag"; did you mean "wang"?']),
    ("unknown site contact", edit(SITE, "contact: wang", "contact: wamg"),
     [f'{SITE}:4: contact: no staff member has the id "wamg"; did you mean "wang"?']),
    ("unknown park industry", edit(PARK, "industries: [new-materials]", "industries: [new-material]"),
     [f'{PARK}:3: industries: no sector has the id "new-material"; did you mean "new-materials"?']),
    ("unknown brochure references", {"content/brochures/investors.yaml":
                                     "id: investors\ntitle: 推介\nprojects: [alpha, alpah]\nparks: [wset]\n"
                                     "contact: wnag\n"},
     ['content/brochures/investors.yaml:3: projects: no project has the id "alpah"; did you mean "alpha"?',
      'content/brochures/investors.yaml:4: parks: no park has the id "wset"; did you mean "west"?',
      'content/brochures/investors.yaml:5: contact: no staff member has the id "wnag"; did you mean "wang"?']),
    ("unknown featured project", {SITE: source(SITE) + "featured: [alpah]\n"},
     [f'{SITE}:5: featured: no project has the id "alpah"; did you mean "alpha"?']),
    # ---- duplicate ids: both places named
    ("duplicate project across files", {"content/projects/2025.yaml":
                                        "catalogue:\n  title: 2025\nprojects:\n  - id: beta\n    title: 又一个\n"
                                        "    sector: logistics\n    investment: 1亿元\n"},
     ['content/projects/2025.yaml:4: id: the id "beta" is already used by a project at '
      f"{PROJECTS}:13; each project needs an id of its own"]),
    ("park id taken by another park's alias", {"content/parks/east.md": "---\ntitle: 东区\naliases: [west]\n---\n"},
     [f'{PARK}:1: id: the id "west" is already used as an alias by a park at content/parks/east.md:3']),
    ("duplicate sector", {SECTORS: source(SECTORS) + "- id: logistics\n  name: 又一个物流\n"},
     [f'{SECTORS}:5: id: the id "logistics" is already used by a sector at {SECTORS}:3']),
    ("duplicate staff", {STAFF: source(STAFF) + "- id: wang\n  name: 另一个王\n"},
     [f'{STAFF}:7: id: the id "wang" is already used by a staff member at {STAFF}:1']),
    ("alias taking another project's id", edit(PROJECTS, "status: negotiating",
                                                "status: negotiating\n    aliases: [alpha]"),
     [f'{PROJECTS}:18: aliases: the id "alpha" is already used by a project at {PROJECTS}:5']),
    # ---- ids that are not safe URL slugs: why, and what to use
    ("id that climbs folders", edit(PROJECTS, "id: beta", "id: ../../x"),
     [f'{PROJECTS}:13: id: "../../x" cannot be an id: it would point outside its folder; '
      "use lowercase letters a-z, digits and hyphens, e.g. smart-security-park"]),
    ("id with a space", edit(PROJECTS, "id: beta", "id: has space"),
     [f'{PROJECTS}:13: id: "has space" cannot be an id: spaces break links; use lowercase letters']),
    ("non-ASCII id", edit(PROJECTS, "id: beta", "id: 贝塔"),
     [f'{PROJECTS}:13: id: "贝塔" cannot be an id: Chinese or other non-ASCII characters break when a link '
      "is pasted into WeChat or e-mail; use lowercase letters"]),
    ("capitals in an id", edit(PROJECTS, "id: beta", "id: Beta"),
     [f'{PROJECTS}:13: id: "Beta" cannot be an id: capital letters']),
    ("alias that climbs folders", edit(PROJECTS, "status: negotiating",
                                       "status: negotiating\n    aliases: [../../../etc]"),
     [f'{PROJECTS}:18: aliases: "../../../etc" cannot be an id: it would point outside its folder']),
    ("park file name with a space", {"content/parks/east park.md": "---\ntitle: 东区\n---\n"},
     ['content/parks/east park.md: file name: "east park" cannot be an id: spaces break links']),
    ("non-ASCII park file name", {"content/parks/东区.md": "---\ntitle: 东区\n---\n"},
     ['content/parks/东区.md: file name: "东区" cannot be an id: Chinese or other non-ASCII']),
    ("brochure id that climbs folders", {"content/brochures/b.yaml": "id: ../b\ntitle: B\nprojects: [alpha]\n"},
     ['content/brochures/b.yaml:1: id: "../b" cannot be an id: it would point outside its folder']),
    ("theme outside themes/", {SITE: source(SITE) + "theme: ../../etc\n"},
     [f'{SITE}:5: theme: found "../../etc"; write the name of a folder in themes/']),
    # ---- unknown fields, with "did you mean"
    ("unknown field in site.yaml", {SITE: source(SITE) + "tagine: 招商\n"},
     [f'{SITE}:5: tagine: unknown field in site.yaml; did you mean "tagline"?']),
    ("unknown field in staff", {STAFF: source(STAFF) + "  wechta: abc\n"},
     [f'{STAFF}:7: wechta: unknown field in a staff member; did you mean "wechat"?']),
    ("unknown field in sectors", {SECTORS: source(SECTORS) + "  nmae: 又\n"},
     [f'{SECTORS}:5: nmae: unknown field in a sector; did you mean "name"?']),
    ("unknown field in park front matter", edit(PARK, "industries:", "industires:"),
     [f'{PARK}:3: industires: unknown field in a park profile; did you mean "industries"?']),
    ("unknown field in a brochure", {"content/brochures/b.yaml":
                                     "id: b\ntitle: B\nsubtilte: 副标题\nprojects: [alpha]\n"},
     ['content/brochures/b.yaml:3: subtilte: unknown field in a brochure; did you mean "subtitle"?']),
    ("unknown field in a catalogue", edit(PROJECTS, "  updated:", "  updatd:"),
     [f'{PROJECTS}:3: updatd: unknown field in the catalogue; did you mean "updated"?']),
    # ---- values outside a vocabulary
    ("status outside the vocabulary", edit(PROJECTS, "status: negotiating", "status: negociating"),
     [f'{PROJECTS}:17: status: "negociating" is not accepted; write one of: seeking, negotiating, signed, '
      'under-construction, operating; did you mean "negotiating"?']),
    ("cooperation outside the vocabulary", edit(PROJECTS, "status: negotiating",
                                                "status: negotiating\n    cooperation: [joint venture]"),
     [f'{PROJECTS}:18: cooperation: "joint venture" is not accepted; write one of: sole-proprietorship, '
      'joint-venture', 'did you mean "joint-venture"?']),
    # ---- missing required fields
    ("missing title", edit(PROJECTS, "    title: 贝塔项目\n", ""),
     [f"{PROJECTS}:13: title: missing; a project needs a title"]),
    ("missing investment", edit(PROJECTS, "    investment: 5000万元\n", ""),
     [f"{PROJECTS}:13: investment: missing; a project needs an investment"]),
    ("empty required value", edit(PROJECTS, "title: 贝塔项目", 'title: ""'),
     [f"{PROJECTS}:14: title: is empty; write a value after the colon"]),
    # ---- YAML that does not parse, at the line where the mistake is
    ("unclosed quote", edit(PROJECTS, "title: 贝塔项目", 'title: "贝塔项目'),
     [f"{PROJECTS}:14: a quote opened on this line is never closed"]),
    ("unclosed bracket", edit(PROJECTS, "title: {zh: 阿尔法项目, en: Alpha Project}",
                              "title: {zh: 阿尔法项目, en: Alpha Project"),
     [f'{PROJECTS}:6: the "{{" opened on this line is not closed (reading stopped at line 7); close it with "}}"']),
    ("missing colon", edit(PROJECTS, "investment: 5000万元", "investment 5000万元"),
     [f'{PROJECTS}:16: expected "field: value" here; check for a missing colon']),
    ("tab indentation", edit(PROJECTS, "    sector: logistics", "\tsector: logistics"),
     [f"{PROJECTS}:15: indented with a tab; YAML needs spaces for indentation"]),
    ("tab in front matter", edit(PARK, "contact: wang", "\tcontact: wang"),
     [f"{PARK}:5: indented with a tab"]),
    ("colon inside a value", edit(PROJECTS, "title: 贝塔项目", "title: 贝塔: 二期"),
     [f'{PROJECTS}:14: a value contains ": " (colon and space); put the whole value in quotes']),
    ("backslash in double quotes", edit(PROJECTS, "title: 贝塔项目", r'title: "C:\Users\贝塔"'),
     [f"{PROJECTS}:14: a backslash", "write \\\\ for a backslash, or use 'single quotes'"]),
    ("control character from Word", edit(PROJECTS, "title: 贝塔项目", "title: 贝塔\x0b项目"),
     [f"{PROJECTS}:14: contains an invisible control character (U+000B)"]),
    ("key written twice", edit(PROJECTS, "status: negotiating", "status: negotiating\n    status: signed"),
     [f'{PROJECTS}:18: "status" is written twice in this mapping (first on line 17); keep one']),
    ("indentation that does not line up", edit(PROJECTS, "    sector: logistics", "   sector: logistics"),
     [f"{PROJECTS}:15:"]),
    ("nesting a hundred deep", {PROJECTS: "catalogue:\n  title: x\nprojects: " + "[" * 100 + "]" * 100 + "\n"},
     [f"{PROJECTS}:3: values are nested more than 60 levels deep"]),
    ("nesting far too deep for any parser", {PROJECTS: "catalogue: " + "[" * 100_000 + "]" * 100_000 + "\n"},
     [f"{PROJECTS}:1: values are nested more than 60 levels deep"]),
    ("alias that contains itself", {PROJECTS: "catalogue: &a [*a]\n"},
     [f"{PROJECTS}:1: values are nested more than 60 levels deep (or an alias contains itself)"]),
    # ---- files that are not UTF-8, or empty
    ("GBK text", {PARK: source(PARK).encode("gbk")},
     [f"{PARK}:2: this file is not UTF-8 text; save it as UTF-8"]),
    ("UTF-16 text", {STAFF: source(STAFF).encode("utf-16")},
     [f"{STAFF}:1: this file is not UTF-8 text"]),
    ("empty catalogue", {PROJECTS: ""}, [f"{PROJECTS}: this file is empty; write its fields or delete it"]),
    ("blank park profile", {PARK: "\n  \n"}, [f"{PARK}: this file is empty"]),
    ("empty staff list", {STAFF: "\ufeff"}, [f"{STAFF}: this file is empty"]),
    # ---- nothing read from outside content/
    ("content file linking outside content/", {"content/pages/secret.md": Symlink("/etc/passwd")},
     ["content/pages/secret.md: this file is a link to a file outside content/"]),
]


@pytest.mark.parametrize("name,files,expected", BAD_INPUT, ids=[case[0] for case in BAD_INPUT])
def test_bad_input_is_a_clear_content_error(fails, name, files, expected):
    stderr = fails(files)
    for text in expected:
        assert text in stderr, f"expected {text!r} in:\n{stderr}"


def test_a_left_out_item_is_not_reported_again_by_its_references(fails):
    """A staff member with a typo in one field is one mistake, not one per page that shows them."""
    stderr = fails({STAFF: source(STAFF) + "  wechta: abc\n"})
    assert problem_lines(stderr) == [f'{STAFF}:7: wechta: unknown field in a staff member; did you mean "wechat"?']


def test_every_error_of_a_run_is_reported_together(fails):
    stderr = fails({
        SITE: source(SITE) + "tagine: 招商\n",
        **edit(PARK, "industries:", "industires:"),
        **edit(PROJECTS, "investment: 5000万元", "investment: 五千万"),
        "content/brochures/b.yaml": "id: b\ntitle: B\nprojects: [alpah]\n",
        "content/pages/about.md": "---\ntitle: 关于\n---\n\n[点这里](javascript:alert(1))\n",
    })
    lines = problem_lines(stderr)
    assert [line.split(":")[0] for line in lines] == [
        "content/brochures/b.yaml", "content/pages/about.md", PARK, PROJECTS, SITE], stderr
    assert "5 errors; nothing was written" in stderr


def test_messages_stay_on_one_line_whatever_the_value(fails):
    """A value with a newline or a terminal escape cannot break the `file:line:` format."""
    stderr = fails(edit(PROJECTS, "investment: 5000万元", 'investment: "五千\\n万\\e[2J"'))
    assert f'{PROJECTS}:16: investment: cannot read "五千\\n万\\x1b[2J"' in stderr
    assert "\x1b" not in stderr


def test_alias_bomb_is_refused_in_bounded_time_and_memory(tmp_path):
    """A billion values from 300 bytes: refused long before time or memory could run out."""
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    bomb = "\n".join(levels) + "\n"
    # The real command, with memory capped at 1 GiB and a time limit far below what expanding
    # 10^9 values would take: if the budget failed, this would be killed or run out of memory.
    root = tmp_path / "bomb"
    write_site(root, {SECTORS: bomb})
    limit = 1 << 30
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--site", str(root)], cwd=REPO,
                            capture_output=True, text=True, timeout=60,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    assert result.returncode == 1, result.stderr
    # Line 5 (e: 100,000 values) is the first that expands past the budget.
    assert f"{SECTORS}:5: this file expands to too many values (YAML aliases used as a bomb?)" in result.stderr
    assert time.monotonic() - started < 30
    # And what parsing it costs, measured: a few megabytes, not the gigabytes a full expansion needs.
    tracemalloc.start()
    try:
        with pytest.raises(YamlError):
            parse(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20, f"parsing the bomb peaked at {peak / 2**20:.0f} MiB"


def test_merge_key_bomb_is_refused_before_it_is_built():
    """`<<:` merging a thousand aliases of a merge of a thousand aliases…: counted before merging."""
    lines = ["a0: &a0 {" + ", ".join(f"k{i}: {i}" for i in range(10)) + "}"]
    for level in range(1, 6):
        lines.append(f"a{level}: &a{level}\n  <<: [" + ", ".join([f"*a{level - 1}"] * 1000) + "]")
    tracemalloc.start()
    try:
        with pytest.raises(YamlError, match="expands to too many values"):
            parse("\n".join(lines) + "\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20, f"parsing the merge bomb peaked at {peak / 2**20:.0f} MiB"


def test_anchors_and_merges_that_are_not_bombs_still_work(tmp_path):
    """The budget must not refuse what staff legitimately write: `<<: *defaults` in many projects."""
    head = ("catalogue:\n  title: 目录\ndefaults: &defaults\n  sector: logistics\n  investment: 1亿元\n"
            "  status: seeking\n")
    items = "".join(f"  - <<: *defaults\n    id: p{i}\n    title: 项目{i}\n    status: signed\n"
                    for i in range(3000))
    data = parse(head + "projects:\n" + items)
    assert len(data["projects"]) == 3000
    assert data["projects"][7] == {"sector": "logistics", "investment": "1亿元", "status": "signed",
                                   "id": "p7", "title": "项目7"}


def test_bom_and_crlf_are_accepted_quietly_everywhere(site):
    """Files saved by Notepad (BOM) or copied from Windows (CRLF) build as if written plainly."""
    root = site()
    for path in sorted((root / "content").rglob("*")):
        if path.suffix in (".yaml", ".md"):
            path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert not re.search(r"\bBOM\b|\bCRLF\b|line ending|encoding|warning", result.stdout, re.I), result.stdout
    page = (root / "output/zh/parks/west/index.html").read_text("utf-8")
    assert "\ufeff" not in page and "\r" not in page
    assert "<h1>西区园区</h1>" in page and "西区园区位于城市西部。" in page
    # Line numbers stay right in a CRLF file.
    text = (root / PROJECTS).read_bytes().replace("park: west".encode(), "park: wset".encode())
    (root / PROJECTS).write_bytes(text)
    result = build(root)
    assert f'{PROJECTS}:8: park: no park has the id "wset"' in result.stderr


# ---- 2. no script from content --------------------------------------------------------------

PAYLOAD = """<script>alert("x")</script><img src=x onerror=alert(1)>"'&<!-- -->"""


def _q(text: str) -> str:
    """A YAML scalar holding `text` exactly (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


HOSTILE = {
    SITE: f"title: {{zh: {_q('招商局' + PAYLOAD)}, en: {_q('Bureau' + PAYLOAD)}}}\n"
          f"tagline: {_q('口号' + PAYLOAD)}\ndescription: {_q('简介' + PAYLOAD)}\n"
          "languages: [zh, en, zh-Hant]\nbase_url: https://invest.example.gov.cn/test/\ncontact: wang\n",
    SECTORS: f"- id: new-materials\n  name: {_q('新材料' + PAYLOAD)}\n"
             f"- id: logistics\n  name: {{zh: 物流, en: {_q('Logistics' + PAYLOAD)}}}\n",
    STAFF: f"- id: wang\n  name: {_q('王明' + PAYLOAD)}\n  role: {_q('招商部' + PAYLOAD)}\n"
           f"  phone: {_q('+86 23 0000 0000' + PAYLOAD)}\n  email: {_q('invest@example.gov.cn' + PAYLOAD)}\n"
           f"  wechat: {_q('wx' + PAYLOAD)}\n",
    PARK: f"---\ntitle: {_q('西区园区' + PAYLOAD)}\nlevel: {_q('市级' + PAYLOAD)}\n"
          f"location: {_q('西部' + PAYLOAD)}\nsummary: {_q('概要' + PAYLOAD)}\ntransport: [{_q('高速' + PAYLOAD)}]\n"
          f"industries: [new-materials]\ncontact: wang\ncoordinates: [106.33, 29.33]\n---\n"
          f"园区正文 {PAYLOAD}\n\n<iframe src=\"https://evil.example/\"></iframe>\n\n"
          "<p style=\"color:red\" onclick=\"alert(3)\">样式</p>\n",
    "content/parks/west.en.md": None,
    PROJECTS: f"catalogue:\n  title: {_q('目录' + PAYLOAD)}\nprojects:\n"
              f"  - id: alpha\n    title: {_q('阿尔法' + PAYLOAD)}\n    sector: new-materials\n    park: west\n"
              f"    investment: 1亿元\n    summary: {_q('概要' + PAYLOAD)}\n"
              f"    description: {_q('描述 ' + PAYLOAD + ' **粗体**')}\n    highlights: [{_q('亮点' + PAYLOAD)}]\n"
              f"    location: {_q('地点' + PAYLOAD)}\n    coordinates: [106.47, 29.50]\n"
              f"  - id: beta\n    title: {{zh: 贝塔, en: {_q('Beta' + PAYLOAD)}}}\n    sector: logistics\n"
              "    investment: 1亿元\n",
    "content/pages/about.md": f"---\ntitle: {_q('关于' + PAYLOAD)}\nmenu: 1\n---\n正文 {PAYLOAD}\n",
}


class Page(HTMLParser):
    """What a browser would run or load from one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self.scripts.append(attributes)

    def handle_data(self, data):
        self.text.append(data)


def script_problems(path: Path) -> list[str]:
    """Anything in a page that could run script from content: returns what was found."""
    page = Page()
    page.feed(path.read_text("utf-8"))
    found = []
    for attributes in page.scripts:
        src, kind = attributes.get("src") or "", attributes.get("type") or ""
        if not (re.fullmatch(r"(\.\./)*assets/[\w.-]+\.js", src) or kind in ("application/json",
                                                                               "application/ld+json")):
            found.append(f"script {attributes}")
    for tag, attributes in page.tags:
        if tag in ("iframe", "object", "embed", "frame", "base"):
            found.append(f"<{tag}>")
        for name, value in attributes.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and value and \
                    re.match(r"\s*(javascript|vbscript|data):", value, re.I):
                found.append(f"<{tag} {name}={value}>")
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh" and \
                "javascript" in attributes.get("content", "").lower():
            found.append("meta refresh to javascript")
    return found


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory) -> Path:
    root = write_site(tmp_path_factory.mktemp("hostile"), HOSTILE)
    result = build(root)
    assert result.returncode == 0, result.stderr
    return root / "output"


def test_no_content_text_runs_as_script_in_any_language(hostile_out):
    pages = sorted(hostile_out.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        assert script_problems(page) == [], page
    # Not dropped: shown as text, in every language (zh-Hant after OpenCC, en through fallback).
    for lang in ("zh", "en", "zh-hant"):
        for rel in ("projects/alpha/", "parks/west/", "pages/about/", "sectors/new-materials/", ""):
            page = Page()
            page.feed((hostile_out / lang / rel / "index.html").read_text("utf-8"))
            shown = "".join(page.text)
            assert '<script>alert("x")</script>' in shown, (lang, rel)
            assert "<img src=x onerror=alert(1)>" in shown, (lang, rel)
    hant = (hostile_out / "zh-hant/projects/alpha/index.html").read_text("utf-8")
    assert "阿爾法&lt;script&gt;alert(" in hant                  # converted by OpenCC, still escaped
    en = (hostile_out / "en/parks/west/index.html").read_text("utf-8")
    assert re.search(r'<span lang="zh">西区园区&lt;script&gt;', en)  # the fallback, escaped
    # Markdown raw HTML is off by default: the iframe and the styled paragraph are text.
    park = (hostile_out / "zh/parks/west/index.html").read_text("utf-8")
    assert "&lt;iframe" in park and 'style="color:red"' not in park


def test_markdown_html_when_allowed_is_cleaned_to_an_allow_list(tmp_path):
    body = ("<b>粗体</b> <script>alert(1)</script> <img src=\"x.png\" onerror=\"alert(2)\" alt=\"图\">\n\n"
            "<iframe src=\"https://evil.example/\"></iframe>\n\n"
            "<p style=\"position:fixed;color:red\" onclick=\"alert(3)\">样式</p>\n\n"
            "<a href=\"https://ok.example/\" target=\"_top\">好链接</a> <svg class=\"smuggled\"><script>alert(4)</script></svg>\n"
            "<form action=\"https://evil.example/\"><input name=\"stolen\"></form>\n")
    root = write_site(tmp_path, {SITE: source(SITE) + "markdown_html: true\n",
                                 PARK: source(PARK).replace("西区园区位于城市西部。", body),
                                 "content/parks/west.en.md": None})       # en shows the source
    result = build(root)
    assert result.returncode == 0, result.stderr
    for lang in ("zh", "en", "zh-hant"):
        path = root / "output" / lang / "parks/west/index.html"
        page = path.read_text("utf-8")
        assert script_problems(path) == [], lang
        assert "<b>粗体</b>" in page or "<b>粗體</b>" in page, lang    # allowed HTML is kept
        assert 'href="https://ok.example/"' in page
        for removed in ("alert(", "onerror", "<iframe", "color:red", "onclick", "smuggled", "evil.example",
                        'name="stolen"', 'target="_top"'):
            assert removed not in page, (lang, removed)


REFUSED_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "   javascript:alert(1)",
    "jav&#x61;script:alert(1)",
    "&#106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:image/svg+xml,<svg onload=alert(1)>",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("href", REFUSED_LINKS)
def test_links_that_run_script_or_embed_data_are_refused(fails, href):
    in_markdown = href if href.startswith(" ") else href.replace(" ", "%20")   # a space ends a destination
    body = "第一段。\n\n" + f"见[此处]({in_markdown})。\n"
    raw = f'<a href="{href}">点击</a>\n'
    reference = f"[参考][1]\n\n[1]: {in_markdown.strip()}\n"
    stderr = fails({PARK: f"---\ntitle: 西区\n---\n{body}\n{raw}\n{reference}",
                    **edit(PROJECTS, "status: negotiating", "status: negotiating\n    description: "
                           + _q(f"[点我]({in_markdown.strip()})"))})
    lines = problem_lines(stderr)
    assert any(line.startswith(f"{PARK}:6: the link ") for line in lines), stderr      # Markdown link
    assert any(line.startswith(f"{PARK}:8: the link ") for line in lines), stderr      # raw HTML
    assert any(line.startswith(f"{PARK}:12: the link ") for line in lines), stderr     # reference definition
    assert any(line.startswith(f"{PROJECTS}:18: description: the link ") for line in lines), stderr
    assert all("is refused: a link may not run script or embed data" in line for line in lines), stderr


def test_ordinary_links_are_not_refused(site):
    body = ("[官网](https://www.example.gov.cn/) [邮件](mailto:invest@example.gov.cn) [电话](tel:+862300000000) "
            "[政策](../../pages/about/) [顶部](#top) [相对](policies.html) <https://example.com/a?b=c&d=e>\n")
    root = site({PARK: source(PARK).replace("西区园区位于城市西部。", body)})
    result = build(root)
    assert result.returncode == 0, result.stderr
    page = (root / "output/zh/parks/west/index.html").read_text("utf-8")
    for href in ("https://www.example.gov.cn/", "mailto:invest@example.gov.cn", "tel:+862300000000",
                 "../../pages/about/", "#top"):
        assert f'href="{href}"' in page, href


@pytest.mark.parametrize("path,message", [
    ("../../etc/passwd", "points outside content/"),
    ("/etc/passwd", "points outside content/"),
    ("images/../../x.jpg", "points outside content/"),
    ("..\\..\\x.jpg", "points outside content/"),
    ("images/escape.jpg", "links to a file outside content/"),
])
def test_image_paths_cannot_read_outside_content(fails, tmp_path, path, message):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"\xff\xd8\xff\xe0 not for the site")
    stderr = fails({**edit(PROJECTS, "status: negotiating", f"status: negotiating\n    images: [{_q(path)}]"),
                    # a symlink inside content/ that points outside it
                    "content/images/escape.jpg": Symlink(secret)})
    assert f"{PROJECTS}:18: images: " in stderr and message in stderr, stderr


def _tree(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` with its bytes' hash (folders: ""), leaving out output/
    and yunzhao's own cache folder beside content/ (.yunzhao-cache/, written by every build)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if rel.split("/")[0] in ("output", ".yunzhao-cache"):
            continue
        found[rel] = "" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def test_content_cannot_write_outside_output(tmp_path):
    """Whatever ids, aliases and file names say, a build changes nothing but output/."""
    root = write_site(tmp_path / "site", {
        "content/projects/2025 新 (副本).yaml": "catalogue:\n  title: 副本\nprojects:\n  - id: gamma\n    title: 伽马\n"
                                            "    sector: logistics\n    investment: 1亿元\n    aliases: [old-gamma]\n",
        "content/parks/east.md": "---\ntitle: 东区\naliases: [old-east]\n---\n东区。\n",
    })
    around = {p.name for p in tmp_path.iterdir()}
    before = _tree(root)
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert _tree(root) == before
    assert {p.name for p in tmp_path.iterdir()} == around
    out = (root / "output").resolve()
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out), path
    assert (out / "zh/projects/old-gamma/index.html").is_file() and (out / "en/parks/old-east/index.html").is_file()


@pytest.mark.parametrize("rel", ["../escape.html", "/etc/cron.d/x", "zh/../../escape.html", "zh\\..\\x.html", "",
                                 "zh/a\0b.html"])
def test_the_staging_folder_refuses_paths_outside_it(tmp_path, rel):
    with output.Staging(tmp_path / "out") as staging:
        with pytest.raises(output.OutputError, match="refusing to write outside the output folder"):
            staging.write(rel, b"x")
        with pytest.raises(output.OutputError, match="refusing to write outside the output folder"):
            staging.reserve([rel])
        with pytest.raises(output.OutputError, match="refusing to write outside the output folder"):
            staging.link_or_copy(rel, REPO / "README.md")
        staging.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == []     # discarded, nothing escaped


# ---- 3. atomic output -----------------------------------------------------------------------

BIG = 800


def big_catalogue(count: int, title: str = "项目") -> str:
    lines = ["catalogue:", "  title: {zh: 大目录, en: Big catalogue}", "projects:"]
    for i in range(count):
        lines += [f"  - id: project-{i:05d}", f"    title: {{zh: {title}{i}号, en: Project {i}}}",
                  f"    sector: {'new-materials' if i % 2 else 'logistics'}", f"    investment: {i % 97 + 1}亿元",
                  f"    summary: {{zh: 这是第{i}个项目。, en: Project number {i}.}}"]
    return "\n".join(lines) + "\n"


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".output."))


def start_build(root: Path, env: dict | None = None, python_code: str | None = None) -> subprocess.Popen:
    """The build in its own process group, so a test can tell whether anything it started lives on."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("YUNZHAO_DEBUG", None)
    command = [sys.executable, "-c", python_code] if python_code else [sys.executable, "-m", "generator.cli"]
    return subprocess.Popen(command + ["build", "--site", str(root)], cwd=REPO, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def kill_when(process: subprocess.Popen, ready, timeout: float = 120) -> None:
    """SIGKILL the build (its main process only, as `kill -9 <pid>` does) once `ready()` is true."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, "the build finished before the moment to kill it"
        assert time.monotonic() < deadline, "the moment to kill the build never came"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL


def assert_nothing_left_running(process: subprocess.Popen) -> None:
    """The render workers notice that their build is gone and stop writing."""
    deadline = time.monotonic() + 10
    while True:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("render workers of a killed build were still running 10 s later")
        time.sleep(0.05)


def html_count(folder: Path) -> int:
    # os.walk passes over folders that vanish while it walks: the staging folder of a killed
    # build is removed by the next build while this counts it.
    return sum(name.endswith(".html") for _, _, names in os.walk(folder) for name in names)


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    """800 projects (2,400+ pages): a build that runs long enough to be killed mid-way."""
    root = write_site(tmp_path_factory.mktemp("big"), {PROJECTS: big_catalogue(BIG)})
    result = build(root)
    assert result.returncode == 0, result.stderr
    return root


def test_killing_a_long_build_at_any_moment_leaves_the_previous_output_complete(big_site):
    out = big_site / "output"
    before = tree_digest(out)
    (big_site / PROJECTS).write_text(big_catalogue(BIG, title="新项目"), encoding="utf-8")
    # A whole build, through the staging folder (tests/test_incremental.py kills incremental ones).
    (big_site / ".yunzhao-cache" / "build-state.pickle").unlink()
    staging = lambda: [p for p in big_site.glob(".output.staging-*")]
    moments = {
        "while reading the content": lambda started: time.monotonic() - started > 0.3,
        "as the staging folder appears": lambda started: bool(staging()),
        "mid-render": lambda started: any(html_count(p) > BIG for p in staging()),
    }
    for moment, ready in moments.items():
        process = start_build(big_site)
        started = time.monotonic()
        kill_when(process, lambda: ready(started))
        assert_nothing_left_running(process)
        assert tree_digest(out) == before, f"killed {moment}: output/ changed"
    result = build(big_site)
    assert result.returncode == 0, result.stderr
    assert leftovers(big_site) == [], "stale staging folders were not cleaned up"
    assert f"新项目{BIG - 1}号" in (out / f"zh/projects/project-{BIG - 1:05d}/index.html").read_text("utf-8")


@pytest.fixture
def two_versions(baseline, tmp_path):
    """The built fixture site with changed content, and what a clean build of the change gives."""
    root = tmp_path / "site"
    shutil.copytree(baseline, root, symlinks=True)
    put(root, edit(PROJECTS, "title: 贝塔项目", "title: 贝塔项目二期"))
    # Without the record of the last build, the build is a whole one, through the staging folder
    # (incremental builds go through a journal: tests/test_incremental.py kills those).
    (root / ".yunzhao-cache" / "build-state.pickle").unlink()
    clean = tmp_path / "clean"
    assert run_yunzhao("build", "--site", str(root), "--out", str(clean), cwd=REPO).returncode == 0
    return root, tree_digest(root / "output"), tree_digest(clean)


def test_killed_just_before_the_swap(two_versions):
    root, old, new = two_versions
    process = start_build(root, env={"YUNZHAO_TEST_KILL_AT": "before-swap"})
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert tree_digest(root / "output") == old
    assert leftovers(root) != []          # the complete staging folder of the killed build
    result = build(root)
    assert result.returncode == 0 and leftovers(root) == []
    assert tree_digest(root / "output") == new


def test_killed_just_after_the_swap(two_versions):
    root, old, new = two_versions
    process = start_build(root, env={"YUNZHAO_TEST_KILL_AT": "after-swap"})
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert tree_digest(root / "output") == new          # swapped whole: the new site, complete
    [old_site] = leftovers(root)                         # the previous site, not yet removed
    assert tree_digest(root / old_site) == old
    result = build(root)
    assert result.returncode == 0 and leftovers(root) == []
    assert tree_digest(root / "output") == new


# Where renameat2 is missing (another OS, an old kernel, some network file systems) output/ is
# replaced by two renames; killed between them, the next build puts the previous site back.
WITHOUT_EXCHANGE = ("import generator.output as o, sys; o._exchange = lambda a, b: False; "
                    "from generator.cli import run; sys.argv[0] = 'yunzhao'; run()")


def test_killed_between_the_two_renames_of_the_fallback(two_versions):
    root, old, new = two_versions
    process = start_build(root, env={"YUNZHAO_TEST_KILL_AT": "between-renames"}, python_code=WITHOUT_EXCHANGE)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read()
    assert not (root / "output").exists()
    moved = [name for name in leftovers(root) if ".old-" in name]
    assert len(moved) == 1 and tree_digest(root / moved[0]) == old
    # `yunzhao check` writes nothing; the next build restores, then publishes.
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert leftovers(root) == [] and tree_digest(root / "output") == new


def test_the_fallback_publishes_without_renameat2(two_versions):
    root, old, new = two_versions
    process = start_build(root, python_code=WITHOUT_EXCHANGE)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert leftovers(root) == [] and tree_digest(root / "output") == new


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _site_folder(folder: Path, text: str, marked: bool = True) -> Path:
    (folder / "zh").mkdir(parents=True)
    (folder / "zh/index.html").write_text(text)
    if marked:
        (folder / MARK).write_text("x")
    return folder


def test_recover_puts_back_a_site_moved_away_by_a_killed_build(tmp_path):
    out = tmp_path / "output"
    moved = _site_folder(tmp_path / f".output.old-{_dead_pid()}", "previous")
    stale = _site_folder(tmp_path / f".output.staging-{_dead_pid()}", "half-built")
    recover(out)
    assert (out / "zh/index.html").read_text() == "previous"
    assert not moved.exists() and not stale.exists()


def test_recover_drops_the_old_site_when_output_is_in_place(tmp_path):
    out = _site_folder(tmp_path / "output", "current")
    moved = _site_folder(tmp_path / f".output.old-{_dead_pid()}", "previous")
    recover(out)
    assert (out / "zh/index.html").read_text() == "current" and not moved.exists()


def test_recover_leaves_running_builds_and_folders_it_did_not_make(tmp_path):
    out = _site_folder(tmp_path / "output", "current")
    running = os.getppid()                       # alive: the process that started this test
    busy = _site_folder(tmp_path / f".output.staging-{running}", "being built")
    moving = _site_folder(tmp_path / f".output.old-{running}", "being swapped")
    foreign = _site_folder(tmp_path / f".output.staging-{_dead_pid()}", "someone's files", marked=False)
    recover(out)
    assert busy.exists() and moving.exists() and foreign.exists()
    assert (foreign / "zh/index.html").read_text() == "someone's files"


def test_recover_finishes_removing_a_half_removed_folder(tmp_path):
    """Removal deletes the mark last, so an interrupted removal is still recognised as ours."""
    out = _site_folder(tmp_path / "output", "current")
    half = _site_folder(tmp_path / f".output.staging-{_dead_pid()}", "half")
    (half / "zh/index.html").unlink()
    (half / "zh").rmdir()
    (half / "en").mkdir()
    (half / "en/index.html").write_text("rest")
    assert (half / MARK).is_file()
    recover(out)
    assert not half.exists()
    empty = tmp_path / f".output.staging-{_dead_pid()}"
    empty.mkdir()                                 # killed between mkdir and writing the mark
    recover(out)
    assert not empty.exists()
    _remove_own(out)
    assert not out.exists()


def test_a_symlinked_output_keeps_its_link(site, tmp_path):
    """output/ may be a symlink to the web server's folder: the target is replaced, the link kept."""
    root = site()
    served = tmp_path / "srv" / "www"
    served.parent.mkdir()
    served.mkdir()
    (root / "output").symlink_to(served, target_is_directory=True)
    for _ in range(2):
        result = build(root)
        assert result.returncode == 0, result.stderr
        assert (root / "output").is_symlink() and (served / "zh/index.html").is_file()
    assert leftovers(root) == [] and sorted(p.name for p in served.parent.iterdir()) == ["www"]


@pytest.mark.parametrize("target", ["/", "~", "site", "content", "symlink to /", "a file", "parent"])
def test_refuses_output_folders_it_did_not_make(site, tmp_path, target):
    """Never replaces a folder without its mark: exit 2 at once, nothing touched."""
    root = site()
    (tmp_path / "link").symlink_to("/")
    (tmp_path / "notes.txt").write_text("keep")
    out = {"/": "/", "~": str(Path.home()), "site": str(root), "content": str(root / "content"),
           "symlink to /": str(tmp_path / "link"), "a file": str(tmp_path / "notes.txt"),
           "parent": str(tmp_path)}[target]
    before = _tree(tmp_path)
    result = run_yunzhao("build", "--site", str(root), "--out", out, cwd=REPO)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("yunzhao: ") and "Traceback" not in result.stderr
    assert re.search(r"refusing|not written by yunzhao|is a file", result.stderr), result.stderr
    assert _tree(tmp_path) == before and not (root / "output").exists()


# ---- 4. deterministic -----------------------------------------------------------------------

def test_file_order_and_modification_times_do_not_change_the_output(site, tmp_path):
    first = site({"content/parks/east.md": "---\ntitle: 东区\n---\n东区。\n",
                  "content/projects/2025.yaml": "catalogue:\n  title: 2025\nprojects:\n  - id: gamma\n"
                                                "    title: 伽马\n    sector: logistics\n    investment: 1亿元\n"})
    second = tmp_path / "second"
    # The same files created in the opposite order, with scrambled modification times.
    files = sorted((p for p in (first / "content").rglob("*") if p.is_file()), reverse=True)
    for number, path in enumerate(files):
        target = second / path.relative_to(first)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        stamp = 1_000_000_000 + (number * 7_919_123) % 900_000_000
        os.utime(target, (stamp, stamp))
    for folder in sorted((p for p in second.rglob("*") if p.is_dir()), reverse=True):
        os.utime(folder, (2_000_000_000, 2_000_000_000))
    assert build(first).returncode == 0
    assert build(second, env={"PYTHONHASHSEED": "4242"}).returncode == 0
    assert tree_digest(first / "output") == tree_digest(second / "output")


def test_no_build_machine_clock_in_the_output(site, tmp_path):
    """Built with the clock set to 2001 and SOURCE_DATE_EPOCH at two values: the same bytes."""
    if shutil.which("faketime") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("faketime is missing; tools/setup.sh installs it")
        pytest.skip("faketime is not installed (tools/setup.sh installs it)")
    root = site({"content/brochures/investors.yaml": "id: investors\ntitle: 推介\nprojects: [alpha, beta]\n"})
    now = run_yunzhao("build", "--site", str(root), "--out", str(tmp_path / "now"), cwd=REPO,
                      env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert now.returncode == 0, now.stderr
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "SOURCE_DATE_EPOCH": "0"}
    env.pop("YUNZHAO_DEBUG", None)
    # "-f @…": the clock starts in 2001 and runs on (a frozen clock, or a real monotonic clock
    # beside a fake wall clock, breaks Python's timed waits on subprocesses).
    past = subprocess.run(["faketime", "-f", "@2001-02-03 04:05:06", sys.executable, "-m", "generator.cli", "build",
                           "--site", str(root), "--out", str(tmp_path / "past")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert past.returncode == 0, past.stderr
    assert tree_digest(tmp_path / "now") == tree_digest(tmp_path / "past")


# ---- 5. link guard --------------------------------------------------------------------------

LOST = "these links, possibly already sent to investors, would now be 404"


@pytest.fixture
def published(baseline, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(baseline, root, symlinks=True)
    return root


WITHOUT_BETA = {PROJECTS: source(PROJECTS).split("  - id: beta")[0]}
BETA_URLS = ["zh/projects/beta/", "en/projects/beta/", "zh-hant/projects/beta/"]


def test_a_removed_project_is_reported_by_each_lost_url(published):
    put(published, WITHOUT_BETA)
    result = build(published)
    assert result.returncode == 0, result.stderr
    assert LOST in result.stdout
    listed = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
    for url in BETA_URLS:
        assert url in listed, result.stdout


def test_a_lost_link_is_reported_at_every_build_until_an_alias_brings_it_back(published):
    """Not only at the build that lost it: the officer may not read that one's output, and the
    link in investors' chats stays dead until someone acts."""
    put(published, WITHOUT_BETA)
    assert LOST in build(published).stdout
    for again in range(2):        # the second one changes nothing (answered from the cache)
        result = build(published)
        assert result.returncode == 0, result.stderr
        lines = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
        for url in BETA_URLS:
            assert f"{url}   (lost since an earlier build)" in lines, result.stdout
    strict = build(published, "--strict")
    assert strict.returncode == 1 and "zh/projects/beta/" in strict.stderr
    # Another project takes the old id as an alias: the link works again and the warning stops.
    put(published, {PROJECTS: source(PROJECTS).split("  - id: beta")[0].replace(
        "  - id: alpha\n", "  - id: alpha\n    aliases: [beta]\n", 1)})
    result = build(published, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert LOST not in result.stdout
    assert (published / "output/en/projects/beta/index.html").is_file()


def test_strict_makes_a_lost_link_an_error_and_leaves_output_alone(published):
    before = tree_digest(published / "output")
    put(published, edit(PROJECTS, "id: beta", "id: beta-logistics"))        # renamed without an alias
    result = build(published, "--strict")
    assert result.returncode == 1, result.stdout + result.stderr
    assert LOST in result.stderr and "Traceback" not in result.stderr
    for url in BETA_URLS:
        assert url in result.stderr
    assert tree_digest(published / "output") == before and leftovers(published) == []


def test_an_alias_keeps_the_old_url_alive_in_every_language(published):
    """Renamed project and park, each keeping its old id as an alias: nothing lost, even --strict."""
    projects = source(PROJECTS).replace("id: beta", "id: beta-logistics\n    aliases: [beta]") \
        .replace("title: 贝塔项目", "title: {zh: 贝塔项目, en: Beta}")
    put(published, {PROJECTS: projects.replace("park: west\n", "park: west-park\n"),
                    "content/parks/west-park.md": source(PARK).replace("contact: wang", "contact: wang\naliases: [west]"),
                    "content/parks/west-park.en.md": source("content/parks/west.en.md"),
                    PARK: None, "content/parks/west.en.md": None})
    result = build(published, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert LOST not in result.stdout
    out = published / "output"
    for lang in ("zh", "en", "zh-hant"):
        for old, new in (("projects/beta", "../beta-logistics/"), ("parks/west", "../west-park/")):
            page = (out / lang / old / "index.html").read_text("utf-8")
            assert f'http-equiv="refresh" content="0; url={new}"' in page, (lang, old)
            assert f'href="https://invest.example.gov.cn/test/{lang}/{old.split("/")[0]}/{new[3:]}"' in page
            assert (out / lang / old.split("/")[0] / new[3:] / "index.html").is_file()
