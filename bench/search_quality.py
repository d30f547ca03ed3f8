#!/usr/bin/env python3
"""Result quality on the demo: our index against Pagefind, on the same queries and built pages.

    pip install 'pagefind[extended]'      # only for this comparison; not a dependency of yunzhao
    python3 bench/search_quality.py [--work /tmp/search-quality]

Builds the demo, copies output/ and indexes the copy with Pagefind (the extended binary, which
segments Chinese), then asks both the queries below in headless Chromium. For each query it
counts, among project pages, the expected ones found (recall) and the others found (noise), and
the bytes the search downloaded. Prints a Markdown table for docs/search.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_bench import CHROMIUM, CHROMIUM_ARGS, REPO, serve  # noqa: E402

NEW_MATERIALS = {"xipeng-new-materials-plant", "aerogel-materials-base", "materials-pilot-base",
                 "carbon-fiber-composites", "aerospace-aluminium-alloys"}
ALUMINIUM = {"chengyu-aluminium-processing", "xipeng-recycled-aluminium", "automotive-aluminium-parts-jv",
             "battery-aluminium-foil", "aerospace-aluminium-alloys", "high-purity-aluminium-targets"}
SOFTWARE = {"industrial-software-center", "industrial-internet-platform", "western-data-center",
            "ai-application-center"}
# (language folder, query, the projects an investor means)
QUERIES = [("zh", "新材料", NEW_MATERIALS), ("zh", "铝型材", {"chengyu-aluminium-processing"}),
           ("zh", "西彭新材料", {"xipeng-new-materials-plant", "materials-pilot-base"}),
           ("zh", "鋁", ALUMINIUM), ("zh-hant", "鋁", ALUMINIUM), ("zh-hant", "铝", ALUMINIUM),
           ("zh-hant", "軟體", SOFTWARE), ("zh-hant", "软件", SOFTWARE),
           ("en", "aluminium", ALUMINIUM), ("en", "aluminum", ALUMINIUM),
           ("en", "materials", NEW_MATERIALS), ("en", "material", NEW_MATERIALS)]


def project_ids(urls: list[str], lang: str) -> set[str]:
    marker = f"/{lang}/projects/"
    return {u.split(marker, 1)[1].strip("/").split("/")[0] for u in urls if marker in u and u.split(marker, 1)[1].strip("/")}


def ours(page, base, lang, text):
    sizes = []
    page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"])
            if "/search/" in r.url and "?" not in r.url or "/assets/search." in r.url else None)
    page.goto(f"{base}{lang}/search/?q={quote(text)}")
    page.wait_for_function("window.yunzhaoSearch && window.yunzhaoSearch.ready")
    page.evaluate("window.yunzhaoSearch.ready")
    page.wait_for_load_state("networkidle")
    first_page = sum(sizes)      # what the reader downloads for the query and its first results
    while page.locator("[data-search-results] button").count():     # every result, not only the first page
        page.locator("[data-search-results] button").first.click()
        page.wait_for_load_state("networkidle")
    urls = page.eval_on_selector_all(".search-hit a", "links => links.map(a => a.href)")
    return urls, first_page


def pagefind(page, base, lang, text):
    page.goto(f"{base}{lang}/")
    page.wait_for_load_state("networkidle")
    sizes = []
    page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]) if "/pagefind/" in r.url else None)
    page.evaluate("""async (q) => {
        const pf = await import('../pagefind/pagefind.js');
        window.pfSearch = await pf.search(q);
        await Promise.all(window.pfSearch.results.slice(0, 10).map(r => r.data()));
    }""", text)
    page.wait_for_load_state("networkidle")
    first_page = sum(sizes)      # the query and its first ten results, as Pagefind's UI shows them
    urls = page.evaluate("""async () => {
        const all = [];
        for (const r of window.pfSearch.results) all.push((await r.data()).url);
        return all;
    }""")
    return urls, first_page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/search-quality"))
    args = parser.parse_args()
    site = args.work / "demo"
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(REPO / "content", site / "content")
    subprocess.run([sys.executable, "-m", "generator.cli", "build", "--site", str(site)], cwd=REPO, check=True,
                   capture_output=True)
    copy = args.work / "pagefind"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(site / "output", copy)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(copy), "--quiet"], check=True)
    print(f"Pagefind indexing of the demo: {time.monotonic() - started:.2f} s")

    from playwright.sync_api import sync_playwright
    print("\n| language | query | ours: expected found | ours: others | ours: bytes | "
          "Pagefind: expected found | Pagefind: others | Pagefind: bytes |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    with sync_playwright() as p, serve(site / "output") as our_base, serve(copy) as pf_base:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang, text, expected in QUERIES:
            cells = []
            for run, base in ((ours, our_base), (pagefind, pf_base)):
                page = browser.new_page()
                urls, size = run(page, base, lang, text)
                page.close()
                found = project_ids(urls, lang)
                cells += [f"{len(found & expected)}/{len(expected)}", str(len(found - expected)), f"{size:,}"]
            print(f"| {lang} | {text} | " + " | ".join(cells) + " |")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
