"""Themes: where templates, static files and UI strings come from.

A theme is a folder with `templates/`, `static/` and `strings/<lang>.yaml`, and optionally
`theme.yaml` saying `extends: <other theme>`. A site may override any single template in its
own `templates/` folder. Shipped themes live in the package when yunzhao is installed from a
wheel, and in the checkout's `themes/` when it runs from source.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Problems

PACKAGE = Path(__file__).resolve().parent


def shipped_themes_dir() -> Path:
    installed = PACKAGE / "themes"
    return installed if installed.is_dir() else PACKAGE.parent / "themes"


@dataclass
class Theme:
    name: str
    chain: list[Path]                      # the theme first, then what it extends
    site_templates: Path | None
    strings: dict[str, dict] = field(default_factory=dict)

    @property
    def template_dirs(self) -> list[str]:
        dirs = [self.site_templates] if self.site_templates else []
        return [str(d) for d in dirs + [t / "templates" for t in self.chain]]

    def static_files(self) -> dict[str, Path]:
        """name → file, a theme's own files winning over the theme it extends."""
        found: dict[str, Path] = {}
        for theme_dir in reversed(self.chain):
            static = theme_dir / "static"
            if static.is_dir():
                for path in sorted(static.rglob("*")):
                    if path.is_file():
                        found[path.relative_to(static).as_posix()] = path
        return found

    def fingerprint(self) -> str:
        """A hash of every file of the theme chain and the site's overrides (for caches)."""
        digest = hashlib.sha256()
        roots = [Path(d) for d in self.template_dirs] + [t / "static" for t in self.chain] + \
                [t / "strings" for t in self.chain]
        for root in roots:
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file():
                        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()


def find_theme(name: str, site_root: Path, problems: Problems) -> Theme | None:
    chain: list[Path] = []
    current = name
    while current:
        found = None
        for base in (site_root / "themes", shipped_themes_dir()):
            if (base / current / "templates").is_dir():
                found = base / current
                break
        if found is None:
            problems.error("content/site.yaml", 0, "theme", f'no theme "{current}" in themes/ of the site '
                           f"or among the shipped themes ({', '.join(_shipped_names())})")
            return None
        if found in chain:
            problems.error(str(found / "theme.yaml"), 0, "extends", "themes extend each other in a circle")
            return None
        chain.append(found)
        meta = found / "theme.yaml"
        current = (yaml.safe_load(meta.read_text("utf-8")) or {}).get("extends") if meta.is_file() else None
    overrides = site_root / "templates"
    return Theme(name, chain, overrides if overrides.is_dir() else None)


def _shipped_names() -> list[str]:
    base = shipped_themes_dir()
    return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def load_strings(theme: Theme, languages: list[str], problems: Problems) -> dict[str, dict]:
    """UI strings per language; a language the theme lacks is an error naming the file to add."""
    strings: dict[str, dict] = {}
    for lang in languages:
        merged: dict = {}
        for theme_dir in reversed(theme.chain):
            path = theme_dir / "strings" / f"{lang}.yaml"
            if path.is_file():
                data = yaml.safe_load(path.read_text("utf-8")) or {}
                for key, value in data.items():
                    if isinstance(value, dict):
                        merged.setdefault(key, {}).update(value)
                    else:
                        merged[key] = value
        if not merged:
            problems.error(f"{theme.chain[0]}/strings/{lang}.yaml", 0, "",
                           f"the theme has no interface texts for {lang}; add this file")
        strings[lang] = merged
    return strings


def hashed_name(name: str, data: bytes) -> str:
    """style.css → style.3f2a9c1b.css: WeChat caches hard, so a changed file gets a new name."""
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
