"""Fuzzing: whatever a content file holds, the build succeeds or reports content errors.

Hypothesis writes valid and invalid content files (catalogues with random fields, values and
types; YAML-ish text; random bytes; Markdown with random front matter and links) into a built
fixture site and runs the build. It must end in exactly one of two ways: success, or
`BuildFailed` whose every problem is a `content/file:line: ...` line, with output/ byte for byte
as it was. Any other exception is a bug. The build runs in-process for speed; the CLI turns
`BuildFailed` into exit status 1 (tests/test_trust.py checks that through the real command).

CI runs a small fixed budget (derandomized, so every run tries the same examples). For a longer
hunt: `YUNZHAO_FUZZ_EXAMPLES=2000 python3 -m pytest -q tests/test_fuzz.py` (random each run).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINIMAL, REPO, tree_digest, write_site

sys.path.insert(0, str(REPO))
from generator.build import build  # noqa: E402
from generator.errors import BuildFailed  # noqa: E402
from generator.output import OutputError  # noqa: E402

LONG_RUN = int(os.environ.get("YUNZHAO_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=LONG_RUN or 25, derandomize=not LONG_RUN, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Files that pass the schema are rendered in full, which takes longer per example.
FUZZ_RENDERED = settings(FUZZ, max_examples=LONG_RUN or 12)

# A problem as the CLI prints it: `content/<file>[:<line>]: [field: ]message`, on one line.
PROBLEM = re.compile(r"^content(?:/[^\n:]+)?(?::\d+)?: [^\n]+$")

CONTENT_FILES = ["content/projects/2024.yaml", "content/site.yaml", "content/data/staff.yaml",
                 "content/data/sectors.yaml", "content/parks/west.md", "content/parks/west.en.md",
                 "content/brochures/fuzz.yaml", "content/pages/fuzz.md", "content/projects/2025.yaml"]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The fixture site, built once; every example starts from a copy of it."""
    root = write_site(tmp_path_factory.mktemp("fuzz-template"), {})
    build(root, root / "output")
    return root


