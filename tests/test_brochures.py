"""E-brochures: selection, the phone page, the sender's card, share metadata, QR codes, posters, PDFs.

The demo is built once (conftest's `demo_out`, without PDFs); PDFs are built for one small
fixture brochure only, because WeasyPrint with CJK fonts takes about a second per document.
Browser tests run Debian's Chromium at 390×844 against the output served under a sub-path.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import subprocess
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from conftest import REPO, run_yunzhao, tree_digest, write_site
from gate_tools import PHONE, serving

BASE = "https://invest.example.gov.cn/jiulongpo/"
LANGS = {"zh": "zh", "en": "en", "zh-Hant": "zh-hant"}
DEMO_BROCHURES = ("chengyu-2024", "new-materials")
DEMO_STAFF = ("caogang", "maying", "zhouning")


def brochure_dir(out: Path, lang_folder: str, brochure: str) -> Path:
    return out / lang_folder / "brochures" / brochure


class Head(HTMLParser):
    """<meta property/name> values, the canonical link, and every <img> in order."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.images: list[dict] = []
        self.in_body = False
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and "content" in a:
            self.meta[a.get("property") or a.get("name") or a.get("itemprop") or ""] = a["content"]
        if tag == "link" and a.get("rel") in ("canonical", "icon"):
            self.links[a["rel"]] = a["href"]
        if tag == "body":
            self.in_body = True
        if tag == "img" and self.in_body:
            self.images.append(a)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def head_of(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text("utf-8"))
    return parser


# ---- selection: the filter's bounds are inclusive, in one unit ------------------------------

CATALOGUE = """
    catalogue:
      title: 测试项目
    projects:
      - {id: six-yi, title: 六亿项目, sector: new-materials, park: west, investment: 6亿元, status: seeking}
      - {id: sixty-thousand-wan, title: 六万万项目, sector: new-materials, park: west, investment: 60000万元, status: negotiating}
      - {id: just-below, title: 略低项目, sector: new-materials, investment: 59999万元, status: seeking}
      - {id: just-above, title: 略高项目, sector: new-materials, investment: 60001万元, status: seeking}
      - {id: dollars, title: 美元项目, sector: new-materials, investment: 6亿美元, status: seeking}
      - {id: logistics-hub, title: 物流项目, sector: logistics, park: west, investment: 6亿元, status: signed}
"""


def select(tmp_path: Path, filter_text: str) -> list[str]:
    """The project ids a brochure filter selects, read through the real checker."""
    from generator.check import check_site
    from generator.errors import Problems
    root = write_site(tmp_path, {
        "content/projects/2024.yaml": CATALOGUE,
        "content/brochures/pick.yaml": f"id: pick\ntitle: 选择\nfilter: {filter_text}\n",
    })
    problems = Problems()
    site = check_site(root, problems)
    assert not problems, [str(p) for p in problems.errors]
    return [p.id for p in site.brochures[0].projects]


@pytest.mark.parametrize("filter_text, expected", [
    # 60000万元 is 6亿元: both bounds include it, the neighbours one 万元 away fall outside.
    ("{min_investment: 6亿元, max_investment: 60000万元}", ["logistics-hub", "six-yi", "sixty-thousand-wan"]),
    ("{min_investment: 60000万元}", ["just-above", "logistics-hub", "six-yi", "sixty-thousand-wan"]),
    ("{max_investment: 6亿元}", ["just-below", "logistics-hub", "six-yi", "sixty-thousand-wan"]),
    ("{min_investment: 60001万元, max_investment: 60001万元}", ["just-above"]),
    # An amount in another currency is never compared with yuan: only the dollar project.
    ("{min_investment: 6亿美元}", ["dollars"]),
    ("{sector: [new-materials], status: [negotiating]}", ["sixty-thousand-wan"]),
    ("{park: [west], min_investment: 6亿元}", ["logistics-hub", "six-yi", "sixty-thousand-wan"]),
    ("{sector: [new-materials, logistics], park: [west], status: [seeking, signed]}",
     ["logistics-hub", "six-yi"]),
])
def test_filter_selects_exactly_the_projects_within_its_inclusive_bounds(tmp_path, filter_text, expected):
    assert select(tmp_path, filter_text) == expected


