"""The no-change fast path: kept only when inputs and output are exactly as the last build left them."""

from __future__ import annotations

from conftest import REPO, run_yunzhao, tree_digest


def build(root):
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_build_with_no_change_keeps_output_and_any_change_rebuilds(site):
    root = site()
    assert "built" in build(root)
    first = tree_digest(root / "output")

    assert "nothing changed since the last build" in build(root)
    assert tree_digest(root / "output") == first

    # An edit to content rebuilds, and the edit shows.
    catalogue = root / "content/projects/2024.yaml"
    catalogue.write_text(catalogue.read_text("utf-8").replace("阿尔法项目", "阿尔法二期项目"), "utf-8")
    assert "built" in build(root)
    assert "阿尔法二期项目" in (root / "output/zh/projects/alpha/index.html").read_text("utf-8")
    # The record of output/ that an incremental build brings up to date (cache.restat) is the
    # listing a fresh look at output/ gives.
    assert "nothing changed since the last build" in build(root)

    # Output touched by hand (a file deleted) is rebuilt whole, never trusted.
    (root / "output/zh/projects/alpha/index.html").unlink()
    assert "built" in build(root)
    assert (root / "output/zh/projects/alpha/index.html").is_file()


def test_options_are_part_of_what_must_not_change(site):
    root = site()
    build(root)
    strict = run_yunzhao("build", "--site", str(root), "--strict", cwd=REPO)
    # beta has no English title: a strict build must really run, and fail, not reuse the last one
    assert strict.returncode == 1 and "missing en translation" in strict.stderr
