"""`yunzhao init <dir>`: a new site that builds at once, to start from instead of copying one.

The starter (templates in starter/) has the site settings, three sectors, one staff member,
a catalogue with two projects, a park with its translation and a brochure, written in the
languages chosen with --lang, so the first build has no error, no warning and no missing
translation. It never writes into a folder that holds anything.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from ..i18n import LANGUAGES, canonical_lang
from .yamltext import localized_inline

STARTER = Path(__file__).resolve().parent / "starter"
DEFAULT_BASE_URL = "https://invest.example.gov.cn/example/"

# starter template → file in the new site (relative to it)
FILES = {
    "site.yaml.j2": "content/site.yaml",
    "data/sectors.yaml.j2": "content/data/sectors.yaml",
    "data/staff.yaml.j2": "content/data/staff.yaml",
    "projects/key-projects.yaml.j2": "content/projects/key-projects.yaml",
    "brochures/investment-guide.yaml.j2": "content/brochures/investment-guide.yaml",
    "gitignore": ".gitignore",
}
PARK = "parks/riverside.md.j2"


class InitRefused(Exception):
    """Nothing was written; one line saying why and what to do."""


def parse_languages(text: str) -> list[str]:
    """"zh,en,zh-Hant" → the site's language codes, the source (zh or en) first."""
    languages = []
    for code in [c.strip() for c in text.replace(" ", ",").split(",") if c.strip()]:
        lang = canonical_lang(code, LANGUAGES)
        if lang is None:
            raise InitRefused(f'--lang: "{code}" is not a language yunzhao knows; use a list of '
                              f"{', '.join(LANGUAGES)}, e.g. --lang zh,en")
        if lang not in languages:
            languages.append(lang)
    if not languages:
        raise InitRefused("--lang: give at least one language, e.g. --lang zh,en")
    if languages[0] == "zh-Hant":
        raise InitRefused("--lang: the first language is the one content is written in: zh or en; "
                          "Traditional Chinese is converted from it, e.g. --lang zh,en,zh-Hant")
    return languages


def init_site(folder: Path, languages: list[str], base_url: str = DEFAULT_BASE_URL) -> list[Path]:
    """Write the starter site into `folder` (which must be missing or empty); returns the files."""
    if folder.exists() and not folder.is_dir():
        raise InitRefused(f"{folder} is a file; give the name of a new folder, e.g. yunzhao init mysite")
    if folder.is_dir() and any(folder.iterdir()):
        raise InitRefused(f"{folder} is not empty; yunzhao init only writes into a new or empty folder, "
                          "so nothing of yours is overwritten: give a new folder name")
    if not base_url.startswith(("http://", "https://")):
        raise InitRefused(f'--base-url: "{base_url}" is not a web address; write e.g. {DEFAULT_BASE_URL}')
    written = [lang for lang in languages if lang != "zh-Hant"]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(STARTER)), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False)
    files: dict[str, str] = {}
    common = {"languages": languages, "written": written, "base_url": base_url.rstrip("/") + "/",
              "t": lambda **texts: localized_inline(texts, languages)}
    for template, target in FILES.items():
        files[target] = env.get_template(template).render(common)
    for lang in written:
        translation = lang != written[0]
        name = f"content/parks/riverside.{lang}.md" if translation else "content/parks/riverside.md"
        files[name] = env.get_template(PARK).render(
            common, lang=lang, translation=translation,
            text=lambda _lang=lang, **texts: localized_inline({_lang: texts[_lang]}, [_lang]))
    paths = []
    for target, text in sorted(files.items()):
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    (folder / "content" / "images").mkdir(exist_ok=True)
    (folder / "content" / "pages").mkdir(exist_ok=True)
    return paths
