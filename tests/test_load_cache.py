"""The file cache of parsed and checked content (generator/content/file_cache.py): a build that
takes files from it makes the same model and reports the same mistakes at the same lines as one
that reads every file afresh, and reads again only the files that changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import pickle
import textwrap
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import REPO, run_yunzhao
from generator import model as m
from generator.check import Checker, check_site
from generator.content.file_cache import FOLDER, FileCache
from generator.content.yamlpos import parse
from generator.errors import Problems

ITEMS = (m.Sector, m.Staff, m.Park, m.Catalogue, m.Project, m.Page, m.Brochure)


def _plain(value, top=False):
    """JSON-ready values; an item inside another item is named by kind and id (no cycles)."""
    if isinstance(value, ITEMS) and not top:
        return f"{type(value).__name__}:{value.id}"
    if dataclasses.is_dataclass(value):
        return {"type": type(value).__name__,
                **{f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, dict):
        return {"type": type(value).__name__, "items": [[_plain(k), _plain(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (dt.date, Decimal)):
        return f"{type(value).__name__}:{value}"
    return value


def dump(site: m.Site | None) -> str:
    """Every field of the model, in order, with the file:line of every item."""
    if site is None:
        return "null"
    kinds = ("sectors", "staff", "parks", "catalogues", "projects", "pages", "brochures")
    return json.dumps({f.name: [_plain(x, top=True) for x in getattr(site, f.name)] if f.name in kinds
                       else _plain(getattr(site, f.name)) for f in dataclasses.fields(site)},
                      ensure_ascii=False, sort_keys=True, indent=1)


def check(root: Path, cache: FileCache | None = None):
    """(model dump, problems as printed, files parsed, catalogue files checked) of one run."""
    problems = Problems()
    checker = Checker(root, problems, cache)
    site = checker.run()
    return dump(site), [str(p) for p in problems.sorted_errors()], checker.loader.parsed, checker.checked


def afresh(root: Path):
    """The same run without any cache: the reference."""
    return check(root, FileCache(None))[:2]


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def entries(root: Path) -> list[Path]:
    return sorted((root / FOLDER).glob("*.pickle"))


CATALOGUE_2025 = """
    catalogue:
      title: 2025年项目
    projects:
      - id: gamma
        title: {zh: 伽马项目, en: Gamma Project}
        sector: logistics
        park: west
        investment: 3亿元
        images: [images/a.jpg]
        highlights: {zh: [一, 二], en: [one, two]}
        coordinates: [106.47, 29.50]
        signed: 2025-01-02
      - id: delta
        title: 德尔塔项目
        sector: new-materials
        investment: 8000万元
        aliases: [old-delta]
        cooperation: [joint-venture, lease]
"""

MISTAKES = """
    catalogue:
      title: 有错的目录
    projects:
      - id: epsilon
        title: 错项目
        sector: new-material
        park: east
        investment: 五个亿
        statsu: seeking
        images: [images/missing.jpg]
      - id: alpha
        title: 重复的编号
        sector: logistics
        investment: 1亿元
      - 这不是一个项目
      - id: zeta
        title: 链接
        sector: logistics
        investment: 1亿元
        aliases: [zeta]
        description: "[点击](javascript:alert(1))"
