"""Incremental builds: after an edit, only the pages that show what changed are rendered and
only files whose bytes changed are written, and output/ is byte-identical to a clean build."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO, REPO, run_yunzhao, tree_digest

# Caches that depend only on their inputs (image renditions, drawn posters) may be shared by a
# clean build; what makes a build incremental is the record of the last build.
RECORDS = ("build-state.pickle", "last-build.json")


def build(root: Path, *args, env=None) -> subprocess.CompletedProcess:
    result = run_yunzhao("build", "--site", str(root), *args, cwd=REPO, env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    return result


def site_digest(out: Path) -> dict[str, str]:
    """tree_digest, but of the link manifest only the addresses served: its record of links
    lost in earlier builds is history a build from nothing cannot have (test_trust checks it)."""
    digests = tree_digest(out)
    manifest = json.loads((out / ".yunzhao-manifest.json").read_text("utf-8"))
    digests[".yunzhao-manifest.json"] = repr(manifest["urls"])
    return digests


def clean_build(root: Path, scratch: Path) -> dict[str, str]:
    """What a build from nothing gives for the same content (reusing only input-keyed caches)."""
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(root / "content", scratch / "content")
    if (root / ".yunzhao-cache").is_dir():
        shutil.copytree(root / ".yunzhao-cache", scratch / ".yunzhao-cache",
                        ignore=lambda folder, names: [n for n in names if n in RECORDS])
    result = build(scratch)
    assert "incremental" not in result.stdout
    return site_digest(scratch / "output")


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: a file written again gets new ones."""
    out = {}
    for base, _, files in os.walk(folder):
        for name in files:
            info = os.stat(os.path.join(base, name))
            out[os.path.relpath(os.path.join(base, name), folder)] = (info.st_ino, info.st_mtime_ns)
    return out


