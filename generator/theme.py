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

from .content.yamlpos import YamlError, decode, parse
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
        meta = _read_mapping(found / "theme.yaml", problems)
        if meta is None:
            return None
        current = meta.get("extends")
        if current is not None and not isinstance(current, str):
            problems.error(found / "theme.yaml", meta.line_of("extends"), "extends",
                           "write the name of one theme, e.g. extends: default")
            return None
    overrides = site_root / "templates"
    return Theme(name, chain, overrides if overrides.is_dir() else None)


def _read_mapping(path: Path, problems: Problems):
    """A theme's YAML file as a mapping ({} when it does not exist); None, with the problem
    reported, when it cannot be read — themes are edited by hand like content."""
    if not path.is_file():
        return {}
    try:
        data = parse(decode(path.read_bytes()))
    except YamlError as exc:
        problems.error(path, exc.line, "", exc.message)
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.error(path, 0, "", f"cannot read this file ({exc.__class__.__name__}); save it as UTF-8 text")
        return None
    if data is None:
        return {}
    if not hasattr(data, "items"):
        problems.error(path, getattr(data, "line", 0), "", "this file must hold names and values (key: value)")
        return None
    return data


def _plain(value):
    """PosDict/PosList → dict/list: templates look strings up by attribute (`t.nav.home`), and
    a string named like one of PosDict's own attributes (`line`) must still be found."""
    if isinstance(value, dict):
        return {key: _plain(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _shipped_names() -> list[str]:
    base = shipped_themes_dir()
    return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def load_strings(theme: Theme, languages: list[str], problems: Problems) -> dict[str, dict]:
    """UI strings per language; a language the theme lacks is an error naming the file to add."""
    strings: dict[str, dict] = {}
    for lang in languages:
        merged: dict = {}
        readable = True
        for theme_dir in reversed(theme.chain):
            data = _read_mapping(theme_dir / "strings" / f"{lang}.yaml", problems)
            if data is None:
                readable = False
                continue
            for key, value in _plain(data).items():
                if isinstance(value, dict) and isinstance(merged.get(key, {}), dict):
                    merged.setdefault(key, {}).update(value)
                else:
                    merged[key] = value
        if not merged and readable:
            problems.error(f"{theme.chain[0]}/strings/{lang}.yaml", 0, "",
                           f"the theme has no interface texts for {lang}; add this file")
        strings[lang] = merged
    return strings


def hashed_name(name: str, data: bytes) -> str:
    """style.css → style.3f2a9c1b.css: WeChat caches hard, so a changed file gets a new name."""
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
