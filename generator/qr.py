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


# Every project and park page prints its own QR code, so a 10,000-project site draws tens of
# thousands. Choosing the best of the eight masks is three quarters of segno's time; any mask
# gives a valid code that every reader decodes, so page codes use one fixed mask, and their SVG
# is written here as one path of horizontal runs (also faster than a general writer).
PAGE_MASK = 2


def qr_inline(url: str, label: str = "") -> Markup:
    """The QR code as inline SVG for a page (one request less; prints without loading anything)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"a QR code needs an absolute URL, not {url!r}")
    code = segno.make(url, error="m", micro=False, mask=PAGE_MASK)
    border = 4
    runs = []
    for y, row in enumerate(code.matrix):
        x, width = 0, len(row)
        while x < width:
            if row[x] & 1:
                start = x
                while x < width and row[x] & 1:
                    x += 1
                runs.append(f"M{start + border} {y + border + 0.5}h{x - start}")
            else:
                x += 1
    size = code.symbol_size(scale=1, border=border)[0]
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {size} {size}" role="img" '
                  f'aria-label="{Markup.escape(label or url)}"><path fill="#fff" d="M0 0h{size}v{size}H0z"/>'
                  f'<path stroke="{INK}" d="{"".join(runs)}"/></svg>')


def qr_png(url: str, pixels: int) -> bytes:
    """A PNG of the code about `pixels` wide, for the poster (Pillow cannot draw SVG)."""
    code = segno.make(url, error="m", micro=False)
    width = code.symbol_size(scale=1, border=4)[0]
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(1, pixels // width), border=4, dark=INK, light="#ffffff")
    return out.getvalue()
