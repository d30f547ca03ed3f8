"""The typed model that templates and renderers work from.

Objects here are checked and cross-referenced: a project's `sector` is the `Sector` itself,
not its id. Localized text is an `LText` (language → string as written); resolving it for a
language, with fallback and Traditional conversion, is the job of `i18n`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .units import Area, Money

STATUSES = ("seeking", "negotiating", "signed", "under-construction", "operating")
COOPERATION = ("sole-proprietorship", "joint-venture", "cooperation", "ppp", "lease")


class LText(dict):
    """Text as written: a mapping of language code to string (or list of strings)."""


@dataclass(frozen=True)
class Source:
    """Where an item was written, for messages and for dependency tracking."""
    file: str
    line: int


@dataclass(eq=False)
class Sector:
    id: str
    name: LText
    source: Source
    projects: list["Project"] = field(default_factory=list)


@dataclass(eq=False)
class Staff:
    id: str
    name: LText
    role: LText
    phone: str
    email: str
    wechat: str
    wechat_qr: str | None
    source: Source


@dataclass(eq=False)
class Park:
    id: str
    title: LText
    summary: LText
    body: LText              # Markdown, per language
    level: LText
    location: LText
    coordinates: tuple[float, float] | None
    area: Area | None
    industries: list[Sector]
    land_available: Area | None
    plants_available: Area | None
    transport: LText         # language → list of strings
    contact: Staff | None
    images: list[str]
    aliases: list[str]
    source: Source
    projects: list["Project"] = field(default_factory=list)


@dataclass(eq=False)
class Catalogue:
    id: str                  # the file name without .yaml
    title: LText
    updated: dt.date | None
    source: Source


@dataclass(eq=False)
class Project:
    id: str
    title: LText
    sector: Sector
    park: Park | None
    investment: Money
    status: str
    cooperation: list[str]
    land: Area | None
    location: LText
    coordinates: tuple[float, float] | None
    summary: LText
    description: LText       # Markdown
    highlights: LText        # language → list of strings
    images: list[str]
    contact: Staff | None
    aliases: list[str]
    catalogue: Catalogue
    source: Source
    signed: dt.date | None = None    # the day the contract was signed (for "signed this quarter")
    # The fingerprint of the fields above as written (`deps.written_digest`), made when its
    # catalogue entry is checked: what incremental builds compare it by. Shows on no page.
    written: str = ""


@dataclass(eq=False)
class Page:
    id: str
    title: LText
    body: LText
    menu: int | None
    aliases: list[str]
    source: Source


@dataclass(eq=False)
class Brochure:
    id: str
    title: LText
    subtitle: LText
    cover: str | None
    projects: list[Project]
    parks: list[Park]
    pages: list[Page]
    contact: Staff
    source: Source


@dataclass(frozen=True)
class ImageSettings:
    """How images are published (site.yaml `images:`); defaults suit photos read on phones."""
    widths: tuple[int, ...] = (480, 960, 1600)   # rendition widths; never wider than the original
    quality: int = 80                            # JPEG fallback quality
    webp_quality: int = 78
    max_pixels: int = 60_000_000                 # larger images are refused (decompression bombs)


@dataclass(frozen=True)
class ImageRef:
    """An image that content refers to: where first referred to, and what for."""
    path: str                # relative to content/
    source: Source           # the first place that refers to it (for messages)
    field: str               # the field there, e.g. images, cover, wechat_qr
    roles: frozenset[str]    # "photo", "cover" (gets share-card crops), "qr" (kept sharp, lossless)


@dataclass(eq=False)
class Site:
    root: str                # the folder that holds content/
    title: LText
    tagline: LText
    description: LText
    languages: list[str]     # source first
    base_url: str            # always ends with "/"
    theme: str
    contact: Staff
    brand_color: str
    hant_variant: str        # "tw" or "hk"
    markdown_html: bool      # raw HTML in Markdown (sanitized) — off unless the site opts in
    featured: list[Project]
    sectors: list[Sector]
    staff: list[Staff]
    parks: list[Park]
    catalogues: list[Catalogue]
    projects: list[Project]
    pages: list[Page]
    brochures: list[Brochure]
    images: list[str]        # every image that content refers to, relative to content/
    image_refs: dict[str, ImageRef] = field(default_factory=dict)   # path → where and what for
    image_settings: ImageSettings = field(default_factory=ImageSettings)
    pdf: bool = False                             # site.yaml `pdf: true`: brochures also as PDF
    wechat_signature_endpoint: str | None = None  # the bureau's JS-SDK signature service, if any

    @property
    def source_language(self) -> str:
        return self.languages[0]
