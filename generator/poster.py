"""Pictures made with Pillow for sharing a brochure: the square share image and the poster.

The share image is what a WeChat chat card shows next to the title: a square crop of the cover,
at least 300 px (WeChat ignores smaller images). The poster (1080×1920, a phone screen) is for
WeChat Moments, where a link cannot be posted with a picture of one's choice: cover, title,
key figures, the QR code of the brochure and the name of the staff member who sends it.

Text is drawn only with faces that `fonts.choose` has checked cover every character; this
module never looks for fonts itself.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, ImageOps

from .fonts import Face
from .qr import qr_png

SHARE_SIZE = 400          # px; ≥ 300 for WeChat, small enough for the first view's byte budget
POSTER_SIZE = (1080, 1920)
JPEG = {"quality": 78, "optimize": True, "progressive": True, "subsampling": "4:2:0"}


def _open_rgb(path: str) -> Image.Image:
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        return image.convert("RGB")


def crop(path: str, width: int, height: int, focus: tuple[float, float] = (0.5, 0.5)) -> Image.Image:
    """The image cropped to fill width×height (never stretched), around the focus point."""
    return ImageOps.fit(_open_rgb(path), (width, height), method=Image.Resampling.LANCZOS, centering=focus)


def jpeg(image: Image.Image, quality: int | None = None) -> bytes:
    image.info = {}       # no EXIF (GPS!), comment or ICC profile of the original reaches the output
    out = io.BytesIO()
    image.save(out, "JPEG", **{**JPEG, **({"quality": quality} if quality else {})})
    return out.getvalue()


def share_image(cover: str) -> bytes:
    """The square share picture (JPEG), from the centre of the cover."""
    return jpeg(crop(cover, SHARE_SIZE, SHARE_SIZE), quality=80)


def cover_rendition(cover: str, width: int, height: int, quality: int = 70) -> bytes:
    """A crop of the cover sized for one screen, so a phone never loads the 1600 px original."""
    return jpeg(crop(cover, width, height), quality=quality)


def screen_image(path: str, width: int = 800, height: int = 500, quality: int = 72) -> bytes:
    return jpeg(crop(path, width, height), quality=quality)


# ---- the poster -----------------------------------------------------------------------------

@dataclass(frozen=True)
class PosterText:
    """Everything the poster says, already in its language."""
    lang: str
    site_title: str
    title: str
    subtitle: str
    figures: tuple[tuple[str, str, str], ...]     # (number, unit, label), at most three
    scan_hint: str
    sender_label: str
    sender_name: str
    sender_role: str
    sender_phone: str
    address: str = ""                              # the site's address, printed small at the foot

    def all_text(self) -> str:
        parts = [self.site_title, self.title, self.subtitle, self.scan_hint, self.sender_label,
                 self.sender_name, self.sender_role, self.sender_phone, self.address]
        for figure in self.figures:
            parts.extend(figure)
        return "\n".join(parts)


@lru_cache(maxsize=64)
def _font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(face.file, size, index=face.index)


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _tokens(text: str) -> list[str]:
    """Break opportunities: every CJK character, every Latin word (with its trailing space)."""
    tokens, word = [], ""
    for char in text:
        if _is_wide(char):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
            if char == " ":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    return tokens


NO_LINE_START = set("，。、；：！？）》」』】,.;:!?)%")


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Lines that fit `width`; the last line ends with … when the text is longer."""
    lines, line = [], ""
    for token in _tokens(text):
        trial = line + token
        if font.getlength(trial.rstrip()) <= width or not line:
            line = trial
        elif token in NO_LINE_START:            # keep closing punctuation on its line (禁则)
            line = trial
        else:
            lines.append(line.rstrip())
            line = token.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        kept[-1] = last.rstrip() + "…"
        return kept
    return lines


