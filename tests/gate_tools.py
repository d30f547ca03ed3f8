"""The outside tools the quality gates run (Chromium, Java, nginx, npm packages) and what to do
when one is missing: a gate that cannot run is a failure under CI, a clear skip elsewhere.

Node tools live in quality/node_modules, installed from quality/package.json by tools/setup.sh.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

import servers

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "quality" / "node_modules"
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling Google's hosts, which this
# machine (and a bureau's CI) refuses; those calls would also pollute the request recorder.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PHONE = {"width": 390, "height": 844}


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def missing(what: str) -> None:
    """Stop a test whose tool is absent: fail in CI (a gate never silently passes), skip elsewhere."""
    message = f"{what} is missing; run `bash tools/setup.sh` (CI installs it)"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def java() -> str:
    path = shutil.which("java")
    if not path:
        missing("java (Debian default-jre-headless)")
    return path


def node_file(relative: str) -> Path:
    """A file of an npm package in quality/node_modules, e.g. "axe-core/axe.min.js"."""
    path = NODE_MODULES / relative
    if not path.is_file():
        missing(f"quality/node_modules/{relative} (npm install in quality/)")
    return path


def launch_chromium(playwright):
    """Debian's Chromium under Playwright; never a downloaded browser."""
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"{CHROMIUM} (Debian chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def sync_playwright():
    """Playwright's sync API, or the missing-tool verdict when the Python package is absent."""
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError:
        missing("the Python package playwright (pip install -e '.[test]')")
    return start()


@contextmanager
def serving(folder: Path):
    """servers.serve() for a test: nginx, or the stand-in outside CI; without either, missing()."""
    if not servers.nginx_path() and not servers.fallback_allowed():
        missing("nginx (Debian nginx)")
    with servers.serve(folder) as served:
        yield served
