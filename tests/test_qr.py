"""Page QR codes: our own encoder (generator/qr_encoder.py) draws exactly what segno drew.

Every project and park page carries a QR code of its URL. They used to be made by segno with a
fixed mask; qr_encoder now makes them much faster. These tests hold the two to the same codes,
module for module (in the encoder's matrix, in its packed rows and in the drawn SVG path) across
URL lengths that cover every version (1-40) and its boundaries, and decode the drawn SVG with a
real reader (zxing-cpp); tests/test_brochures.py decodes page codes drawn by Chromium.
"""

from __future__ import annotations

import random
import re
from urllib.parse import quote

import pytest
import segno
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from PIL import Image, ImageDraw
from segno import consts

from generator import qr_encoder
from generator.qr import INK, qr_inline


def segno_rows(url: str, code=None) -> list[str]:
    """The reference: the modules segno gives with the mask page codes use, as "0"/"1" rows
    (of `code`, if segno made it already)."""
    code = code or segno.make(url, error="m", micro=False, mask=2)
    return ["".join(str(module & 1) for module in row) for row in code.matrix]


PATH_COMMAND = re.compile(r"M(\d+) (\d+\.5)|m(\d+) 0|h(\d+)")


def drawn_rows(svg: str) -> list[str]:
    """The modules an inline code's SVG paints: its path is read command by command ("M{x} {y}",
    "m{n} 0", "h{n}" and nothing else) as a browser would, each stroke one module high and
    centred on its row, inside the quiet zone of four light modules."""
    full = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    path = re.search(r'<path stroke="[^"]+" d="([^"]*)"', svg).group(1)
    commands = list(PATH_COMMAND.finditer(path))
    assert "".join(c.group() for c in commands) == path, "only M, m and h commands in the path"
    grid = [["0"] * full for _ in range(full)]
    x = y = None
    for command in commands:
        if command.group(1) is not None:
            x, y = int(command.group(1)), float(command.group(2))
        elif command.group(3) is not None:
            x += int(command.group(3))
        else:
            for _ in range(int(command.group(4))):
                assert 0 <= x < full and grid[int(y - 0.5)][x] == "0", "a stroke outside the code, or twice"
                grid[int(y - 0.5)][x] = "1"
                x += 1
    rows = ["".join(row) for row in grid]
    quiet = "0" * full
    assert rows[:4] == rows[-4:] == [quiet] * 4 and all(r[:4] == r[-4:] == "0000" for r in rows)
    return [row[4:-4] for row in rows[4:-4]]


def assert_same_code(url: str) -> None:
    """Our symbol has segno's version, error level (after its boosting) and modules."""
    ours = qr_encoder.encode(url)
    theirs = segno.make(url, error="m", micro=False, mask=2)
    assert (ours.version, ours.level) == (theirs.version, theirs.error.upper()), url
    assert ours.rows() == segno_rows(url, theirs), url
    size, packed = qr_encoder.packed_rows(url)
    assert size == ours.size and packed == qr_encoder.pack_rows(ours.modules), url


# ---- URLs like a site's, made reproducibly -------------------------------------------------

HOSTS = ["https://invest.example.gov.cn/", "https://www.chengdu-hitech.example.cn/invest/",
         "http://zs.example.com/", "https://Invest.Example.GOV.cn/Sub/"]
WORDS = ["projects", "parks", "brochures", "smart-security-park", "xipeng", "new-materials",
         "western-data-center", "huayan-culture-tourism", "zh", "en", "zh-hant", "2024", "q3"]
CHINESE = ["智慧安防产业园", "西彭工业园", "新材料", "成渝地区双城经济圈", "數據中心", "华岩文旅"]


def varied_urls(count: int, seed: int) -> list[str]:
    """Plain slugs, percent-encoded Chinese, mixed case and query strings; 20-180 characters
    before the query string."""
    rng = random.Random(seed)
    urls = []
    while len(urls) < count:
        target = rng.randint(20, 180)
        url = rng.choice(HOSTS)
        while len(url) < target:
            kind = rng.random()
            if kind < 0.5:
                part = rng.choice(WORDS)
            elif kind < 0.75:
                part = quote(rng.choice(CHINESE))
            else:
                part = "".join(rng.choices("abcdefghijkLMNOPQRST0123456789-_.~", k=rng.randint(1, 12)))
            url += part + rng.choice("//-")
        url = url[:target]
        if rng.random() < 0.2:
            url += "?s=" + rng.choice(["zhangwei", "MaYing", "li-na"])
        urls.append(url)
    return urls


URLS = varied_urls(300, seed=7)


def boundary_urls() -> list[str]:
    """For each version, the longest URL it holds at level M and one byte more (the next version,
    or too long after version 40). Reference capacities are segno's own tables."""
    urls = []
    for version in range(1, 41):
        count_bits = 8 if version <= 9 else 16
        longest = (consts.SYMBOL_CAPACITY[version][consts.ERROR_LEVEL_M] - 4 - count_bits) // 8
        for length in (longest, longest + 1):
            urls.append(("https://example.cn/" + "a1B-" * 600)[:length])
    return urls


