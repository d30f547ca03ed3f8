"""The demo site, built by the real command: links, languages, amounts, determinism."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from conftest import run_yunzhao, tree_digest, REPO


class Links(HTMLParser):
    """Collects hrefs/srcs, hreflang alternates and lang attributes of one page."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []       # (tag, attribute, value)
        self.alternates: dict[str, str] = {}
        self.html_lang = None
        self.langs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if "lang" in a:
            self.langs.append(a["lang"])
        if tag == "link" and a.get("rel") == "alternate" and a.get("hreflang"):
            self.alternates[a["hreflang"]] = a["href"]
        for attr in ("href", "src"):
            if attr in a:
                self.refs.append((tag, attr, a[attr]))


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text("utf-8"))
    return parser


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def resolve(out: Path, page: Path, ref: str) -> Path:
    base = posixpath.dirname(page.relative_to(out).as_posix())
    target = posixpath.normpath(posixpath.join(base, urlsplit(ref).path))
    path = out / target
    return path / "index.html" if ref.split("?")[0].split("#")[0].endswith("/") or path.is_dir() else path


def test_every_internal_link_and_asset_resolves(demo_out):
    checked = 0
    for page in html_files(demo_out):
        if page.name == "404.html":
            continue       # served at any depth, so it links with absolute URLs on purpose
        for tag, attr, ref in parse(page).refs:
            scheme = urlsplit(ref).scheme
            if scheme in ("https", "http"):
                assert tag in ("link", "a"), f"{page}: {tag} loads from another host: {ref}"
                if tag == "link":
                    continue     # canonical and alternates are absolute by design
                assert ref.startswith("https://uri.amap.com/"), f"{page}: unexpected external link {ref}"
                continue
            if scheme in ("tel", "mailto") or ref.startswith("#"):
                continue
            assert not ref.startswith("/"), f"{page}: root-absolute link breaks under a sub-path: {ref}"
            target = resolve(demo_out, page, ref)
            assert target.resolve().is_relative_to(demo_out.resolve()), f"{page}: {ref} escapes output/"
            assert target.is_file(), f"{page}: broken link {ref} → {target}"
            checked += 1
    assert checked > 1000


def test_hreflang_alternates_are_complete_and_symmetric(demo_out):
    base = "https://invest.example.gov.cn/jiulongpo/"
    pages = [p for p in html_files(demo_out) if p.parts[-2:] != ("output", "index.html")]
    seen = 0
    for page in pages:
        links = parse(page)
        if not links.alternates or page.name == "404.html":
            continue
        assert set(links.alternates) == {"zh", "en", "zh-Hant", "x-default"}, page
        me = base + posixpath.dirname(page.relative_to(demo_out).as_posix()) + "/"
        assert links.alternates[links.html_lang] == me, page
        for lang, url in links.alternates.items():
            assert url.startswith(base)
            other = demo_out / url[len(base):] / "index.html"
            assert other.is_file(), f"{page}: alternate {url} missing"
            back = parse(other).alternates
            assert back == links.alternates, f"{page} and {other} disagree on alternates"
        seen += 1
    assert seen > 100


def test_lang_attributes_and_language_switcher(demo_out):
    home = parse(demo_out / "zh-hant" / "projects" / "smart-security-park" / "index.html")
    assert home.html_lang == "zh-Hant"
    switch = [ref for tag, attr, ref in home.refs if tag == "a" and ref.endswith("smart-security-park/")]
    assert "../../../zh/projects/smart-security-park/" in switch
    assert "../../../en/projects/smart-security-park/" in switch


def test_missing_translation_falls_back_marked_with_lang(demo_out):
    page = (demo_out / "en" / "parks" / "huayan" / "index.html").read_text("utf-8")
    assert re.search(r'<h1><span lang="zh">[^<]+</span></h1>', page)
    policies = (demo_out / "en" / "pages" / "policies" / "index.html").read_text("utf-8")
    assert '<div lang="zh">' in policies


def test_traditional_is_derived_where_not_written(demo_out):
    page = (demo_out / "zh-hant" / "parks" / "xipeng" / "index.html").read_text("utf-8")
    assert "西彭園區" in page and "西彭园区" not in page


def test_amounts_render_per_language(demo_out):
    zh = (demo_out / "zh" / "projects" / "index.html").read_text("utf-8")
    en = (demo_out / "en" / "projects" / "index.html").read_text("utf-8")
    hant = (demo_out / "zh-hant" / "projects" / "index.html").read_text("utf-8")
    assert "亿元" in zh and "億元" in hant and "亿元" not in hant
    assert "billion" in en or "million" in en


def test_fixture_amounts_in_all_languages(site):
    root = site()
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stderr
    out = root / "output"
    page = lambda lang, p: (out / lang / "projects" / p / "index.html").read_text("utf-8")
    assert "176.1" in page("zh", "alpha") and "亿元" in page("zh", "alpha")
    assert "RMB 17.61" in page("en", "alpha") and "billion" in page("en", "alpha")
    assert "120 mu (8 ha)" in page("en", "alpha")
    assert "120畝" in page("zh-hant", "alpha") and "億元" in page("zh-hant", "alpha")
    assert "RMB 50" in page("en", "beta") and "million" in page("en", "beta")
    assert "5000萬元" in page("zh-hant", "beta")
    # beta has no English title: the build reports it
    assert "missing translations" in result.stdout and "project beta: title" in result.stdout


def test_root_sitemap_robots_and_aliases(demo_out):
    root = (demo_out / "index.html").read_text("utf-8")
    for lang in ("zh/", "en/", "zh-hant/"):
        assert f'href="{lang}"' in root
    sitemap = (demo_out / "sitemap.xml").read_text("utf-8")
    assert sitemap.count("<url>") > 100 and 'hreflang="zh-Hant"' in sitemap
    assert "Sitemap: https://invest.example.gov.cn/jiulongpo/sitemap.xml" in (demo_out / "robots.txt").read_text()
    redirects = [p for p in html_files(demo_out) if 'http-equiv="refresh"' in p.read_text("utf-8")]
    assert len(redirects) >= 3          # one alias in each of three languages
    for page in redirects:
        target = re.search(r'url=([^"]+)"', page.read_text("utf-8")).group(1)
        assert resolve(demo_out, page, target).is_file()


def test_no_request_to_other_hosts_and_hashed_assets(demo_out):
    for page in html_files(demo_out):
        text = page.read_text("utf-8")
        assert not re.search(r'<(script|img|iframe|source)[^>]+src="https?://', text), page
        assert not re.search(r'<link[^>]+rel="stylesheet"[^>]+href="https?://', text), page
    assets = [p.name for p in (demo_out / "assets").iterdir()]
    assert all(re.fullmatch(r"[\w-]+\.[0-9a-f]{10}\.\w+", name) for name in assets), assets


def test_build_is_deterministic_across_environments(demo_site, tmp_path):
    first = run_yunzhao("build", "--site", str(demo_site), "--out", str(tmp_path / "a"), cwd=REPO,
                        env={"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C"})
    second = run_yunzhao("build", "--site", str(demo_site.absolute()), "--out", str(tmp_path / "b"),
                         cwd=tmp_path, env={"PYTHONHASHSEED": "987", "TZ": "Asia/Shanghai",
                                            "LC_ALL": "C.UTF-8", "PYTHONPATH": str(REPO)})
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_check_writes_nothing(site):
    root = site()
    result = run_yunzhao("check", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert not (root / "output").exists()
