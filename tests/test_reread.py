"""Reading an edited catalogue again item by item (check.reread_catalogue_file, yamlpos.split_items):
whatever the edit, the result is exactly what reading the whole file gives — the same projects,
the same problems at the same lines, the same layout for the next edit — or the file is read in
full. A build after editing one project of a large catalogue reads only that project."""

from __future__ import annotations

import dataclasses
import datetime as dt
import textwrap
from decimal import Decimal
import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import check
from generator.check import read_catalogue_file, reread_catalogue_file
from generator.content import schema as s
from generator.content.file_cache import FOLDER, PREVIOUS
from generator.content.yamlpos import ParseInfo, YamlError, parse, plain_lines, split_items
from test_load_cache import afresh, check as check_with_cache

SHOWN = "content/projects/big.yaml"


def plain(value):
    """Comparable values: every object by its type and contents (a Catalogue compares by identity)."""
    if dataclasses.is_dataclass(value):
        return (type(value).__name__, [(f.name, plain(getattr(value, f.name))) for f in dataclasses.fields(value)])
    if isinstance(value, dict):
        return (type(value).__name__, [(plain(k), plain(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [plain(v) for v in value])
    if isinstance(value, (Decimal, dt.date)):
        return (type(value).__name__, str(value))
    return value


@pytest.fixture(scope="module")
def ctx(tmp_path_factory) -> s.Context:
    content = tmp_path_factory.mktemp("reread") / "content"
    (content / "images").mkdir(parents=True)
    (content / "images/a.jpg").write_bytes(b"an image")
    return s.Context(["zh", "en", "zh-Hant"], content)


def read_in_full(text: str, ctx: s.Context):
    """What the build makes of the text read whole, or None when it is not YAML (an error)."""
    info = ParseInfo()
    try:
        data = parse(text, info=info)
    except YamlError:
        return None
    return read_catalogue_file(data, dataclasses.replace(ctx, images_seen={}), SHOWN, "big", text.encode(), info)


def reread(text: str, before, ctx: s.Context):
    return reread_catalogue_file(text.encode(), before, dataclasses.replace(ctx, images_seen={}), SHOWN)


def item(n: int, extra: str = "") -> str:
    return textwrap.dedent(f"""\
          - id: p{n}
            title: {{zh: 项目{n}, en: Project {n}}}
            sector: logistics
            investment: {n}亿元
            description: |
              ## 概况

              第{n}个项目。[链接](javascript:alert({n}))
        """) + extra


HEAD = "catalogue:\n  title: {zh: 大目录, en: Big}\n  updated: 2024-03-31\n# the projects\nprojects:\n"
BASE = HEAD + "".join(item(n) for n in range(6))


_real_read_project_entry = check.read_project_entry


def test_an_edit_in_one_project_reads_only_that_project(ctx, monkeypatch):
    before = read_in_full(BASE, ctx)
    assert before.layout is not None and before.layout.starts == [6 + 8 * n for n in range(6)]
    read_again = []
    monkeypatch.setattr(check, "read_project_entry",
                        lambda *args: read_again.append(args[1]) or _real_read_project_entry(*args))
    # Two lines more in the second project: the four after it move down two lines.
    edited = BASE.replace("第1个项目。", "第1个项目。\n\n      第二段，")
    after = reread(edited, before, ctx)
    assert after is not None and read_again == [14]
    assert plain(after) == plain(read_in_full(edited, ctx))
    # The refused link of each project is reported at its line: moved in the edited one and after it.
    assert [entry[11][0][0] for entry in after.entries] == [12 + 8 * n + (2 if n else 0) for n in range(6)]


def test_what_cannot_be_read_apart_is_read_in_full(ctx):
    before = read_in_full(BASE, ctx)
    refused = {
        "the head changed": BASE.replace("大目录", "新目录"),
        "an alias of the head": BASE.replace("  updated:", "  anchor: &t 项目\n  updated:")
                                    .replace("title: {zh: 项目3, en: Project 3}", "title: *t"),
        "an alias of another project": BASE.replace("sector: logistics", "sector: &s logistics", 1)
                                           .replace("investment: 4亿元", "investment: 4亿元\n    park: *s"),
        "a tag directive": "%TAG !e! tag:example.com,2000:\n---\n" + BASE,
        "a line left of the list": BASE.replace("第2个项目。", "第2个项目。\nstray: 1"),
        "brackets nested too deep": BASE.replace("investment: 2亿元", "investment: 2亿元\n    x: " + "[" * 70 + "]" * 70),
        "not YAML": BASE.replace("title: {zh: 项目2,", "title: {zh: 项目2"),
    }
    for why, text in refused.items():
        assert reread(text, before, ctx) is None, why
    # A project read apart that nests brackets deep in quotes still counts for the whole file.
    deep = "".join(item(n, f"    note: '{'[' * 12}'\n") for n in range(6))
    before_deep = read_in_full(HEAD + deep[:len(deep) * 2 // 3], ctx)      # 4 of them: 48 deep
    assert before_deep.layout is not None
    assert reread(HEAD + deep, before_deep, ctx) is None                     # 72: read by PyYAML


# Lines an edit may write: valid and broken YAML, anchors, merges, comments, block and flow text,
# new items at any indentation, document markers, tabs and odd characters.
LINES = st.sampled_from([
    "    status: signed", "    status: nonsense", "    park: west", "    images: [images/a.jpg, images/b.jpg]",
    "    aliases: [p1, old-one]", "    description: |", "      text # not a comment", "      [x](javascript:1)",
    "# a comment", "  # a comment", "", "   ", "  - id: p9", "  - id: p2", "- id: p8", "  -", "    - nested",
    "    x: &a 1", "    y: *a", "    <<: {status: signed}", "    <<: *a", "    title: 'open", "      close'",
    "    t: [[[1]]]", "    t: [", "    ]", "---", "...", "\t- id: tab", "    sector: logistics  # c",
    "  - {id: flow, title: x, sector: logistics, investment: 1亿元}", "    investment: 五个亿",
    "    land: 120亩", "    highlights: {zh: [一, 二], en: [one]}", "    id: p1", "    id: P1",
    "    coordinates: [106.47, 29.50]", "    signed: 2024-13-45", "    title: \"a\\qb\"", "projects:",
    "%TAG ! tag:x:", "    s: |+", "", "    k: \u0085", "  - |", "      block item",
])


@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(base_edits=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 2), LINES), max_size=3),
       edits=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 2), LINES), min_size=1, max_size=4))
