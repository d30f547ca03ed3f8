"""Fonts for what the build draws itself: posters (Pillow) and PDFs (WeasyPrint).

A web page can rely on the reader's system fonts; a poster or a PDF carries its glyphs, so the
build must have a font that really contains every character it draws. WeasyPrint and Pillow
both draw an empty box (tofu) for a missing glyph, and the PDF's text layer still holds the
right characters, so nothing downstream would notice. Hence: find a CJK font (shipped with the
theme under `fonts/`, else through fontconfig), read its character map with fontTools, and stop
with a message that says what to install when a character is missing.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# fontconfig's language tags for the scripts each site language is drawn in. English pages may
# show Chinese fallback text (a missing translation), so they use the Simplified Chinese face,
# whose Latin glyphs are fine too.
FONTCONFIG_LANG = {"zh": "zh-cn", "en": "zh-cn", "zh-Hant": "zh-tw"}
HK_LANG = "zh-hk"
# A theme ships single-face files: CSS @font-face (for the PDF) cannot pick a face inside a .ttc.
FONT_SUFFIXES = (".otf", ".ttf")
INSTALL_HINT = ("install a CJK font: on Debian or Ubuntu `apt-get install fonts-noto-cjk`, on Fedora "
                "`dnf install google-noto-sans-cjk-fonts`; or put an OpenType font with Chinese "
                "characters (e.g. Noto Sans CJK or Source Han Sans, SIL Open Font Licence) in the "
                "theme's fonts/ folder")


@dataclass(frozen=True)
class Face:
    """One face of a font file: the family name (what CSS asks for) and where its glyphs are."""
    family: str
    file: str
    index: int          # the face's number inside a .ttc collection
    bold: bool
    shipped: bool       # from the theme's fonts/ folder (CSS must point at the file)

    def describe(self) -> str:
        return f'"{self.family}{" Bold" if self.bold else ""}" ({self.file})'


class FontProblem(Exception):
    """No usable font, or a font without some characters; the message says what to do."""


def fontconfig_lang(lang: str, hant_variant: str = "tw") -> str:
    if lang == "zh-Hant" and hant_variant == "hk":
        return HK_LANG
    return FONTCONFIG_LANG.get(lang, "zh-cn")


@functools.lru_cache(maxsize=64)
def charmap(file: str, index: int) -> frozenset[int]:
    """The code points a face has glyphs for (read lazily: only the cmap table is parsed)."""
    from fontTools.ttLib import TTFont
    font = TTFont(file, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


@functools.lru_cache(maxsize=16)
def _face_names(file: str) -> tuple[tuple[int, str, bool], ...]:
    """(index, family, bold) of the face in a font file shipped with a theme."""
    from fontTools.ttLib import TTFont
    path = Path(file)
    font = TTFont(path, lazy=True)
    try:
        name = font["name"]
        family = str(name.getDebugName(16) or name.getDebugName(1) or path.stem)
        bold = bool(font["OS/2"].fsSelection & 0x20) or font["OS/2"].usWeightClass >= 600
    finally:
        font.close()
    return ((0, family, bold),)


def shipped_faces(font_dirs: list[Path]) -> list[Face]:
    faces = []
    for folder in font_dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in FONT_SUFFIXES:
                for index, family, bold in _face_names(str(path)):
                    faces.append(Face(family, str(path), index, bold, shipped=True))
    return faces


def _fc(*args: str) -> list[str]:
    """Lines printed by a fontconfig tool; none when fontconfig is missing or finds nothing."""
    tool = shutil.which(args[0])
    if tool is None:
        return []
    try:
        done = subprocess.run([tool, *args[1:]], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in done.stdout.splitlines() if line.strip()] if done.returncode == 0 else []


@functools.lru_cache(maxsize=16)
def fontconfig_faces(fc_lang: str) -> tuple[Face, ...]:
    """Faces fontconfig knows for a language, its own preferred sans-serif first."""
    fmt = "%{file}|%{index}|%{family[0]}|%{weight}\\n"
    found: list[Face] = []
    for bold in (False, True):
        weight = "bold" if bold else "regular"
        for line in _fc("fc-match", "-f", fmt, f"sans-serif:lang={fc_lang}:weight={weight}"):
            face = _parse_fc(line, bold)
            if face:
                found.append(face)
    for line in sorted(_fc("fc-list", f":lang={fc_lang}", "-f", fmt)):
        face = _parse_fc(line, None)
        if face and face not in found:
            found.append(face)
    return tuple(found)


def _parse_fc(line: str, bold: bool | None) -> Face | None:
    parts = line.split("|")
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    weight = int(parts[3]) if parts[3].split(".")[0].isdigit() else 80
    return Face(parts[2], parts[0], int(parts[1]), weight >= 180 if bold is None else bold, shipped=False)


@functools.lru_cache(maxsize=1)
def system_has_fonts() -> bool:
    """Pango (under WeasyPrint) crashes on a machine without a single font, even with the theme's."""
    return bool(_fc("fc-list", "-f", "%{file}\\n"))


def drawn(text: str) -> set[str]:
    """The characters of a text that need a glyph (not spaces or invisible control characters)."""
    return {c for c in text if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf", "Zs")}


def choose(text: str, lang: str, bold: bool, font_dirs: list[Path], hant_variant: str = "tw") -> Face:
    """The face to draw `text` with in `lang`; raises FontProblem when no face can draw all of it.

    Faces shipped with the theme win (the same look on every build machine), then fontconfig's
    preference for the language. Among faces that cover every character, the first is taken.
    """
    fc_lang = fontconfig_lang(lang, hant_variant)
    needed = drawn(text)
    candidates = shipped_faces(font_dirs) + list(fontconfig_faces(fc_lang))
    # Prefer the requested weight, but a regular face that covers the text beats none at all.
    ordered = [f for f in candidates if f.bold == bold] + [f for f in candidates if f.bold != bold]
    best_missing: tuple[Face, set[str]] | None = None
    for face in ordered:
        # fc-match answers even without a CJK font (DejaVu, say): skip such faces. A theme's own
        # font counts as chosen on purpose. (Reading a CJK map takes a moment: only as needed.)
        if not face.shipped and not _has_cjk(face):
            continue
        missing = {c for c in needed if ord(c) not in charmap(face.file, face.index)}
        if not missing:
            return face
        if best_missing is None or len(missing) < len(best_missing[1]):
            best_missing = (face, missing)
    if best_missing is None:
        raise FontProblem(f"no font on this machine can draw Chinese text (fontconfig lists none for "
                          f"{fc_lang}, and the theme ships none); {INSTALL_HINT}")
    face, missing = best_missing
    shown = " ".join(f'"{c}" (U+{ord(c):04X})' for c in sorted(missing)[:8])
    more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
    raise FontProblem(f"the font {face.describe()} has no glyph for {shown}{more}, so they would print as "
                      f"empty boxes; {INSTALL_HINT} (for rare characters also fonts-noto-cjk-extra), or "
                      "write the text without these characters")


def _has_cjk(face: Face) -> bool:
    """A face counts as a CJK font when it has the common ideographs of both scripts' basics."""
    cmap = charmap(face.file, face.index)
    return all(ord(c) in cmap for c in "中国项目")