def check_errors(root: Path) -> str:
    result = run_yunzhao("check", "--site", str(root), cwd=REPO)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize("brochure, expected", [
    ("id: pick\ntitle: 选择\nprojects:\n  - six-yi\n  - six-yl\n",
     'content/brochures/pick.yaml:5: projects: no project has the id "six-yl"; did you mean "six-yi"?'),
    ("id: pick\ntitle: 选择\nfilter: {sector: [logistics], min_investment: 7亿元}\n",
     "content/brochures/pick.yaml:3: filter: selects no project; widen the filter or list the projects by id"),
    ("id: pick\ntitle: 选择\nprojects: []\n",
     "content/brochures/pick.yaml:3: projects: lists no project"),
    ("id: pick\ntitle: 选择\nfilter:\n  min_investment: 7亿元\n  max_investment: 6亿元\n",
     "content/brochures/pick.yaml:4: filter.min_investment: is more than max_investment"),
])
def test_a_wrong_selection_names_the_brochure_file_and_line(site, brochure, expected):
    root = site({"content/projects/2024.yaml": CATALOGUE, "content/brochures/pick.yaml": brochure})
    assert expected in check_errors(root)


# ---- the built demo ---------------------------------------------------------------------------

def test_demo_has_brochures_in_every_language_with_their_files(demo_out):
    for folder in LANGS.values():
        assert (demo_out / folder / "brochures" / "index.html").is_file()
        for brochure in DEMO_BROCHURES:
            here = brochure_dir(demo_out, folder, brochure)
            assert (here / "index.html").is_file()
            assert (here / "qr.svg").is_file()
            for staff in DEMO_STAFF:
                assert (here / f"qr-{staff}.svg").is_file()
                with Image.open(here / f"poster-{staff}.jpg") as poster:
                    assert poster.size == (1080, 1920)


def test_first_screen_arrives_in_the_first_round_trip(demo_out):
    """The whole HTML (inline CSS and every screen), gzip-compressed, fits in 14 KB."""
    for folder in LANGS.values():
        for brochure in DEMO_BROCHURES:
            html = (brochure_dir(demo_out, folder, brochure) / "index.html").read_bytes()
            assert b'rel="stylesheet"' not in html, "the brochure's CSS must be inline (no blocking request)"
            size = len(gzip.compress(html, compresslevel=6))
            assert size <= 14 * 1024, f"{folder}/{brochure}: {size} bytes gzip-compressed"


def test_share_metadata_is_absolute_and_the_share_image_is_square(demo_out):
    for lang, folder in LANGS.items():
        for brochure in DEMO_BROCHURES:
            page = brochure_dir(demo_out, folder, brochure) / "index.html"
            head = head_of(page)
            url = f"{BASE}{folder}/brochures/{brochure}/"
            assert head.meta["og:url"] == url == head.links["canonical"]
            assert head.meta["og:title"] == head.title.strip()
            assert "九龙坡区招商投资局" not in head.title and "Bureau" not in head.title, "no site boilerplate"
            assert len(head.title) <= 60 and 0 < len(head.meta["og:description"]) <= 81
            image = head.meta["og:image"]
            assert image.startswith(BASE) and image.endswith(".jpg")
            # WeChat versions that ignore Open Graph take the first image of the body.
            first = head.images[0]["src"]
            assert (page.parent / first).resolve() == (demo_out / image[len(BASE):]).resolve()
            with Image.open(demo_out / image[len(BASE):]) as share:
                assert share.width == share.height >= 300


def test_brochures_are_not_in_the_sitemap_and_the_index_is_hidden(demo_out):
    sitemap = (demo_out / "sitemap.xml").read_text("utf-8")
    assert "/brochures/" not in sitemap
    for folder in LANGS.values():
        index = head_of(demo_out / folder / "brochures" / "index.html")
        assert "noindex" in index.meta["robots"]
    public = [p for p in demo_out.rglob("*.html") if "/brochures/" not in p.as_posix()]
    assert public
    for page in public:
        assert "brochures/" not in page.read_text("utf-8"), f"{page} links the staff's brochure index"


