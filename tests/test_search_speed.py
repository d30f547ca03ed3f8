"""The search index's term cache and parallel cutting: faster builds, never different bytes.

A small three-language site is indexed without a cache, with a cold cache and with a warm one,
before and after one project is edited. Every index must be byte for byte the one built
without any cache, and a warm build must cut exactly the texts that are new.
"""

from __future__ import annotations

import pickle

import pytest

from conftest import REPO, run_yunzhao, write_site
from generator import search
from generator.build import prepare
from generator.errors import Problems

DESCRIPTION = "西区园区的新材料基地，年产铝型材十万吨，配套完善。"
PROJECTS = {
    "content/projects/2025.yaml": """
        catalogue:
          title: {zh: 2025年项目, en: 2025 Projects}
        projects:
    """ + "".join(f"""
          - id: gamma-{n}
            title: {{zh: 伽马{n}号铝型材项目, en: Gamma {n} Aluminium Profiles Project}}
            sector: new-materials
            park: west
            investment: {n + 1}亿元
            status: seeking
            summary: {{zh: 第{n}个新材料项目。, en: New-materials project number {n}.}}
            description:
              zh: "{DESCRIPTION}第{n}期。"
              en: "Aluminium profiles for the automotive industry, phase {n}."
    """ for n in range(6)),
}


def indexes(root, cache_dir=None) -> dict[str, bytes]:
    """Every file of every language's index: path → bytes."""
    site, renderer, _ = prepare(root, Problems())
    built = search.build_indexes(site, renderer.views, cache_dir)
    return {path: data for index in built.values() for path, data in index.files.items()}


def texts_of(root) -> set[str]:
    site, renderer, _ = prepare(root, Problems())
    return {text for lang in site.languages for doc in search.collect_docs(renderer.views[lang])
            for _, text in doc.fields}


@pytest.fixture
def cut(monkeypatch):
    """The texts the segmenter cuts (in this process: one worker, as on any small site)."""
    monkeypatch.setenv("YUNZHAO_WORKERS", "1")
    texts = []
    original = search.Segmenter._terms

    def counting(self, text):
        texts.append(text)
        return original(self, text)
    monkeypatch.setattr(search.Segmenter, "_terms", counting)
    return texts


def edit(root, old: str, new: str) -> None:
    path = root / "content/projects/2025.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def stored_keys(cache_dir) -> set[bytes]:
    with open(cache_dir / search.TERMS_CACHE, "rb") as f:
        return set(pickle.load(f)[2])


def test_a_warm_build_cuts_only_the_edited_project_and_gives_the_same_bytes(tmp_path, cut):
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    plain = indexes(root)
    assert any("/t/" in path for path in plain)

    cut.clear()
    assert indexes(root, cache_dir) == plain                      # cold: cuts everything
    assert set(cut) == texts_of(root) and (cache_dir / search.TERMS_CACHE).is_file()
    cut.clear()
    assert indexes(root, cache_dir) == plain                      # warm: cuts nothing
    assert cut == []

    before = texts_of(root)
    edit(root, "第3期。", "第3期，新增再生铝生产线。")
    after = texts_of(root)
    cut.clear()
    warm = indexes(root, cache_dir)
    # Only the new texts were cut: project 3's description in zh and in the zh-Hant derived from it.
    assert sorted(cut) == sorted(after - before) and len(cut) == 2
    assert all("再生铝" in text or "再生鋁" in text for text in cut)
    assert warm == indexes(root) != plain
    # The texts of the edit's old version are dropped from the file: it keeps this build's only.
    assert stored_keys(cache_dir) == {search._text_key(text) for text in after}


def test_the_cache_file_is_rewritten_only_when_its_texts_change(tmp_path):
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    indexes(root, cache_dir)
    file = cache_dir / search.TERMS_CACHE
    first = file.stat()
    indexes(root, cache_dir)
    assert (file.stat().st_ino, file.stat().st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    edit(root, "phase 2.", "phase 2, with a second line.")
    indexes(root, cache_dir)
    assert file.stat().st_ino != first.st_ino                     # replaced whole (tmp + rename)
    assert [p.name for p in cache_dir.iterdir()] == [search.TERMS_CACHE]


@pytest.mark.parametrize("damage", [b"", b"not a pickle", "truncated", "wrong shape"])
def test_a_damaged_cache_is_ignored_and_replaced(tmp_path, cut, damage):
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    plain = indexes(root, cache_dir)
    file = cache_dir / search.TERMS_CACHE
    good = file.read_bytes()
    if damage == "truncated":
        damage = good[: len(good) // 2]
    elif damage == "wrong shape":
        damage = pickle.dumps((search.TERMS_FORMAT, "another configuration", []))
    file.write_bytes(damage)
    cut.clear()
    assert indexes(root, cache_dir) == plain
    assert set(cut) == texts_of(root)                             # cold again, not an error
    assert file.read_bytes() == good


def test_terms_cut_under_other_site_words_are_not_reused(tmp_path, cut):
    """jieba learns the sector and park names: renaming one can change how any text is cut."""
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    indexes(root, cache_dir)
    sectors = root / "content/data/sectors.yaml"
    sectors.write_text(sectors.read_text("utf-8").replace("zh: 物流", "zh: 现代物流"), "utf-8")
    plain = indexes(root)
    cut.clear()
    assert indexes(root, cache_dir) == plain
    assert set(cut) == texts_of(root)


def test_cutting_on_several_cores_gives_what_one_core_gives(tmp_path, monkeypatch):
    root = write_site(tmp_path / "site", PROJECTS)
    site, _, _ = prepare(root, Problems())
    texts = sorted(texts_of(root))
    serial = search.cut_texts(search.Segmenter(search.site_words(site)), texts, workers=1)
    monkeypatch.setattr(search, "PARALLEL_FROM", 100)
    contexts = []
    get_context = search.multiprocessing.get_context
    monkeypatch.setattr(search.multiprocessing, "get_context", lambda method: contexts.append(method) or
                        get_context(method))
    parallel = search.cut_texts(search.Segmenter(search.site_words(site)), texts, workers=3)
    assert contexts == ["fork"]                                   # it did fork
    assert parallel == serial and len(serial) == len(texts) > 20
    assert any(terms for terms in serial)


def test_the_configuration_names_the_code_and_the_site_words(monkeypatch):
    config = search.Segmenter(["西区"]).config
    assert search.Segmenter(["西区"]).config == config != search.Segmenter(["东区"]).config
    monkeypatch.setattr(search, "_code_version", lambda: "another version of the rules")
    assert search.Segmenter(["西区"]).config != config


def test_the_build_keeps_the_terms_beside_content(tmp_path):
    root = write_site(tmp_path / "site", PROJECTS)
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stderr + result.stdout
    assert stored_keys(root / ".yunzhao-cache") == {search._text_key(text) for text in texts_of(root)}
    assert not list((root / "output").rglob(search.TERMS_CACHE))
