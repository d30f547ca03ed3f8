"""The search index's shortcuts: faster builds, never different bytes.

Cutting: the quick paths of `Segmenter.cut` (NFKC skipped where it changes nothing, each run of
Chinese cut once, jieba's dictionary read a character at a time) must give what the plain rules
give, on texts chosen to trip them. The term cache and parallel cutting: a small three-language
site is indexed without a cache, with a cold cache and with a warm one, before and after one
project is edited. Every index must be byte for byte the one built without any cache, and a
warm build must cut exactly the texts that are new.
"""

from __future__ import annotations

import os
import pickle
import shutil
import unicodedata
from collections import Counter

import pytest

from conftest import DEMO, REPO, run_yunzhao, write_site
from generator import search, search_state
from generator import search_text as st
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
            sector: {"new-materials" if n % 3 else "logistics"}
            park: west
            investment: {n + 1}亿元
            status: seeking
            cooperation: [joint-venture]
            summary: {{zh: 第{n}个新材料项目。, en: New-materials project number {n}.}}
            description:
              zh: "{DESCRIPTION}第{n}期。"
              en: "Aluminium profiles for the automotive industry, phase {n}."
            highlights:
              zh: [配套完善, 第{n}期]
    """ for n in range(6)),
    "content/pages/about.md": """
        ---
        title: {zh: 关于我们, en: About us}
        ---
        招商局负责全区的招商引资工作。
    """,
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
    original = st.Segmenter._cut

    def counting(self, text):
        texts.append(text)
        return original(self, text)
    monkeypatch.setattr(st.Segmenter, "_cut", counting)
    return texts


@pytest.fixture
def made(monkeypatch):
    """The documents made, as (kind, id, language)."""
    docs = []
    for kind, make in list(search.MAKE_DOC.items()):
        def counting(lv, item, *args, make=make, kind=kind):
            docs.append((kind, item.id, lv.lang))
            return make(lv, item, *args)
        monkeypatch.setitem(search.MAKE_DOC, kind, counting)
    return docs


def edit(root, old: str, new: str, rel: str = "content/projects/2025.yaml") -> None:
    path = root / rel
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def stored_keys(cache_dir) -> set[bytes]:
    keys = set()
    for part in (cache_dir / st.TERMS_CACHE).iterdir():
        with open(part, "rb") as f:
            keys |= set(pickle.load(f)[2])
    return keys


def stamps(folder) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_a_warm_build_cuts_only_the_edited_project_and_gives_the_same_bytes(tmp_path, cut):
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    plain = indexes(root)
    assert any("/t/" in path for path in plain)

    cut.clear()
    assert indexes(root, cache_dir) == plain                      # cold: cuts everything
    assert set(cut) == texts_of(root) and (cache_dir / st.TERMS_CACHE).is_dir()
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
    # A build that patches keeps the new texts' terms in its record; the next whole build
    # rewrites the term cache with exactly its own texts, and cuts nothing it has seen.
    assert stored_keys(cache_dir) == {st.text_key(text) for text in before}
    edit(root, "gamma-5", "delta-5")                              # a project comes, one goes: whole
    cut.clear()
    whole = indexes(root, cache_dir)
    assert cut == [] and whole == indexes(root)
    assert stored_keys(cache_dir) == {st.text_key(text) for text in after}


def test_the_cache_files_are_rewritten_only_when_their_texts_change(tmp_path):
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    indexes(root, cache_dir)
    folder = cache_dir / st.TERMS_CACHE
    first = stamps(folder)
    assert len(first) == st.TERMS_PARTS
    indexes(root, cache_dir)
    assert stamps(folder) == first
    edit(root, "phase 2.", "phase 2, with a second line.")
    indexes(root, cache_dir)                                      # patched: the terms go in the record
    assert stamps(folder) == first
    new_text = "Aluminium profiles for the automotive industry, phase 2, with a second line."
    edit(root, "gamma-5", "delta-5")                              # a project comes, one goes: whole
    indexes(root, cache_dir)
    # Replaced whole (tmp + rename): the file that now holds the edited text, the one that
    # held the old; no other.
    changed = {name for name, stamp in stamps(folder).items() if stamp != first[name]}
    assert changed == {f"{st._part(st.text_key(text)):x}.pickle" for text in
                       (new_text, "Aluminium profiles for the automotive industry, phase 2.")}
    assert sorted(p.name for p in cache_dir.iterdir()) == sorted([st.TERMS_CACHE, search_state.STATE_FILE])


@pytest.mark.parametrize("damage", [b"", b"not a pickle", "truncated", "wrong shape"])
def test_a_damaged_cache_is_ignored_and_replaced(tmp_path, cut, damage):
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    plain = indexes(root, cache_dir)
    for file in (cache_dir / st.TERMS_CACHE).iterdir():
        good = file.read_bytes()
        if damage == "truncated":
            file.write_bytes(good[: len(good) // 2])
        elif damage == "wrong shape":
            file.write_bytes(pickle.dumps((st.TERMS_FORMAT, "another configuration", [])))
        else:
            file.write_bytes(damage)
    # A patching build needs the terms of the edited project's old texts: not found, so the
    # index is built whole, cut from nothing.
    edit(root, "phase 2.", "phase 2, with a second line.")
    cut.clear()
    assert indexes(root, cache_dir) == indexes(root) != plain
    assert set(cut) == texts_of(root)                             # cold again, not an error
    assert stored_keys(cache_dir) == {st.text_key(text) for text in texts_of(root)}


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


# Patching the last build's index ------------------------------------------------------------

GAMMA = [("project", f"gamma-{n}") for n in range(6)]
LANGS = ("zh", "en", "zh-Hant")

# (what is edited, the file, old, new, the documents made again: None = all, the index built whole)
EDITS = [
    ("a sentence of a description", "projects/2025.yaml", "第3期。", "第3期，新增再生铝生产线。",
     {("project", "gamma-3")}),
    ("a status", "projects/2025.yaml", "status: seeking", "status: signed", {("project", "gamma-0")}),
    ("an English title", "projects/2025.yaml", "Gamma 4 Aluminium", "Gamma 4 Magnesium", {("project", "gamma-4")}),
    ("an investment", "projects/2025.yaml", "investment: 2亿元", "investment: 2.5亿元", {("project", "gamma-1")}),
    ("a highlight added", "projects/2025.yaml", "[配套完善, 第2期]", "[配套完善, 第2期, 铝合金轮毂]",
     {("project", "gamma-2")}),
    ("a form of cooperation", "projects/2025.yaml", "cooperation: [joint-venture]", "cooperation: [ppp]",
     {("project", "gamma-0")}),
    ("a park's title", "parks/west.md", "title: 西区园区", "title: 西区新材料园区",
     None),                                  # a site word (jieba learns park names): whole
    ("a park's English title", "parks/west.en.md", "title: West Park", "title: Western Park",
     None),                                  # shown by most documents here: whole is quicker
    ("a park's text", "parks/west.md", "西区园区位于城市西部。", "西区园区位于城市西部，紧邻长江。", {("park", "west")}),
    ("a page", "pages/about.md", "招商引资工作。", "招商引资和企业服务工作。", {("page", "about")}),
    ("a project moved to another sector", "projects/2025.yaml", "sector: logistics", "sector: new-materials",
     None),                                  # the documents' order changes: whole
    ("a project added", "projects/2025.yaml", "projects:\n", "projects:\n  - {id: omega, title: 欧米茄项目, "
     "sector: logistics, investment: 1亿元, status: seeking}\n", None),
]


@pytest.mark.parametrize("what, rel, old, new, remade", EDITS, ids=[e[0] for e in EDITS])
def test_an_edited_site_gives_the_index_a_build_from_nothing_gives(tmp_path, made, what, rel, old, new, remade):
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    before = indexes(root, cache_dir)
    edit(root, old, new, "content/" + rel)
    made.clear()
    after = indexes(root, cache_dir)
    remade_now = list(made)
    assert after == indexes(root) != before
    if remade is None:
        assert len(remade_now) > 3 * len(GAMMA)                  # whole
    else:
        assert sorted(remade_now) == sorted((kind, id_, lang) for kind, id_ in remade for lang in LANGS)


def test_many_documents_patched_at_once_give_what_a_build_from_nothing_gives(tmp_path, made, monkeypatch):
    monkeypatch.setattr(search, "PATCH_LIMIT", 1)                 # patch however much changed
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    indexes(root, cache_dir)
    edit(root, "title: West Park", "title: Western Park", "content/parks/west.en.md")
    edit(root, "第3期。", "第3期，新增再生铝生产线。")
    made.clear()
    patched = indexes(root, cache_dir)
    assert sorted(made) == sorted([("park", "west", lang) for lang in LANGS] +
                                  [("project", id_, lang) for id_ in ["alpha"] + [f"gamma-{n}" for n in range(6)]
                                   for lang in LANGS])
    assert patched == indexes(root)


def test_patches_in_a_row_and_back_give_what_a_build_from_nothing_gives(tmp_path, made):
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    first = indexes(root, cache_dir)
    steps = [("第3期。", "第3期，新增再生铝生产线。"), ("新增再生铝生产线", "新增铝箔生产线"),
             ("status: seeking", "status: operating"), ("Gamma 1 Aluminium", "Gamma 1 Zinc"),
             ("新增铝箔生产线", "新增再生铝生产线"), ("第3期，新增再生铝生产线。", "第3期。"),
             ("status: operating", "status: seeking"), ("Gamma 1 Zinc", "Gamma 1 Aluminium")]
    for old, new in steps:
        edit(root, old, new)
        made.clear()
        patched = indexes(root, cache_dir)
        assert len(made) == len(LANGS)                            # patched, one project
        assert patched == indexes(root), (old, new)
    assert indexes(root, cache_dir) == first                      # back where it started


def test_what_every_document_depends_on_is_in_the_configuration(tmp_path):
    root = write_site(tmp_path / "site", PROJECTS)
    site, renderer, _ = prepare(root, Problems())
    lv = renderer.views["en"]
    config = search_state.lang_config(lv, "cutting")
    assert search_state.lang_config(lv, "cutting") == config
    assert search_state.lang_config(lv, "other cutting") != config
    lv.strings["status"]["seeking"] = "Looking for investors"     # the theme's words
    assert search_state.lang_config(lv, "cutting") != config
    lv.strings["status"]["seeking"] = "Seeking investment"
    site.sectors.reverse()                                        # results name sectors by number
    assert search_state.lang_config(lv, "cutting") != config
    site.sectors.reverse()
    site.hant_variant = "hk"                                      # site.yaml
    assert search_state.lang_config(lv, "cutting") != config


@pytest.mark.parametrize("damage", ["truncated", "planted", "foreign", "inconsistent", "bad entry"])
def test_a_damaged_or_planted_index_record_means_a_whole_build(tmp_path, made, damage):
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    indexes(root, cache_dir)
    file = cache_dir / search_state.STATE_FILE
    good = file.read_bytes()
    if damage == "truncated":
        file.write_bytes(good[: len(good) // 2])
    elif damage in ("inconsistent", "bad entry"):          # readable, but does not hold together
        fmt, config, langs = pickle.loads(good)
        if damage == "inconsistent":
            langs["en"]["inputs"] = langs["en"]["inputs"][:-1]
        else:
            langs["zh"]["entries"] = [b'"x":[1,a]' for _ in langs["zh"]["entries"]]
        file.write_bytes(pickle.dumps((fmt, config, langs)))
    elif damage == "foreign":
        file.write_bytes(pickle.dumps((search_state.STATE_FORMAT, "another configuration", {})))
    else:
        class Planted:       # unpickling it would make a folder: refused, nothing runs
            def __reduce__(self):
                return (os.mkdir, (str(tmp_path / "ran"),))
        file.write_bytes(pickle.dumps((search_state.STATE_FORMAT, "x", {"zh": Planted()})))
    edit(root, "status: seeking", "status: signed")
    made.clear()
    whole = indexes(root, cache_dir)
    assert len(made) > 3 * len(GAMMA) and not (tmp_path / "ran").exists()
    assert whole == indexes(root)
    made.clear()
    edit(root, "status: signed", "status: seeking")
    indexes(root, cache_dir)
    assert len(made) == len(LANGS)                                # the record was made anew


def test_cutting_on_several_cores_gives_what_one_core_gives(tmp_path, monkeypatch):
    root = write_site(tmp_path / "site", PROJECTS)
    site, _, _ = prepare(root, Problems())
    texts = sorted(texts_of(root))
    serial = st.cut_texts(st.Segmenter(st.site_words(site)), texts, workers=1)
    monkeypatch.setattr(st, "PARALLEL_FROM", 100)
    contexts = []
    get_context = st.multiprocessing.get_context
    monkeypatch.setattr(st.multiprocessing, "get_context", lambda method: contexts.append(method) or
                        get_context(method))
    parallel = st.cut_texts(st.Segmenter(st.site_words(site)), texts, workers=3)
    assert contexts == ["fork"]                                   # it did fork
    assert parallel == serial and len(serial) == len(texts) > 20
    assert any(terms for terms in serial)


def test_the_configuration_names_the_code_and_the_site_words(monkeypatch):
    config = st.Segmenter(["西区"]).config
    assert st.Segmenter(["西区"]).config == config != st.Segmenter(["东区"]).config
    monkeypatch.setattr(st, "_code_version", lambda: "another version of the rules")
    assert st.Segmenter(["西区"]).config != config


def test_the_build_keeps_the_terms_beside_content(tmp_path):
    root = write_site(tmp_path / "site", PROJECTS)
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stderr + result.stdout
    assert stored_keys(root / ".yunzhao-cache") == {st.text_key(text) for text in texts_of(root)}
    assert (root / ".yunzhao-cache" / search_state.STATE_FILE).is_file()
    assert not list((root / "output").rglob(st.TERMS_CACHE))
    assert not list((root / "output").rglob(search_state.STATE_FILE))


# Cutting: the quick paths against the plain rules ---------------------------------------------

TRICKY = [
    "", "   ", "项目（p00001）：年产10万吨，总投资5亿元！",
    "ＡＢＣ　ｄｅｆ１２３，鋁型材（西彭）", "Ａ\u0301 and \uff21\u0301",          # fullwidth, then a combining mark
    "﨑山工業園区 and 神\ufa19", "⼀⼆三 ㍿株式会社 ㊀号项目 ㈠",              # compatibility ideographs, radicals
    "café cafe\u0301 naïve İstanbul ǅemal Straße ﬁnance ＳＴＲＡＳＳＥ",
    "한국 产业园 😀 𠀾 軟體與硬體……研發中心", "The factories' processing & aluminium centres",
    "西彭园区的新材料基地，年产铝型材十万吨。Aluminium profiles: 100,000 t/a.",
    "乾隆 後 髮 麵 發 臺 台 週 游", "\u3000\u3001\u3002“引号”《书名》【括号】——破折号…省略号",
]


def plainly_cut(text: str, tokenizer) -> tuple[Counter, set]:
    """The rules as first written: NFKC and lowercase the whole text, then token by token."""
    terms = []
    for match in st.TOKEN.finditer(unicodedata.normalize("NFKC", text).lower()):
        cjk, word = match.groups()
        if cjk:
            run = "".join(st.simplify_char(c) if c >= "\u3400" else c for c in cjk)
            terms += [w for w in tokenizer.cut_for_search(run, HMM=True)
                      if w.strip() and w not in st.ZH_STOP and st.TOKEN.fullmatch(w)]
        elif len(word) > 1 and word not in st.EN_STOP:
            terms.append(st.stem(word))
    traditional = {c for c in text if c >= "\u3400" and st.simplify_char(c) != c}
    return Counter(terms), traditional


@pytest.fixture(scope="module")
def demo_texts():
    site, renderer, _ = prepare(DEMO.parent, Problems())
    texts = {text for lang in site.languages for doc in search.collect_docs(renderer.views[lang])
             for _, text in doc.fields}
    return site, sorted(texts)


def test_the_quick_cut_gives_what_the_plain_rules_give(demo_texts, tmp_path, monkeypatch):
    import jieba
    site, texts = demo_texts
    words = st.site_words(site)
    tokenizer = jieba.Tokenizer()        # the whole dictionary, loaded as jieba loads it
    for word in sorted(set(words)):
        tokenizer.add_word(word)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for attempt in ("table made", "table read"):
        st._jieba.cache_clear()
        segmenter = st.Segmenter(words)
        for text in TRICKY + texts + [t.upper() for t in TRICKY]:
            terms, traditional = segmenter.cut(text)
            assert (Counter(terms), set(traditional)) == plainly_cut(text, tokenizer), (attempt, text)
            assert traditional == "".join(sorted(traditional))
        assert (segmenter.jieba.table is None) == (attempt == "table made")
    # Read a character at a time: only the groups of the characters met were loaded.
    table = segmenter.jieba.table
    assert 0 < len(table.loaded) < len(table.index) / 4
    st._jieba.cache_clear()


@pytest.mark.parametrize("damage", ["truncated", "planted", "flipped"])
def test_a_damaged_or_planted_jieba_table_is_made_anew(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    st._jieba.cache_clear()
    assert st.Jieba(("西彭",)).table is None                  # made
    [path] = (tmp_path / "yunzhao").glob("jieba-*.table")
    good = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "flipped":
        path.write_bytes(good[:-10] + bytes(10))
    else:
        # A file whose unpickling would run something (here: make a folder): refused.
        class Planted:
            def __reduce__(self):
                return (os.mkdir, (str(tmp_path / "ran"),))
        header = pickle.dumps(Planted())
        path.write_bytes(len(header).to_bytes(8, "big") + header)
    jieba = st.Jieba(("西彭",))
    assert jieba.table is None and path.read_bytes() == good   # loaded whole, and the table made again
    assert not (tmp_path / "ran").exists()
    assert st.Jieba(("西彭",)).table is not None
    st._jieba.cache_clear()


# Files named one by one: an edit renames only what it changed --------------------------------

def shards_of(terms: list[str], entries: list[bytes]) -> set[bytes]:
    starts = search._shard_starts(terms, entries)
    return {b",".join(entries[a:b]) for a, b in zip(starts, starts[1:] + [len(entries)])}


def test_shard_boundaries_move_only_next_to_an_edit():
    import random
    rng = random.Random(7)
    terms = sorted({"".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randint(2, 9))) for _ in range(6000)})
    # Mostly small entries, some large (common words), a few larger than a shard.
    weights = [20, 40, 80, 150, 300, 600, 2_000, 9_000, 40_000]
    sizes = [rng.choice(weights[: 7 if i % 50 else 9]) for i in range(len(terms))]
    entries = [f'"{t}":[{"1," * (n // 2)}1]'.encode() for t, n in zip(terms, sizes)]
    before = shards_of(terms, entries)
    assert len(before) > 40
    multi = [s for s in before if s.count(b'":[') > 1]
    assert all(len(s) <= search.SHARD_MAX for s in multi)
    changed = []
    for n in range(300):                      # one entry grows or shrinks, a term comes or goes
        at = rng.randrange(len(terms))
        t, e = list(terms), list(entries)
        change = n % 3
        if change == 0:
            e[at] = e[at][:-1] + b",1,2]" * rng.randint(1, 3)
        elif change == 1:
            t.insert(at, t[at] + "q")
            e.insert(at, f'"{t[at]}":[3,4]'.encode())
        else:
            del t[at], e[at]
        after = shards_of(t, e)
        changed.append(max(len(after - before), len(before - after)))
    # Nearly always the one shard that holds the edit; a boundary next to it moves now and then
    # (a shard that reached SHARD_MAX); never a run of shards. (Filling shards one after another
    # changes every shard after the edit: about half of them on average.)
    assert max(changed) <= 5 and changed.count(1) >= 0.9 * len(changed), sorted(changed)[-10:]


def test_an_edit_renames_only_the_index_files_it_changes(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(DEMO, root / "content")
    cache_dir = tmp_path / "cache"
    before = indexes(root, cache_dir)
    edit(root, "园区按企业工艺要求建设定制厂房", "园区按企业工艺要求建设定制化厂房", "content/projects/2024.yaml")
    after = indexes(root, cache_dir)
    assert after == indexes(root)
    came, gone = set(after) - set(before), set(before) - set(after)
    assert all(after[path] == before[path] for path in set(after) & set(before))
    # English is untouched; Chinese and Traditional Chinese (converted from it) change their
    # meta.json, the chunk that shows the project, and the shards of the words that changed.
    assert not any(path.startswith("en/") for path in came | gone)
    for lang in ("zh", "zh-hant"):
        new = sorted(path for path in came if path.startswith(lang + "/"))
        assert len(new) <= 5 and sum("/meta." in path for path in new) == 1, new
        assert len([path for path in gone if path.startswith(lang + "/")]) == len(new)


def test_a_term_cache_of_the_wrong_shape_is_cut_again(tmp_path, cut):
    root = write_site(tmp_path / "site", PROJECTS)
    cache_dir = tmp_path / "cache"
    plain = indexes(root, cache_dir)
    for part in (cache_dir / st.TERMS_CACHE).iterdir():        # readable, but not terms
        fmt, config, stored = pickle.loads(part.read_bytes())
        part.write_bytes(pickle.dumps((fmt, config, {key: (7, None) for key in stored})))
    (cache_dir / search_state.STATE_FILE).unlink()
    cut.clear()
    assert indexes(root, cache_dir) == plain
    assert set(cut) == texts_of(root)
    assert stored_keys(cache_dir) == {st.text_key(text) for text in texts_of(root)}
