"""QR codes of absolute URLs, as SVG (sharp at any size, small, no font needed).

A QR code is only ever made of an absolute https URL from `base_url`: a relative link means
nothing to a phone camera. Error correction level M survives a slightly blurred photo of a
printed page while keeping the code coarse enough for WeChat's long-press recognition.
"""

from __future__ import annotations

import functools
import io

import segno
from markupsafe import Markup

INK = "#1f1f1f"


@functools.lru_cache(maxsize=4096)
def qr_svg(url: str, title: str = "") -> str:
    """The SVG of a QR code for `url`; it scales to its box (viewBox, no fixed size).

    The quiet zone of four modules is part of the image, as the standard requires; do not
    crop it away with CSS.
    """
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"a QR code needs an absolute URL, not {url!r}")
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, border=4, omitsize=True,
              dark=INK, light="#ffffff", title=title or None, svgclass="qr", lineclass=None)
    return out.getvalue().decode("utf-8")


def qr_inline(url: str, label: str = "") -> Markup:
    """The QR code as inline SVG for a page (one request less; prints without loading anything)."""
    svg = qr_svg(url)
    attrs = f' role="img" aria-label="{Markup.escape(label or url)}"'
    return Markup(svg.replace("<svg ", "<svg" + attrs + " ", 1))


def qr_png(url: str, pixels: int) -> bytes:
    """A PNG of the code about `pixels` wide, for the poster (Pillow cannot draw SVG)."""
    code = segno.make(url, error="m", micro=False)
    width = code.symbol_size(scale=1, border=4)[0]
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(1, pixels // width), border=4, dark=INK, light="#ffffff")
    return out.getvalue()
