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
import unicodedata
from html.parser import HTMLParser
from urllib.parse import unquote

from markdown_it import MarkdownIt

ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")

# Every Markdown link or image needs a "]" ([text](url), [text][ref], [ref]: url) and every
# autolink or HTML tag a "<": text with neither has no link, and is not parsed again.
# (Looked for with `in`: on long CJK text several times faster than a regex.)
MAYBE_LINK = ("]", "<")

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
    if not text or not any(mark in text for mark in MAYBE_LINK):
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


# The fast path ----------------------------------------------------------------------------------
# markdown-it-py spends about 0.3 ms on a project description, and a catalogue has one per
# project and language. Most descriptions are only ATX headings, paragraphs of prose, lists of
# one-line items and pipe tables, with no character that could start inline syntax. For such
# text `_simple_html` writes the HTML markdown-it writes, directly and about ten times cheaper;
# for any other text it answers None and markdown-it renders it. Every check is conservative:
# when in doubt, the text goes to markdown-it. tests/test_markdown.py holds it to markdown-it's
# output on random text and on the shared benchmark corpus.

# Characters markdown-it may trim, or read as inline syntax or a character reference, and what its
# normalize rule rewrites (\r, NUL). Any space but the plain space, tab and newline (an ideographic
# or no-break space, a line separator) and any control or format character sends the text to
# markdown-it too, so that only spaces and tabs can be trimmed or read as indentation.
_OTHER_SPACE = "".join(re.escape(ch) for ch in map(chr, range(0x3001))
                       if ch not in " \t\n" and (ch.isspace() or unicodedata.category(ch)[0] in "ZC"))
_INLINE_SYNTAX = re.compile(rf"[\\`*_\[\]<{_OTHER_SPACE}\ufeff\ufff9-\ufffb]")
_ENTITY_LIKE = re.compile(r"&[#0-9A-Za-z]*;")

# A line or list item that starts a block of its own or ends a paragraph: heading, list, thematic
# break, blockquote, fence, setext underline, table row. Prose starting so goes to markdown-it.
_BLOCK_START = re.compile(r"[#>*+\-_=~|]|\d+[.)](?:[ \t]|$)")
_TEXT = r"[^ \t|][^|]*"     # no space to trim at its start (_simple_html saw the line's end)
_HEADING = re.compile(rf"(#{{1,6}}) ({_TEXT})")
_BULLET = re.compile(rf"([-+]) ({_TEXT})")     # a "*" item was refused with emphasis
_ORDERED = re.compile(rf"([0-9]{{1,9}})([.)]) ({_TEXT})")
_DELIMITER_ROW = re.compile(r"\|(?: *:?-+:? *\|)+")
_ALIGN = {(True, False): ' style="text-align:left"', (False, True): ' style="text-align:right"',
          (True, True): ' style="text-align:center"', (False, False): ""}


def _escape(text: str) -> str:
    """markdown-it's escapeHtml: & < > and double quotes, not single quotes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _table_html(rows: list[str]) -> str | None:
    """A pipe table whose every row starts and ends with "|" and has the header's cell count."""
    if len(rows) < 2 or not _DELIMITER_ROW.fullmatch(rows[1]):
        return None
    aligns = [_ALIGN[cell.startswith(":"), cell.endswith(":")]
              for cell in (cell.strip(" ") for cell in rows[1][1:-1].split("|"))]
    html = ["<table>\n<thead>\n<tr>\n"]
    for number, row in enumerate(rows):
        if number == 1:
            continue
        if len(row) < 2 or row[0] != "|" or row[-1] != "|":
            return None
        # Escaping makes no "|", space or tab: the same cells as splitting first.
        cells = [cell.strip(" \t") for cell in _escape(row[1:-1]).split("|")]
        if len(cells) != len(aligns):
            return None
        tag = "th" if number == 0 else "td"
        html.append("" if number == 0 else "<tbody>\n<tr>\n" if number == 2 else "<tr>\n")
        html.extend(f"<{tag}{align}>{cell}</{tag}>\n" for cell, align in zip(cells, aligns))
        html.append("</tr>\n</thead>\n" if number == 0 else "</tr>\n")
    html.append("</tbody>\n</table>\n" if len(rows) > 2 else "</table>\n")
    return "".join(html)


def _list_html(lines: list[str]) -> str | None:
    """A tight list: every line is an item of one line, all with the same marker."""
    first = _BULLET.fullmatch(lines[0]) or _ORDERED.fullmatch(lines[0])
    if first is None:
        return None
    marker = first.re.groups - 1     # the group of the marker ("-", "+") or of "." or ")"
    items = []
    for line in lines:
        item = first.re.fullmatch(line)
        # Another marker (- then *, or 1. then 1)) starts another list; an item's text that
        # starts a block (- # x, - 1. x, - > x) is that block.
        if item is None or item[marker] != first[marker] or _BLOCK_START.match(item[marker + 1]):
            return None
        items.append(item[marker + 1])
    items_html = "".join(f"<li>{_escape(item)}</li>\n" for item in items)
    if first.re is _BULLET:
        return f"<ul>\n{items_html}</ul>\n"
    start = int(first[1])
    return (f'<ol start="{start}">\n' if start != 1 else "<ol>\n") + items_html + "</ol>\n"


def _block_html(lines: list[str]) -> str | None:
    """The HTML of a run of non-blank lines, or None if markdown-it must read it."""
    first = lines[0]
    if first[0] == "|":
        return _table_html(lines)
    if first[0] == "#":
        heading = _HEADING.fullmatch(first)
        # A trailing "#" may be a closing sequence, which markdown-it drops.
        if len(lines) > 1 or heading is None or first[-1] == "#":
            return None
        level = len(heading[1])
        return f"<h{level}>{_escape(heading[2])}</h{level}>\n"
    if first[0] in "-+0123456789":
        listed = _list_html(lines)
        if listed is not None:
            return listed
    if any(_BLOCK_START.match(line) or "|" in line for line in lines):
        return None
    return "<p>" + _escape("\n".join(lines)) + "</p>\n"


def _simple_html(text: str) -> str | None:
    """markdown-it's HTML for text of simple blocks only (see above); None for any other text."""
    if _INLINE_SYNTAX.search(text) or _ENTITY_LIKE.search(text):
        return None
    html = []
    block: list[str] = []
    after_list = False
    for line in text.split("\n") + [""]:
        if line.strip(" \t"):
            if line[0] in " \t" or line[-1] in " \t":
                return None     # indentation (code, continuation) and trailing spaces (hard break)
            block.append(line)
            continue
        if not block:
            continue
        block_html = _block_html(block)
        if block_html is None:
            return None
        is_list = block_html.startswith(("<ul>", "<ol"))
        if is_list and after_list:
            return None     # two lists with only blank lines between them may be one loose list
        html.append(block_html)
        after_list = is_list
        block = []
    return "".join(html)


@functools.lru_cache(maxsize=1024)   # a brochure renders the texts its pages already rendered
def render_markdown(text: str, allow_html: bool = False, shift_headings: int = 1,
                    top_level: int | None = None) -> str:
    """HTML for Markdown; headings shift down one level because the page title is the h1.

    With `top_level`, the text's highest heading becomes h<top_level> instead: a page body sits
    right under the page's h1, and staff write its sections as `##`, which must stay h2 (an h3
    after the h1 skips a level, an error to HTML validators and screen-reader users)."""
    text = text or ""
    html = _simple_html(text)
    if html is None:
        html = _parser(allow_html).render(text)
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
