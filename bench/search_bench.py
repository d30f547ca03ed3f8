#!/usr/bin/env python3
"""Search at scale: build a generated N-project site and measure what a phone downloads per query.

    python3 bench/search_bench.py [--n 10000] [--work /tmp/search-bench] [--pagefind] [--keep]

1. Writes a yunzhao site with N projects (12 parks, the demo's 9 sectors, varied zh/en text from
   seeded word lists; zh-Hant derived by OpenCC as on a real site) into --work.
2. Builds it with the real command and reports the build time, and the search indexing time
   measured on its own.
3. Serves output/ over HTTP on loopback and runs queries in headless Chromium through the real
   search page; reports the bytes of every search request (search.js, meta, shards, chunks,
   filters) per query. With --pagefind, also indexes output/ with Pagefind and runs the same
   queries through its JS API, for docs/search.md.

Needs Playwright for Python and /usr/bin/chromium (as the tests do). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]

SECTORS = {   # id: (zh, en, products [(zh, en)])
    "nonferrous-metals": ("有色金属", "Non-ferrous Metals", [
        ("铝型材", "Aluminium Profiles"), ("再生铝", "Recycled Aluminium"), ("铝箔", "Aluminium Foil"),
        ("铜材", "Copper Products"), ("镁合金", "Magnesium Alloys"), ("高纯铝", "High-purity Aluminium")]),
    "lightweight-manufacturing": ("轻量化制造", "Lightweight Manufacturing", [
        ("汽车铝合金零部件", "Automotive Aluminium Parts"), ("压铸件", "Die Castings"),
        ("摩托车车架", "Motorcycle Frames"), ("轻量化车身", "Lightweight Car Bodies")]),
    "new-materials": ("新材料", "New Materials", [
        ("碳纤维复合材料", "Carbon Fibre Composites"), ("气凝胶", "Aerogel"), ("石墨烯", "Graphene"),
        ("特种玻璃", "Specialty Glass"), ("高性能合金", "High-performance Alloys")]),
    "software-it": ("软件和信息技术服务", "Software and IT Services", [
        ("工业软件", "Industrial Software"), ("数据中心", "Data Centre"), ("人工智能", "Artificial Intelligence"),
        ("云计算", "Cloud Computing"), ("信息安全", "Information Security")]),
    "research-services": ("科学研究和技术服务", "Scientific Research and Technical Services", [
        ("检验检测", "Testing and Inspection"), ("工业设计", "Industrial Design"), ("中试基地", "Pilot Plant"),
        ("技术转移", "Technology Transfer")]),
    "culture-tourism": ("文旅服务", "Culture and Tourism", [
        ("文化街区", "Cultural Quarter"), ("主题公园", "Theme Park"), ("精品酒店", "Boutique Hotels"),
        ("艺术中心", "Arts Centre")]),
    "logistics": ("交通运输仓储物流", "Transport, Warehousing and Logistics", [
        ("冷链物流", "Cold-chain Logistics"), ("智能仓储", "Smart Warehousing"), ("铁水联运", "Rail–River Transport"),
        ("城市配送", "Urban Distribution")]),
    "modern-services": ("现代服务业", "Modern Services", [
        ("电子商务", "E-commerce"), ("人才公寓", "Staff Apartments"), ("商务中心", "Business Centre"),
        ("会展服务", "Exhibition Services")]),
    "biomedicine": ("生物医药", "Biomedicine and Medical Supplies", [
        ("医用敷料", "Medical Dressings"), ("体外诊断试剂", "In-vitro Diagnostics"), ("医疗器械", "Medical Devices"),
        ("中药饮片", "Chinese Medicine")]),
}
PARKS = [("xipeng", "西彭园区", "Xipeng Industrial Park"), ("jiulong", "九龙园区", "Jiulong Park"),
         ("huayan", "华岩园区", "Huayan Park"), ("baishi", "白市驿园区", "Baishiyi Park"),
         ("taojia", "陶家园区", "Taojia Park"), ("tongguanyi", "铜罐驿园区", "Tongguanyi Park"),
         ("yuzhou", "渝州园区", "Yuzhou Park"), ("erlang", "二郎园区", "Erlang Park"),
         ("shipingqiao", "石坪桥园区", "Shipingqiao Park"), ("huangjueping", "黄桷坪园区", "Huangjueping Park"),
         ("yangjiaping", "杨家坪园区", "Yangjiaping Park"), ("zoumatown", "走马园区", "Zouma Park")]
KINDS = [("生产基地", "Production Base"), ("项目", "Project"), ("产业园", "Industrial Park"),
         ("研发中心", "R&D Centre"), ("扩能项目", "Expansion"), ("合资项目", "Joint Venture")]
ZH_SENTENCES = [
    "项目主要建设{p}生产线及配套设施，产品面向{m}市场。", "园区可提供标准厂房和定制厂房，满足{p}企业的工艺需求。",
    "项目已完成前期论证，欢迎有实力的企业洽谈合作。", "项目所在区域交通便利，距离港口和铁路货场较近。",
    "项目建成后预计年产值{n}亿元，带动上下游配套企业集聚发展。", "企业可享受租金减免和审批代办等服务。",
    "项目将同步建设研发中心，与高校和科研院所开展产学研合作。", "项目坚持绿色低碳发展，单位产值能耗低于行业平均水平。",
    "当地已形成较完整的{s}产业链，配套能力强。", "项目寻求战略投资者或合资伙伴，合作方式灵活。"]
EN_SENTENCES = [
    "The project will build {p} production lines and supporting facilities for the {m} market.",
    "The park offers standard and built-to-suit plants that meet the process needs of {p} companies.",
    "Feasibility work is complete, and qualified companies are welcome to discuss cooperation.",
    "The site is well connected, close to the river port and the rail freight yard.",
    "Once complete it is expected to produce about RMB {n} hundred million a year and attract suppliers.",
    "Investors can have rent reductions and approvals handled for them.",
    "An R&D centre will be built together with universities and research institutes.",
    "The project follows low-carbon principles, with energy use per unit of output below the industry average.",
    "A fairly complete {s} supply chain is already in place locally.",
    "The project seeks strategic investors or joint-venture partners; forms of cooperation are flexible."]
MARKETS = [("新能源汽车", "new energy vehicle"), ("航空航天", "aerospace"), ("消费电子", "consumer electronics"),
           ("建筑节能", "energy-efficient building"), ("医疗健康", "healthcare"), ("跨境贸易", "cross-border trade")]
HIGHLIGHTS = [("园区提供定制厂房", "Built-to-suit plants available"), ("产业链配套完整", "A complete supply chain nearby"),
              ("交通物流便利", "Good transport links"), ("可享受租金减免", "Rent reductions available"),
              ("审批全程代办", "Approvals handled for the investor"), ("不见面签约", "Contracts can be signed remotely")]
STATUSES = ["seeking", "negotiating", "signed", "under-construction", "operating"]


def _yaml(value) -> str:
    return json.dumps(value, ensure_ascii=False)   # JSON is YAML: no quoting surprises


def write_site(root: Path, n: int) -> None:
    """A yunzhao site with n projects; every value depends only on (seed, project number)."""
    content = root / "content"
    if content.exists():
        shutil.rmtree(content)
    for folder in ("projects", "parks", "pages", "data"):
        (content / folder).mkdir(parents=True)
    (content / "site.yaml").write_text(
        'title: {zh: 九龙坡区招商投资局, en: Jiulongpo District Investment Promotion Bureau}\n'
        "languages: [zh, en, zh-Hant]\nbase_url: https://invest.example.gov.cn/bench/\ncontact: wang\n",
        encoding="utf-8")
    (content / "data" / "staff.yaml").write_text(
        '- id: wang\n  name: {zh: 王明, en: Wang Ming}\n  role: {zh: 招商部, en: Investment Department}\n'
        '  phone: "+86 23 0000 0000"\n  email: invest@example.gov.cn\n', encoding="utf-8")
    (content / "data" / "sectors.yaml").write_text("".join(
        f"- id: {key}\n  name: {{zh: {_yaml(zh)}, en: {_yaml(en)}}}\n" for key, (zh, en, _) in SECTORS.items()),
        encoding="utf-8")
    sector_ids = sorted(SECTORS)
    for number, (key, zh, en) in enumerate(PARKS):
        industries = [sector_ids[(number + k) % len(sector_ids)] for k in range(3)]
        (content / "parks" / f"{key}.md").write_text(
            f"---\ntitle: {zh}\nindustries: [{', '.join(industries)}]\narea: {5 + number}平方公里\n"
            f"land_available: {100 * (number + 2)}亩\nsummary: {zh}是以{SECTORS[industries[0]][0]}为主导的产业园区。\n---\n"
            f"{zh}位于九龙坡区，主导产业为{'、'.join(SECTORS[s][0] for s in industries)}。\n", encoding="utf-8")
        (content / "parks" / f"{key}.en.md").write_text(
            f"---\ntitle: {en}\nsummary: {en} focuses on {SECTORS[industries[0]][1]}.\n---\n"
            f"{en} lies in Jiulongpo; its industries are {', '.join(SECTORS[s][1] for s in industries)}.\n",
            encoding="utf-8")
    (content / "pages" / "policies.md").write_text("---\ntitle: 招商政策\nmenu: 1\n---\n九龙坡区对符合产业方向的项目提供租金减免、审批代办等支持。\n",
                                                   encoding="utf-8")
    per_file = 1000
    for start in range(0, n, per_file):
        lines = [f"catalogue:\n  title: {{zh: 招商项目第{start // per_file + 1}批, en: Projects batch {start // per_file + 1}}}\nprojects:\n"]
        for i in range(start, min(n, start + per_file)):
            lines.append(project_yaml(i))
        (content / "projects" / f"batch-{start // per_file:03d}.yaml").write_text("".join(lines), encoding="utf-8")


def project_yaml(i: int) -> str:
    r = random.Random(20240611 * 1_000_003 + i)
    sector = r.choice(sorted(SECTORS))
    sector_zh, sector_en, products = SECTORS[sector]
    product_zh, product_en = r.choice(products)
    park_key, park_zh, park_en = r.choice(PARKS)
    kind_zh, kind_en = r.choice(KINDS)
    market_zh, market_en = r.choice(MARKETS)
    amount = r.choice(["3000万元", "5000万元", "8000万元", "1亿元", "2.5亿元", "5亿元", "12亿元", "30亿元"])
    order = r.sample(range(len(ZH_SENTENCES)), r.randint(3, 5))
    fill = dict(n=r.randint(2, 80))

    def zh_text(k):
        return ZH_SENTENCES[k].format(p=product_zh, m=market_zh, s=sector_zh, **fill)

    def en_text(k):
        return EN_SENTENCES[k].format(p=product_en.lower(), m=market_en, s=sector_en.lower(), **fill)
    highlights = r.sample(HIGHLIGHTS, 3)
    title_zh = f"{park_zh[:-2]}{product_zh}{kind_zh}"
    title_en = f"{park_en.split()[0]} {product_en} {kind_en}"
    return (f"  - id: p{i:05d}\n"
            f"    title: {{zh: {_yaml(title_zh)}, en: {_yaml(title_en)}}}\n"
            f"    sector: {sector}\n    park: {park_key}\n    investment: {amount}\n"
            f"    status: {r.choice(STATUSES)}\n"
            f"    summary: {{zh: {_yaml(zh_text(order[0]))}, en: {_yaml(en_text(order[0]))}}}\n"
            f"    description: {{zh: {_yaml(''.join(zh_text(k) for k in order))}, "
            f"en: {_yaml(' '.join(en_text(k) for k in order))}}}\n"
            f"    highlights: {{zh: {_yaml([h[0] for h in highlights])}, en: {_yaml([h[1] for h in highlights])}}}\n")


# Queries: (language, query, filters). The first ones are what an investor types; the last are
# the worst cases (the most common words of the whole site).
QUERIES = [("zh", "新材料", {}), ("zh", "铝", {}), ("zh", "西彭 铝型材", {}), ("zh-Hant", "鋁型材", {}),
           ("zh-Hant", "軟體", {}), ("en", "aluminium", {}), ("en", "data centres", {}),
           ("zh", "数据中心", {"status": "seeking"}), ("en", "", {"sector": "biomedicine", "park": "xipeng"}),
           ("zh", "项目", {}), ("en", "project", {}), ("zh", "园区", {})]


@contextlib.contextmanager
def serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def folder_of(lang: str) -> str:
    return {"zh": "zh", "en": "en", "zh-Hant": "zh-hant"}[lang]


def gzipped(out: Path, base: str, urls: list[str]) -> int:
    """What the same files weigh when the server compresses them (nginx gzip on, level 6)."""
    return sum(len(gzip.compress((out / url[len(base):].split("?")[0]).read_bytes(), 6)) for url in urls)


def measure_ours(browser, base: str, out: Path) -> list[dict]:
    rows = []
    for lang, text, filters in QUERIES:
        page = browser.new_page()
        sizes: list[tuple[str, int]] = []
        page.on("requestfinished", lambda req: sizes.append((req.url, req.sizes()["responseBodySize"])))
        params = "&".join(f"{k}={v}" for k, v in [("q", quote(text))] + list(filters.items()) if v)
        page.goto(f"{base}{folder_of(lang)}/search/?{params}")
        page.wait_for_function("window.yunzhaoSearch && window.yunzhaoSearch.ready")
        page.evaluate("window.yunzhaoSearch.ready")
        page.wait_for_load_state("networkidle")
        hits = page.locator("[data-search-results] .search-hit").count()
        total = page.locator("[data-search-status]").inner_text()
        searched = [(u, s) for u, s in sizes if "/search/" in u and not u.split("?")[0].endswith("/search/")
                    or "search." in u.rsplit("/", 1)[-1]]
        index_bytes = sum(s for u, s in searched if "/search/" in u)
        script = sum(s for u, s in searched if "/assets/" in u)
        rows.append({"lang": lang, "query": text, "filters": filters, "shown": hits, "status": total,
                     "index": index_bytes, "script": script, "requests": len(searched),
                     "gzip": gzipped(out, base, [u for u, _ in searched])})
        page.close()
    return rows


def measure_pagefind(browser, base: str) -> list[dict]:
    rows = []
    for lang, text, filters in QUERIES:
        if filters:
            continue
        page = browser.new_page()
        page.goto(f"{base}{folder_of(lang)}/")
        page.wait_for_load_state("networkidle")
        sizes: list[int] = []
        page.on("requestfinished", lambda req: sizes.append(req.sizes()["responseBodySize"])
                if "/pagefind/" in req.url else None)
        found = page.evaluate("""async (q) => {
            const pf = await import('../pagefind/pagefind.js');
            const s = await pf.search(q);
            const data = await Promise.all(s.results.slice(0, 10).map(r => r.data()));
            return s.results.length;
        }""", text)
        page.wait_for_load_state("networkidle")
        rows.append({"lang": lang, "query": text, "found": found, "bytes": sum(sizes), "requests": len(sizes)})
        page.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/search-bench"))
    parser.add_argument("--pagefind", action="store_true", help="also measure Pagefind on the same output")
    parser.add_argument("--keep", action="store_true", help="reuse an existing build in --work")
    args = parser.parse_args()
    site = args.work / f"site-{args.n}"
    out = site / "output"
    site.mkdir(parents=True, exist_ok=True)
    if not (args.keep and out.is_dir()):
        write_site(site, args.n)
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--site", str(site), "--out", str(out)],
                              cwd=REPO, capture_output=True, text=True)
        if done.returncode:
            print(done.stdout, done.stderr)
            return 1
        print(f"build of {args.n} projects: {time.monotonic() - started:.1f} s")

    from generator.build import prepare
    from generator.errors import Problems
    from generator.search import build_indexes
    _, renderer, _ = prepare(site, Problems())
    started = time.monotonic()
    indexes = build_indexes(renderer.site, renderer.views)
    print(f"search indexing alone: {time.monotonic() - started:.1f} s")
    for lang, index in indexes.items():
        files = index.files
        print(f"  {lang}: {len(files)} files, {sum(map(len, files.values())) / 1e6:.2f} MB, "
              f"meta.json {len(files[index.meta]) / 1e3:.1f} kB, largest shard "
              f"{max(len(v) for k, v in files.items() if '/t/' in k) / 1e3:.1f} kB")

    from playwright.sync_api import sync_playwright
    with sync_playwright() as p, serve(out) as base:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print("\n| language | query | filters | results | index bytes | + search.js | all, gzip | requests |")
        print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for row in measure_ours(browser, base, out):
            filters = ", ".join(f"{k}={v}" for k, v in row["filters"].items())
            print(f"| {row['lang']} | {row['query']} | {filters} | {row['status']} | {row['index']:,} | "
                  f"{row['index'] + row['script']:,} | {row['gzip']:,} | {row['requests']} |")
        if args.pagefind:
            started = time.monotonic()
            shutil.rmtree(out / "pagefind", ignore_errors=True)
            subprocess.run([sys.executable, "-m", "pagefind", "--site", str(out), "--quiet"], check=True)
            print(f"\nPagefind indexing: {time.monotonic() - started:.1f} s")
            print("\n| language | query | results | bytes | requests |\n| --- | --- | ---: | ---: | ---: |")
            for row in measure_pagefind(browser, base):
                print(f"| {row['lang']} | {row['query']} | {row['found']} | {row['bytes']:,} | {row['requests']} |")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