"""


@pytest.fixture
def big_site(site):
    """The fixture site with three catalogues and an image; `mistakes` adds a fourth with errors."""
    def make(mistakes: bool = False) -> Path:
        root = site({"content/projects/2025.yaml": CATALOGUE_2025,
                     "content/projects/2026.yaml": CATALOGUE_2025.replace("gamma", "gamma-2")
                     .replace("delta", "delta-2")})
        (root / "content/images").mkdir(exist_ok=True)
        (root / "content/images/a.jpg").write_bytes(b"not read while checking")
        if mistakes:
            write(root, "content/projects/2027.yaml", MISTAKES)
        return root
    return make


@pytest.mark.parametrize("mistakes", [False, True], ids=["clean", "with-mistakes"])
def test_a_warm_run_makes_the_same_model_and_messages_and_parses_nothing(big_site, mistakes):
    root = big_site(mistakes)
    reference = afresh(root)
    assert not (root / FOLDER).exists(), "the reference run must not use the cache"
    model, errors, parsed, checked = check(root)       # cold: fills the cache
    assert (model, errors) == reference
    assert "content/projects/2025.yaml" in parsed and "content/parks/west.md" in parsed
    assert "content/projects/2025.yaml" in checked
    model, errors, parsed, checked = check(root)       # warm: everything from the cache
    assert (model, errors) == reference
    assert parsed == [] and checked == []
    if mistakes:
        assert errors, "the site with mistakes must report them"
        assert 'content/projects/2027.yaml:8: investment: cannot read "五个亿"; write e.g. 5亿元 or 5000万元' in errors
        assert any(e.startswith("content/projects/2027.yaml:11: id: the id \"alpha\" is already used") for e in errors)
    else:
        assert errors == [] and '"id": "gamma"' in model


@pytest.mark.parametrize("mistakes", [False, True], ids=["clean", "with-mistakes"])
def test_files_parsed_ahead_on_every_core_give_the_same_model_and_messages(big_site, mistakes, monkeypatch):
    """A large site built without its cache parses its files in worker processes first (here
    forced on a small one); what the build then reads from the cache must be what it would
    have parsed itself, mistakes and their lines included."""
    from generator.content import loader
    root = big_site(mistakes)
    (root / "content/parks/broken.md").write_text("---\ntitle: [unclosed\n---\ntext\n", encoding="utf-8")
    reference = afresh(root)
    monkeypatch.setattr(loader, "PARSE_AHEAD_FROM", 0)
    monkeypatch.setenv("YUNZHAO_WORKERS", "2")
    main_pid, parsed_here = os.getpid(), []

    def only_in_workers(real):
        def parse(text):
            if os.getpid() == main_pid:
                parsed_here.append(text)
            return real(text)
        return parse
    monkeypatch.setattr(loader, "_parse_markdown", only_in_workers(loader._parse_markdown))
    monkeypatch.setattr(loader, "_parse_yaml", only_in_workers(loader._parse_yaml))
    from generator import check as check_module
    checked_here = []
    real_check = check_module.read_catalogue_file

    def check_file(data, ctx, shown, *args, **kwargs):
        if os.getpid() == main_pid:
            checked_here.append(shown)
        return real_check(data, ctx, shown, *args, **kwargs)
    monkeypatch.setattr(check_module, "read_catalogue_file", check_file)
    model, errors, parsed, checked = check(root)
    assert (model, errors) == reference
    assert any("broken.md:2" in e for e in errors), errors
    # The catalogues and profiles were parsed by the workers, once each, and the catalogues
    # checked there too; this process then found them in the cache (it parsed only the small
    # files outside projects/, parks/, pages/, and checked no catalogue).
    assert "content/projects/2025.yaml" in parsed and "content/parks/broken.md" in parsed
    assert sorted(parsed) == sorted(set(parsed))
    assert not any("catalogue:" in text or text.startswith("---") for text in parsed_here), parsed_here
    catalogues = sorted(str(p.relative_to(root)) for p in (root / "content/projects").glob("*.yaml"))
    assert checked_here == [] and checked == catalogues


def test_editing_one_catalogue_parses_and_checks_only_that_file(big_site):
    root = big_site()
    check(root)
    before = {p.name for p in entries(root)}
    path = root / "content/projects/2025.yaml"
    path.write_text(path.read_text("utf-8").replace("伽马项目", "伽马新项目"), "utf-8")
    model, errors, parsed, checked = check(root)
    assert parsed == ["content/projects/2025.yaml"]
    assert checked == ["content/projects/2025.yaml"]
    assert (model, errors) == afresh(root) and "伽马新项目" in model
    # The entries of the old bytes are gone, those of the new bytes are there.
    after = {p.name for p in entries(root)}
    assert len(after) == len(before) and len(before - after) == 1     # its checked reading
    # A file that goes away takes its entries with it.
    os.remove(root / "content/projects/2026.yaml")
    model, errors, parsed, checked = check(root)
    assert parsed == [] and checked == []
    assert (model, errors) == afresh(root)
    assert len(entries(root)) == len(after) - 1


def test_unchanged_file_from_the_cache_reports_its_mistakes_at_their_lines(big_site):
    """A sector removed from sectors.yaml: the catalogues that use it are not read again, yet
    every dangling reference is reported at its file and line."""
    root = big_site()
    assert check(root)[1] == []
    write(root, "content/data/sectors.yaml", """
        - id: logistics
          name: {zh: 物流, en: Logistics}
    """)
    model, errors, parsed, checked = check(root)
    assert parsed == ["content/data/sectors.yaml"] and checked == []
    assert 'content/projects/2024.yaml:7: sector: no sector has the id "new-materials"; known: logistics' in errors
    assert 'content/projects/2025.yaml:15: sector: no sector has the id "new-materials"; known: logistics' in errors
    assert 'content/projects/2026.yaml:15: sector: no sector has the id "new-materials"; known: logistics' in errors
    assert (model, errors) == afresh(root)
    # Through the real command too: the same lines, and no traceback.
    result = run_yunzhao("check", "--site", str(root), cwd=REPO)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert 'content/projects/2025.yaml:15: sector: no sector has the id "new-materials"' in result.stderr


def test_a_kept_catalogue_is_checked_again_when_its_image_or_the_languages_change(big_site):
    root = big_site()
    check(root)
    os.remove(root / "content/images/a.jpg")
    model, errors, parsed, checked = check(root)
    assert parsed == checked == ["content/projects/2025.yaml", "content/projects/2026.yaml"]
    assert 'content/projects/2025.yaml:9: images: "images/a.jpg": no such file in content/images/' in errors
    assert (model, errors) == afresh(root)
    (root / "content/images/a.jpg").write_bytes(b"back")
    model, errors, parsed, checked = check(root)
    assert errors == [] and checked == ["content/projects/2025.yaml", "content/projects/2026.yaml"]
    # The languages decide what a {zh: …, en: …} text means: a site without English refuses it.
    site_yaml = root / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8").replace("[zh, en, zh-Hant]", "[zh, zh-Hant]"), "utf-8")
    model, errors, parsed, checked = check(root)
    assert len(checked) == 3 and parsed == ["content/site.yaml", *checked]
    assert any(e.startswith("content/projects/2025.yaml:5: title: \"en\" is not one of this site's languages")
               for e in errors), errors
    assert (model, errors) == afresh(root)


class _Planted:
    """Unpickling this would write a file: a cache entry must never be able to run code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "code ran"))


