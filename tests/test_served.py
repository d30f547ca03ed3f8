"""The demo served by a real web server under a sub-path: every link fetched, every request seen.

Two gates, each proved by a fault planted in a fixture site:
- the crawler follows every link, stylesheet, script, image and download from the root page:
  nothing answers other than 200, nothing points outside the sub-path or loads from another host;
- a real browser on the key pages records every request it makes: all go to the site's own host.
"""

from __future__ import annotations

import posixpath
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urldefrag, urlsplit

import pytest

from conftest import REPO, run_yunzhao
from gate_tools import PHONE, serving

KEY_PAGES = ["", "zh/", "en/", "zh-hant/", "zh/projects/", "zh/projects/smart-security-park/",
             "en/projects/smart-security-park/", "zh/parks/xipeng/", "en/parks/huayan/",
             "zh/sectors/", "zh/pages/environment/", "zh/brochures/new-materials/",
             "zh/search/?q=%E9%93%9D"]        # a search for 铝 loads search.js and its index

# Links to these are not followed: they are absolute on purpose (canonical, alternates, share
# metadata point at base_url) or are not documents.
NOT_FETCHED_RELS = {"canonical", "alternate"}


# The crawler ---------------------------------------------------------------------------------
class References(HTMLParser):
    """Every URL a page links to or loads, with the tag that asks for it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []      # (what, url) — what: "a", "img", "link stylesheet"…
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "link":
            rels = set(a.get("rel", "").lower().split())
            if a.get("href") and not rels & NOT_FETCHED_RELS:
                self.found.append(("link " + " ".join(sorted(rels)), a["href"]))
        elif tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            match = re.search(r"url=(.+)", a.get("content", ""), re.IGNORECASE)
            if match:
                self.found.append(("meta refresh", match.group(1).strip("'\" ")))
        else:
            for attr in ("href", "src", "poster", "data"):
                if a.get(attr) and not (tag == "html" or (tag == "object" and attr != "data")):
                    self.found.append((tag, a[attr]))
            for attr in ("srcset", "imagesrcset"):
                for candidate in a.get(attr, "").split(","):
                    if candidate.strip():
                        self.found.append((tag, candidate.split()[0]))
        if "style" in a:
            self.found += [(tag + " style", u) for u in css_urls(a["style"])]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.found += [("style", u) for u in css_urls(data)]


def css_urls(css: str) -> list[str]:
    urls = re.findall(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)""", css)
    urls += re.findall(r"""@import\s+['"]([^'"]+)['"]""", css)
    return [u for u in urls if not u.startswith("data:")]


@dataclass
class Crawl:
    statuses: dict[str, int] = field(default_factory=dict)       # every URL fetched → status
    pages: set[str] = field(default_factory=set)                  # HTML pages among them
    problems: list[str] = field(default_factory=list)


def fetch(url: str) -> tuple[int, str, bytes, str]:
    """(status, content type, body, final URL) following redirects, as a browser would."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read(), response.url
    except urllib.error.HTTPError as error:
        return error.code, "", b"", url


def crawl(served, starts=()) -> Crawl:
    """Everything reachable from the site's root page (and `starts`), fetched once each."""
    result = Crawl()
    queue = [served.url, *starts]
    for url in queue:
        result.statuses[url] = 0
    while queue:
        url = queue.pop(0)
        status, kind, body, final = fetch(url)
        result.statuses[url] = status
        if status != 200:
            continue
        if not urlsplit(final).path.startswith(served.prefix):
            result.problems.append(f"{short(served, url)} redirects outside the sub-path to {final}")
            continue
        if kind == "text/html":
            result.pages.add(url)
            parser = References()
            parser.feed(body.decode("utf-8", errors="replace"))
            refs = parser.found
        elif kind == "text/css":
            refs = [("css", u) for u in css_urls(body.decode("utf-8", errors="replace"))]
        else:
            continue
        for what, ref in refs:
            target = check_reference(served, url, what, ref, result.problems)
            if target and target not in result.statuses:
                result.statuses[target] = 0
                queue.append(target)
    for url, status in result.statuses.items():
        if status != 200:
            result.problems.append(f"{short(served, url)}: HTTP {status}")
    return result


def check_reference(served, page: str, what: str, ref: str, problems: list[str]) -> str | None:
    """The URL to fetch for a reference of `page`, or None; wrong references go to `problems`."""
    ref = ref.strip()
    scheme = urlsplit(ref).scheme.lower()
    if scheme in ("mailto", "tel", "data") or ref.startswith("#"):
        return None
    if scheme and scheme not in ("http", "https"):
        problems.append(f"{short(served, page)}: <{what}> {ref}: scheme {scheme}: is not allowed")
        return None
    target = urldefrag(urljoin(page, ref)).url
    parts = urlsplit(target)
    if f"{parts.scheme}://{parts.netloc}" != served.origin:
        if what != "a":                    # an outbound link is fine; loading from there is not
            problems.append(f"{short(served, page)}: <{what}> loads from another host: {ref}")
        return None
    if ref.startswith("/"):
        problems.append(f"{short(served, page)}: <{what}> {ref} is root-absolute; it breaks under a sub-path")
    normal = posixpath.normpath(parts.path) + ("/" if parts.path.endswith("/") else "")
    if not normal.startswith(served.prefix):
        problems.append(f"{short(served, page)}: <{what}> {ref} escapes the sub-path to {parts.path}")
        return None
    return target


