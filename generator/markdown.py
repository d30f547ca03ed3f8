"""Markdown written by staff, rendered safely.

Raw HTML is off by default: a pasted `<script>` shows as text. A site that turns
`markdown_html` on gets its HTML cleaned to an allow-list by nh3. Links that could run script
(`javascript:`, `vbscript:`) or smuggle content (`data:`) are refused as content errors at
check time, and dropped here as a second line of defence.
"""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt

MAYBE_UNSAFE = re.compile(r"script|data|file|&#?\w+;|%[0-9a-f]{2}", re.IGNORECASE)
UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)

ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "em", "figcaption", "figure",
                "h2", "h3", "h4", "hr", "i", "img", "li", "ol", "p", "pre", "small", "strong", "sub",
                "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}


@functools.lru_cache(maxsize=2)
def _parser(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = lambda url: not UNSAFE_SCHEME.match(url)
    return md


def find_unsafe_links(text: str) -> list[tuple[int, str]]:
    """(line offset within the text, href) of every link or image with a refused scheme."""
    found = []
    # A refused link needs one of these words or a character reference to hide one; most
    # texts have neither, and skipping their parse halves the cost of checking a catalogue.
    if not text or not MAYBE_UNSAFE.search(text):
        return found
    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = lambda url: True   # see every link, including the ones we refuse
    for token in md.parse(text):
        for child in token.children or []:
            href = child.attrGet("href") or child.attrGet("src")
            if href and UNSAFE_SCHEME.match(str(href)):
                found.append(((token.map or [0])[0], str(href)))
    # Raw HTML attributes too, for sites that allow raw HTML.
    for match in re.finditer(r"""(?:href|src)\s*=\s*["']?\s*((?:javascript|vbscript|data|file):[^"'\s>]*)""",
                             text, re.IGNORECASE):
        found.append((text.count("\n", 0, match.start()), match.group(1)))
    return found


def render_markdown(text: str, allow_html: bool = False, shift_headings: int = 1) -> str:
    """HTML for Markdown; headings shift down one level because the page title is the h1."""
    html = _parser(allow_html).render(text or "")
    if shift_headings:
        html = re.sub(r"<(/?)h([1-5])>", lambda m: f"<{m[1]}h{int(m[2]) + shift_headings}>", html)
    if allow_html:
        import nh3  # only sites that allow raw HTML need the sanitizer
        html = nh3.clean(html, tags=ALLOWED_TAGS, url_schemes={"http", "https", "mailto", "tel"},
                         link_rel="noopener")
    return html