def test_damaged_or_planted_entries_are_ignored_and_made_again(big_site, tmp_path):
    root = big_site(mistakes=True)
    reference = afresh(root)
    _, _, parsed_cold, checked_cold = check(root)
    marker = tmp_path / "marker"
    def checked(payload: bytes) -> bytes:      # with a right checksum, to reach the unpickler
        return zlib.crc32(payload).to_bytes(4, "big") + payload

    damages = [
        lambda blob, other: b"",                                          # empty
        lambda blob, other: blob[: len(blob) // 2],                       # truncated
        lambda blob, other: blob[:-9] + bytes([blob[-9] ^ 1]) + blob[-8:],  # one bit flipped
        lambda blob, other: checked(b"\x80\x05not a pickle" + blob[4:9]),  # garbage
        lambda blob, other: checked(pickle.dumps(("other", "shape"))),    # another shape
        lambda blob, other: checked(pickle.dumps(_Planted(marker))),      # code
        lambda blob, other: other,                                        # another file's entry
    ]
    files = entries(root)
    originals = [path.read_bytes() for path in files]
    assert len(files) >= len(damages)
    for number, path in enumerate(files):
        path.write_bytes(damages[number % len(damages)](originals[number], originals[number - 1]))
    model, errors, parsed, checked = check(root)
    assert (model, errors) == reference
    assert not marker.exists(), "a cache entry ran code"
    assert (parsed, checked) == (parsed_cold, checked_cold), "every damaged entry is made again"
    # Made again: the next run takes everything from the cache.
    model, errors, parsed, checked = check(root)
    assert (model, errors) == reference and parsed == [] and checked == []


def test_a_site_where_the_cache_cannot_be_written_still_checks(big_site):
    root = big_site()
    (root / ".yunzhao-cache").write_text("a file where the cache folder would be")
    model, errors, parsed, checked = check(root)
    assert (model, errors) == afresh(root) and errors == []
    assert (root / ".yunzhao-cache").is_file()
    assert check(root)[2] == parsed, "nothing could be kept, so everything is parsed again"
    assert check_site(root, Problems()) is not None


def test_an_alias_of_a_mapping_with_a_merge_reads_like_the_mapping():
    data = parse("a: &a {x: 0, y: 2}\nn: &n {<<: *a, x: 1}\nm: *n\n")
    assert data == {"a": {"x": 0, "y": 2}, "n": {"x": 1, "y": 2}, "m": {"x": 1, "y": 2}}
    assert data["m"].key_lines == data["n"].key_lines == {"x": 2, "y": 1}
