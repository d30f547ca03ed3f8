"""PDFs of brochures with WeasyPrint, and the PDF's pages as pictures.

The print template is rendered to HTML like any page, with the brochure's absolute URL as its
base, so every link in the PDF points at the published site. WeasyPrint fetches what the page
refers to through `SiteFetcher`, which answers from the build's own files and refuses anything
else: building a PDF never makes a network request.

Fonts: the faces are chosen (and checked to cover every character) by `fonts.choose` before
WeasyPrint runs, and passed as a user stylesheet; WeasyPrint embeds the subset it uses.

Android's WeChat cannot open a PDF, so the pages are also published as JPEG pictures, made
with pypdfium2 (PDFium, Chrome's PDF engine): a pip wheel that carries its own library, so the
build needs no Debian package (pdftoppm would need poppler-utils) and draws the same on every
machine.
"""

from __future__ import annotations

import io
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from .fonts import Face

PAGE_IMAGE_WIDTH = 1000         # px: sharp on a phone, about 100 KB a page
PAGE_IMAGE_QUALITY = 74


class _Text(HTMLParser):
    """The text a page draws: every text node outside <style>, <script> and <title>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title", "svg"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title", "svg") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def drawn_text(html: str) -> str:
    """The characters a PDF of this HTML will draw (CSS `content:` strings are the template's own)."""
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


@dataclass
class SiteFetcher:
    """Answers WeasyPrint's requests from the build's files; refuses every other URL."""
    base_url: str                                   # the site's base_url, ending in "/"
    lookup: Callable[[str], bytes | None]           # site-root path → bytes, or None
    fonts: dict[str, str] = field(default_factory=dict)   # file:// URL → path of a shipped font
    refused: list[str] = field(default_factory=list)

    def fetcher(self):
        from weasyprint.urls import URLFetcher, URLFetcherResponse
        outer = self

        class Fetcher(URLFetcher):
            def fetch(self, url, headers=None):
                data = outer.answer(url)
                if data is None:
                    outer.refused.append(url)
                    raise ValueError(f"not a file of this site: {url}")
                mime = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=data, headers={"Content-Type": mime})

        return Fetcher()

    def answer(self, url: str) -> bytes | None:
        if url in self.fonts:
            return Path(self.fonts[url]).read_bytes()
        if not url.startswith(self.base_url):
            return None
        path = unquote(urlsplit(url[len(self.base_url):]).path)
        return self.lookup(path)


def font_css(regular: Face, bold: Face, fetcher: SiteFetcher) -> str:
    """The user stylesheet that sets the checked faces on the whole document."""
    rules = []
    family = regular.family
    if regular.shipped or bold.shipped:
        family = "yunzhao-pdf"
        for face, weight in ((regular, 400), (bold, 700)):
            url = Path(face.file).as_uri()
            fetcher.fonts[url] = face.file
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{url}"); font-weight: {weight}; }}')
    # Every element and the page's margin boxes (running footer), so no text falls back elsewhere.
    rules.append(f'* {{ font-family: "{family}"; }}')
    rules.append(f'@page {{ font-family: "{family}"; }}')
    return "\n".join(rules)


def write_pdf(html: str, page_url: str, fetcher: SiteFetcher, css: str) -> bytes:
    """The PDF of one rendered print page (deterministic: no dates, stable object order)."""
    import weasyprint
    # WeasyPrint warns through logging for every refused URL and unsupported CSS property; the
    # refused URLs are reported by the caller, the rest is noise for bureau staff.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint").propagate = False
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from weasyprint.text.fonts import FontConfiguration
    font_config = FontConfiguration()      # needed for @font-face of a font shipped with the theme
    url_fetcher = fetcher.fetcher()
    document = weasyprint.HTML(string=html, base_url=page_url, url_fetcher=url_fetcher)
    stylesheet = weasyprint.CSS(string=css, font_config=font_config, url_fetcher=url_fetcher)
    tofu = _Tofu()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(tofu)
    try:
        data = document.write_pdf(stylesheets=[stylesheet], font_config=font_config)
    finally:
        logger.removeHandler(tofu)
    if tofu.characters:
        # The fonts were checked before; this is the last guard, should WeasyPrint still fall back.
        raise MissingGlyphs(sorted(tofu.characters))
    return data


class MissingGlyphs(Exception):
    """WeasyPrint drew an empty box (.notdef) for these characters."""


class _Tofu(logging.Handler):
    """Collects the characters WeasyPrint reports drawing as .notdef (it logs, it does not fail)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.characters: set[str] = set()

    def emit(self, record):
        message = record.getMessage()
        if ".notdef glyph" in message:
            self.characters.update(re.findall(r'"(.)" \(U\+', message))


def page_images(pdf: bytes, width: int = PAGE_IMAGE_WIDTH, quality: int = PAGE_IMAGE_QUALITY) -> list[bytes]:
    """Each page of a PDF as a JPEG `width` pixels wide."""
    import pypdfium2
    document = pypdfium2.PdfDocument(pdf)
    images = []
    try:
        for index in range(len(document)):
            page = document[index]
            scale = width / page.get_width()
            bitmap = page.render(scale=scale)
            picture = bitmap.to_pil().convert("RGB")
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            images.append(out.getvalue())
            page.close()
    finally:
        document.close()
    return images
