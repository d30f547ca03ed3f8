#!/usr/bin/env python3
"""Image pipeline benchmark: N phone photos of 4000×3000, built cold and then warm.

    python3 bench/images.py [--photos 200] [--size 4000x3000] [--workers N] [--keep DIR]

Makes a site whose catalogue has one project per photo, every photo a different photo-like
JPEG (quality 92, as phones save them; every fifth one turned by EXIF and all of them carrying
GPS). Times the image stage alone (generator.images.publish_images) cold, with an empty image
cache, and warm, with nothing changed; then a whole `yunzhao build` through the real command
(warm), whose summary line shows the image counts. Prints the bytes too: the photos as written,
everything published under output/images/, and what a phone loads for one photo (its 960 px
WebP). The figures of a run go to bench/README.md by hand, under "## Images".
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SITE = """\
title: {zh: 图片基准招商局, en: Image Benchmark Bureau}
languages: [zh, en, zh-Hant]
base_url: https://invest.example.gov.cn/bench/
contact: wang
"""
SECTORS = "- id: new-materials\n  name: {zh: 新材料, en: New Materials}\n"
STAFF = "- id: wang\n  name: {zh: 王明, en: Wang Ming}\n  phone: \"+86 23 0000 0000\"\n"
SCENES = 8      # distinct backgrounds; each photo adds its own objects, so every file differs


def scene(width: int, height: int, seed: int) -> Image.Image:
    """Smooth large shapes and texture at several scales, like a photograph (see tests/test_images.py)."""
    rnd = random.Random(seed)
    base = Image.new("RGB", (8, 6))
    base.putdata([tuple(rnd.randrange(40, 220) for _ in range(3)) for _ in range(48)])
    image = base.resize((width, height), Image.Resampling.BICUBIC)
    for scale, amount in ((16, 60), (4, 40), (1, 18)):
        noise = Image.effect_noise((max(1, width // scale), max(1, height // scale)), 64)
        noise = noise.resize((width, height), Image.Resampling.BICUBIC)
        image = Image.blend(image, Image.merge("RGB", (noise, noise, noise)), amount / 255)
    return image


def make_photos(task: tuple[Path, int, int, int, list[int]]) -> int:
    """Write the photos of one scene; returns their bytes."""
    folder, width, height, seed, numbers = task
    background = scene(width, height, seed)
    written = 0
    for number in numbers:
        rnd = random.Random(number)
        photo = background.copy()
        draw = ImageDraw.Draw(photo)
        for _ in range(40):
            x, y = rnd.randrange(width), rnd.randrange(height)
            draw.rectangle((x, y, x + rnd.randrange(width // 20), y + rnd.randrange(height // 10)),
                           fill=tuple(rnd.randrange(256) for _ in range(3)))
        exif = Image.Exif()
        exif[0x0112] = 6 if number % 5 == 0 else 1
        exif[0x8825] = {1: "N", 2: (29.0, 30.0, float(number % 60)), 3: "E", 4: (106.0, 28.0, 0.0)}
        out = io.BytesIO()
        photo.save(out, "JPEG", quality=92, exif=exif)
        (folder / f"photo-{number:04d}.jpg").write_bytes(out.getvalue())
        written += out.tell()
    return written


def make_site(root: Path, photos: int, width: int, height: int, workers: int) -> int:
    content = root / "content"
    (content / "images").mkdir(parents=True)
    (content / "data").mkdir()
    (content / "projects").mkdir()
    (content / "site.yaml").write_text(SITE, "utf-8")
    (content / "data" / "sectors.yaml").write_text(SECTORS, "utf-8")
    (content / "data" / "staff.yaml").write_text(STAFF, "utf-8")
    lines = ["catalogue:", "  title: {zh: 基准项目, en: Benchmark Projects}", "projects:"]
    for n in range(photos):
        lines += [f"  - id: project-{n:04d}", f"    title: {{zh: 项目{n}, en: Project {n}}}",
                  "    sector: new-materials", "    investment: 5亿元", f"    images: [images/photo-{n:04d}.jpg]"]
    (content / "projects" / "bench.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    tasks = [(content / "images", width, height, s, list(range(s, photos, SCENES))) for s in range(SCENES)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(make_photos, tasks))


def build(root: Path, out: Path, env: dict) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--site", str(root),
                             "--out", str(out)], cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stderr}{result.stdout}")
    counts = re.search(r"\d+ images processed, \d+ from cache", result.stdout)
    return seconds, counts.group(0) if counts else "?"


def image_stage(root: Path, workers: int) -> tuple[float, int, int]:
    """(seconds, processed, from cache) of the image stage alone, in this process."""
    from generator.check import check_site
    from generator.errors import Problems
    from generator.images import publish_images
    problems = Problems()
    site = check_site(root, problems)
    started = time.monotonic()
    catalog = publish_images(root, site, problems, workers or None)
    seconds = time.monotonic() - started
    if problems:
        sys.exit("\n".join(map(str, problems.sorted_errors())))
    return seconds, catalog.processed, catalog.cached


def cpu_per_photo(root: Path, sample: int) -> float:
    """CPU seconds one photo costs, measured on `sample` photos in this process: unlike wall time,
    this does not depend on what else the machine is doing."""
    import hashlib
    from generator.images import _Job, process
    from generator.model import ImageSettings
    photos = sorted((root / "content" / "images").glob("*.jpg"))[:sample]
    with tempfile.TemporaryDirectory() as scratch:
        started = time.process_time()
        for i, photo in enumerate(photos):
            digest = hashlib.sha256(photo.read_bytes()).hexdigest()
            process(_Job(f"images/{photo.name}", str(photo), digest, ("cover", "photo"), ImageSettings(),
                         f"{scratch}/{i}"))
        return (time.process_time() - started) / len(photos)


def folder_bytes(folder: Path, pattern: str = "*") -> tuple[int, int]:
    files = [p for p in folder.glob(pattern) if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--size", default="4000x3000")
    parser.add_argument("--workers", type=int, default=0, help="image workers (default: all cores)")
    parser.add_argument("--keep", help="build in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    width, height = map(int, args.size.split("x"))
    cores = len(os.sched_getaffinity(0))
    env = {**os.environ}
    if args.workers:
        env["YUNZHAO_WORKERS"] = str(args.workers)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="yunzhao-images-"))
    if root.exists():
        shutil.rmtree(root)
    try:
        started = time.monotonic()
        source = make_site(root, args.photos, width, height, args.workers or cores)
        print(f"made {args.photos} photos of {width}×{height} ({source / 1e6:.0f} MB) "
              f"in {time.monotonic() - started:.0f} s", flush=True)
        cpu = cpu_per_photo(root, min(10, args.photos))
        print(f"one photo costs {cpu * 1000:.0f} ms of CPU", flush=True)
        cold, cold_done, _ = image_stage(root, args.workers)
        print(f"image stage, cold: {cold:.1f} s ({cold_done} images processed)", flush=True)
        warm, _, warm_cached = image_stage(root, args.workers)
        print(f"image stage, warm: {warm:.2f} s ({warm_cached} from cache)", flush=True)
        whole, counts = build(root, root / "output", env)
        print(f"whole build, warm: {whole:.1f} s ({counts})", flush=True)
        images = root / "output" / "images"
        published, files = folder_bytes(images)
        phone, phones = folder_bytes(images, "*-960.webp")
        fallback, fallbacks = folder_bytes(images, "*-960.jpg")
        print()
        print(f"| photos | {args.photos} × {width}×{height} JPEG q92, {source / 1e6:.0f} MB "
              f"({source / args.photos / 1e6:.1f} MB each) |")
        print(f"| machine | {cores} cores, image workers: {args.workers or cores} |")
        print(f"| image stage, cold | {cold:.1f} s ({cold / args.photos * 1000:.0f} ms a photo; "
              f"{cold_done} images processed) |")
        print(f"| CPU a photo | {cpu * 1000:.0f} ms (one process, {min(10, args.photos)} photos) |")
        print(f"| image stage, warm | {warm:.2f} s ({warm_cached} from cache: source files hashed, no "
              "image work) |")
        print(f"| whole build, warm | {whole:.1f} s, pages included ({counts}) |")
        print(f"| published | {files} files, {published / 1e6:.0f} MB in all |")
        print(f"| a phone loads | {phone / phones / 1024:.0f} KB a photo (960 px WebP), "
              f"{source / args.photos / (phone / phones):.0f}× less than the original; JPEG fallback "
              f"{fallback / fallbacks / 1024:.0f} KB |")
        print(f"| saved | {(source - phone) / 1e6:.0f} MB ({(1 - phone / source) * 100:.1f} %) for a phone "
              "that opens every photo once |")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