# ---- The same codes as segno ---------------------------------------------------------------

def test_varied_urls_give_segnos_modules():
    assert min(map(len, URLS)) >= 20 and max(map(len, URLS)) >= 180
    versions = set()
    for url in URLS:
        assert_same_code(url)
        versions.add(qr_encoder.encode(url).version)
    assert len(versions) >= 5  # the sample really spans several versions, with 1 and 2 blocks


def test_every_length_up_to_400_bytes_gives_segnos_modules_and_level():
    """Every byte count through version 12, so every version boundary there, including the ones
    where the code fits at Q or H and segno raises the level, and the data-fills-the-symbol case.
    (H is only reached by texts shorter than "https://"; the encoder does not care.)"""
    levels = set()
    for length in range(1, 401):
        url = ("https://example.cn/" + "x" * 400)[:length]
        assert_same_code(url)
        levels.add(qr_encoder.encode(url).level)
    assert levels == {"M", "Q", "H"}


def test_every_version_up_to_40_gives_segnos_modules():
    for url in boundary_urls():
        try:
            segno.make(url, error="m", micro=False, mask=2)
        except segno.DataOverflowError:
            with pytest.raises(qr_encoder.DataTooLong):
                qr_encoder.encode(url)
            continue
        assert_same_code(url)
    assert qr_encoder.encode(boundary_urls()[-2]).version == 40


@settings(max_examples=150, derandomize=True, deadline=None, database=None)
@given(text=st.text(max_size=80))
def test_any_text_after_the_scheme_gives_segnos_modules(text):
    """Also non-ASCII: both pick ISO-8859-1, else Shift JIS, else UTF-8 for the bytes."""
    assert_same_code("https://" + text)


def test_inline_svg_draws_segnos_modules():
    for url in URLS + boundary_urls()[:24]:
        svg = str(qr_inline(url))
        assert drawn_rows(svg) == segno_rows(url), url
        full = len(segno_rows(url)) + 8
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="qr" '
                              f'viewBox="0 0 {full} {full}" role="img" aria-label="{Markup.escape(url)}">'
                              f'<path fill="#fff" d="M0 0h{full}v{full}H0z"/><path stroke="{INK}" d="'), url
    assert 'aria-label="扫码查看 &lt;项目&gt;"' in qr_inline(URLS[0], "扫码查看 <项目>")


def test_tabled_and_general_encoding_agree_at_the_boundary():
    """Versions up to TABLED_VERSIONS come from tables, larger ones the general way: both sides
    of the boundary, at every level reached there, give segno's modules."""
    for url in boundary_urls()[2 * qr_encoder.TABLED_VERSIONS - 4: 2 * qr_encoder.TABLED_VERSIONS + 2]:
        assert_same_code(url)
    versions = {qr_encoder.encode(u).version for u in boundary_urls()[2 * qr_encoder.TABLED_VERSIONS - 4:
                                                                       2 * qr_encoder.TABLED_VERSIONS + 2]}
    assert {qr_encoder.TABLED_VERSIONS, qr_encoder.TABLED_VERSIONS + 1} <= versions


def test_only_absolute_urls_get_a_code():
    with pytest.raises(ValueError, match="absolute URL"):
        qr_inline("zh/projects/xipeng/")


# ---- A real reader decodes the drawn SVG ---------------------------------------------------

def draw_svg(svg: str, scale: int = 4) -> Image.Image:
    """The modules the SVG paints (`drawn_rows`, quiet zone included) as black boxes on white."""
    rows = drawn_rows(svg)
    full = len(rows) + 8
    image = Image.new("L", (full * scale, full * scale), 255)
    pen = ImageDraw.Draw(image)
    for y, row in enumerate(rows, start=4):
        for x, module in enumerate(row, start=4):
            if module == "1":
                pen.rectangle([x * scale, y * scale, (x + 1) * scale - 1, (y + 1) * scale - 1], fill=0)
    return image


@pytest.mark.parametrize("url", [
    pytest.param(URLS[0], id="sample-1"),
    pytest.param(URLS[1], id="sample-2"),
    pytest.param(max(URLS, key=len), id="longest-sample"),
    pytest.param("https://invest.example.gov.cn/zh/" + quote("成渝地区双城经济圈智慧安防产业园") + "/",
                 id="version-9-has-version-bits"),
    pytest.param("https://Invest.Example.GOV.cn/EN/Parks/XiPeng/?s=MaYing", id="mixed-case"),
    pytest.param("https://example.com/café", id="latin-1-byte"),
    pytest.param(("https://example.cn/" + "a1B-" * 600)[:1200], id="version-29-many-blocks"),
])
def test_drawn_code_decodes_to_its_exact_url(url):
    svg = str(qr_inline(url))
    assert [r.text for r in zxingcpp.read_barcodes(draw_svg(svg))] == [url]
