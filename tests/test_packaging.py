"""The theme ships in the wheel, and a site can override any single template of its theme."""

from __future__ import annotations

import glob
import shutil
import subprocess
import sys
import venv
import zipfile

from conftest import REPO, run_yunzhao


def test_installed_wheel_builds_a_site_with_its_shipped_theme(site, tmp_path):
    root = site()
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)],
                   check=True, capture_output=True)
    wheel = glob.glob(str(wheels / "*.whl"))[0]
    names = zipfile.ZipFile(wheel).namelist()
    assert "generator/themes/default/templates/base.html" in names
    assert "generator/themes/default/strings/zh-Hant.yaml" in names
    # A venv that sees this machine's dependencies but not the checkout: the package comes from the wheel.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", wheel],
                   check=True, capture_output=True)
    where = subprocess.run([str(python), "-c", "import generator; print(generator.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout
    assert str(env_dir) in where, where
    result = subprocess.run([str(python), "-m", "generator.cli", "build", "--site", str(root)], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (root / "output" / "zh" / "index.html").is_file()


def test_a_site_overrides_a_single_template(site):
    root = site()
    (root / "templates").mkdir()
    shutil.copy(REPO / "themes/default/templates/park.html", root / "templates/park.html")
    text = (root / "templates/park.html").read_text("utf-8")
    (root / "templates/park.html").write_text(text.replace("<h1>", '<h1 class="bureau-own">', 1), "utf-8")
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert 'class="bureau-own"' in (root / "output/zh/parks/west/index.html").read_text("utf-8")
    # Every other template still comes from the theme.
    assert 'class="bureau-own"' not in (root / "output/zh/projects/alpha/index.html").read_text("utf-8")