def short(served, url: str) -> str:
    return url[len(served.url):] or "/" if url.startswith(served.url) else url


def unlinked_pages(out: Path, crawled: Crawl, served) -> list[str]:
    """HTML files no link reaches, except the 404 pages and the redirects of renamed ids."""
    reached = {short(served, u) for u in crawled.pages}
    lost = []
    for path in sorted(out.rglob("*.html")):
        rel = path.relative_to(out).as_posix()
        url = rel[: -len("index.html")] if rel.endswith("index.html") else rel
        if path.name == "404.html" or 'http-equiv="refresh"' in path.read_text("utf-8"):
            continue
        if (url or "/") not in reached:
            lost.append(rel)
    return lost


def test_served_demo_every_link_resolves_inside_the_sub_path(served, demo_out):
    # Brochures are sent as links, never linked from the site: staff start at their index.
    result = crawl(served, [served.url + f"{lang}/brochures/" for lang in ("zh", "en", "zh-hant")])
    assert not result.problems, "\n".join(result.problems)
    assert not unlinked_pages(demo_out, result, served)
    kinds = {u.rsplit(".", 1)[-1] for u in result.statuses if "/assets/" in u or "/images/" in u}
    assert {"css", "js", "svg", "jpg"} <= kinds, kinds
    assert len(result.pages) > 140


def test_served_demo_answers_unknown_urls_with_its_404_page(served):
    status, _, _, _ = fetch(served.url + "zh/projects/no-such-project/")
    assert status == 404
    if served.kind == "nginx":
        try:
            urllib.request.urlopen(served.url + "zh/projects/no-such-project/")
        except urllib.error.HTTPError as error:
            assert "页面未找到" in error.read().decode("utf-8")


def test_sitemap_urls_are_all_served(served, demo_out):
    sitemap = (demo_out / "sitemap.xml").read_text("utf-8")
    base = "https://invest.example.gov.cn/jiulongpo/"
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert urls and all(u.startswith(base) for u in urls)
    bad = [u for u in urls if fetch(served.url + u[len(base):])[0] != 200]
    assert not bad


# The request recorder ------------------------------------------------------------------------
def record_requests(browser, base_url: str, paths: list[str]) -> dict[str, list[str]]:
    """Every URL the browser requests while loading (and scrolling through) each page."""
    seen: dict[str, list[str]] = {}
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    current: list[str] = []
    page.on("request", lambda request: current.append(request.url))
    for path in paths:
        current = seen.setdefault(path, [])
        page.goto(base_url + path, wait_until="load")
        # Lazy images load only when near the screen: scroll to the end so they ask too.
        page.evaluate("""async () => {
            for (let y = 0; y < document.body.scrollHeight; y += 600) {
                window.scrollTo(0, y); await new Promise(r => requestAnimationFrame(r));
            }}""")
        page.wait_for_load_state("networkidle")
    context.close()
    return seen


def off_site(served, seen: dict[str, list[str]]) -> list[str]:
    return [f"{path or '/'} requested {url}" for path, urls in seen.items() for url in urls
            if not url.startswith(served.origin + "/") and not url.startswith(("data:", "blob:"))]


def test_browser_requests_nothing_from_other_hosts(served, browser):
    seen = record_requests(browser, served.url, KEY_PAGES)
    assert not off_site(served, seen)
    outside = [u for urls in seen.values() for u in urls if not urlsplit(u).path.startswith(served.prefix)]
    assert not outside, outside
    assert sum(len(urls) for urls in seen.values()) > len(KEY_PAGES) * 3      # pages, CSS, JS, images
    assert any(u.endswith(".json") for u in seen["zh/search/?q=%E9%93%9D"]), "the search ran no query"


# Planted faults: each gate catches its regression ----------------------------------------------
@pytest.fixture(scope="module")
def fixture_out(tmp_path_factory):
    from conftest import write_site
    root = write_site(tmp_path_factory.mktemp("planted"), {})
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stderr
    return root / "output"


def plant(out: Path, page: str, html: str) -> None:
    path = out / page
    text = path.read_text("utf-8")
    path.write_text(text.replace("</main>", html + "\n</main>", 1), "utf-8")


def test_crawler_catches_broken_escaping_and_off_site_references(fixture_out, tmp_path):
    import shutil
    out = tmp_path / "output"
    shutil.copytree(fixture_out, out)
    with serving(out) as server:
        assert not crawl(server).problems           # the clean fixture passes
        plant(out, "zh/projects/alpha/index.html",
              '<p><a href="../gone/">gone</a> <a href="../../../../elsewhere/">up</a></p>'
              '<img src="https://example.com/x.png" alt="x">')
        problems = "\n".join(crawl(server).problems)
    assert "zh/projects/gone/: HTTP 404" in problems
    assert "escapes the sub-path" in problems and "../../../../elsewhere/" in problems
    assert "loads from another host: https://example.com/x.png" in problems


def test_request_recorder_catches_an_off_site_request(fixture_out, tmp_path, browser):
    import shutil
    out = tmp_path / "output"
    shutil.copytree(fixture_out, out)
    plant(out, "en/index.html", '<img src="https://example.com/x.png" alt="planted">')
    with serving(out) as server:
        clean = off_site(server, record_requests(browser, server.url, ["zh/"]))
        planted = off_site(server, record_requests(browser, server.url, ["en/"]))
    assert clean == []
    assert planted == ["en/ requested https://example.com/x.png"]
