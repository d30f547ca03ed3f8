"""The fields of each content kind, declared once, checked with readable messages.

A kind is a dict of `Field`s. `read_fields` checks one mapping against it and reports every
problem it finds (unknown fields with "did you mean", missing required ones, unreadable
values), each at the line where it was written. Field parsers raise `Invalid` with a message
that says what was found and what is accepted.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from ..errors import Problems, did_you_mean
from ..i18n import canonical_lang
from ..model import COOPERATION, STATUSES, LText
from ..units import UnitError, parse_area, parse_money
from .yamlpos import PosDict, PosList

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg")


class Invalid(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Context:
    """What parsers need to know beyond the value: the site's languages and content folder."""
    languages: list[str]
    content: Path
    # When a dict: each image path checked → what was found (`image_answer`); what a file's
    # fields check into depends on these, besides its bytes and the languages.
    images_seen: dict | None = None


@dataclass(frozen=True)
class Field:
    parse: Callable[[Any, Context], Any]
    required: bool = False
    default: Any = None


def _show(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def found(value) -> str:
    """What YAML made of a value, in staff's words: 'found a list', for wrong-type messages."""
    if value is None:
        return "found nothing"
    if isinstance(value, bool):
        # YAML reads yes/no/on/off/true/false unquoted as true or false
        return f"found {str(value).lower()} (YAML reads yes, no, on, off, true and false that way)"
    if isinstance(value, dict):
        return "found a mapping (fields indented below it or in { })"
    if isinstance(value, (list, tuple, set)):
        return "found a list"
    if isinstance(value, (int, float)):
        return f"found the number {_show(value)}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"found the date {value}"
    if isinstance(value, str):
        return f'found "{_show(value)}"'
    return f"found a {type(value).__name__} value"


def _scalar(value) -> bool:
    """Text as YAML gives it: a string, or a number or date written without quotes."""
    return isinstance(value, (str, int, float, dt.date)) and not isinstance(value, bool)


# ---- parsers ---------------------------------------------------------------------------

def text(value, ctx):
    if type(value) is str:      # the common case, first
        return value
    if not _scalar(value):
        hint = '; put it in quotes' if isinstance(value, bool) else ""
        raise Invalid(f"{found(value)}; write plain text here{hint}")
    return str(value)


def slug(value, ctx):
    accepted = "use lowercase letters a-z, digits and hyphens, e.g. smart-security-park"
    if not isinstance(value, str):
        if isinstance(value, int) and not isinstance(value, bool):
            raise Invalid(f'{found(value)}; an id is text: write it in quotes ("{value}") or with letters, '
                          f"e.g. project-{value}")
        raise Invalid(f"{found(value)}; write one id here; {accepted}")
    if not SLUG.match(value):
        if "/" in value or "\\" in value or ".." in value:
            why = "it would point outside its folder"
        elif any(ord(c) > 127 for c in value):
            why = "Chinese or other non-ASCII characters break when a link is pasted into WeChat or e-mail"
        elif any(c.isspace() for c in value):
            why = "spaces break links"
        elif value != value.lower():
            why = "capital letters make addresses that some servers treat as different pages"
        elif not value:
            why = "it is empty"
        else:
            why = "only a-z, 0-9 and single hyphens between them are safe in every link"
        raise Invalid(f'"{_show(value)}" cannot be an id: {why}; {accepted}')
    return value


def slug_list(value, ctx):
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        try:
            out.append(slug(item, ctx))
        except Invalid as exc:
            raise Invalid(exc.message, _item_line(value, i)) from None
    return out


def _item_line(value, index):
    return value.line_of(index) if isinstance(value, PosList) else None


def _key_line(value, key):
    return value.line_of(key) if isinstance(value, PosDict) else None


def localized(value, ctx, kind=text):
    """A plain string (the source language) or {language: string}."""
    if isinstance(value, dict):
        if not value:
            raise Invalid("is empty; write the text, or one text per language, e.g. {zh: 西彭园区, en: Xipeng Park}")
        result = LText()
        languages = ctx.languages
        previous = None
        for key, item in value.items():
            # Most texts name the site's languages exactly as it spells them.
            lang = key if key in languages else canonical_lang(str(key), languages)
            if lang is None:
                if item is None and str(key).strip() and previous is not None:
                    # {en: Investment Department, Xipeng Park}: the comma ended the text, and
                    # what followed it became a key with no value.
                    raise Invalid(f'the text of {previous} stops at a comma and "{key}" is read as a '
                                  f'language; put the text in quotes: {previous}: "{value[previous]}, {key}"',
                                  _key_line(value, key))
                raise Invalid(f'"{key}" is not one of this site\'s languages ({", ".join(languages)})'
                              + did_you_mean(key, languages), _key_line(value, key))
            previous = key
            try:
                result[lang] = kind(item, ctx)
            except Invalid as exc:
                raise Invalid(f"{lang}: {exc.message}", exc.line or _key_line(value, key)) from None
        return result
    try:
        return LText({ctx.languages[0]: kind(value, ctx)})
    except Invalid as exc:
        if exc.line is not None:
            raise
        raise Invalid(f"{exc.message}, or one per language, e.g. {{{', '.join(l + ': ...' for l in ctx.languages[:2])}}}") \
            from None


def ltext(value, ctx):
    return localized(value, ctx)


def text_list(value, ctx):
    if not isinstance(value, list):
        raise Invalid(f"{found(value)}; write a list: one item a line, each starting with \"- \"")
    out = []
    for i, item in enumerate(value):
        try:
            out.append(text(item, ctx))
        except Invalid as exc:
            raise Invalid(exc.message, _item_line(value, i)) from None
    return out


def ltext_list(value, ctx):
    return localized(value, ctx, text_list)


def _figure(value, parse, example):
    """An amount or area: one value, read by `units`, whatever YAML made of it."""
    if not _scalar(value) or isinstance(value, dt.date) or (isinstance(value, float) and not math.isfinite(value)):
        raise Invalid(f"{found(value)}; write one figure with its unit, e.g. {example}")
    try:
        return parse(value)
    except UnitError as exc:
        raise Invalid(str(exc)) from None
    except ArithmeticError:     # more digits than any real figure has
        raise Invalid(f'cannot read "{_show(value)}": the number is far too large; write e.g. {example}') from None


def money(value, ctx):
    return _figure(value, parse_money, "5亿元 or 5000万元")


def area(value, ctx):
    return _figure(value, parse_area, "120亩 or 12万平方米")


def one_of(vocabulary):
    def parse(value, ctx):
        if not _scalar(value):
            raise Invalid(f'{found(value)}; write one of: {", ".join(vocabulary)}')
        if value not in vocabulary:
            raise Invalid(f'"{_show(value)}" is not accepted; write one of: {", ".join(vocabulary)}'
                          + did_you_mean(value, vocabulary))
        return value
    return parse


def list_of(vocabulary):
    single = one_of(vocabulary)

    def parse(value, ctx):
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            try:
                out.append(single(item, ctx))
            except Invalid as exc:
                raise Invalid(exc.message, _item_line(items, i)) from None
        return out
    return parse


def coordinates(value, ctx):
    accepted = "write [longitude, latitude] as Amap shows them (GCJ-02), e.g. [106.47, 29.50]"
    if not isinstance(value, list) or len(value) != 2 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise Invalid(f"cannot read {_show(value)}; {accepted}")
    lng, lat = float(value[0]), float(value[1])
    if not (73 <= lng <= 136 and 3 <= lat <= 54):
        if 73 <= lat <= 136 and 3 <= lng <= 54:
            raise Invalid(f"[{value[0]}, {value[1]}] looks like [latitude, longitude]; {accepted}")
        raise Invalid(f"[{value[0]}, {value[1]}] is not in China; {accepted}")
    return (lng, lat)


def date(value, ctx):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise Invalid(f'cannot read "{_show(value)}" as a date; write YYYY-MM-DD, e.g. 2024-03-31')


def integer(value, ctx):
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f'cannot read "{_show(value)}"; write a whole number, e.g. 1')
    return value


