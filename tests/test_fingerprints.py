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
    before = deps.fingerprint(own)
    project.park.title["zh"] += "（新）"       # the park's own value changes, not the project's
    assert deps.fingerprint(deps._own_fields(project)) == before
    project.title["zh"] += "（新）"
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
