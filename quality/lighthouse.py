"""Measure the demo site with Lighthouse: the four scores, total bytes and LCP of the key pages.

    python3 quality/lighthouse.py            # build, serve, measure; write results.json and README

Lighthouse 12 (quality/node_modules, installed by tools/setup.sh) drives Debian's Chromium,
mobile form factor with its default simulated slow-4G throttling, against the demo built into a
temporary folder and served by nginx under a sub-path (tests/servers.py), the way a bureau hosts
it. This is a measurement, not a test: the figures go to quality/results.json and to the table
in quality/README.md, which the script rewrites between its markers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
from servers import serve  # noqa: E402  (the tests' server helper: nginx under a sub-path)

LIGHTHOUSE = HERE / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --no-first-run --disable-sync")
PAGES = {
    "home": "zh/",
    "catalogue": "zh/projects/",
    "project": "zh/projects/smart-security-park/",
    "park": "zh/parks/xipeng/",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 100}


def build_demo(folder: Path) -> Path:
    shutil.copytree(REPO / "content", folder / "content")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--site", str(folder)],
                            cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"the demo did not build:\n{result.stdout}{result.stderr}")
    return folder / "output"


def measure(url: str, report: Path) -> dict:
    """One Lighthouse run; the figures we keep from its report."""
    command = ["node", str(LIGHTHOUSE), url, "--quiet", "--form-factor=mobile",
               f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES),
               "--output=json", f"--output-path={report}"]
    result = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM},
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not report.is_file():
        sys.exit(f"lighthouse failed on {url}:\n{result.stderr[-3000:]}")
    lhr = json.loads(report.read_text("utf-8"))
    audits = lhr["audits"]
    failed = sorted(a["id"] for a in audits.values()
                    if a.get("score") is not None and a["score"] < 1
                    and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"))
    return {
        "scores": {c: round(lhr["categories"][c]["score"] * 100) for c in CATEGORIES},
        "total_bytes": int(audits["total-byte-weight"]["numericValue"]),
        "lcp_ms": int(round(audits["largest-contentful-paint"]["numericValue"])),
        "not_passed": failed,
        "lighthouse": lhr["lighthouseVersion"],
    }


def readme_table(results: dict) -> str:
    lines = ["| page | path | performance | accessibility | best practices | SEO | total bytes | LCP |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in results["pages"].items():
        s = r["scores"]
        lines.append(f"| {name} | `{r['path']}` | {s['performance']} | {s['accessibility']} | "
                     f"{s['best-practices']} | {s['seo']} | {r['total_bytes']:,} | {r['lcp_ms'] / 1000:.1f} s |")
    lines.append("")
    lines.append(f"Lighthouse {results['lighthouse']}, Chromium {results['browser']}, "
                 f"served by {results['server']} under `{results['sub_path']}`.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--no-readme", action="store_true", help="leave quality/README.md alone")
    args = parser.parse_args()
    if not LIGHTHOUSE.is_file():
        sys.exit("Lighthouse is not installed: run `bash tools/setup.sh` (npm install in quality/)")
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"{CHROMIUM} is missing (Debian package chromium)")

    with tempfile.TemporaryDirectory(prefix="yunzhao-lighthouse-") as tmp:
        out = build_demo(Path(tmp) / "site")
        with serve(out, fallback=False) as server:
            pages = {}
            for name, path in PAGES.items():
                print(f"lighthouse: {name} ({path})", file=sys.stderr)
                figures = measure(server.url + path, Path(tmp) / f"{name}.json")
                pages[name] = {"path": path, **figures}
    # The user agent Chromium reports is reduced to "156.0.0.0"; ask the binary itself.
    browser = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.split()
    results = {
        "lighthouse": next(iter(pages.values()))["lighthouse"],
        "browser": next((w for w in browser if w[:1].isdigit()), "?"),
        "form_factor": "mobile", "server": server.kind, "sub_path": server.prefix,
        "targets": TARGETS, "pages": pages,
    }
    for page in pages.values():
        del page["lighthouse"]
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")

    table = readme_table(results)
    print(table)
    readme = HERE / "README.md"
    if not args.no_readme and readme.is_file():
        text = readme.read_text("utf-8")
        new = re.sub(r"<!-- results -->.*?<!-- /results -->",
                     lambda m: f"<!-- results -->\n{table}\n<!-- /results -->", text, flags=re.DOTALL)
        readme.write_text(new, "utf-8")
    below = [f"{name}: {c} {s} < {TARGETS[c]}" for name, p in pages.items()
             for c, s in p["scores"].items() if s < TARGETS[c]]
    if below:
        print("below target:\n  " + "\n  ".join(below), file=sys.stderr)


if __name__ == "__main__":
    main()
