"""Search on the built demo: the index files, then the real search in Chromium, served by nginx
under a sub-path. Queries in Simplified, Traditional and English must find the expected items
and not others; filters combine with a query; nothing loads before a search box is focused;
nothing is asked of any other host.
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote, urlsplit

import pytest

from gate_tools import PHONE
from generator import model as m
from generator import search, search_text


# The index files ------------------------------------------------------------------------------

def index_folder(out, lang_folder):
    folder = out / lang_folder / "search"
    assert len(list(folder.glob("meta.*.json"))) == 1, sorted(folder.iterdir())
    return folder


def meta_of(folder) -> dict:
    [meta] = folder.glob("meta.*.json")
    return json.loads(meta.read_text("utf-8"))


def all_terms(folder) -> dict:
    terms = {}
    for shard in sorted((folder / "t").glob("*.json")):
        terms.update(json.loads(shard.read_text("utf-8")))
    return terms


def records(folder) -> list[dict]:
    found = []
    for name in meta_of(folder)["files"]["d"]:             # in order
        found += json.loads((folder / "d" / f"{name}.json").read_text("utf-8"))
    return found


def test_each_language_has_its_own_index_of_its_own_pages(demo_out):
    for lang_folder, title in (("zh", "西彭新材料产业化项目"), ("en", "Xipeng New Materials Industrialisation Project"),
                               ("zh-hant", "西彭新材料產業化專案")):
        folder = index_folder(demo_out, lang_folder)
        meta = meta_of(folder)
        docs = records(folder)
        assert meta["docs"] == len(docs) == sum(meta["kinds"])
        assert title in [d["t"] for d in docs]
        # Every result links inside its own language folder (URLs are relative to it).
        for doc in docs:
            assert not doc["u"].startswith(("/", "http", "..")), doc["u"]
            assert (demo_out / lang_folder / doc["u"] / "index.html").is_file(), doc["u"]


def test_chinese_is_indexed_as_words_and_traditional_under_simplified_keys(demo_out):
    zh, hant = all_terms(index_folder(demo_out, "zh")), all_terms(index_folder(demo_out, "zh-hant"))
    for word in ("新材料", "铝型材", "西彭", "有色金属"):
        assert word in zh and word in hant, word
    # Keys are Simplified on the Traditional site too; its Taiwan phrases are keys as well.
    assert not any(c in "".join(hant) for c in "鋁專園")
    assert "软件" in hant and "软体" in hant
    # Words, not characters: nearly every Chinese key is two characters or more.
    chinese = [t for t in zh if re.fullmatch(f"[{search_text.CJK}]+", t)]
    assert sum(len(t) == 1 for t in chinese) < len(chinese) / 10


def test_english_is_stemmed_with_the_same_rules_as_the_browser():
    for a, b in (("aluminium", "aluminum"), ("factories", "factory"), ("materials", "material"),
                 ("processing", "process"), ("centres", "center"), ("industrialisation", "industrialization")):
        assert search_text.stem(a) == search_text.stem(b), (a, b)
    assert search_text.stem("status") == "status" and search_text.stem("basis") == "basis"


def test_every_file_is_named_by_its_content_and_listed_in_meta(demo_out):
    for lang_folder in ("zh", "en", "zh-hant"):
        folder = index_folder(demo_out, lang_folder)
        [meta_file] = folder.glob("meta.*.json")
        meta = meta_of(folder)
        listed = {f"t/{h}.json" for h in meta["files"]["t"]} | {f"d/{h}.json" for h in meta["files"]["d"]}
        listed |= {f"f/{facet}/{value}.{h}.json" for facet, values in meta["files"]["f"].items()
                   for value, h in values.items()}
        present = {p.relative_to(folder).as_posix() for p in folder.rglob("*.json")} - {meta_file.name}
        assert present == listed and len(meta["files"]["t"]) == len(meta["keys"])
        assert len(meta["files"]["d"]) == -(-meta["docs"] // meta["chunk"])
        for path in [meta_file, *(folder / rel for rel in listed)]:
            name_hash = path.name.split(".")[-2]
            assert name_hash == hashlib.sha256(path.read_bytes()).hexdigest()[:search.HASH_CHARS], path
        assert {s for s in meta["files"]["f"]["status"]} == set(m.STATUSES)


def test_shards_stay_small(demo_out):
    for lang_folder in ("zh", "en", "zh-hant"):
        folder = index_folder(demo_out, lang_folder)
        for shard in (folder / "t").glob("*.json"):
            terms = json.loads(shard.read_text("utf-8"))
            assert shard.stat().st_size <= search.SHARD_MAX + 2 or len(terms) == 1, shard


# In the browser -------------------------------------------------------------------------------

class Recorder:
    def __init__(self, page):
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def searched(self) -> list[str]:
        """Requests for search.js or any file of a search index."""
        return [u for u in self.urls if re.search(r"/search/(meta\.|[tdf]/)|/assets/search\.", urlsplit(u).path)]


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.recorder = Recorder(page)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    other_hosts = [u for u in page.recorder.urls if not u.startswith(served.origin + "/") and not u.startswith("data:")]
    context.close()
    assert not other_hosts, f"requests to another host: {other_hosts}"
    assert not errors, errors


def run_search(page, served, lang_folder: str, text: str, **filters) -> dict[str, list[str]]:
    """Open the search page with a query; returns {kind: [result URLs relative to the language]}."""
    params = [("q", text)] + sorted(filters.items())
    page.goto(served.url + f"{lang_folder}/search/?" + "&".join(f"{k}={quote(v)}" for k, v in params if v))
    page.wait_for_function("window.yunzhaoSearch && window.yunzhaoSearch.ready")
    page.evaluate("window.yunzhaoSearch.ready")
    return page.evaluate("""() => {
        const out = {};
        for (const section of document.querySelectorAll('[data-search-results] [data-kind]')) {
            out[section.dataset.kind] = [...section.querySelectorAll('.search-hit')].map(li => li.dataset.id);
        }
        return out;
    }""")


def projects(found) -> set[str]:
    return {u.split("/")[1] for u in found.get("project", [])}


NEW_MATERIALS = {"xipeng-new-materials-plant", "aerogel-materials-base", "materials-pilot-base",
                 "carbon-fiber-composites", "aerospace-aluminium-alloys"}
ALUMINIUM = {"chengyu-aluminium-processing", "xipeng-recycled-aluminium", "automotive-aluminium-parts-jv",
             "battery-aluminium-foil", "aerospace-aluminium-alloys", "high-purity-aluminium-targets"}
SOFTWARE = {"industrial-software-center", "industrial-internet-platform", "western-data-center",
            "ai-application-center"}


@pytest.mark.parametrize("lang_folder, text, expected, unexpected", [
    # 新材料 is a word: its projects (by title or sector), not every text with 新 in it.
    ("zh", "新材料", NEW_MATERIALS, {"battery-aluminium-foil", "ecommerce-retail-base", "ai-application-center",
                                   "medical-protection-expansion", "huangjueping-art-district"}),
    ("zh", "铝型材", {"chengyu-aluminium-processing"}, {"xipeng-recycled-aluminium", "battery-aluminium-foil"}),
    ("zh", "西彭 新材料", {"xipeng-new-materials-plant", "materials-pilot-base"}, {"aerogel-materials-base",
                                                                           "carbon-fiber-composites"}),
    # Traditional typed on the Simplified site, and on the Traditional site (Taiwan and HK phrasing).
    ("zh", "鋁", ALUMINIUM, {"smart-security-park", "western-data-center"}),
    ("zh-hant", "鋁型材", {"chengyu-aluminium-processing"}, {"xipeng-recycled-aluminium"}),
    ("zh-hant", "新材料", NEW_MATERIALS, {"ecommerce-retail-base", "battery-aluminium-foil"}),
    ("zh-hant", "軟體", SOFTWARE, ALUMINIUM),
    ("zh-hant", "軟件", SOFTWARE, ALUMINIUM),
    ("zh-hant", "软件", SOFTWARE, ALUMINIUM),
    # English, stemmed, either spelling.
    ("en", "aluminium", ALUMINIUM, {"smart-security-park", "carbon-fiber-composites"}),
    ("en", "aluminum", ALUMINIUM, {"smart-security-park", "carbon-fiber-composites"}),
    ("en", "materials", NEW_MATERIALS, {"smart-security-park", "western-data-center"}),
])
def test_queries_find_what_they_should_and_nothing_else(page, served, lang_folder, text, expected, unexpected):
    found = projects(run_search(page, served, lang_folder, text))
    assert expected <= found, f"{text}: missing {expected - found}"
    assert not found & unexpected, f"{text}: unexpected {found & unexpected}"


def test_singular_and_plural_find_the_same_projects(page, served):
    assert projects(run_search(page, served, "en", "material")) == projects(run_search(page, served, "en", "materials"))


def test_results_are_grouped_by_kind_with_key_figures_in_their_own_language(page, served):
    found = run_search(page, served, "zh", "新材料")
    assert list(found) == ["project", "park", "page"]
    assert "parks/xipeng/" in found["park"] and "pages/policies/" in found["page"]
    hit = page.locator('.search-hit[data-id="projects/xipeng-new-materials-plant/"]')
    assert hit.locator(".card-amount").inner_text() == "5亿元"
    meta = hit.locator(".card-meta").inner_text()
    assert "新材料" in meta and "西彭园区" in meta and "在建" in meta
    href = hit.locator("a").get_attribute("href")
    assert href == served.url + "zh/projects/xipeng-new-materials-plant/"
    page.goto(href)
    assert page.locator("h1").first.inner_text().strip() == "西彭新材料产业化项目"
    for lang_folder, text in (("en", "aluminium"), ("zh-hant", "鋁")):
        found = run_search(page, served, lang_folder, text)
        links = page.eval_on_selector_all(".search-hit a", "links => links.map(a => a.href)")
        assert links and all(link.startswith(served.url + lang_folder + "/") for link in links)
    run_search(page, served, "zh-hant", "新材料")
    hit = page.locator('.search-hit[data-id="projects/xipeng-new-materials-plant/"]')
    assert hit.locator(".card-amount").inner_text() == "5億元"
    assert "西彭園區" in hit.locator(".card-meta").inner_text()


def test_a_filter_combines_with_the_query(page, served):
    everything = projects(run_search(page, served, "zh", "铝"))
    seeking = projects(run_search(page, served, "zh", "铝", status="seeking"))
    in_xipeng = projects(run_search(page, served, "zh", "铝", status="seeking", park="xipeng"))
    assert seeking and seeking < everything
    assert in_xipeng and in_xipeng <= seeking
    statuses = page.eval_on_selector_all(".search-hit .tag", "tags => tags.map(t => t.className)")
    assert statuses and all("status-seeking" in s for s in statuses)
    assert page.locator("#s-status").input_value() == "seeking"
    # Changing a filter on the page runs the search again and keeps it in the URL.
    page.select_option("#s-status", "")
    page.wait_for_function("new URLSearchParams(location.search).get('status') === null")
    page.evaluate("window.yunzhaoSearch.page.run()")
    assert projects(run_search_state(page)) >= in_xipeng
    # A filter alone lists its projects.
    only = projects(run_search(page, served, "en", "", sector="new-materials"))
    assert only == {"xipeng-new-materials-plant", "aerogel-materials-base", "carbon-fiber-composites",
                    "aerospace-aluminium-alloys"}


def run_search_state(page) -> dict[str, list[str]]:
    return page.evaluate("""() => {
        const out = {};
        for (const section of document.querySelectorAll('[data-search-results] [data-kind]'))
            out[section.dataset.kind] = [...section.querySelectorAll('.search-hit')].map(li => li.dataset.id);
        return out;
    }""")


def test_nothing_loads_until_the_search_box_is_focused(page, served):
    for path in ("zh/", "en/projects/", "zh-hant/search/"):
        page.goto(served.url + path)
        page.wait_for_load_state("networkidle")
        assert page.recorder.searched() == [], path
    page.goto(served.url + "zh/parks/xipeng/")
    page.wait_for_load_state("networkidle")
    assert page.recorder.searched() == []
    # Focusing the box loads the search code; the index itself is named only by the search page
    # (its meta.json is named by its content, and other pages must not change with it).
    with page.expect_response(lambda r: re.search(r"/assets/search\.[0-9a-f]+\.js$", r.url)) as script:
        page.focus("#site-search-q")
    assert script.value.ok
    # Typing and pressing Enter opens the search page of the same language with the results.
    page.fill("#site-search-q", "铝型材")
    page.press("#site-search-q", "Enter")
    page.wait_for_url(re.compile(r"/zh/search/\?q="))
    page.wait_for_function("window.yunzhaoSearch && window.yunzhaoSearch.ready")
    page.evaluate("window.yunzhaoSearch.ready")
    assert projects(run_search_state(page)) == {"chengyu-aluminium-processing"}
    assert page.locator("#search-q").input_value() == "铝型材"


def test_typing_on_the_search_page_searches_as_you_type(page, served):
    page.goto(served.url + "en/search/")
    page.wait_for_load_state("networkidle")
    assert page.recorder.searched() == []
    page.click("#search-q")
    page.keyboard.type("alumin")
    page.wait_for_selector('.search-hit[data-id="projects/chengyu-aluminium-processing/"]')
    # The URL follows the box once typing pauses (the hit may already show for "alu").
    page.wait_for_function("location.search.includes('q=alumin')", timeout=5000)


def test_the_javascript_stemmer_agrees_with_the_python_one(page, served, demo_out):
    words = sorted({w for text in (demo_out / "en").rglob("index.html")
                    for w in re.findall(r"[a-z]{2,}", text.read_text("utf-8").lower())})
    words += ["aluminium", "factories", "centres", "centred", "colours", "analysed", "programmes", "running",
              "planned", "studies", "boxes", "branches", "processes", "industrialisation", "catalogue"]
    page.goto(served.url + "en/search/")
    page.focus("#search-q")
    page.wait_for_function("window.yunzhaoSearch")
    stems = page.evaluate("words => words.map(w => window.yunzhaoSearch.stem(w))", words)
    differ = [(w, s, search_text.stem(w)) for w, s in zip(words, stems) if s != search_text.stem(w)]
    assert len(words) > 500 and not differ, differ[:20]


def test_without_javascript_the_box_leads_to_the_catalogue(browser, served):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served.url + "zh/parks/xipeng/")
        page.fill("#site-search-q", "铝")
        page.press("#site-search-q", "Enter")
        page.wait_for_url(re.compile(r"/zh/projects/\?q="))
        assert page.locator("[data-list] > li").count() > 20
        page.goto(served.url + "zh/search/")
        assert page.locator(".search-nojs a").get_attribute("href") == "../projects/"
    finally:
        context.close()