def boolean(value, ctx):
    if not isinstance(value, bool):
        raise Invalid(f'cannot read "{_show(value)}"; write true or false')
    return value


def colour(value, ctx):
    if not isinstance(value, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise Invalid(f'cannot read "{_show(value)}" as a colour; write e.g. "#b3261e" (in quotes)')
    return value.lower()


def url(value, ctx):
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value):
        raise Invalid(f'cannot read "{_show(value)}"; write the full address, e.g. https://invest.example.gov.cn/')
    return value


def https_url(value, ctx):
    """An https address of a service (http would leak the page address and cannot be signed)."""
    if not isinstance(value, str) or not re.match(r"^https://[^\s/]+/?\S*$", value):
        raise Invalid(f'cannot read "{_show(value)}"; write the full https address of the service, '
                      "e.g. https://invest.example.gov.cn/wechat/signature")
    return value


def _image(value, ctx):
    """A path relative to content/, which must exist and stay inside content/."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{found(value)}; write the image's path inside content/, e.g. images/park.jpg")
    rel = PurePosixPath(value.strip())
    if rel.is_absolute() or ".." in rel.parts or "\\" in value:
        raise Invalid(f'"{_show(value)}" points outside content/; put the image in content/images/ '
                      "and write e.g. images/park.jpg")
    if rel.suffix.lower() not in IMAGE_SUFFIXES:
        raise Invalid(f'"{_show(value)}" is not an image file; use .jpg, .png, .webp or .svg')
    path = ctx.content / rel
    if not path.is_file():
        near = ""
        folder = path.parent
        if folder.is_dir():
            near = did_you_mean(rel.name, [p.name for p in folder.iterdir()])
        raise Invalid(f'"{value}": no such file in content/{rel.parent.as_posix()}/{near}')
    if path.resolve() != path.absolute() and not path.resolve().is_relative_to(ctx.content.resolve()):
        raise Invalid(f'"{_show(value)}" links to a file outside content/; copy the image into content/images/')
    return rel.as_posix()


def image(value, ctx):
    """An image path (see `_image`), noted in `ctx.images_seen` when that is collected."""
    if ctx.images_seen is None or not isinstance(value, str):
        return _image(value, ctx)
    answer = ctx.images_seen[value] = image_answer(value, ctx)
    if answer[0] == "invalid":
        raise Invalid(answer[1], answer[2])
    return answer[1]


def image_answer(value: str, ctx) -> tuple:
    """What checking an image path finds: ("ok", path) or ("invalid", message, line)."""
    try:
        return ("ok", _image(value, ctx))
    except Invalid as exc:
        return ("invalid", exc.message, exc.line)


def image_list(value, ctx):
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        try:
            out.append(image(item, ctx))
        except Invalid as exc:
            raise Invalid(exc.message, _item_line(items, i)) from None
    return out


def mapping(value, ctx):
    if not isinstance(value, dict):
        raise Invalid(f"{found(value)}; write the fields of this setting indented below it")
    return value


def ref(value, ctx):
    """An id of another item; resolved (with suggestions) once everything is loaded."""
    if not isinstance(value, str):
        raise Invalid(f"{found(value)}; write one id here, e.g. caogang")
    return value


def ref_list(value, ctx):
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise Invalid(f"{found(item)}; write ids here, e.g. [new-materials]", _item_line(items, i))
    return list(items)


def folder_name(value, ctx):
    """A theme's folder name: a plain name, so it can only ever mean a folder inside themes/."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", value):
        raise Invalid(f"{found(value)}; write the name of a folder in themes/, e.g. default "
                      "(letters, digits, - and _ only)")
    return value