def touched(before: dict, after: dict) -> set[str]:
    return {f for f in set(before) | set(after) if before.get(f) != after.get(f)}


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / "content" / rel
    text = path.read_text("utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture(scope="module")
def built_demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("incremental") / "site"
    shutil.copytree(DEMO, root / "content")
    build(root)
    return root


@pytest.fixture
def demo(built_demo, tmp_path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(built_demo, root, symlinks=True)
    return root


def test_one_edit_renders_its_pages_and_writes_only_what_changed(demo, tmp_path):
    # A sentence of one project's Chinese description: shown on its page in Chinese and in
    # Traditional Chinese (converted), and found by search; English has its own text.
    edit(demo, "projects/2024.yaml", "园区按企业工艺要求建设定制厂房", "园区按企业工艺要求建设定制化厂房")
    before = stamps(demo / "output")
    result = build(demo)
    assert "incremental:" in result.stdout, result.stdout
    written = touched(before, stamps(demo / "output"))
    pages = {f for f in written if f.endswith(".html")}
    assert pages == {"zh/projects/xipeng-new-materials-plant/index.html",
                     "zh-hant/projects/xipeng-new-materials-plant/index.html",
                     "zh/search/index.html", "zh-hant/search/index.html"}, sorted(written)
    others = written - pages
    # Of the search indexes of both languages, only the files whose content changed (each is
    # named by its content): the new meta file of each, and a few shards and chunks.
    assert others and all(f.startswith(("zh/search/", "zh-hant/search/")) for f in others), sorted(others)
    index_files = [f for f in stamps(demo / "output") if f.startswith(("zh/search/", "zh-hant/search/"))
                   and not f.endswith(".html")]
    assert {f.split("/")[0] for f in others if "/meta." in f} == {"zh", "zh-hant"}, sorted(others)
    assert len(others) < len(index_files) / 2, (len(others), len(index_files))
    assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean")


def test_only_search_files_output_lacks_cross_from_the_search_process():
    # The process that patches the search index sends back the bytes of the files output/ does
    # not hold yet; a file it holds byte for byte goes as its digest, which the build then finds
    # unchanged. A file at a known path with other bytes must still be sent.
    from generator.build import Published, _file_digest, _put, _unpublished
    from generator.parallel import digest
    from generator.search import SearchIndex
    files = {"zh/search/t/a.json": b"kept", "zh/search/t/b.json": b"new", "zh/search/meta.c.json": b"changed"}
    published = {"zh/search/t/a.json": digest(b"kept"), "zh/search/meta.c.json": digest(b"before")}
    index = SearchIndex("zh", "zh/search/", dict(files), "zh/search/meta.c.json")
    sent = _unpublished({"zh": index}, published)["zh"].files
    assert sent == {"zh/search/t/a.json": Published(digest(b"kept")), "zh/search/t/b.json": b"new",
                    "zh/search/meta.c.json": b"changed"}
    assert {path: _file_digest(content) for path, content in sent.items()} == \
        {path: digest(data) for path, data in files.items()}
    with pytest.raises(AssertionError):
        _put(None, "zh/search/t/a.json", sent["zh/search/t/a.json"])


def test_no_change_writes_nothing(demo):
    before = stamps(demo / "output")
    result = build(demo)
    assert "nothing changed" in result.stdout
    assert touched(before, stamps(demo / "output")) == set()


EDITS = [
    ("a project's status", "projects/2024.yaml", "status: under-construction", "status: signed"),
    ("a project moved to another sector", "projects/2024.yaml",
     "sector: new-materials\n    park: xipeng\n    investment: 5亿元",
     "sector: software-it\n    park: xipeng\n    investment: 5亿元"),
    ("a park's title", "parks/xipeng.md", "title: 西彭园区", "title: 西彭新材料园区"),
    ("a staff member's phone", "data/staff.yaml", '"+86 23 0000 0002"', '"+86 23 0000 0009"'),
    ("a sector's English name", "data/sectors.yaml", "en: Modern Services}", "en: Modern Service Industries}"),
    ("a page's text", "pages/policies.md", "政策", "扶持政策"),
    ("the site's tagline", "site.yaml", "tagline:", "tagline:"),     # no change in effect
    ("a project removed", "projects/2025.yaml", "  - id: industrial-design-center", "  - id: industrial-design-hub"),
]


def test_every_kind_of_edit_gives_what_a_clean_build_gives(demo, tmp_path):
    """One edit after another, each built incrementally and compared with a clean build."""
    for label, rel, old, new in EDITS:
        edit(demo, rel, old, new)
        result = build(demo)
        assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean"), label
        assert "incremental:" in result.stdout or "nothing changed" in result.stdout, (label, result.stdout)
    # A project added, with a new id: its pages appear, and the renamed one's old pages are gone.
    catalogue = demo / "content/projects/2025.yaml"
    catalogue.write_text(catalogue.read_text("utf-8") + """
  - id: added-logistics-hub
    title: 新增物流枢纽项目
    sector: logistics
    park: jiulong
    investment: 2亿元
    status: seeking
    cooperation: [cooperation]
    location: 九龙坡区九龙园区
    summary: 新增的物流枢纽项目。
""", "utf-8")
    build(demo)
    assert (demo / "output/en/projects/added-logistics-hub/index.html").is_file()
    assert not (demo / "output/zh/projects/industrial-design-center").exists()
    assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean")


def test_a_theme_change_renders_everything_again(demo, tmp_path):
    (demo / "templates").mkdir()
    shutil.copy(REPO / "themes/default/templates/project.html", demo / "templates/project.html")
    text = (demo / "templates/project.html").read_text("utf-8")
    (demo / "templates/project.html").write_text(text.replace("</article>", "<!-- ours --></article>", 1), "utf-8")
    result = build(demo)
    assert "incremental:" not in result.stdout
    assert "<!-- ours -->" in (demo / "output/en/projects/xipeng-new-materials-plant/index.html").read_text("utf-8")


def test_compiled_templates_are_kept_for_the_user_and_follow_every_edit(demo, tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    compiled = tmp_path / "user-cache/yunzhao/templates"
    (demo / "templates").mkdir()
    page = demo / "templates/project.html"
    original = (REPO / "themes/default/templates/project.html").read_text("utf-8")
    shown = demo / "output/en/projects/xipeng-new-materials-plant/index.html"
    for mark in ("first", "second"):
        page.write_text(original.replace("</article>", f"<!-- {mark} --></article>", 1), "utf-8")
        build(demo, env=env)
        assert f"<!-- {mark} -->" in shown.read_text("utf-8")
    assert len(list(compiled.iterdir())) >= 5, "the templates a build used are kept compiled"
    # Damaged entries are compiled again, never run.
    for entry in compiled.iterdir():
        entry.write_bytes(b"not compiled code")
    page.write_text(original, "utf-8")
    build(demo, env=env)
    assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean")


def test_output_touched_by_hand_means_a_whole_build(demo, tmp_path):
    (demo / "output/en/parks/xipeng/index.html").write_text("edited by hand", "utf-8")
    edit(demo, "projects/2024.yaml", "status: under-construction", "status: signed")
    result = build(demo)
    assert "incremental:" not in result.stdout
    assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean")


@pytest.mark.parametrize("moment", ["journal-committed", "journal-applying"])
def test_killed_while_moving_changes_in_is_finished_by_the_next_build(demo, tmp_path, moment):
    edit(demo, "parks/xipeng.md", "title: 西彭园区", "title: 西彭新材料园区")
    env = {**os.environ, "YUNZHAO_TEST_KILL_AT": moment}
    env.pop("YUNZHAO_DEBUG", None)
    process = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--site", str(demo)],
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert process.returncode == -signal.SIGKILL, process.stderr
    assert [p.name for p in demo.iterdir() if ".journal-" in p.name], "the journal stays for the next build"
    build(demo)
    assert not [p.name for p in demo.iterdir() if p.name.startswith(".output.")]
    assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean")


def test_a_content_error_leaves_output_and_the_record_as_they_were(demo, tmp_path):
    before = tree_digest(demo / "output")
    edit(demo, "projects/2024.yaml", "investment: 5亿元", "investment: 五个亿")
    result = run_yunzhao("build", "--site", str(demo), cwd=REPO)
    assert result.returncode == 1 and "五个亿" in result.stderr
    assert tree_digest(demo / "output") == before
    edit(demo, "projects/2024.yaml", "investment: 五个亿", "investment: 6亿元")
    result = build(demo)
    assert "incremental:" in result.stdout
    assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean")


class _Planted:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_planted_record_is_refused_without_running_it(demo):
    import pickle
    marker = demo / "planted-code-ran"
    for name in RECORDS[:1] + ("build-pages.pickle", "fragments/00.pickle"):
        (demo / ".yunzhao-cache" / name).write_bytes(pickle.dumps(_Planted(marker)))
    edit(demo, "projects/2024.yaml", "status: under-construction", "status: signed")
    result = build(demo)
    assert "every page rendered: the record of the last build is unreadable" in result.stdout
    assert not marker.exists()
