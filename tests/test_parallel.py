"""Rendering on every core (generator/parallel.py): the workers share the routes out as they go,
each page is rendered exactly once, and the output is the output of one process."""

from __future__ import annotations

import multiprocessing
import time

from conftest import REPO, run_yunzhao, tree_digest, write_site
from generator import parallel
from generator.routes import Route
from test_trust import big_catalogue

_claims: parallel.Claims | None = None     # set before forking the test's workers


def _take_all(worker: int) -> list[int]:
    taken = []
    while found := _claims.take(worker):
        taken.extend(found)
        time.sleep(0.001)       # (as if rendering: the processes claim at the same time)
    return taken


def test_workers_claim_every_route_once():
    global _claims
    _claims = parallel.Claims(2000, 3)
    # (A pool process may run two shares one after the other; the second then finds nothing
    # left, or takes what the others have not, as in a build.)
    with multiprocessing.get_context("fork").Pool(3) as pool:
        shares = pool.map(_take_all, range(3))
    assert sorted(n for share in shares for n in share) == list(range(2000))


def test_a_worker_that_finishes_takes_from_the_end_of_the_longest_stretch():
    claims = parallel.Claims(100, 2)       # stretches [0, 50) and [50, 100)
    taken = []
    while found := claims.take(0):
        taken.append((found.start, found.stop))
    assert taken == [(0, 32), (32, 50), (68, 100), (50, 68)]
    assert not claims.take(1)


def test_workers_take_each_language_together_and_its_list_pages_first():
    routes = [Route(kind, lang, str(n), f"{lang}/{kind}{n}/")
              for lang in ("zh", "en") for n, kind in enumerate(("home", "project", "catalogue", "project", "park"))]
    routes.append(Route("sitemap", None, "", "sitemap.xml"))
    order = parallel.work_order(routes)
    assert [(r.lang, r.kind) for r in order] == [
        ("zh", "home"), ("zh", "catalogue"), ("zh", "park"), ("zh", "project"), ("zh", "project"),
        ("en", "home"), ("en", "catalogue"), ("en", "park"), ("en", "project"), ("en", "project"),
        (None, "sitemap")]


def test_a_site_rendered_by_several_workers_is_the_site_rendered_by_one(tmp_path):
    # 300 projects in three languages: well over parallel.PARALLEL_FROM pages.
    files = {"content/projects/2024.yaml": big_catalogue(300)}
    together, alone = write_site(tmp_path / "together", files), write_site(tmp_path / "alone", files)
    result = run_yunzhao("build", "--site", str(together), cwd=REPO, env={"YUNZHAO_WORKERS": "3"})
    assert result.returncode == 0, result.stderr
    result = run_yunzhao("build", "--site", str(alone), cwd=REPO, env={"YUNZHAO_WORKERS": "1"})
    assert result.returncode == 0, result.stderr
    pages = tree_digest(together / "output")
    assert sum(1 for path in pages if path.endswith(".html")) > parallel.PARALLEL_FROM
    assert pages == tree_digest(alone / "output")