def test_staff_index_lists_every_link_qr_and_poster(demo_out):
    index_file = demo_out / "zh" / "brochures" / "index.html"
    index = index_file.read_text("utf-8")
    linked = {(index_file.parent / ref).resolve().relative_to(demo_out.resolve()).as_posix()
              for ref in re.findall(r'(?:src|href)="([^"#?:]+)"', index)}
    for brochure in DEMO_BROCHURES:
        for folder in LANGS.values():
            assert f"{BASE}{folder}/brochures/{brochure}/</a>" in index
            for staff in DEMO_STAFF:
                assert f"{BASE}{folder}/brochures/{brochure}/?s={staff}</a>" in index
                for name in (f"qr-{staff}.svg", f"poster-{staff}.jpg"):
                    path = f"{folder}/brochures/{brochure}/{name}"
                    assert path in linked and (demo_out / path).is_file()


def test_brochure_links_command_prints_every_staff_link_per_language(demo_site):
    result = run_yunzhao("brochure", "links", "new-materials", "--site", str(demo_site), cwd=REPO)
    assert result.returncode == 0, result.stderr
    urls = re.findall(r"https://\S+", result.stdout)
    expected = [f"{BASE}{folder}/brochures/new-materials/{query}"
                for query in ["", *(f"?s={s}" for s in ("maying", "caogang", "zhouning"))]
                for folder in LANGS.values()]
    assert urls == expected
    assert "马莹 Ma Ying" in result.stdout
    wrong = run_yunzhao("brochure", "links", "new-material", "--site", str(demo_site), cwd=REPO)
    assert wrong.returncode == 2 and 'did you mean "new-materials"' in wrong.stderr


# ---- QR codes decode to the exact absolute URL ------------------------------------------------

def decode(image: Image.Image) -> list[str]:
    import zxingcpp
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


@pytest.fixture(scope="module")
def svg_page(browser):
    page = browser.new_page(viewport={"width": 370, "height": 370})
    yield page
    page.close()


def render_svg(page, svg: str) -> Image.Image:
    """An SVG drawn by Chromium, as a phone's browser would show it."""
    page.set_content('<body style="margin:20px;background:#fff"><div style="width:330px;height:330px">'
                     f'{svg}</div></body>')
    page.eval_on_selector("svg", "s => { s.style.width = '100%'; s.style.height = '100%'; }")
    return Image.open(io.BytesIO(page.screenshot()))


def test_every_brochure_qr_code_decodes_to_its_exact_url(demo_out, svg_page):
    checked = 0
    for folder in LANGS.values():
        for brochure in DEMO_BROCHURES:
            here = brochure_dir(demo_out, folder, brochure)
            url = f"{BASE}{folder}/brochures/{brochure}/"
            for staff in (None, *DEMO_STAFF):
                name = f"qr-{staff}.svg" if staff else "qr.svg"
                expected = url + (f"?s={staff}" if staff else "")
                assert decode(render_svg(svg_page, (here / name).read_text("utf-8"))) == [expected]
                checked += 1
    assert checked == 24


def test_poster_qr_code_decodes_to_the_senders_link(demo_out):
    """Also from the picture shrunk to 40 % (a thumbnail in a chat, a photo of a screen): the
    poster is a JPEG, light to send, and its QR code must survive that."""
    for folder in ("zh", "en"):
        for staff in DEMO_STAFF:
            path = brochure_dir(demo_out, folder, "chengyu-2024") / f"poster-{staff}.jpg"
            assert path.stat().st_size < 500_000, "a poster sent over WeChat should stay light"
            with Image.open(path) as poster:
                assert poster.format == "JPEG"
                link = [f"{BASE}{folder}/brochures/chengyu-2024/?s={staff}"]
                assert decode(poster) == link
                assert decode(poster.resize((432, 768), Image.LANCZOS)) == link


