"""Value fingerprints (deps.key_values): what incremental builds compare to decide what to render
again. A value must change whenever what it stands for changes, and only then: not with the hash
seed, not with whether content came from the cache or was read afresh."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest

from conftest import DEMO, REPO
from generator import deps, model as m
from generator.units import Area, Money

KEY_VALUES = """
import json, sys
from pathlib import Path
from generator import brochure_files, build, deps
from generator.errors import Problems
root, problems = Path(sys.argv[1]), Problems()
site, renderer, plan = build.prepare(root, problems)
brochure_files.make(site, renderer, plan, problems, draw=False)
print(json.dumps(deps.key_values(site, renderer.images, build._brochure_files(renderer))))
"""


def key_values(root, seed: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run([sys.executable, "-c", KEY_VALUES, str(root)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def demo_model(tmp_path_factory):
    from generator.build import prepare
    from generator.errors import Problems
    root = tmp_path_factory.mktemp("fingerprints")
    shutil.copytree(DEMO, root / "content")
    return root, prepare(root, Problems())[0]


def test_values_are_the_same_whatever_the_hash_seed_and_the_caches(demo_model):
    root, _ = demo_model
    shutil.rmtree(root / ".yunzhao-cache", ignore_errors=True)
    fresh = key_values(root, "1")        # content parsed and checked afresh
    cached = key_values(root, "2")       # the same content from the parse and check caches
    assert fresh == cached
    assert len(fresh) > 50 and all(len(v) == 24 for v in fresh.values())


def test_own_fields_skip_only_fields_that_are_plain_already(demo_model):
    # Fields whose annotation says they hold text or numbers are taken as they are; if the model
    # ever put an item or an amount there, it would count by more than its id — or fail.
    _, site = demo_model
    for items in (site.projects, site.parks, site.sectors, site.staff, site.pages, site.brochures,
                  site.catalogues):
        for item in items:
            names = deps._own_shape(type(item))[0]
            assert deps._own_fields(item) == [deps._plain(getattr(item, name)) for name in names], item.id


def test_items_count_by_their_own_fields_and_others_by_id(demo_model):
    _, site = demo_model
    project = next(p for p in site.projects if p.park is not None)
    own = deps._own_fields(project)
    assert project.park.id in own and project.sector.id in own and project.catalogue.id in own
    assert project.source not in own
    assert project.written == deps.written_digest(project)      # its written fields, digested when checked
    before = deps.fingerprint(own)
    project.park.title["zh"] += "（新）"       # the park's own value changes, not the project's
    assert deps.fingerprint(deps._own_fields(project)) == before
    assert deps.written_digest(project) == project.written
    # (The model is not changed after checking: an edit is checked again, see below.)
    project.title["zh"] += "（新）"
    assert deps.written_digest(project) != project.written
    project.written = ""                       # a project made without its digest gets it made
    assert deps.fingerprint(deps._own_fields(project)) != before


def test_fingerprints_tell_values_apart_exactly():
    different = [1, 1.0, True, "1", b"1", None, [1], (1,), {"1": 1}, ["1", "2"], ["12"],
                 {"zh": "甲", "en": "A"}, {"en": "A", "zh": "甲"}, -0.0, 0.0,
                 deps._plain(Money(Decimal("500000000"), "CNY")), deps._plain(Money(Decimal("500000000"), "USD")),
                 deps._plain(Area(Decimal("666.67"), "mu")), deps._plain(Area(Decimal("666.67"), "m2")),
                 deps._plain(dt.date(2024, 3, 31)), deps._plain(dt.date(2024, 4, 1)),
                 m.Source("a.yaml", 1), m.Source("a.yaml", 2)]      # not marshal's: by repr
    prints = [deps.fingerprint(v) for v in different]
    assert len(set(prints)) == len(different)
    # Equal values, whether or not they are the same objects.
    text = "".join(["园区", "简介"])
    assert deps.fingerprint([text, text]) == deps.fingerprint(["园区简介", "".join(["园区", "简介"])])
    assert deps.fingerprint(m.LText(zh="甲")) == deps.fingerprint(m.LText(zh="甲"))
    assert deps._plain(m.LText(zh="甲")) == {"zh": "甲"} and type(deps._plain(m.LText(zh="甲"))) is dict


# ---- a project's value, from the digest of its fields as written ----------------------------

PROJECT = """\
catalogue:
  title: {zh: 2024年项目, en: 2024 Projects}
projects:
  - id: alpha
    title: {zh: 阿尔法项目, en: Alpha Project, zh-Hant: 阿爾法項目}
    sector: new-materials
    park: west
    contact: wang
    investment: 176.1亿元
    status: seeking
    cooperation: [joint-venture]
    land: 120亩
    location: {zh: 西区, en: West}
    coordinates: [106.47, 29.50]
    summary: {zh: 一个新材料项目。, en: A new-materials project.}
    description: {zh: "## 概况\\n\\n新材料。", en: "## Overview\\n\\nNew materials."}
    highlights: {zh: [交通便利, 配套完善], en: [Good transport]}
    images: [images/a.jpg, images/b.jpg]
    aliases: [alpha-old]
    signed: 2024-03-01
  - id: beta
    title: 贝塔项目
    sector: logistics
    investment: 5000万元