def balanced(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Like `wrap`, with lines of even length: no lone character left on the last line."""
    lines = wrap(text, font, width, max_lines)
    if len(lines) < 2 or lines[-1].endswith("…"):
        return lines
    low, high = width // len(lines), width
    while low < high:                       # the narrowest box that needs no extra line
        middle = (low + high) // 2
        if len(wrap(text, font, middle, max_lines + 1)) <= len(lines):
            high = middle
        else:
            low = middle + 1
    return wrap(text, font, high, max_lines)


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def poster(cover: str | None, text: PosterText, url: str, brand: str, regular: Face, bold: Face) -> bytes:
    """The poster as JPEG: a quarter of a PNG's weight (about 290 KB, not 1.1 MB) for a picture
    sent through WeChat. Quality 90 with full-resolution colour keeps the QR code's edges clean
    enough for long-press recognition, even of the picture shrunk to 40 % (tests decode it)."""
    width, height = POSTER_SIZE
    brand_rgb = _hex(brand)
    ink, muted = (31, 31, 31), (89, 89, 89)
    canvas = Image.new("RGB", POSTER_SIZE, (255, 255, 255))
    photo_h = 1080
    if cover:
        canvas.paste(crop(cover, width, photo_h), (0, 0))
    else:
        canvas.paste(Image.new("RGB", (width, photo_h), brand_rgb), (0, 0))
    # Scrims: dark at the top for the bureau's name, darker at the bottom for the title (AA contrast).
    scrim = Image.new("L", (1, photo_h))
    for y in range(photo_h):
        top = max(0.0, 1 - y / 220) * 150
        bottom = max(0.0, (y - photo_h * 0.38) / (photo_h * 0.62)) * 215
        scrim.putpixel((0, y), int(min(255, top + bottom)))
    canvas.paste((16, 16, 16), (0, 0, width, photo_h), scrim.resize((width, photo_h)))
    draw = ImageDraw.Draw(canvas)
    margin = 72

    draw.rectangle((margin, 64, margin + 10, 112), fill=brand_rgb)
    draw.text((margin + 30, 88), text.site_title, font=_font(bold, 34), fill=(255, 255, 255), anchor="lm")

    # The largest title size that fits in two lines; long titles get three smaller lines.
    for size in (80, 76, 72, 68, 64, 60):
        title_font = _font(bold, size)
        if len(wrap(text.title, title_font, width - 2 * margin, 3)) <= 2:
            break
    title_lines = balanced(text.title, title_font, width - 2 * margin, 3)
    sub_font = _font(regular, 34)
    sub_lines = wrap(text.subtitle, sub_font, width - 2 * margin, 2) if text.subtitle else []
    line_h, sub_h = int(title_font.size * 1.28), int(sub_font.size * 1.5)
    y = photo_h - 64 - len(sub_lines) * sub_h - (24 if sub_lines else 0) - len(title_lines) * line_h
    for line in title_lines:
        draw.text((margin, y), line, font=title_font, fill=(255, 255, 255))
        y += line_h
    y += 24
    for line in sub_lines:
        draw.text((margin, y), line, font=sub_font, fill=(235, 235, 235))
        y += sub_h

    # Key figures: the number large in the brand colour, the unit small beside it, the label under.
    figures = text.figures[:3]
    if figures:
        unit_font, label_font = _font(regular, 32), _font(regular, 30)
        available = width - 2 * margin
        for size in range(84, 40, -4):      # one size for all numbers, the largest that fits
            number_font = _font(bold, size)
            natural = [28 + number_font.getlength(n) + (10 + unit_font.getlength(u) if u else 0) + 24
                       for n, u, _ in figures]
            columns = [max(w, 220) for w in natural]
            if sum(columns) <= available:
                break
        spare = (available - sum(columns)) / len(figures)
        x = margin
        for (number, unit, label), column in zip(figures, columns):
            column += spare
            draw.rectangle((x, 1150, x + 6, 1290), fill=brand_rgb)
            draw.text((x + 28, 1230), number, font=number_font, fill=brand_rgb, anchor="ls")
            if unit:
                draw.text((x + 28 + number_font.getlength(number) + 10, 1230), unit, font=unit_font,
                          fill=muted, anchor="ls")
            for j, line in enumerate(wrap(label, label_font, int(column) - 40, 2)):
                draw.text((x + 28, 1250 + j * 40), line, font=label_font, fill=muted)
            x += int(column)

    # The QR code and the sender: what the reader of the poster acts on.
    draw.line((margin, 1380, width - margin, 1380), fill=(227, 227, 227), width=2)
    qr_size = 380
    with Image.open(io.BytesIO(qr_png(url, qr_size))) as qr_image:
        qr_image = qr_image.convert("RGB").resize((qr_size, qr_size), Image.Resampling.NEAREST)
    canvas.paste(qr_image, (margin - 24, 1420))
    x = margin + qr_size + 8
    text_w = width - margin - x
    hint_font = _font(regular, 30)
    y = 1460
    for line in wrap(text.scan_hint, hint_font, text_w, 2):
        draw.text((x, y), line, font=hint_font, fill=muted)
        y += 44
    y += 28
    draw.text((x, y), text.sender_label, font=_font(regular, 28), fill=muted)
    y += 44
    name_font = _font(bold, 54)
    draw.text((x, y), wrap(text.sender_name, name_font, text_w, 1)[0], font=name_font, fill=ink)
    y += 80
    role_font = _font(regular, 30)
    for line in wrap(text.sender_role, role_font, text_w, 2):
        draw.text((x, y), line, font=role_font, fill=muted)
        y += 42
    if text.sender_phone:
        draw.text((x, y + 12), text.sender_phone, font=_font(bold, 36), fill=brand_rgb)
    if text.address:
        draw.text((margin, height - 64), text.address, font=_font(regular, 26), fill=muted, anchor="ls")
    draw.rectangle((0, height - 16, width, height), fill=brand_rgb)

    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=90, subsampling=0, optimize=True)
    return out.getvalue()
