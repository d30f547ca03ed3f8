"""Cached fragments (render.Renderer.cached): a page made from fragments shared with other pages
is the page made on its own, and reads the same content.

The page chrome, the project cards and the contact cards are made once and shared by every page
where their links come out the same (routes.link_class); a mistake there would put one page's
links or aria-current into another, or lose a dependency that an incremental build needs.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import DEMO
from generator.build import prepare
from generator.errors import Problems


@pytest.fixture(scope="module")
def demo_renderer(tmp_path_factory):
    root = tmp_path_factory.mktemp("fragments")
    shutil.copytree(DEMO, root / "content")
    site, renderer, plan = prepare(root, Problems())
    return renderer, [r for r in plan.routes if r.kind not in ("sitemap", "robots")]


def test_shared_fragments_give_each_page_what_it_makes_alone(demo_renderer):
    renderer, routes = demo_renderer
    together = {route.file: renderer.render_traced(route) for route in routes}
    # The footer of a page in zh is made once per folder depth, not once per page.
    footers = [k for k in renderer.shared_fragments if k[0] == ("page_foot", "zh") and type(k[1]) is tuple]
    assert len(footers) < len([r for r in routes if r.lang == "zh"]) / 10
    other_bytes, other_keys = [], []
    for route in routes:
        renderer.fragments.clear()
        renderer.shared_targets.clear()
        renderer.shared_fragments.clear()
        data, keys = renderer.render_traced(route)
        if data != together[route.file][0]:
            other_bytes.append(route.file)
        if set(keys) != set(together[route.file][1]):
            other_keys.append(route.file)
    assert (other_bytes, other_keys) == ([], [])


def test_a_fragment_that_depends_on_the_page_otherwise_is_not_shared(demo_renderer):
    renderer, routes = demo_renderer
    template = renderer.env.from_string(
        "{% macro here() %}{{ route_path|rel }}{% endmacro %}{{ cached(here, keep=False) }}")
    pages = [r for r in routes if r.kind == "project"][:2]
    # The macro breaks the rule (its output depends on the page through a global, not its
    # arguments): its links point at different targets on the two pages, so it is made again.
    first, second = (template.render(route=r, route_path=r.path, t={}) for r in pages)
    assert (first, second) == ("./", "./")
    assert renderer.shared_targets[("here", "zh")] is None


def test_lists_of_projects_make_views_only_when_read(tmp_path):
    # The catalogue page counts every park's projects and takes kept cards by their items' ids:
    # neither makes a view. A card made again makes that project's view only.
    from generator.views import ViewList
    shutil.copytree(DEMO, tmp_path / "content")
    site, renderer, plan = prepare(tmp_path, Problems())
    lv = renderer.views["zh"]
    parks = [park for park in lv.parks if len(park.model.projects) > 1]
    lists = [park.projects for park in parks]
    assert all(type(found) is ViewList for found in lists)
    assert [len(found) for found in lists] == [len(park.model.projects) for park in parks]
    assert all(lists) and lv._projects == {}
    second = lists[0].one(1)
    assert list(lv._projects) == [parks[0].model.projects[1].id]
    assert list(lists[0]) == [lv.project(p) for p in parks[0].model.projects]
    assert list(lists[0])[1] is second and lists[0][1] is second and lists[0][-1] is lists[0].views()[-1]
    # Compared as the list it stands for (a theme may write `park.projects == []`).
    assert lists[0] == list(lists[0]) and lists[0] != [] and lists[0] != lists[1]
    assert ViewList("project", [], lambda models: []) == []
    # A catalogue whose cards are all kept makes no project view; with none kept, it makes every
    # one, and the same page.
    catalogue = next(r for r in plan.routes if r.kind == "catalogue" and r.lang == "zh")
    made, _ = renderer.render_traced(catalogue)
    renderer.fragments = dict(renderer.new_fragments)
    fresh = renderer.views["zh"] = type(lv)(site, "zh", lv.l10n, plan, lv.strings, lv.catalog, lv.shared)
    fresh._projects.clear()
    renderer.shared_fragments.clear()
    again, _ = renderer.render_traced(catalogue)
    assert again == made
    assert fresh._projects == {}
