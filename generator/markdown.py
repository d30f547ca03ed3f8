"""Markdown written by staff, rendered safely.

Raw HTML is off by default: a pasted `<script>` shows as text. A site that turns
`markdown_html` on gets its HTML cleaned to an allow-list by nh3. A link may only lead to
http(s), mailto: and tel: addresses or to a path of the site: anything else (`javascript:`,
`vbscript:`, `data:`, in any case, with spaces or entities hiding it) is refused as a content
error at check time, and dropped here as a second line of defence.
"""

from __future__ import annotations

import functools
import html
import re
from html.parser import HTMLParser
from urllib.parse import unquote

from markdown_it import MarkdownIt

ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")

# Every Markdown link or image needs a "]" ([text](url), [text][ref], [ref]: url) and every
# autolink or HTML tag a "<": text with neither has no link, and is not parsed again.
MAYBE_LINK = re.compile(r"[\]<]")

# What a browser does to a URL before reading its scheme (WHATWG URL parsing): leading and
# trailing control characters and spaces are dropped, tabs and newlines anywhere removed.
_EDGES = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")

# Attributes of raw HTML whose value a browser loads or follows.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite",
                  "data", "srcset", "longdesc", "usemap", "manifest", "ping"}

ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "em", "figcaption", "figure",
                "h2", "h3", "h4", "hr", "i", "img", "li", "ol", "p", "pre", "small", "strong", "sub",
                "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}


def refused_url(url: str) -> bool:
    """True for a URL whose scheme is not http, https, mailto or tel, as a browser would read it."""
    cleaned = _TAB_NEWLINE.sub("", _EDGES.sub("", str(url)))
    match = _SCHEME.match(cleaned)
    return bool(match) and match.group(1).lower() not in ALLOWED_SCHEMES


@functools.lru_cache(maxsize=2)
def _parser(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = lambda url: not refused_url(url)
    return md


class _HtmlUrls(HTMLParser):
    """The URL attributes of raw HTML, with character references decoded as a browser would."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value:
                parts = value.split(",") if name == "srcset" else [value]
                self.urls.extend(part.strip().split(" ")[0] if name == "srcset" else part for part in parts)

    handle_startendtag = handle_starttag


def find_unsafe_links(text: str) -> list[tuple[int, str]]:
    """(line offset within the text, href) of every link, image or raw-HTML URL that is refused."""
    if not text or not MAYBE_LINK.search(text):
        return []
    md = MarkdownIt("commonmark", {"html": True})
    md.enable("table")
    md.validateLink = lambda url: True   # see every link, including the ones we refuse
    lines = text.split("\n")
    found = []

    def report(href: str, block_line: int):
        # The line where it is written: in its block or after it (a reference definition
        # follows the paragraph that uses it).
        # Compared as written and as decoded: the parser decodes entities and escapes "<" or spaces.
        plain = unquote(html.unescape(href))
        line = next((i for i in range(block_line, len(lines))
                     if href in lines[i] or plain in unquote(html.unescape(lines[i]))), block_line)
        found.append((line, href))

    for token in md.parse(text):
        block_line = (token.map or [0])[0]
        raw_html = [token.content] if token.type == "html_block" else []
        for child in token.children or []:
            href = child.attrGet("href") or child.attrGet("src")
            if href and refused_url(str(href)):
                report(str(href), block_line)
            if child.type == "html_inline":
                raw_html.append(child.content)
        for markup in raw_html:
            parser = _HtmlUrls()
            parser.feed(markup)
            parser.close()
            for url in parser.urls:
                if refused_url(url):
                    report(url, block_line)
    return found


def render_markdown(text: str, allow_html: bool = False, shift_headings: int = 1,
                    top_level: int | None = None) -> str:
    """HTML for Markdown; headings shift down one level because the page title is the h1.

    With `top_level`, the text's highest heading becomes h<top_level> instead: a page body sits
    right under the page's h1, and staff write its sections as `##`, which must stay h2 (an h3
    after the h1 skips a level, an error to HTML validators and screen-reader users)."""
    html = _parser(allow_html).render(text or "")
    if top_level:
        levels = [int(level) for level in re.findall(r"<h([1-6])>", html)]
        shift_headings = max(0, top_level - min(levels)) if levels else 0
    if shift_headings:
        html = re.sub(r"<(/?)h([1-5])>", lambda m: f"<{m[1]}h{int(m[2]) + shift_headings}>", html)
    if allow_html:
        import nh3  # only sites that allow raw HTML need the sanitizer
        html = nh3.clean(html, tags=ALLOWED_TAGS, url_schemes={"http", "https", "mailto", "tel"},
                         link_rel="noopener")
    return html
