"""Languages and localized text: which text a reader sees, in which language, and why.

zh is the source; other languages are written (en) or derived (zh-Hant, converted from the
Simplified source with OpenCC where no Traditional text is written). A text missing in a
language falls back to the source and is marked with its own `lang`, and every fallback is
recorded for the build's missing-translation report.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from markupsafe import Markup, escape

try:
    # MarkupSafe 3's C escaping without wrapping the result in a Markup (which costs more than the
    # escaping): pages print tens of thousands of texts.
    from markupsafe import _escape_inner as escape_text
except ImportError:                         # pragma: no cover - older MarkupSafe
    def escape_text(text: str) -> str:
        return str(escape(text))


@dataclass(frozen=True)
class Language:
    code: str        # as written in site.yaml and in `lang` attributes (BCP 47)
    folder: str      # the URL folder: lowercase, so links never depend on case
    label: str       # the switcher shows each language in itself
    short: str


LANGUAGES = {
    "zh": Language("zh", "zh", "简体中文", "简"),
    "en": Language("en", "en", "English", "EN"),
    "zh-Hant": Language("zh-Hant", "zh-hant", "繁體中文", "繁"),
}

# OpenCC configurations: Taiwan phrases (软件 → 軟體) or Hong Kong characters.
OPENCC_CONFIGS = {"tw": "s2twp", "hk": "s2hk"}


def canonical_lang(code: str, languages) -> str | None:
    """The site's spelling of a language code written in any case (zh-hant → zh-Hant)."""
    for lang in languages:
        if lang.lower() == str(code).lower():
            return lang
    return None


@functools.lru_cache(maxsize=4)
def _converter(variant: str):
    import opencc  # imported lazily: a site without zh-Hant never pays for it
    return opencc.OpenCC(OPENCC_CONFIGS[variant])


@functools.lru_cache(maxsize=65536)
def to_traditional(text: str, variant: str = "tw") -> str:
    return _converter(variant).convert(text) if text else text


class Shown(str):
    """A string as shown in one language, knowing whether it is a fallback.

    Printed in a template (`{{ project.title }}`) a fallback carries its own `lang` in a span;
    in attributes and <title>, where markup is not allowed, use `.text`.
    """

    lang: str
    fallback: bool

    def __new__(cls, value: str, lang: str, fallback: bool = False):
        obj = super().__new__(cls, value)
        obj.lang = lang
        obj.fallback = fallback
        return obj

    @property
    def text(self) -> str:
        return str.__str__(self)

    def __html__(self) -> str:
        if self.fallback and self:
            return f'<span lang="{self.lang}">{escape_text(str.__str__(self))}</span>'
        return escape_text(str.__str__(self))


class Localizer:
    """Resolves localized text for one site and records every fallback."""

    def __init__(self, languages: list[str], hant_variant: str = "tw"):
        self.languages = languages
        self.source = languages[0]
        self.variant = hant_variant
        self.missing: set[tuple[str, str, str]] = set()   # (lang, item, field)

    def pick(self, value: dict, lang: str):
        """(value, language it is in, is it a fallback) for a language."""
        if lang in value:
            return value[lang], lang, False
        if lang == "zh-Hant" and "zh" in value:
            return self.convert(value["zh"]), lang, False
        for other in self.languages:
            if other in value:
                return value[other], other, True
        return None, lang, False

    def convert(self, value):
        if isinstance(value, list):
            return [to_traditional(v, self.variant) for v in value]
        return to_traditional(value, self.variant)

    def text(self, value: dict, lang: str, item: str = "", field: str = "") -> Shown:
        found, found_lang, fallback = self.pick(value or {}, lang)
        if found is None:
            return Shown("", lang)
        if fallback and item:
            self.missing.add((lang, item, field))
        return Shown(found, found_lang, fallback)

    def texts(self, value: dict, lang: str, item: str = "", field: str = "") -> list[Shown]:
        found, found_lang, fallback = self.pick(value or {}, lang)
        if not found:
            return []
        if fallback and item:
            self.missing.add((lang, item, field))
        return [Shown(v, found_lang, fallback) for v in found]

    def report(self) -> dict[str, list[str]]:
        """Missing translations per language: {"en": ["project foo: title, summary", ...]}."""
        by_lang: dict[str, dict[str, list[str]]] = {}
        for lang, item, field in sorted(self.missing):
            by_lang.setdefault(lang, {}).setdefault(item, []).append(field)
        return {lang: [f"{item}: {', '.join(fields)}" for item, fields in items.items()]
                for lang, items in by_lang.items()}


def wrap_lang(html: str, shown: Shown) -> Markup:
    """Block-level Markdown output of a fallback text carries the language it is written in."""
    if shown.fallback:
        return Markup(f'<div lang="{shown.lang}">{html}</div>')
    return Markup(html)