def test_project_and_park_pages_carry_their_qr_code_for_print(demo_out, svg_page):
    for path in ("zh/projects/smart-security-park/", "en/parks/xipeng/"):
        html = (demo_out / path / "index.html").read_text("utf-8")
        svgs = re.findall(r'<svg[^>]*class="qr"[^>]*>.*?</svg>', html, re.S)
        assert len(svgs) == 1, f"{path}: one QR code"
        assert decode(render_svg(svg_page, svgs[0])) == [BASE + path]


# The longest texts of the demo: the largest park profile and fact list in each language.
@pytest.mark.parametrize("path", ["zh/projects/western-data-center/", "en/projects/huayan-culture-tourism/",
                                  "zh/parks/xipeng/", "en/parks/jiulong/", "zh-hant/parks/xipeng/"])
def test_project_and_park_pages_print_on_one_a4_page(demo_out, browser, path):
    from pypdf import PdfReader
    page = browser.new_page()
    page.goto((demo_out / path / "index.html").as_uri())
    pdf = page.pdf(format="A4", margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
    page.close()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1, f"{path} prints on {len(reader.pages)} pages"


# ---- in the browser, at 390×844 --------------------------------------------------------------

def shown_senders(page) -> dict[str, list[str]]:
    """The sender ids of the visible cards, per kind of place (contact screen, action bar)."""
    return page.evaluate("""() => {
        const out = {card: [], bar: []};
        for (const el of document.querySelectorAll('[data-sender]')) {
            if (el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
            if (getComputedStyle(el).display === 'none') continue;
            out[el.classList.contains('card') ? 'card' : 'bar'].push(el.dataset.sender);
        }
        return out;
    }""")


@pytest.mark.parametrize("query, expected", [
    ("", "caogang"),                 # the brochure's contact
    ("?s=maying", "maying"),
    ("?s=zhouning", "zhouning"),
    ("?s=nobody", "caogang"),        # an unknown id keeps the default, never an empty card
])
def test_sender_link_swaps_the_contact_card_everywhere(browser, served, query, expected):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(served.url + "zh/brochures/chengyu-2024/" + query)
    assert shown_senders(page) == {"card": [expected], "bar": [expected]}
    card = page.locator(f'.card[data-sender="{expected}"]')
    assert card.locator("a.call").get_attribute("href").startswith("tel:+8623")
    assert card.locator("button[data-copy]").is_visible()
    # The other language versions keep the sender.
    if expected != "caogang":
        assert page.locator('a[hreflang="en"][data-keep-sender]').get_attribute("href").endswith(f"?s={expected}")
    context.close()


def test_brochure_works_without_javascript(browser, served):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(served.url + "zh/brochures/chengyu-2024/?s=maying")
    # Without JS the default contact shows (the link still works), with everything else in place.
    assert shown_senders(page) == {"card": ["caogang"], "bar": ["caogang"]}
    assert page.locator("button[data-copy]:visible").count() == 0, "no dead copy button"
    assert page.locator("section.screen").count() == 1 + 8 + 2 + 1
    cover = page.locator("section.cover")
    box = cover.bounding_box()
    assert box["height"] >= PHONE["height"] - 1 and box["width"] == PHONE["width"]
    assert page.locator("h1").inner_text() == "成渝双城经济圈合作项目推介"
    assert page.locator(".cover-image").evaluate("img => img.complete && img.naturalWidth > 0")
    # Each project screen leads to the full page, which exists.
    links = page.eval_on_selector_all("a.go", "as => as.map(a => a.href)")
    assert len(links) == 10
    response = page.goto(links[0])
    assert response.status == 200
    context.close()


def test_one_qr_code_per_screen_at_most(browser, served):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(served.url + "zh/brochures/chengyu-2024/")
    counts = page.eval_on_selector_all("section.screen", """screens => screens.map(s =>
        [...s.querySelectorAll('img[src*="qr"], svg.qr')].filter(e => getComputedStyle(e).display !== 'none'
          && e.closest('[hidden]') === null && getComputedStyle(e.closest('figure') || e).display !== 'none').length)""")
    assert max(counts) <= 1, counts
    context.close()


def test_first_view_loads_at_most_150_kb_and_later_images_wait(browser, served):
    """What the first screen needs: the page (gzip size, as a server sends it) and its pictures."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sizes: dict[str, int] = {}
    page.on("requestfinished", lambda request: sizes.__setitem__(request.url, len(request.response().body())))
    page.goto(served.url + "zh/brochures/chengyu-2024/")
    page.wait_for_load_state("networkidle")
    html_url = served.url + "zh/brochures/chengyu-2024/"
    html = gzip.compress(page.evaluate("() => fetch(location.href).then(r => r.text())").encode(), 6)
    in_view = set(page.eval_on_selector_all("img", """imgs => imgs.filter(i => {
        const r = i.getBoundingClientRect();
        return i.currentSrc && r.bottom > 0 && r.top < innerHeight && r.width > 0; }).map(i => i.currentSrc)"""))
    share = page.eval_on_selector("body img", "i => i.currentSrc")        # hidden, but loaded
    first_view = [u for u in sizes if u != html_url and (u in in_view or u == share or not
                                                          re.search(r"\.(jpe?g|png|webp|svg)$", u))]
    total = len(html) + sum(sizes[u] for u in first_view)
    assert total <= 150 * 1024, f"{total} bytes: {first_view}"
    # Every picture after the cover is lazy: nothing below the fold blocks the first view.
    eager = page.eval_on_selector_all("section.screen:not(.cover) img", "imgs => imgs.filter(i => i.loading !== 'lazy').length")
    assert eager == 0
    context.close()


WECHAT_UA = ("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/116.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47")


def requests_of(browser, url: str, user_agent: str | None = None) -> list[str]:
    """Every URL the page asks for while it loads and scrolls to the end (other hosts refused)."""
    context = browser.new_context(viewport=PHONE, user_agent=user_agent)
    seen: list[str] = []
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    context.route("**/*", lambda route: (seen.append(route.request.url),
                                         route.continue_() if route.request.url.startswith(origin)
                                         else route.abort()))
    page = context.new_page()
    page.goto(url)
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(500)
    page.wait_for_load_state("networkidle")
    context.close()
    return seen


def test_no_request_leaves_the_site_without_a_signature_endpoint(browser, served):
    for user_agent in (None, WECHAT_UA):
        seen = requests_of(browser, served.url + "zh/brochures/chengyu-2024/?s=maying", user_agent)
        assert seen and all(u.startswith(served.origin + "/") for u in seen), seen


# ---- a small fixture brochure: PDF, fonts, the JS-SDK ---------------------------------------

FIXTURE = {
    "content/brochures/west-2024.yaml": """
        id: west-2024
        title: {zh: 西区新材料合作项目, en: West Park New Materials Projects}
        subtitle: {zh: 面向新材料企业的重点项目, en: Key projects for new-materials companies}
        projects: [alpha]
        parks: [west]
        contact: wang
    """,
}


def build_fixture(tmp_path: Path, files: dict | None = None, *args, env=None):
    root = write_site(tmp_path, {**FIXTURE, **(files or {})})
    return root, run_yunzhao("build", "--site", str(root), *args, cwd=REPO, env=env)


@pytest.fixture(scope="module")
def pdf_site(tmp_path_factory):
    root, result = build_fixture(tmp_path_factory.mktemp("pdf"), None, "--pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "output"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def drawn_characters(path: Path) -> set[str]:
    """Characters whose glyphs the PDF's embedded font programs really contain (not .notdef, not empty).

    For each font: its ToUnicode map says which glyph stands for which character; the embedded
    program (read with fontTools) must have that glyph with an outline.
    """
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    drawn: set[str] = set()
    for page in PdfReader(str(path)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            program = next(descriptor[k].get_object().get_data() for k in ("/FontFile3", "/FontFile2", "/FontFile")
                           if k in descriptor)
            tt = TTFont(io.BytesIO(program))
            order = tt.getGlyphOrder()
            glyphs = tt.getGlyphSet()
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            pairs = re.findall(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>", cmap)
            for gid_hex, text_hex in pairs:
                gid = int(gid_hex, 16)
                if gid == 0 or gid >= len(order):
                    continue
                pen = BoundsPen(glyphs)
                glyphs[order[gid]].draw(pen)
                if pen.bounds is not None:
                    drawn.add(bytes.fromhex(text_hex).decode("utf-16-be"))
    return drawn


@pytest.mark.parametrize("lang_folder, title", [
    ("zh", "西区新材料合作项目"), ("en", "West Park New Materials Projects"), ("zh-hant", "西區新材料合作專案")])
def test_pdf_has_the_title_in_text_and_in_real_glyphs(pdf_site, lang_folder, title):
    pdf = brochure_dir(pdf_site, lang_folder, "west-2024") / "west-2024.pdf"
    text = pdf_text(pdf)
    assert title in re.sub(r"\s+", " ", text)
    # Text extraction alone proves nothing (tofu boxes still extract): the glyphs must be in the fonts.
    missing = set(title.replace(" ", "")) - drawn_characters(pdf)
    assert not missing, f"no glyph embedded for {sorted(missing)}"


def test_pdf_is_a4_with_cover_project_park_and_contact_pages(pdf_site):
    from pypdf import PdfReader
    pdf = brochure_dir(pdf_site, "zh", "west-2024") / "west-2024.pdf"
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 4          # cover, one project, one park, contact
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    pages = [p.extract_text() for p in reader.pages]
    assert "阿尔法项目" in pages[1] and "西区园区" in pages[2] and "王明" in pages[3]
    assert "第 2 页" in pages[1]
    assert "https://invest.example.gov.cn/test/zh/projects/alpha/" in pages[1]


def test_pdf_pages_are_published_as_pictures_in_the_brochure(pdf_site):
    here = brochure_dir(pdf_site, "zh", "west-2024")
    pages = sorted(here.glob("west-2024-page-*.jpg"))
    assert len(pages) == 4
    html = (here / "index.html").read_text("utf-8")
    assert 'href="west-2024.pdf"' in html
    for picture in pages:
        assert f'src="{picture.name}"' in html
        with Image.open(picture) as image:
            assert image.width == 1000


def test_pdf_build_is_deterministic(pdf_site, tmp_path):
    root, result = build_fixture(tmp_path, None, "--pdf")
    assert result.returncode == 0, result.stderr
    again = tree_digest(root / "output")
    first = tree_digest(pdf_site)
    pdfs = [k for k in first if k.endswith((".pdf", ".png", "-page-01.jpg"))]
    assert pdfs and all(first[k] == again[k] for k in pdfs)


def test_without_a_cjk_font_the_build_says_what_to_install(pdf_site, tmp_path):
    """A font path with no CJK font: a clear message, no poster or PDF of empty boxes."""
    config = empty_font_config(tmp_path)
    root = tmp_path / "site"
    shutil.copytree(pdf_site.parent, root, ignore=shutil.ignore_patterns(".yunzhao-cache"))   # built with fonts
    digest = tree_digest(root / "output")
    result = run_yunzhao("build", "--site", str(root), "--pdf", cwd=REPO, env={"FONTCONFIG_FILE": str(config)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "content/brochures/west-2024.yaml: poster: zh: no font on this machine can draw Chinese text" in result.stderr
    assert "apt-get install fonts-noto-cjk" in result.stderr
    assert tree_digest(root / "output") == digest, "a failed build changed output/"


def test_a_character_missing_from_the_font_is_named(tmp_path):
    # U+2A6D6 is in CJK Extension B, which fonts-noto-cjk does not cover.
    files = {"content/brochures/west-2024.yaml": FIXTURE["content/brochures/west-2024.yaml"]
             .replace("西区新材料合作项目", "西区新材料合作项目\U0002A6D6")}
    root, result = build_fixture(tmp_path, files)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "has no glyph for \"\U0002A6D6\" (U+2A6D6)" in result.stderr
    assert not (root / "output").exists()


def test_js_sdk_loads_only_inside_wechat_when_the_bureau_names_its_signature_endpoint(tmp_path, browser):
    site_yaml = textwrap.dedent("""
        title: {zh: 测试招商局, en: Test Investment Bureau}
        languages: [zh, en, zh-Hant]
        base_url: https://invest.example.gov.cn/test/
        contact: wang
        wechat_signature_endpoint: https://invest.example.gov.cn/wechat/signature
    """)
    root, result = build_fixture(tmp_path, {"content/site.yaml": site_yaml})
    assert result.returncode == 0, result.stderr
    with serving(root / "output") as server:
        url = server.url + "zh/brochures/west-2024/"
        outside = requests_of(browser, url)
        inside = requests_of(browser, url, WECHAT_UA)
    assert all(u.startswith(server.origin + "/") for u in outside), outside
    assert "https://res.wx.qq.com/open/js/jweixin-1.6.0.js" in inside


def empty_font_config(folder: Path) -> Path:
    """A fontconfig configuration with one Latin font and no CJK font, like a fresh server.

    (With no font at all Pango cannot lay out anything; no real machine is like that.)
    """
    fonts = folder / "latin-fonts"
    fonts.mkdir(exist_ok=True)
    found = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans:lang=en"], capture_output=True,
                           text=True).stdout.strip()
    if found and "cjk" not in found.lower():
        (fonts / Path(found).name).symlink_to(found)
    config = folder / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                      f"<fontconfig><dir>{fonts}</dir><cachedir>{folder / 'fc-cache'}</cachedir></fontconfig>\n")
    return config


def test_a_font_shipped_with_the_theme_is_used_and_embedded(tmp_path):
    """No font on the machine, an OpenType CJK font in the theme: posters and PDF use it."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    root = write_site(tmp_path / "site", {**FIXTURE, "content/site.yaml": """
        title: {zh: 测试招商局, en: Test Investment Bureau}
        languages: [zh, en]
        base_url: https://invest.example.gov.cn/test/
        contact: wang
        theme: shipped
    """, "themes/shipped/theme.yaml": "extends: default\n", "themes/shipped/templates/.keep": ""})
    # A small font made from the machine's Noto Sans CJK SC: the characters this site draws.
    strings = "".join((REPO / "themes/default/strings" / f"{lang}.yaml").read_text("utf-8") for lang in ("zh", "en"))
    content = "".join(p.read_text("utf-8") for p in (root / "content").rglob("*") if p.is_file())
    text = strings + content + "".join(map(chr, range(32, 127))) + "亿万元亩平方米公里个·–…→²、，。：；（）“”"
    noto = {"Regular": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
            "Bold": "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"}
    for style, path in noto.items():
        if not Path(path).is_file():
            pytest.skip(f"{path} (fonts-noto-cjk) is needed to make the test font")
        font = TTFont(path, fontNumber=2)
        options = subset.Options()
        options.name_IDs = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        target = root / "themes/shipped/fonts" / f"TestCJK-{style}.otf"
        target.parent.mkdir(parents=True, exist_ok=True)
        font.save(target)
    config = empty_font_config(tmp_path)
    result = run_yunzhao("build", "--site", str(root), "--pdf", cwd=REPO, env={"FONTCONFIG_FILE": str(config)})
    assert result.returncode == 0, result.stdout + result.stderr
    pdf = brochure_dir(root / "output", "zh", "west-2024") / "west-2024.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    embedded = fonts.splitlines()[2:]
    assert embedded and all("+yunzhao-pdf" in line and " yes yes yes " in line for line in embedded), fonts
    assert not set("西区新材料合作项目") - drawn_characters(pdf)
    with Image.open(brochure_dir(root / "output", "zh", "west-2024") / "poster-wang.jpg") as poster:
        assert poster.size == (1080, 1920)
