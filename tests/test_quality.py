"""Validators over the demo: the Nu HTML Checker on every page, axe-core on the key pages.

- vnu (npm vnu-jar, run with Java) checks every .html file of the demo build in one JVM run:
  zero errors.
- axe-core (npm) runs inside headless Chromium at 390×844, served under a sub-path, on home,
  catalogue, a project, a park and the root page of each language: no violation of serious or
  critical impact.
Each gate is proved by a fault planted in a fixture site.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, run_yunzhao, write_site
from gate_tools import PHONE, java, node_file, serving

AXE_PAGES = ["zh/", "en/", "zh-hant/", "zh/projects/", "en/projects/", "zh-hant/projects/",
             "zh/projects/smart-security-park/", "en/projects/smart-security-park/",
             "en/projects/medical-dressings-production/",        # falls back to Chinese text
             "zh/parks/xipeng/", "en/parks/huayan/", "zh/sectors/new-materials/",
             "zh/pages/environment/", "zh/404.html", "zh/search/?q=%E9%93%9D", "en/search/?q=aluminium",
             "zh/brochures/", "zh/brochures/new-materials/", "en/brochures/chengyu-2024/"]
SERIOUS = ("serious", "critical")


# The Nu HTML Checker ---------------------------------------------------------------------------
def vnu_errors(files: list[Path], relative_to: Path) -> list[str]:
    """Every error vnu finds in `files`, as `path:line: message`, from a single JVM run."""
    jar = node_file("vnu-jar/build/dist/vnu.jar")
    command = [java(), "-Xss1m", "-jar", str(jar), "--format", "json", "--stdout", *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(f"vnu gave no report (exit {result.returncode}): {result.stderr[-2000:]}")
    errors = []
    for m in messages:
        if m.get("type") in ("error", "non-document-error"):
            where = m.get("url", "").removeprefix("file:")
            try:
                where = Path(where).relative_to(relative_to).as_posix()
            except ValueError:
                pass
            errors.append(f"{where}:{m.get('lastLine', '?')}: {m.get('message')}")
    return errors


def test_every_demo_page_is_valid_html(demo_out):
    files = sorted(demo_out.rglob("*.html"))
    assert len(files) > 140
    errors = vnu_errors(files, demo_out)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors[:50])


# axe-core ------------------------------------------------------------------------------------
def axe_violations(browser, base_url: str, paths: list[str], locale: str = "zh-CN") -> list[str]:
    """Serious and critical axe violations on each page, one line per rule and page."""
    axe = node_file("axe-core/axe.min.js")
    context = browser.new_context(viewport=PHONE, locale=locale)
    page = context.new_page()
    found = []
    for path in paths:
        page.goto(base_url + path, wait_until="load")
        assert page.url == base_url + path, f"{path} moved on to {page.url}"
        if "?" in path:
            page.wait_for_load_state("networkidle")      # a query's results arrive after load
        page.add_script_tag(path=str(axe))
        violations = page.evaluate("""() => axe.run(document, {resultTypes: ['violations']})
                                         .then(r => r.violations)""")
        for v in violations:
            if v["impact"] in SERIOUS:
                targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
                found.append(f"{path or '/'}: {v['impact']} {v['id']}: {v['help']} ({targets})")
    context.close()
    return found


def test_key_pages_have_no_serious_accessibility_violations(browser, served):
    found = axe_violations(browser, served.url, AXE_PAGES)
    # The root page sends a visitor on to their language; a language it does not offer keeps
    # the visitor there, so axe sees the chooser itself.
    found += axe_violations(browser, served.url, [""], locale="fr-FR")
    assert not found, "\n".join(found)


# Planted faults ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fixture_out(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("planted"), {})
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stderr
    return root / "output"


def planted_copy(fixture_out: Path, folder: Path, page: str, html: str) -> Path:
    out = folder / "output"
    shutil.copytree(fixture_out, out)
    path = out / page
    path.write_text(path.read_text("utf-8").replace("</main>", html + "\n</main>", 1), "utf-8")
    return out


def test_vnu_catches_an_html_error(fixture_out, tmp_path):
    out = planted_copy(fixture_out, tmp_path, "en/parks/west/index.html",
                       '<section><h2>Planted</h3><p id="main">stray</p></section>')
    errors = vnu_errors(sorted(out.rglob("*.html")), out)
    assert errors, "vnu missed the planted errors"
    assert {e.split(":", 1)[0] for e in errors} == {"en/parks/west/index.html"}, errors
    assert any("Duplicate ID" in e for e in errors) and any("h3" in e for e in errors), errors


def test_axe_catches_serious_violations(fixture_out, tmp_path, browser):
    out = planted_copy(fixture_out, tmp_path, "zh/projects/alpha/index.html",
                       '<img src="../../../assets/planted.png" width="10" height="10">'
                       '<p style="color:#c8c8c8;background:#fff">浅灰色的字</p>')
    with serving(out) as server:
        clean = axe_violations(browser, server.url, ["zh/projects/beta/"])
        planted = axe_violations(browser, server.url, ["zh/projects/alpha/"])
    assert clean == []
    rules = {line.split(": ")[1].split()[1] for line in planted}
    assert rules == {"image-alt", "color-contrast"}, planted


# A gate never passes by not running ------------------------------------------------------------
def test_a_missing_tool_fails_the_gate_under_ci_and_skips_elsewhere(monkeypatch, tmp_path):
    import gate_tools
    import servers
    monkeypatch.setattr(servers, "nginx_path", lambda: None)
    monkeypatch.setattr(gate_tools, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setattr(gate_tools, "NODE_MODULES", tmp_path / "no-node-modules")
    monkeypatch.setenv("CI", "true")
    for gate in (lambda: gate_tools.launch_chromium(None), lambda: gate_tools.node_file("vnu-jar/x"),
                 lambda: gate_tools.serving(tmp_path).__enter__()):
        with pytest.raises(pytest.fail.Exception, match="is missing"):
            gate()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        gate_tools.launch_chromium(None)
    with gate_tools.serving(tmp_path) as served:         # outside CI, http.server stands in
        assert served.kind == "python"