def build_with(template: Path, files: dict[str, bytes]) -> None:
    """Lay `files` over a copy of the built site and build: success, or content errors only."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        root = Path(folder) / "site"
        shutil.copytree(template, root, symlinks=True)
        before = tree_digest(root / "output")
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            build(root, root / "output")
        except (BuildFailed, OutputError) as exc:
            if isinstance(exc, BuildFailed):
                problems = [str(p) for p in exc.problems.sorted_errors()]
                assert problems, "a failed build must say why"
                for line in problems:
                    assert PROBLEM.match(line), f"not a `file:line: message` line: {line!r}"
            assert tree_digest(root / "output") == before, "a failed build changed output/"
        else:
            assert (root / "output" / "zh" / "index.html").is_file()
        assert not [p.name for p in root.iterdir() if p.name.startswith(".output.")], "staging left behind"


# ---- strategies -----------------------------------------------------------------------------

FIELDS = ["id", "title", "sector", "park", "investment", "status", "cooperation", "land", "location",
          "coordinates", "summary", "description", "highlights", "images", "contact", "aliases", "signed"]
WORDS = ["alpha", "beta", "west", "wang", "logistics", "new-materials", "seeking", "joint-venture", "zh", "en",
         "zh-Hant", "5亿元", "5000万元", "120亩", "12万平方米", "176.1亿元", "五个亿", "-3亿元", "1e400亿元",
         "images/x.jpg", "../../etc/passwd", "javascript:alert(1)", "<script>alert(1)</script>", "西区园区",
         "", " ", "~", "null", "yes", "2024-13-45", "../x", "has space", "Ａ", "\u200b", "\t"]

scalars = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=20),
    st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(["zh", "en", "zh-Hant", "fr"] + FIELDS), st.text(max_size=8)),
                    inner, max_size=4)), max_leaves=12)
field_names = st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=12))


def project(optional):
    return st.fixed_dictionaries({
        "id": st.one_of(st.sampled_from(["alpha", "gamma", "delta", "beta"]), scalars),
        "title": st.one_of(st.just("项目"), values),
        "sector": st.one_of(st.sampled_from(["logistics", "new-materials", "nope"]), values),
        "investment": st.one_of(st.sampled_from(["5亿元", "1亿美元", "3000万元"]), values),
    }, optional=optional)


catalogues = st.fixed_dictionaries({
    "catalogue": st.one_of(st.just({"title": "目录"}), values),
    "projects": st.one_of(st.lists(project({name: values for name in FIELDS[5:]}), max_size=4), values),
}, optional={"extra": values})

YAML_ALPHABET = st.sampled_from(list(":-[]{}&*!|>'\"#%@`,?<=\\ \t\n") + ["\n  ", "\n- ", "---\n", "id: ", "title: ",
                                                                          "projects:\n", "亿元", "西区", "a", "1"])
yamlish = st.lists(YAML_ALPHABET, max_size=60).map("".join)

MARKDOWN_ALPHABET = st.sampled_from(["[", "]", "(", ")", "<", ">", "!", "*", "_", "`", "#", "\n", " ", "&#x61;", "&",
                                     "javascript:", "data:", "http://a.cn", "<a href=\"", "\">", "<script>",
                                     "<img src=x onerror=", "---", "|", "-", "1.", "文字", "a"])
markdown = st.lists(MARKDOWN_ALPHABET, max_size=60).map("".join)


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# ---- properties ------------------------------------------------------------------------------

@FUZZ
@given(catalogue=catalogues, name=st.sampled_from(["content/projects/2024.yaml", "content/projects/2025.yaml"]))
def test_generated_catalogues(template, catalogue, name):
    build_with(template, {name: dump(catalogue).encode("utf-8")})


@FUZZ
@given(data=st.dictionaries(field_names, values, max_size=6),
       name=st.sampled_from(["content/site.yaml", "content/data/staff.yaml", "content/data/sectors.yaml",
                             "content/brochures/fuzz.yaml"]),
       as_list=st.booleans())
def test_generated_settings_staff_sectors_and_brochures(template, data, name, as_list):
    """Valid YAML of the wrong shape: any fields, values and types where a site, list or brochure goes."""
    if name == "content/site.yaml" and not as_list:
        base = yaml.safe_load(textwrap.dedent(MINIMAL["content/site.yaml"]))
        data = {**base, **data}
    build_with(template, {name: dump([data] if as_list else data).encode("utf-8")})


@FUZZ
@given(text=yamlish, name=st.sampled_from(CONTENT_FILES))
def test_yaml_like_text(template, text, name):
    if name.endswith(".md"):
        text = f"---\n{text}\n---\n正文\n"
    build_with(template, {name: text.encode("utf-8")})


@FUZZ
@given(data=st.binary(max_size=200), name=st.sampled_from(CONTENT_FILES), bom=st.booleans())
def test_random_bytes(template, data, name, bom):
    build_with(template, {name: (b"\xef\xbb\xbf" if bom else b"") + data})


@FUZZ
@given(front=st.dictionaries(field_names, values, max_size=5), body=markdown,
       name=st.sampled_from(["content/parks/west.md", "content/parks/west.en.md", "content/pages/fuzz.md",
                             "content/parks/fuzz.md"]),
       raw_html=st.booleans())
def test_markdown_with_front_matter(template, front, body, name, raw_html):
    files = {name: f"---\n{dump(front) if front else ''}---\n{body}\n".encode("utf-8")}
    if raw_html:
        site = textwrap.dedent(MINIMAL["content/site.yaml"]).lstrip("\n") + "markdown_html: true\n"
        files["content/site.yaml"] = site.encode("utf-8")
    build_with(template, files)


slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,6})?", fullmatch=True)
texts = st.one_of(st.text(max_size=40), st.sampled_from(WORDS))
amounts = st.builds(lambda n, unit: f"{n}{unit}", st.decimals(min_value=0, max_value=10**6, places=2),
                    st.sampled_from(["亿元", "万元", "亿美元", "元"]))
areas = st.builds(lambda n, unit: f"{n}{unit}", st.decimals(min_value=0, max_value=10**5, places=1),
                  st.sampled_from(["亩", "平方米", "万平方米", "平方公里", "公顷"]))
valid_projects = st.lists(st.fixed_dictionaries({
    "id": slugs,
    "title": st.one_of(texts, st.fixed_dictionaries({"zh": texts}, optional={"en": texts, "zh-Hant": texts})),
    "sector": st.sampled_from(["logistics", "new-materials"]),
    "investment": amounts,
}, optional={
    "park": st.just("west"),
    "status": st.sampled_from(["seeking", "negotiating", "signed", "under-construction", "operating"]),
    "cooperation": st.lists(st.sampled_from(["sole-proprietorship", "joint-venture", "cooperation", "ppp",
                                             "lease"]), max_size=3, unique=True),
    "land": areas,
    "location": texts,
    "coordinates": st.tuples(st.floats(74, 135), st.floats(4, 53)).map(list),
    "summary": texts,
    "description": st.one_of(markdown, texts),
    "highlights": st.lists(texts, max_size=3),
    "aliases": st.lists(slugs, max_size=2, unique=True),
    "contact": st.just("wang"),
}), min_size=1, max_size=6, unique_by=lambda p: p["id"])


@FUZZ_RENDERED
@given(projects=valid_projects)
def test_well_formed_catalogues_with_any_text(template, projects):
    """Catalogues that pass the schema reach the renderer: any text, Markdown and figures in them."""
    catalogue = {"catalogue": {"title": "目录"}, "projects": projects}
    build_with(template, {"content/projects/2024.yaml": dump(catalogue).encode("utf-8")})
