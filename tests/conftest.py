"""Shared fixtures: the demo site built once per run, and small fixture sites built per test."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "content"


def run_yunzhao(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command, in a subprocess, as staff would run it."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("YUNZHAO_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=600)


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under a folder with the hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """A copy of the demo site folder (content/ only), so tests never touch the checkout's output/."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(DEMO, root / "content")
    return root


@pytest.fixture(scope="session")
def demo_out(demo_site) -> Path:
    result = run_yunzhao("build", "--site", str(demo_site), cwd=REPO)
    assert result.returncode == 0, result.stderr + result.stdout
    return demo_site / "output"


MINIMAL = {
    "content/site.yaml": """
        title: {zh: 测试招商局, en: Test Investment Bureau}
        languages: [zh, en, zh-Hant]
        base_url: https://invest.example.gov.cn/test/
        contact: wang
    """,
    "content/data/sectors.yaml": """
        - id: new-materials
          name: {zh: 新材料, en: New Materials}
        - id: logistics
          name: {zh: 物流, en: Logistics}
    """,
    "content/data/staff.yaml": """
        - id: wang
          name: {zh: 王明, en: Wang Ming}
          role: {zh: 招商部, en: Investment Department}
          phone: "+86 23 0000 0000"
          email: invest@example.gov.cn
          wechat: test-wechat
    """,
    "content/parks/west.md": """
        ---
        title: 西区园区
        industries: [new-materials]
        land_available: 800亩
        contact: wang
        ---
        西区园区位于城市西部。
    """,
    "content/parks/west.en.md": """
        ---
        title: West Park
        ---
        West Park lies in the west of the city.
    """,
    "content/projects/2024.yaml": """
        catalogue:
          title: {zh: 2024年项目, en: 2024 Projects}
          updated: 2024-03-31
        projects:
          - id: alpha
            title: {zh: 阿尔法项目, en: Alpha Project}
            sector: new-materials
            park: west
            investment: 176.1亿元
            status: seeking
            land: 120亩
            summary: {zh: 一个新材料项目。, en: A new-materials project.}
          - id: beta
            title: 贝塔项目
            sector: logistics
            investment: 5000万元
            status: negotiating
    """,
}


def write_site(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """Write a fixture site: MINIMAL with `files` laid over it (None deletes a file)."""
    merged = {**MINIMAL, **files}
    for rel, text in merged.items():
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def site(tmp_path):
    """A function that writes a fixture site into a fresh folder and returns it."""
    def make(files: dict | None = None) -> Path:
        return write_site(tmp_path, files or {})
    return make


# Shared by the browser tests; module scope, so each test module gets its own server and browser.

@pytest.fixture(scope="module")
def served(demo_out):
    """The demo output served by nginx under a sub-path (see servers.py)."""
    from gate_tools import serving
    with serving(demo_out) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (fails under CI=true when missing; see gate_tools.py)."""
    from gate_tools import launch_chromium, sync_playwright
    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()
