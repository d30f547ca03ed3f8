"""QR codes of absolute URLs, as SVG (sharp at any size, small, no font needed).

A QR code is only ever made of an absolute https URL from `base_url`: a relative link means
nothing to a phone camera. Error correction level M survives a slightly blurred photo of a
printed page while keeping the code coarse enough for WeChat's long-press recognition.
"""

from __future__ import annotations

import functools
import io
import re
from operator import getitem

from markupsafe import Markup

from . import qr_encoder

INK = "#1f1f1f"


@functools.lru_cache(maxsize=4096)
def qr_svg(url: str, title: str = "") -> str:
    """The SVG of a QR code for `url`; it scales to its box (viewBox, no fixed size).

    The quiet zone of four modules is part of the image, as the standard requires; do not
    crop it away with CSS.
    """
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"a QR code needs an absolute URL, not {url!r}")
    import segno     # here: importing it takes 20 ms, and most builds make no brochure code
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, border=4, omitsize=True,
              dark=INK, light="#ffffff", title=title or None, svgclass="qr", lineclass=None)
    return out.getvalue().decode("utf-8")


# Every project and park page prints its own QR code, so a 10,000-project site draws tens of
# thousands; segno spent about a third of such a build on them. Page codes are therefore made by
# our own encoder (qr_encoder: byte mode, level M, one fixed mask, small versions from tables),
# which gives exactly the modules segno gives with `mask=2`, and drawn here as one path of
# horizontal strokes, a row at a time, from tables of what each byte of a row draws.
# The few brochure and poster codes above and below stay on segno.
BORDER = 4  # the quiet zone, in modules, as the standard requires


def qr_inline(url: str, label: str = "") -> Markup:
    """The QR code as inline SVG for a page (one request less; prints without loading anything)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"a QR code needs an absolute URL, not {url!r}")
    size, rows = qr_encoder.packed_rows(url)
    full = size + 2 * BORDER
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {full} {full}" role="img" '
                  f'aria-label="{Markup.escape(label or url)}"><path fill="#fff" d="M0 0h{full}v{full}H0z"/>'
                  f'<path stroke="{INK}" d="{dark_path(size, rows)}"/></svg>')


def dark_path(size: int, rows: bytes) -> str:
    """Path data for the dark modules of a code (`qr_encoder.packed_rows`), drawn with a stroke
    of width 1 through the middle of each row: a row starts with a move to its left edge,
    "M4 {y + 0.5}", then each byte of the row adds its own relative commands, "h{n}" for n dark
    modules and "m{n} 0" for n light ones. A dark run across two bytes is thus two strokes in
    one subpath, which draw as one line. One table look-up per byte, all of them in C."""
    return "".join(map(getitem, byte_tables(size), rows))


@functools.lru_cache(maxsize=None)
def byte_tables(size: int) -> list[list[str]]:
    """For each byte of a code's packed rows, what each of its 256 values draws."""
    row_bytes = (size + 7) // 8
    last_width = size - 8 * (row_bytes - 1)
    inner = [byte_path(value, 8, trailing_moves=True) for value in range(256)]
    last = [byte_path(value, last_width, trailing_moves=False) for value in range(256)]
    row_tables = [inner] * (row_bytes - 1) + [last]
    tables = []
    for row in range(size):
        start = f"M{BORDER} {row + BORDER + 0.5}"
        tables += [[start + text for text in row_tables[0]]] + row_tables[1:]
    return tables


def byte_path(value: int, width: int, trailing_moves: bool) -> str:
    """The commands for the first `width` modules of one byte (highest bit first, 1 dark). The
    light modules after the last dark one need a move only if more of the row follows."""
    bits = format(value, "08b")[:width]
    if not trailing_moves:
        bits = bits.rstrip("0")
    return "".join(f"h{len(run)}" if run[0] == "1" else f"m{len(run)} 0" for run in RUNS.findall(bits))


RUNS = re.compile(r"1+|0+")


def qr_png(url: str, pixels: int) -> bytes:
    """A PNG of the code about `pixels` wide, for the poster (Pillow cannot draw SVG)."""
    import segno     # (see qr_svg)
    code = segno.make(url, error="m", micro=False)
    width = code.symbol_size(scale=1, border=4)[0]
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(1, pixels // width), border=4, dark=INK, light="#ffffff")
    return out.getvalue()
