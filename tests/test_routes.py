"""Relative links: the fast path of `routes.relative` agrees with posixpath everywhere, and pages
that `routes.link_class` puts together get the same links."""

from __future__ import annotations

import posixpath

from hypothesis import given, settings, strategies as st

from generator.routes import link_class, plain, relative


def reference(from_path: str, to_path: str) -> str:
    """The definition: posixpath.relpath from the page's folder, keeping a trailing slash."""
    base = from_path if from_path.endswith("/") or not from_path else posixpath.dirname(from_path) + "/"
    if not base:
        return to_path or "./"
    rel = posixpath.relpath(to_path or ".", base.rstrip("/") or ".")
    if rel == ".":
        return "./"
    return rel + "/" if to_path.endswith("/") and not rel.endswith("/") else rel


SEGMENTS = st.sampled_from(["zh", "en", "zh-hant", "projects", "parks", "p1", "p2", "a", "index.html",
                            "search", "x.json", ".", "..", "", "assets", "style.1a.css"])
PATHS = st.lists(SEGMENTS, max_size=5).map("/".join) | st.lists(SEGMENTS, max_size=5).map(lambda p: "/".join(p) + "/")


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(PATHS, PATHS)
def test_relative_agrees_with_posixpath(from_path, to_path):
    assert relative(from_path, to_path) == reference(from_path, to_path)


def test_plain_paths():
    assert plain("zh/projects/p1/") and plain("assets/style.1a.css") and plain("404.html")
    assert not any(map(plain, ["", "/zh/", "./zh/", "zh/../en/", "zh//p1/", "zh/.well-known/"]))


def test_typical_links():
    assert relative("zh/projects/", "zh/projects/p1/") == "p1/"
    assert relative("zh/sectors/s/", "zh/projects/p1/") == "../../projects/p1/"
    assert relative("zh/projects/p1/", "zh/projects/p1/") == "./"
    assert relative("zh/projects/p1/", "assets/style.css") == "../../../assets/style.css"
    assert relative("404.html", "zh/") == "zh/"


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(PATHS, PATHS, st.lists(PATHS, min_size=1, max_size=4))
def test_pages_of_one_link_class_get_the_same_links(page, other, targets):
    """Cached fragments (render.Renderer.cached) are shared by the pages of one class."""
    if not all(map(plain, targets)):
        return
    same = link_class(page, targets)
    if same is not None and same == link_class(other, targets):
        assert [relative(page, t) for t in targets] == [relative(other, t) for t in targets]


def test_link_classes_of_a_site():
    chrome = ["zh/", "zh/projects/", "zh/parks/", "zh/search/", "assets/site.1a.js"]
    # Every project page of a language shares one class; the catalogue itself is on a link's way.
    assert link_class("zh/projects/p1/", chrome) == link_class("zh/projects/p2/", chrome) == "zh/projects/"
    assert link_class("zh/projects/", chrome) is None
    assert link_class("en/projects/p1/", chrome) == "en/projects/"
    # A card links to its own project: the page of that project is not in the class.
    card = ["zh/projects/p1/"]
    assert link_class("zh/projects/p1/", card) is None
    assert link_class("zh/projects/p2/", card) == "zh/projects/"
    assert link_class("", card) is None and link_class("404.html", card) is None