# ---- the kinds -------------------------------------------------------------------------

SITE = {
    "title": Field(ltext, required=True),
    "tagline": Field(ltext, default=LText()),
    "description": Field(ltext, default=LText()),
    "languages": Field(lambda v, c: v, required=True),   # checked first, by check.read_site
    "base_url": Field(url, required=True),
    "theme": Field(folder_name, default="default"),
    "contact": Field(ref, required=True),
    "brand": Field(mapping, default={}),
    "hant_variant": Field(one_of(("tw", "hk")), default="tw"),
    "markdown_html": Field(boolean, default=False),
    "featured": Field(ref_list, default=[]),
    "images": Field(mapping, default={}),
    "pdf": Field(boolean, default=False),              # also write each brochure as a PDF
    # The bureau's own WeChat JS-SDK signature service; without it no page loads the SDK.
    "wechat_signature_endpoint": Field(https_url),
}

BRAND = {
    "color": Field(colour, default="#b3261e"),
}


def _whole_in(low: int, high: int, example: str):
    def parse(value, ctx):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid(f'cannot read "{_show(value)}"; write a whole number from {low} to {high}, '
                          f"e.g. {example}")
        return value
    return parse


def widths(value, ctx):
    items = value if isinstance(value, list) else [value]
    width = _whole_in(16, 8000, "960")
    out = []
    for i, item in enumerate(items):
        try:
            out.append(width(item, ctx))
        except Invalid as exc:
            raise Invalid(f"{exc.message} (a width in pixels)", _item_line(items, i)) from None
    return tuple(sorted(set(out)))


# site.yaml `images:` — how images are published (see generator/images.py).
IMAGES = {
    "widths": Field(widths, default=(480, 960, 1600)),
    "quality": Field(_whole_in(30, 100, "80"), default=80),
    "webp_quality": Field(_whole_in(30, 100, "78"), default=78),
    "max_pixels": Field(_whole_in(1_000_000, 1_000_000_000, "60000000"), default=60_000_000),
}

SECTOR = {
    "id": Field(slug, required=True),
    "name": Field(ltext, required=True),
}

STAFF = {
    "id": Field(slug, required=True),
    "name": Field(ltext, required=True),
    "role": Field(ltext, default=LText()),
    "phone": Field(text, default=""),
    "email": Field(text, default=""),
    "wechat": Field(text, default=""),
    "wechat_qr": Field(image),
}

CATALOGUE = {
    "title": Field(ltext, required=True),
    "updated": Field(date),
}

CATALOGUE_FILE = {
    "catalogue": Field(mapping, required=True),
    "projects": Field(lambda v, c: v, required=True),
}

