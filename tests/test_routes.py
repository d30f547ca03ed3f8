"""Relative links: the fast path of `routes.relative` agrees with posixpath everywhere."""

from __future__ import annotations

import posixpath

from hypothesis import given, settings, strategies as st

from generator.routes import relative


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


def test_typical_links():
    assert relative("zh/projects/", "zh/projects/p1/") == "p1/"
    assert relative("zh/sectors/s/", "zh/projects/p1/") == "../../projects/p1/"
    assert relative("zh/projects/p1/", "zh/projects/p1/") == "./"
    assert relative("zh/projects/p1/", "assets/style.css") == "../../../assets/style.css"
    assert relative("404.html", "zh/") == "zh/"
