"""The fields of each content kind, declared once, checked with readable messages.

A kind is a dict of `Field`s. `read_fields` checks one mapping against it and reports every
problem it finds (unknown fields with "did you mean", missing required ones, unreadable
values), each at the line where it was written. Field parsers raise `Invalid` with a message
that says what was found and what is accepted.
"""

from __future__ import annotations

import datetime as dt
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


@dataclass(frozen=True)
class Field:
    parse: Callable[[Any, Context], Any]
    required: bool = False
    default: Any = None


def _show(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---- parsers ---------------------------------------------------------------------------

def text(value, ctx):
    if isinstance(value, (dict, list)) or value is None:
        raise Invalid("write plain text here")
    return str(value)


def slug(value, ctx):
    if not isinstance(value, str) or not SLUG.match(value):
        why = "it becomes part of the page address, which must stay the same in every browser"
        if isinstance(value, str) and ("/" in value or ".." in value):
            why = "it would point outside its folder"
        elif isinstance(value, str) and any(ord(c) > 127 for c in value):
            why = "Chinese or other non-ASCII characters break when a link is pasted into WeChat or e-mail"
        elif isinstance(value, str) and " " in value:
            why = "spaces break links"
        raise Invalid(f'"{_show(value)}" cannot be an id: {why}; use lowercase letters a-z, digits and '
                      "hyphens, e.g. smart-security-park")
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


def localized(value, ctx, kind=text):
    """A plain string (the source language) or {language: string}."""
    if isinstance(value, dict):
        result = LText()
        for key, item in value.items():
            lang = canonical_lang(str(key), ctx.languages)
            line = value.line_of(key) if isinstance(value, PosDict) else None
            if lang is None:
                raise Invalid(f'"{key}" is not one of this site\'s languages ({", ".join(ctx.languages)})'
                              + did_you_mean(key, ctx.languages), line)
            try:
                result[lang] = kind(item, ctx)
            except Invalid as exc:
                raise Invalid(f"{lang}: {exc.message}", exc.line or line) from None
        return result
    return LText({ctx.languages[0]: kind(value, ctx)})


def ltext(value, ctx):
    return localized(value, ctx)


def text_list(value, ctx):
    if not isinstance(value, list):
        raise Invalid("write a list: one item a line, each starting with \"- \"")
    out = []
    for i, item in enumerate(value):
        try:
            out.append(text(item, ctx))
        except Invalid as exc:
            raise Invalid(exc.message, _item_line(value, i)) from None
    return out


def ltext_list(value, ctx):
    return localized(value, ctx, text_list)


def money(value, ctx):
    try:
        return parse_money(value)
    except UnitError as exc:
        raise Invalid(str(exc)) from None


def area(value, ctx):
    try:
        return parse_area(value)
    except UnitError as exc:
        raise Invalid(str(exc)) from None


def one_of(vocabulary):
    def parse(value, ctx):
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


def image(value, ctx):
    """A path relative to content/, which must exist and stay inside content/."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid("write the image's path inside content/, e.g. images/park.jpg")
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
        raise Invalid("write the fields of this setting indented below it")
    return value


def ref(value, ctx):
    """An id of another item; resolved (with suggestions) once everything is loaded."""
    if not isinstance(value, str):
        raise Invalid(f'write an id here, e.g. caogang, not "{_show(value)}"')
    return value


def ref_list(value, ctx):
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise Invalid(f'write ids here, e.g. [new-materials], not "{_show(item)}"', _item_line(items, i))
    return list(items)


# ---- the kinds -------------------------------------------------------------------------

SITE = {
    "title": Field(ltext, required=True),
    "tagline": Field(ltext, default=LText()),
    "description": Field(ltext, default=LText()),
    "languages": Field(lambda v, c: v, required=True),   # checked first, by check.read_site
    "base_url": Field(url, required=True),
    "theme": Field(text, default="default"),
    "contact": Field(ref, required=True),
    "brand": Field(mapping, default={}),
    "hant_variant": Field(one_of(("tw", "hk")), default="tw"),
    "markdown_html": Field(boolean, default=False),
    "featured": Field(ref_list, default=[]),
}

BRAND = {
    "color": Field(colour, default="#b3261e"),
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


class Fields(dict):
    """Parsed values; `ok` is False when any field was wrong (those fields hold their default)."""
    ok = True


def read_fields(data, kind: dict[str, Field], ctx: Context, problems: Problems, shown: str,
                what: str, only: tuple[str, ...] | None = None, partial: bool = False):
    """Check one mapping against a kind; returns the parsed values, or None if any was wrong.

    With `partial`, returns the `Fields` even when some were wrong, so that callers can go on
    checking references and report every problem of the run at once.
    `only` restricts which fields may be written (translation files).
    """
    if not isinstance(data, dict):
        line = getattr(data, "line", 0)
        problems.error(shown, line, "", f"expected the fields of {what} here (\"name: value\" lines)")
        return None
    ok = True
    allowed = only if only is not None else tuple(kind)
    result = Fields()
    for key in data:
        line = data.line_of(key) if isinstance(data, PosDict) else 0
        if key not in allowed:
            if only is not None and key in kind:
                problems.error(shown, line, str(key), f"a translation cannot change this field; "
                               f"write it in the source file (translatable: {', '.join(only)})")
            else:
                problems.error(shown, line, str(key), f"unknown field in {what}"
                               + (did_you_mean(key, allowed) or f"; known fields: {', '.join(allowed)}"))
            ok = False
            continue
        value = data[key]
        if value is None:
            if kind[key].required:
                problems.error(shown, line, str(key), "is empty; write a value after the colon")
                ok = False
            continue
        try:
            result[key] = kind[key].parse(value, ctx)
        except Invalid as exc:
            problems.error(shown, exc.line or line, str(key), exc.message)
            ok = False
    if only is None:
        for name, spec in kind.items():
            if name in result:
                continue
            if spec.required and name not in data:
                problems.error(shown, getattr(data, "line", 0), name, f"missing; {what} needs a {name}")
                ok = False
            default = spec.default
            result[name] = type(default)(default) if isinstance(default, (list, dict)) else default
    result.ok = ok
    return result if ok or partial else None