PROJECT = {
    "id": Field(slug, required=True),
    "title": Field(ltext, required=True),
    "sector": Field(ref, required=True),
    "park": Field(ref),
    "investment": Field(money, required=True),
    "status": Field(one_of(STATUSES), default="seeking"),
    "cooperation": Field(list_of(COOPERATION), default=[]),
    "land": Field(area),
    "location": Field(ltext, default=LText()),
    "coordinates": Field(coordinates),
    "summary": Field(ltext, default=LText()),
    "description": Field(ltext, default=LText()),
    "highlights": Field(ltext_list, default=LText()),
    "images": Field(image_list, default=[]),
    "contact": Field(ref),
    "aliases": Field(slug_list, default=[]),
    "signed": Field(date),     # the day the contract was signed; counted by `yunzhao stats`
}

PARK = {
    "title": Field(ltext, required=True),
    "summary": Field(ltext, default=LText()),
    "level": Field(ltext, default=LText()),
    "location": Field(ltext, default=LText()),
    "coordinates": Field(coordinates),
    "area": Field(area),
    "industries": Field(ref_list, default=[]),
    "land_available": Field(area),
    "plants_available": Field(area),
    "transport": Field(ltext_list, default=LText()),
    "contact": Field(ref),
    "images": Field(image_list, default=[]),
    "aliases": Field(slug_list, default=[]),
}

# In a translation file (xipeng.en.md) only the texts a reader sees may be written.
PARK_TRANSLATABLE = ("title", "summary", "level", "location", "transport")

PAGE = {
    "title": Field(ltext, required=True),
    "menu": Field(integer),
    "aliases": Field(slug_list, default=[]),
}
PAGE_TRANSLATABLE = ("title",)

FILTER = {
    "sector": Field(ref_list, default=[]),
    "park": Field(ref_list, default=[]),
    "status": Field(list_of(STATUSES), default=[]),
    "min_investment": Field(money),
    "max_investment": Field(money),
}

BROCHURE = {
    "id": Field(slug, required=True),
    "title": Field(ltext, required=True),
    "subtitle": Field(ltext, default=LText()),
    "cover": Field(image),
    "projects": Field(ref_list),
    "filter": Field(mapping),
    "parks": Field(ref_list, default=[]),
    "pages": Field(ref_list, default=[]),
    "contact": Field(ref),
}


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


class Fields(dict):
    """Parsed values; `ok` is False when any field was wrong (those fields hold their default)."""
    ok = True


def read_fields(data, kind: dict[str, Field], ctx: Context, problems: Problems, shown: str,
                what: str, only: tuple[str, ...] | None = None, partial: bool = False,
                line: int | None = None):
    """Check one mapping against a kind; returns the parsed values, or None if any was wrong.

    With `partial`, returns the `Fields` even when some were wrong, so that callers can go on
    checking references and report every problem of the run at once.
    `only` restricts which fields may be written (translation files).
    `line` is where the mapping is, for a value that is not one (a list item written as text).
    """
    if not isinstance(data, dict):
        line = getattr(data, "line", line or 0)
        problems.error(shown, line, "", f"{found(data)}; expected the fields of {what} here "
                       "(\"name: value\" lines)")
        return None
    ok = True
    # Called for every item of every file: the line of a field is looked up only for a message.
    allowed = kind if only is None else only
    key_lines = data.key_lines if isinstance(data, PosDict) else None
    result = Fields()
    for key, value in data.items():
        if key not in allowed:
            line = key_lines.get(key, data.line) if key_lines is not None else 0
            if only is not None and key in kind:
                problems.error(shown, line, str(key), f"a translation cannot change this field; "
                               f"write it in the source file (translatable: {', '.join(only)})")
            else:
                names = tuple(allowed)
                problems.error(shown, line, str(key), f"unknown field in {what}"
                               + (did_you_mean(key, names) or f"; known fields: {', '.join(names)}"))
            ok = False
            continue
        spec = kind[key]
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                line = key_lines.get(key, data.line) if key_lines is not None else 0
                problems.error(shown, line, str(key), "is empty; write a value after the colon")
                ok = False
            continue
        try:
            result[key] = spec.parse(value, ctx)
        except Invalid as exc:
            line = key_lines.get(key, data.line) if key_lines is not None else 0
            problems.error(shown, exc.line or line, str(key), exc.message)
            ok = False
    if only is None:
        for name, spec in kind.items():
            if name in result:
                continue
            if spec.required and name not in data:
                problems.error(shown, getattr(data, "line", 0), name, f"missing; {what} needs {_a(name)}")
                ok = False
            default = spec.default
            result[name] = type(default)(default) if isinstance(default, (list, dict)) else default
    result.ok = ok
    return result if ok or partial else None
