"""QR codes of absolute URLs, as SVG (sharp at any size, small, no font needed).

A QR code is only ever made of an absolute https URL from `base_url`: a relative link means
nothing to a phone camera. Error correction level M survives a slightly blurred photo of a
printed page while keeping the code coarse enough for WeChat's long-press recognition.
"""

from __future__ import annotations

import functools
import io

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
# our own encoder (qr_encoder: byte mode, level M, one fixed mask, everything per version cached),
# which draws exactly the codes segno drew with `mask=2`, and their SVG is written here as one
# path of horizontal runs. The few brochure and poster codes above and below stay on segno.
BORDER = 4  # the quiet zone, in modules, as the standard requires


def qr_inline(url: str, label: str = "") -> Markup:
    """The QR code as inline SVG for a page (one request less; prints without loading anything)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"a QR code needs an absolute URL, not {url!r}")
    symbol = qr_encoder.encode(url)
    size = symbol.size + 2 * BORDER
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {size} {size}" role="img" '
                  f'aria-label="{Markup.escape(label or url)}"><path fill="#fff" d="M0 0h{size}v{size}H0z"/>'
                  f'<path stroke="{INK}" d="{dark_runs(symbol)}"/></svg>')


# Finding the runs one regex match at a time cost half a page's QR code: a code has hundreds of
# runs. Instead every dark module becomes a character naming its place (code point POSITIONS +
# its index in `symbol.modules`) and every light module and row end a NUL, all in a few
# whole-string and big-integer operations; splitting at the NULs then gives each run as a string
# that names where it starts and how long it is, and a table turns it into its path text.
POSITIONS = 0x100     # the largest code (177 rows of 178) stays below the surrogates at 0xD800
TO_BITS = bytes.maketrans(b"01\n", b"\0\1\0")
FIELD = 0xFFFFFFFF    # one module as UTF-32: 1 times FIELD is an all-ones mask, 0 stays 0


def dark_runs(symbol: qr_encoder.Symbol) -> str:
    """Path data with one horizontal stroke per run of dark modules in a row: "M{x} {y}h{length}",
    drawn through the middle of the row (y + 0.5) so that a stroke of width 1 covers it exactly.

    The rows end in a newline in `symbol.modules`, so a run never spans two rows."""
    places, runs = run_tables(symbol.size)
    bits = int.from_bytes(symbol.modules.encode("ascii").translate(TO_BITS).decode("latin-1")
                          .encode("utf-32-le"), "little")
    named = (bits * FIELD & places).to_bytes(4 * len(symbol.modules), "little").decode("utf-32-le")
    return "".join(map(runs.__getitem__, filter(None, named.split("\0"))))


class RunPaths(dict):
    """A run (its modules' place characters) → "M{x} {y}h{length}", made when first met."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def __missing__(self, run: str) -> str:
        row, col = divmod(ord(run[0]) - POSITIONS, self.size + 1)   # +1: the row's newline
        text = self[run] = f"M{col + BORDER} {row + BORDER + 0.5}h{len(run)}"
        return text


@functools.lru_cache(maxsize=None)
def run_tables(size: int) -> tuple[int, RunPaths]:
    """For a symbol of `size` modules a side: every module's place character in a 32-bit field
    of one integer (rows plus their newline), and the run table."""
    places = "".join(map(chr, range(POSITIONS, POSITIONS + size * (size + 1))))
    return int.from_bytes(places.encode("utf-32-le"), "little"), RunPaths(size)


def qr_png(url: str, pixels: int) -> bytes:
    """A PNG of the code about `pixels` wide, for the poster (Pillow cannot draw SVG)."""
    import segno     # (see qr_svg)
    code = segno.make(url, error="m", micro=False)
    width = code.symbol_size(scale=1, border=4)[0]
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(1, pixels // width), border=4, dark=INK, light="#ffffff")
    return out.getvalue()
