"""The demo in a real browser on a phone-sized screen (390×844), served by nginx under a sub-path.

Debian's Chromium under Playwright: the language switch, the catalogue filters and their URL,
pages without JavaScript, print, and a screenshot of every key page kept in tests/artifacts/
for people to look at (CI keeps the folder as an artifact).
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from gate_tools import PHONE, REPO

ARTIFACTS = REPO / "tests" / "artifacts"
PROJECT = "projects/smart-security-park/"
SCREENSHOTS = {
    "home-zh": "zh/", "home-en": "en/", "home-zh-hant": "zh-hant/",
    "catalogue-zh": "zh/projects/", "catalogue-en": "en/projects/", "project-zh": "zh/" + PROJECT,
    "project-en": "en/" + PROJECT, "park-zh": "zh/parks/xipeng/", "park-en": "en/parks/huayan/",
    "sectors-zh": "zh/sectors/", "sector-zh": "zh/sectors/new-materials/",
    "page-zh": "zh/pages/environment/", "404-zh": "zh/404.html",
}


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_js(browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    yield context.new_page()
    context.close()


def visible_cards(page) -> list[dict]:
    return page.eval_on_selector_all(
        "[data-list] > li", "items => items.filter(i => i.offsetParent !== null).map(i => ({...i.dataset}))")


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.mark.parametrize("path", [PROJECT, "projects/", "parks/xipeng/", "pages/policies/", ""])
def test_language_switch_keeps_the_same_page(page, served, path):
    page.goto(served.url + "zh/" + path)
    assert page.get_attribute("html", "lang") == "zh"
    page.click(".langs a[hreflang=en]")
    assert page.url == served.url + "en/" + path
    assert page.get_attribute("html", "lang") == "en"
    page.click(".langs a[hreflang=zh-Hant]")
    assert page.url == served.url + "zh-hant/" + path
    assert page.get_attribute("html", "lang") == "zh-Hant"
    assert page.get_attribute(".langs a[aria-current=page]", "hreflang") == "zh-Hant"


def test_catalogue_filters_narrow_the_list_and_the_url_keeps_them(page, served):
    page.goto(served.url + "zh/projects/")
    assert page.is_visible("form[data-filters]")
    everything = visible_cards(page)
    assert len(everything) >= 20 and not query(page)

    page.select_option("#f-sector", "new-materials")
    by_sector = visible_cards(page)
    assert 0 < len(by_sector) < len(everything)
    assert {c["sector"] for c in by_sector} == {"new-materials"}
    assert query(page) == {"sector": ["new-materials"]}
    assert page.text_content("[data-count]") == str(len(by_sector))

    page.select_option("#f-park", "xipeng")
    both = visible_cards(page)
    assert 0 < len(both) < len(by_sector)
    assert all(c["sector"] == "new-materials" and c["park"] == "xipeng" for c in both)
    assert query(page) == {"sector": ["new-materials"], "park": ["xipeng"]}

    page.select_option("#f-range", "5000000000-")          # 50亿元 and more
    big = visible_cards(page)
    assert all(int(c["amount"]) >= 5_000_000_000 for c in big)
    if not big:
        assert page.is_visible("[data-empty]")

    page.click("form[data-filters] button[type=reset]")
    page.wait_for_function("document.querySelector('[data-count]').textContent === '%d'" % len(everything))
    assert len(visible_cards(page)) == len(everything)
    assert urlsplit(page.url).query == ""


def test_a_filtered_catalogue_url_applies_its_filter(page, served):
    page.goto(served.url + "en/projects/?sector=new-materials&status=seeking")
    assert page.input_value("#f-sector") == "new-materials"
    assert page.input_value("#f-status") == "seeking"
    shown = visible_cards(page)
    assert shown and all(c["sector"] == "new-materials" and c["status"] == "seeking" for c in shown)
    assert len(shown) < page.locator("[data-list] > li").count()


def test_pages_work_without_javascript(page_without_js, served):
    page = page_without_js
    page.goto(served.url + "zh/projects/")
    assert not page.is_visible("form[data-filters]")              # no filters that cannot work
    total = page.locator("[data-list] > li").count()
    assert len(visible_cards(page)) == total >= 20                # every project listed
    # The per-sector and per-park lists are plain links that narrow the list.
    page.click(".facets a[href$='sectors/new-materials/']")
    assert page.url == served.url + "zh/sectors/new-materials/"
    sector_cards = page.locator(".project-card")
    assert 0 < sector_cards.count() < total
    assert {sector_cards.nth(i).get_attribute("data-sector") for i in range(sector_cards.count())} == {"new-materials"}
    page.go_back()
    page.click(".facets a[href$='parks/xipeng/']")
    assert page.url == served.url + "zh/parks/xipeng/"
    park_cards = page.locator(".project-card")
    assert park_cards.count() > 0
    assert {park_cards.nth(i).get_attribute("data-park") for i in range(park_cards.count())} == {"xipeng"}
    # The root page offers every language as a plain link and stays put.
    page.goto(served.url)
    assert page.url == served.url
    page.click("a[data-lang=en]")
    assert page.url == served.url + "en/" and page.is_visible("h1")


def test_root_page_sends_a_visitor_to_their_language(browser, served):
    for locale, lang in (("zh-CN", "zh/"), ("en-GB", "en/"), ("zh-TW", "zh-hant/")):
        context = browser.new_context(viewport=PHONE, locale=locale)
        page = context.new_page()
        page.goto(served.url)
        page.wait_for_url(served.url + lang)
        context.close()


LAYOUT_SHIFT = """() => new Promise(done => {
    let total = 0;
    const add = entries => { for (const e of entries) if (!e.hadRecentInput) total += e.value; };
    const observer = new PerformanceObserver(list => add(list.getEntries()));
    observer.observe({type: "layout-shift", buffered: true});
    setTimeout(() => { add(observer.takeRecords()); done(total); }, 100);
})"""


def test_key_pages_do_not_jump_when_their_script_arrives(page, served):
    # A phone on a slow network draws the page before site.js arrives; hold the script back
    # to see that drawing: whatever the script shows must already have its place.
    def late(route):
        time.sleep(0.3)
        route.continue_()
    page.route("**/assets/site.*.js", late)
    shifts = {}
    for path in ("zh/", "zh/projects/", "en/projects/?sector=new-materials", "zh/" + PROJECT,
                 "zh/parks/xipeng/", "zh/search/"):
        page.goto(served.url + path, wait_until="load")
        shifts[path] = page.evaluate(LAYOUT_SHIFT)
    assert all(shift < 0.01 for shift in shifts.values()), shifts


def test_print_hides_navigation_chrome(page, served):
    page.goto(served.url + "zh/" + PROJECT)
    assert page.is_visible(".mainnav") and page.is_visible(".langs")
    page.emulate_media(media="print")
    for chrome in (".masthead", ".mainnav", ".langs", ".crumbs", ".sitefoot", ".skip"):
        assert not page.is_visible(chrome), f"{chrome} shows in print"
    assert page.is_visible("h1") and page.is_visible(".facts")
    assert page.locator(".contact-card").is_visible()


def test_screenshots_of_key_pages_fit_a_phone(browser, served):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    too_wide = []
    for name, path in SCREENSHOTS.items():
        page.goto(served.url + path)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{path}: {width}px wide")
    context.close()
    # The root page moves a visitor with JavaScript on to their language: shoot what others see.
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(served.url)
    page.screenshot(path=str(ARTIFACTS / "root.png"), full_page=True)
    context.close()
    assert not too_wide, "pages scroll sideways on a phone:\n" + "\n".join(too_wide)
    shots = sorted(ARTIFACTS.glob("*.png"))
    assert {p.stem for p in shots} >= set(SCREENSHOTS) | {"root"}
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in shots)