def test_any_edit_reads_as_the_whole_file_does(ctx, base_edits, edits):
    """From a file (itself edited at random) to an edited one: reading again item by item either
    declines or gives exactly the whole file's reading, layout included; and so again from there."""
    def apply(text, changes):
        lines = text.split("\n")
        for at, how, line in changes:
            at %= len(lines) + 1
            if how == 0:
                lines.insert(at, line)
            elif how == 1 and at < len(lines):
                lines[at] = line
            elif at < len(lines):
                del lines[at]
        return "\n".join(lines)

    first = apply(BASE, base_edits)
    before = read_in_full(first, ctx)
    if before is None:
        return
    second = apply(first, edits)
    after = reread(second, before, ctx)
    whole = read_in_full(second, ctx)
    if after is not None:
        assert whole is not None, "read apart, but the whole file is not YAML"
        assert plain(after) == plain(whole)
        third = apply(second, edits[::-1])
        again = reread(third, after, ctx)
        if again is not None:
            assert plain(again) == plain(read_in_full(third, ctx))


def test_a_build_after_an_edit_reads_one_project_and_reports_like_a_fresh_one(site, monkeypatch):
    """Through the checker and the file cache: the project read again, the others moved, every
    mistake (in the edited project and in the moved ones) at its line, as without any cache."""
    items = "".join(item(n) for n in range(40)).replace("sector: logistics", "sector: logistics\n  park: west")
    root = site({"content/projects/big.yaml": HEAD + items})
    path = root / "content/projects/big.yaml"
    check_with_cache(root)
    read_apart = []
    monkeypatch.setattr(check, "read_project_entry", lambda *a: read_apart.append(a[1]) or _real_read_project_entry(*a))
    path.write_text(HEAD + items.replace("investment: 3亿元", "investment: 3亿元\n  statsu: seeking\n\n"), "utf-8")
    model, errors, parsed, checked = check_with_cache(root)
    assert read_apart == [33] and parsed == checked == ["content/projects/big.yaml"]
    assert (model, errors) == afresh(root)
    assert "content/projects/big.yaml:38: statsu: unknown field in a project; did you mean \"status\"?" in errors
    assert any(e.startswith("content/projects/big.yaml:106: description: the link") for e in errors), errors
    # And from that reading to the next edit.
    read_apart.clear()
    path.write_text(path.read_text("utf-8").replace("- id: p5\n", "- id: p5-new\n"), "utf-8")
    model, errors, parsed, checked = check_with_cache(root)
    assert read_apart == [6 + 9 * 5 + 3] and (model, errors) == afresh(root)
    # Nothing changed: nothing is read.
    read_apart.clear()
    assert check_with_cache(root)[2:] == ([], []) and read_apart == []