"""

# Each kind of field a page shows, edited (one of its languages where it has them).
FIELD_EDITS = {
    "id": ("- id: alpha", "- id: alpha-2"),
    "title zh": ("zh: 阿尔法项目", "zh: 阿尔法新项目"),
    "title en": ("en: Alpha Project", "en: Alpha Projects"),
    "title zh-Hant": ("zh-Hant: 阿爾法項目", "zh-Hant: 阿爾法新項目"),
    "sector": ("sector: new-materials", "sector: logistics"),
    "park": ("    park: west\n", ""),
    "contact": ("    contact: wang\n", ""),
    "investment": ("176.1亿元", "176.2亿元"),
    "investment currency": ("176.1亿元", "176.1亿美元"),
    "status": ("status: seeking", "status: negotiating"),
    "cooperation": ("[joint-venture]", "[joint-venture, lease]"),
    "land": ("120亩", "121亩"),
    "land unit": ("120亩", "120公顷"),
    "location": ("en: West}", "en: West side}"),
    "coordinates": ("29.50]", "29.51]"),
    "summary": ("A new-materials project.", "A new materials project."),
    "description zh": ("新材料。", "新材料，好。"),
    "description en": ("New materials.", "New materials!"),
    "highlights": ("[交通便利, 配套完善]", "[交通便利]"),
    "highlights order": ("[交通便利, 配套完善]", "[配套完善, 交通便利]"),
    "images": ("[images/a.jpg, images/b.jpg]", "[images/b.jpg, images/a.jpg]"),
    "one image less": ("[images/a.jpg, images/b.jpg]", "[images/a.jpg]"),
    "aliases": ("[alpha-old]", "[alpha-old, alpha-older]"),
    "signed": ("2024-03-01", "2024-03-02"),
    "not signed": ("    signed: 2024-03-01\n", ""),
}


def project_values(root, cache=None, seen=None) -> dict[str, str]:
    """Each project's value (deps.key_values) after checking the site (with `cache`, else the site's)."""
    from types import SimpleNamespace
    from generator.check import Checker
    from generator.content.file_cache import FileCache
    from generator.errors import Problems
    problems = Problems()
    checker = Checker(root, problems, cache if cache is not None else FileCache.for_site(root))
    site = checker.run()
    assert site is not None, [str(p) for p in problems.sorted_errors()]
    if seen is not None:
        seen.append(checker.checked)
    values = deps.key_values(site, SimpleNamespace(images={}), {})
    assert values == {**values, **{k: deps.fingerprint(deps._own_fields(p)) for p in site.projects
                                   for k in [f"project:{p.id}"]}}       # what search_state uses
    return {key[len("project:"):]: value for key, value in values.items() if key.startswith("project:")}


def test_any_edit_of_a_project_changes_its_value_read_afresh_from_the_cache_or_again(site, monkeypatch):
    from generator import check
    from generator.content.file_cache import FileCache
    root = site({"content/projects/2024.yaml": PROJECT, "content/images/a.jpg": b"an image",
                 "content/images/b.jpg": b"another image"})
    path = root / "content/projects/2024.yaml"
    reread = []
    real_reread = check.reread_catalogue_file
    monkeypatch.setattr(check, "reread_catalogue_file",
                        lambda *a: reread.append(a[3]) or real_reread(*a))

    def values_every_way(text: str) -> dict[str, str]:
        """Checked after the previous text (read again project by project), then from the check
        cache, then without any cache: the values must be equal."""
        path.write_text(text, "utf-8")
        reread.clear()
        checked = []
        again = project_values(root, seen=checked)
        assert reread and checked == [[path.relative_to(root).as_posix()]]
        cached = project_values(root, seen=checked)
        assert checked[-1] == []                       # nothing checked: all from the cache
        assert again == cached == project_values(root, FileCache(None))
        return again

    base = project_values(root)
    seen = {base["alpha"]}
    for name, (old, new) in FIELD_EDITS.items():
        assert PROJECT.count(old) == 1, name
        values = values_every_way(PROJECT.replace(old, new))
        edited = "alpha-2" if name == "id" else "alpha"
        assert values[edited] not in seen, name
        seen.add(values[edited])
        assert values["beta"] == base["beta"], name
        assert values_every_way(PROJECT) == base, name
    # Where a project is written shows on no page: moved, its value stays.
    moved = PROJECT.replace("projects:\n", "projects:\n  # a comment\n\n")
    assert values_every_way(moved) == base
    # The items it names count by id: their own fields are their own keys.
    park = root / "content/parks/west.md"
    park.write_text(park.read_text("utf-8").replace("西区园区", "西部园区"), "utf-8")
    assert project_values(root) == base