def test_split_items_cuts_where_the_items_start():
    cut = split_items(BASE.encode(), "projects")
    assert cut.head == HEAD.encode() and cut.key_line == 5 and cut.starts == [6 + 8 * n for n in range(6)]
    assert b"".join(cut.item(i) for i in range(len(cut))) == BASE[len(HEAD):].encode()
    indentless = split_items(b"projects:  # all of them\n- a\n-\n- [b,\n   c]\n# end\n", "projects")
    assert [bytes(indentless.item(i)) for i in range(3)] == [b"- a\n", b"-\n", b"- [b,\n   c]\n# end\n"]
    for shape in ("projects: [a, b]\n", "projects:\n  - a\n after: 1\n", "projects:\n  - a\nnext: 1\n",
                  "catalogue: {}\n", "projects:\n\t- a\n"):
        assert split_items(shape.encode(), "projects") is None, shape
    # Lines that YAML sees elsewhere than b"\n" cuts them, or read otherwise after a directive.
    assert plain_lines(BASE.encode())
    for mark in ("\r", "\x85", "\u2028", "\u2029", "\ufeff"):
        assert not plain_lines(BASE.replace("p3", "p" + mark).encode()), repr(mark)
    assert not plain_lines(b"%TAG ! tag:x:\n---\na: 1\n") and not plain_lines(b"a: 1\n%TAG ! tag:x:\n")


def test_a_damaged_or_planted_previous_file_only_means_reading_in_full(site, monkeypatch):
    """`previous.json` only names where to start from: whatever it says, the result is a fresh
    one's, no file outside the cache is opened, and a wrong name means reading the file whole."""
    root = site({"content/projects/big.yaml": HEAD + "".join(item(n) for n in range(5))})
    path = root / "content/projects/big.yaml"
    check_with_cache(root)
    other = hashlib.sha256((root / "content/projects/2024.yaml").read_bytes()).hexdigest()
    read_apart = []
    monkeypatch.setattr(check, "read_project_entry", lambda *a: read_apart.append(a[1]) or _real_read_project_entry(*a))
    for number, planted in enumerate(["not JSON", "[1, 2]", '{"content/projects/big.yaml": "../../../../etc/passwd"}',
                                      '{"content/projects/big.yaml": "%s"}' % other]):
        (root / FOLDER / PREVIOUS).write_text(planted, "utf-8")
        path.write_text(path.read_text("utf-8").replace(f"investment: {number}亿元", "investment: 9亿元"), "utf-8")
        read_apart.clear()
        model, errors, parsed, checked = check_with_cache(root)
        assert checked == ["content/projects/big.yaml"] and len(read_apart) == 5, planted    # read whole
        assert (model, errors) == afresh(root)
    # Written again by that run: the next edit starts from it.
    read_apart.clear()
    path.write_text(path.read_text("utf-8").replace("investment: 4亿元", "investment: 8亿元"), "utf-8")
    check_with_cache(root)
    assert len(read_apart) == 1
