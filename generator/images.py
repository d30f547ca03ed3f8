"""Images: every image that content refers to, published light, upright and private.

Bureaus drop 4000×3000 phone and drone photos, often rotated by EXIF and carrying GPS
coordinates, straight into content/images/, and investors read our pages on mobile data inside
WeChat. So no image is ever published as it was written. For each one this module makes:

- responsive renditions (site.yaml `images: widths`, default 480, 960 and 1600 px wide, never
  wider than the original) in WebP, plus a JPEG fallback — PNG when the image has transparency;
- for a cover (the first image of a project or park, a brochure cover) two fixed-ratio crops for
  share cards: 1200×630 and 600×600 JPEG;
- for a WeChat QR code one lossless PNG at full size (at least 300 px): a blurred QR does not scan;
- for an SVG the file itself, unchanged.

Every rendition has the EXIF orientation applied to its pixels and carries no metadata at all
(no EXIF, so no GPS; no XMP, comments or ICC profile): colour is converted to sRGB, which is
what browsers assume. File names carry a hash of their bytes, because WeChat caches hard.

The work is cached outside output/, in `<site>/.yunzhao-cache/images/`, under a key made of the
source bytes, the settings that shape the renditions, this pipeline's version and Pillow's, so
a rebuild does no image work for unchanged images. What is not cached runs in a process pool on
all cores; every image is processed on its own, so the result does not depend on the order.
A bad image (not an image, damaged, a decompression bomb, a script inside an SVG) is a content
error that names the file and the line that refers to it.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import re
import shutil
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import PIL     # (its version is part of every cache key; its image modules are imported by _pil)

from .deps import Traced
from .errors import Problems
from .model import ImageRef, ImageSettings, Site

# Pillow's modules, imported by `_pil` when an image is to be made: a build whose images are all
# cached needs none, and importing them took 20 ms of every build's start.
Image = ImageCms = ImageOps = UnidentifiedImageError = features = None


def _pil() -> None:
    global Image, ImageCms, ImageOps, UnidentifiedImageError, features
    from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features


# What this module writes is decided by its own code: any change to it makes every cached
# rendition again (a number to bump by hand was forgotten once, and a cached rendition then
# differed from the one a build without the cache made).
PIPELINE_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
CACHE_DIR = ".yunzhao-cache/images"
CACHE_KEEP_SECONDS = 30 * 24 * 3600      # entries no build has used for 30 days are removed
PHONE_WIDTH = 960                        # <img src>: a full-width picture on a phone
SHARE_SIZES = {"wide": (1200, 630), "square": (600, 600)}
QR_MIN_SIZE = 300
RASTER_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF"}   # MPO: what many phones save as .jpg


class ImageProblem(Exception):
    """A content error about one image; the message is for the staff who put it there."""


# ---- what templates see ---------------------------------------------------------------

@dataclass(frozen=True)
class Rendition:
    path: str                # site-root path, e.g. images/xipeng.3f2a9c1b0d-960.webp; use |rel
    width: int
    height: int
    type: str                # MIME type


@dataclass(frozen=True)
class PublishedImage(Traced):
    """One image of content as published: its renditions, and its upright intrinsic size."""
    source: str              # relative to content/
    width: int               # after EXIF rotation; 0 for an SVG without a size
    height: int
    webp: tuple[Rendition, ...] = ()
    fallback: tuple[Rendition, ...] = ()      # JPEG, or PNG where there is transparency
    share_wide: Rendition | None = None       # 1200×630 share-card crop (covers only)
    share_square: Rendition | None = None     # 600×600, what WeChat shows beside a shared link
    qr: Rendition | None = None               # lossless PNG (WeChat QR codes)
    svg: Rendition | None = None

    @property
    def src(self) -> Rendition:
        """The one picture for <img src>: the fallback nearest a full-width phone picture."""
        if self.svg:
            return self.svg
        if not self.fallback:
            return self.qr
        return min(self.fallback, key=lambda r: (abs(r.width - PHONE_WIDTH), -r.width))

    @property
    def path(self) -> str:
        # So that `{{ image|rel }}` links a phone-sized picture, never the original.
        return self.src.path

    @property
    def dep_keys(self) -> tuple[str, ...]:
        return ("image:" + self.source,)


@dataclass
class ImageCatalog:
    """The published images of a build, and the files to copy into output/."""
    images: dict[str, PublishedImage] = field(default_factory=dict)   # content path → image
    files: dict[str, Path] = field(default_factory=dict)              # output path → cached file
    processed: int = 0       # images worked on in this build
    cached: int = 0          # images taken from the cache

    def get(self, rel: str | None) -> PublishedImage | None:
        return self.images.get(rel) if rel else None


def share_image(catalog: ImageCatalog, rel: str | None, square: bool = True) -> str | None:
    """The site-root path of an image's share-card crop (square by default), if it has one.

    Share crops are made for covers only: the first image of a project or park and a
    brochure's cover.
    """
    image = catalog.get(rel)
    if image is None:
        return None
    crop = image.share_square if square else image.share_wide
    return crop.path if crop else None


# ---- the build step ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Job:
    rel: str                 # relative to content/
    file: str                # on disk
    digest: str              # sha256 of the source bytes, as hashed when the build started
    roles: tuple[str, ...]
    settings: ImageSettings
    entry: str               # the cache folder to fill


def publish_images(root: Path, site: Site, problems: Problems, workers: int | None = None) -> ImageCatalog:
    """Process (or take from the cache) every image of the site; problems name the content line."""
    settings = site.image_settings
    cache = root / CACHE_DIR
    catalog = ImageCatalog()
    metas: dict[str, dict] = {}
    jobs: list[_Job] = []
    for rel, ref in sorted(site.image_refs.items()):
        try:
            data = (root / "content" / rel).read_bytes()
        except OSError as exc:
            _report(problems, ref, f"cannot be read ({exc.strerror})")
            continue
        digest = hashlib.sha256(data).hexdigest()
        key = cache_key(digest, ref.roles, settings)
        entry = cache / key[:2] / key
        meta = _read_entry(entry)
        if meta is not None:
            metas[rel] = meta
            catalog.cached += 1
        else:
            jobs.append(_Job(rel, str(root / "content" / rel), digest, tuple(sorted(ref.roles)), settings,
                             str(entry)))
    if jobs:
        _pil()         # (before the workers are forked: they inherit it)
    if jobs and not features.check("webp"):
        problems.error("content/images", 0, "", "this computer's Pillow cannot write WebP images; "
                       "install Pillow from PyPI: pip install --upgrade pillow")
        return catalog
    for job, outcome in zip(jobs, _run(jobs, workers)):
        if isinstance(outcome, str):
            _report(problems, site.image_refs[job.rel], outcome)
        else:
            metas[job.rel] = outcome
            catalog.processed += 1
    for rel, meta in sorted(metas.items()):
        ref = site.image_refs[rel]
        if meta["pixels"] > settings.max_pixels:   # a cached image, and the limit was lowered since
            _report(problems, ref, _too_many_pixels(meta["pixels"], settings.max_pixels))
            continue
        for warning in meta["warnings"]:
            problems.warn(ref.source.file, ref.source.line, ref.field, f"content/{rel}: {warning}")
        _add(catalog, rel, meta, cache / meta["key"][:2] / meta["key"])
    if cache.is_dir():
        _prune(cache, {m["key"] for m in metas.values()})
    return catalog


def cache_key(digest: str, roles, settings: ImageSettings) -> str:
    """Everything that decides the renditions' bytes; max_pixels only refuses, so it is not here."""
    shaping = {"pipeline": PIPELINE_VERSION, "pillow": PIL.__version__, "source": digest,
               "roles": sorted(roles), "widths": list(settings.widths), "quality": settings.quality,
               "webp_quality": settings.webp_quality}
    return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()


def _report(problems: Problems, ref: ImageRef, message: str) -> None:
    """content/projects/2024.yaml:12: images: content/images/x.jpg is damaged … (the file, where written)."""
    problems.error(ref.source.file, ref.source.line, ref.field, f"content/{ref.path} {message}")


def _read_entry(entry: Path) -> dict | None:
    """A complete cache entry's description, or None: meta.json is written last, so it is complete."""
    try:
        meta = json.loads((entry / "meta.json").read_text("utf-8"))
        if all((entry / r["name"]).is_file() for r in meta["renditions"]):
            os.utime(entry / "meta.json")     # used now: kept by _prune for another 30 days
            return meta
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _add(catalog: ImageCatalog, rel: str, meta: dict, entry: Path) -> None:
    """Name each rendition in output/ (its folder, a safe stem, the hash of its bytes) and list it."""
    source = PurePosixPath(rel)
    folder = [_safe(part) for part in source.parent.parts]
    if folder and folder[0] == "images":
        folder = folder[1:]
    base = "/".join(["images", *folder, _safe(source.stem) or "image"])
    kinds: dict[str, list[Rendition]] = {}
    for r in meta["renditions"]:
        suffix = "" if r["kind"] == "svg" else "-" + r["name"].rsplit(".", 1)[0]
        path = f"{base}.{r['hash']}{suffix}.{r['name'].rsplit('.', 1)[1]}"
        catalog.files[path] = entry / r["name"]
        kinds.setdefault(r["kind"], []).append(Rendition(path, r["width"], r["height"], r["type"]))
    for renditions in kinds.values():
        renditions.sort(key=lambda r: r.width)
    one = lambda kind: kinds[kind][0] if kind in kinds else None
    catalog.images[rel] = PublishedImage(
        source=rel, width=meta["width"], height=meta["height"],
        webp=tuple(kinds.get("webp", ())), fallback=tuple(kinds.get("fallback", ())),
        share_wide=one("share-wide"), share_square=one("share-square"), qr=one("qr"), svg=one("svg"))


def _safe(name: str) -> str:
    # srcset splits on spaces and commas, and links get pasted into chats: keep names plain ASCII.
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")


def _workers(requested: int | None) -> int:
    if requested:
        return requested
    from_env = os.environ.get("YUNZHAO_WORKERS", "")
    if from_env.isdigit() and int(from_env) > 0:
        return int(from_env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _run(jobs: list[_Job], workers: int | None) -> list[dict | str]:
    """Each job's description or error message, in the order of `jobs`."""
    count = min(len(jobs), _workers(workers))
    if count <= 1:
        return [process(job) for job in jobs]
    outcomes: list[dict | str] = []
    # Workers start from a clean process, not a fork of this one: `yunzhao serve` builds while its
    # server thread runs, and forking a process with threads can copy a held lock.
    from concurrent.futures import ProcessPoolExecutor      # (here: most builds process no image)
    from concurrent.futures.process import BrokenProcessPool
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else None)
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        futures = [pool.submit(process, job) for job in jobs]
        for future in futures:
            try:
                outcomes.append(future.result())
            except BrokenProcessPool:
                # A worker died (the system ran out of memory, most likely): name the image.
                outcomes.append("could not be processed: the image worker stopped (out of memory?); "
                                "make the image smaller, e.g. 4000×3000")
    return outcomes


def _prune(cache: Path, used: set[str]) -> None:
    """Drop entries unused for a month and leftovers of killed builds, so the cache stays small."""
    now = time.time()
    for entry in cache.glob("*/*"):
        if entry.name in used:
            continue
        try:
            stamp = (entry / "meta.json").stat().st_mtime if ".tmp-" not in entry.name else entry.stat().st_mtime
        except OSError:
            stamp = 0
        if now - stamp > (3600 if ".tmp-" in entry.name else CACHE_KEEP_SECONDS):
            shutil.rmtree(entry, ignore_errors=True)


# ---- the work on one image (in a worker process) -------------------------------------------

def process(job: _Job) -> dict | str:
    """Make every rendition of one image into its cache entry; its description, or an error message."""
    _pil()
    Image.MAX_IMAGE_PIXELS = job.settings.max_pixels
    try:
        with warnings.catch_warnings():
            # Pillow only warns between the limit and twice the limit: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            data = Path(job.file).read_bytes()
            if hashlib.sha256(data).hexdigest() != job.digest:
                return "changed while the site was being built; build again"
            if job.rel.lower().endswith(".svg"):
                meta, files = _svg(data)
            else:
                meta, files = _raster(data, job)
    except ImageProblem as exc:
        return str(exc)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        return _too_many_pixels(int(found.group(1)) if found else 0, job.settings.max_pixels)
    except UnidentifiedImageError:
        return ("is not an image yunzhao can read; save it as JPEG or PNG (photos from an iPhone in "
                "HEIC format must be exported as JPEG)")
    except MemoryError:
        return "is too large to process in this computer's memory; make it smaller, e.g. 4000×3000"
    except Exception as exc:  # Pillow reports damaged files with many exception types
        detail = str(exc).strip() or type(exc).__name__
        return (f"is damaged or cut short and cannot be read ({detail[:120]}); copy it again from the "
                "camera or export it again")
    meta["key"] = Path(job.entry).name
    _write_entry(Path(job.entry), meta, files)
    return meta


def _too_many_pixels(pixels: int, limit: int) -> str:
    size = f"has {pixels / 1e6:.0f} million pixels, " if pixels else ""
    return (f"{size}more than this site's limit of {limit / 1e6:.0f} million (it may be a decompression "
            "bomb, or a scan far larger than any screen); make it smaller, e.g. 4000×3000, or raise "
            "images: max_pixels in site.yaml")


def _write_entry(entry: Path, meta: dict, files: dict[str, bytes]) -> None:
    """Write into a temporary folder, then rename: a killed build never leaves half an entry."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    temporary = entry.with_name(f"{entry.name}.tmp-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    for name, data in files.items():
        (temporary / name).write_bytes(data)
    (temporary / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", "utf-8")
    try:
        os.rename(temporary, entry)
    except OSError:      # another build made the same entry meanwhile: theirs is as good
        shutil.rmtree(temporary, ignore_errors=True)


def _describe(name: str, kind: str, width: int, height: int, data: bytes, mime: str) -> dict:
    return {"name": name, "kind": kind, "width": width, "height": height, "type": mime,
            "hash": hashlib.sha256(data).hexdigest()[:10]}


def _svg(data: bytes) -> tuple[dict, dict[str, bytes]]:
    """An SVG is published as written, once it is known to be one and to run no script."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImageProblem("is not an SVG image (not UTF-8 text); export it again as SVG") from None
    tag = re.search(r"<svg\b[^>]*>", text[:20000])
    if not tag:
        raise ImageProblem("is not an SVG image (no <svg> element); export it again as SVG")
    if re.search(r"<script\b|\bon[a-z]+\s*=|javascript:", text, re.IGNORECASE):
        raise ImageProblem("contains a script, which a published image may not; export it again "
                           "without interactivity, or use PNG")
    width, height = _svg_size(tag.group(0))
    meta = {"width": width, "height": height, "pixels": 0, "warnings": [],
            "renditions": [_describe("original.svg", "svg", width, height, data, "image/svg+xml")]}
    return meta, {"original.svg": data}


def _svg_size(tag: str) -> tuple[int, int]:
    def number(name):
        found = re.search(rf'\b{name}\s*=\s*["\']\s*([0-9.]+)\s*(px)?\s*["\']', tag)
        return float(found.group(1)) if found else 0.0
    width, height = number("width"), number("height")
    box = re.search(r'viewBox\s*=\s*["\']\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)', tag)
    if not (width and height) and box:
        width, height = float(box.group(1)), float(box.group(2))
    return (round(width), round(height)) if width and height else (0, 0)


def rendition_widths(width: int, widths) -> list[int]:
    """The configured widths, each capped at the original's: no rendition is ever upscaled."""
    return sorted({min(w, width) for w in widths})


def _raster(data: bytes, job: _Job) -> tuple[dict, dict[str, bytes]]:
    settings = job.settings
    image = Image.open(io.BytesIO(data))
    if image.format not in RASTER_FORMATS:
        raise ImageProblem(f"is a {image.format} file; save it as JPEG (photos) or PNG (drawings, "
                           "transparency)")
    stored = image.size
    if stored[0] * stored[1] > settings.max_pixels:
        raise ImageProblem(_too_many_pixels(stored[0] * stored[1], settings.max_pixels))
    warnings_ = []
    if getattr(image, "is_animated", False):
        warnings_.append("an animation: only its first frame is published")
    turned = _orientation(image) in (5, 6, 7, 8)
    width, height = (stored[1], stored[0]) if turned else stored
    qr = "qr" in job.roles
    photo = "photo" in job.roles
    cover = "cover" in job.roles
    sizes = [(w, max(1, round(w * height / width))) for w in rendition_widths(width, settings.widths)]

    if image.format in ("JPEG", "MPO") and not qr:
        # Decode at 1/2, 1/4 or 1/8 scale when that is still large enough: much faster for big photos.
        need = max(w for w, _ in sizes)
        if cover:     # a share crop must cover its whole frame
            need = max([need] + [max(tw, round(th * width / height)) for tw, th in SHARE_SIZES.values()])
        need_h = round(need * height / width)
        image.draft(None, (need_h, need) if turned else (need, need_h))
    image.load()
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:        # unreadable EXIF: keep the pixels as stored rather than refuse the photo
        warnings_.append("its EXIF data is damaged, so its orientation could not be applied")
    if (image.width > image.height) != (width > height) and width != height:
        width, height = height, width
        sizes = [(w, max(1, round(w * height / width))) for w in rendition_widths(width, settings.widths)]

    files: dict[str, bytes] = {}
    renditions: list[dict] = []

    def add(name, kind, picture, mime, **options):
        picture.info = {}     # no EXIF, XMP, comment or ICC profile reaches any file
        out = io.BytesIO()
        picture.save(out, **options)
        files[name] = out.getvalue()
        renditions.append(_describe(name, kind, picture.width, picture.height, files[name], mime))

    if qr:
        code = _qr_pixels(image)
        add("qr.png", "qr", code, "image/png", format="PNG", optimize=True)
    if photo:
        picture, transparent = _srgb(image)
        scaled = picture
        for w, h in reversed(sizes):   # each from the next larger one: a third of the work, as sharp
            scaled = scaled.resize((w, h), Image.Resampling.LANCZOS) if (w, h) != scaled.size else scaled.copy()
            add(f"{w}.webp", "webp", scaled, "image/webp", format="WEBP", quality=settings.webp_quality,
                method=4)
            if transparent:
                add(f"{w}.png", "fallback", scaled, "image/png", format="PNG", optimize=True)
            else:
                add(f"{w}.jpg", "fallback", scaled, "image/jpeg", format="JPEG", quality=settings.quality,
                    optimize=True, progressive=True)
        if cover:
            flat = _on_white(picture) if transparent else picture
            for shape, size in sorted(SHARE_SIZES.items()):
                crop = _crop(flat, size)
                add(f"share-{crop.width}x{crop.height}.jpg", f"share-{shape}", crop, "image/jpeg",
                    format="JPEG", quality=settings.quality, optimize=True, progressive=True)
    meta = {"width": width, "height": height, "pixels": stored[0] * stored[1], "warnings": warnings_,
            "renditions": renditions}
    return meta, files


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except Exception:
        return 1


_SRGB = None


def _srgb_profile():
    global _SRGB
    if _SRGB is None:
        _SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return _SRGB


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit greyscale (scans, some editors' PNGs) as 8-bit: Pillow would clip it, not scale it."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image


def _srgb(image: Image.Image) -> tuple[Image.Image, bool]:
    """(RGB or RGBA pixels in sRGB, whether any pixel is transparent)."""
    image = _eight_bit(image)
    alpha = None
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        alpha = image.convert("RGBA").getchannel("A")
        if alpha.getextrema()[0] == 255:      # an alpha channel that hides nothing
            alpha = None
    colour = _icc_to_srgb(image)
    if colour is None:
        colour = image.convert("RGB")
    if alpha is not None:
        colour.putalpha(alpha)
    colour.info = {}
    return colour, alpha is not None


def _icc_to_srgb(image: Image.Image) -> Image.Image | None:
    """RGB pixels converted from the image's own ICC profile, or None when it has none (or sRGB)."""
    icc = image.info.get("icc_profile")
    if not icc:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in (ImageCms.getProfileDescription(profile) or "").lower():
            return None
        mode = {"RGB": "RGB", "GRAY": "L", "CMYK": "CMYK"}.get(profile.profile.xcolor_space.strip())
        if mode is None:
            return None
        source = image if image.mode == mode else image.convert(mode)
        return ImageCms.profileToProfile(source, profile, _srgb_profile(), outputMode="RGB")
    except (OSError, ValueError, ImageCms.PyCMSError):
        return None            # a broken profile: the pixels are taken as sRGB


def _qr_pixels(image: Image.Image) -> Image.Image:
    """A QR code keeps every pixel (lossless PNG), enlarged by whole steps to at least 300 px."""
    image = _eight_bit(image)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    elif image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    factor = -(-QR_MIN_SIZE // max(1, min(image.size)))
    if factor > 1:
        image = image.resize((image.width * factor, image.height * factor), Image.Resampling.NEAREST)
    return image


def _on_white(image: Image.Image) -> Image.Image:
    flat = Image.new("RGB", image.size, (255, 255, 255))
    flat.paste(image, mask=image.getchannel("A"))
    return flat


def _crop(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The centre of the image at the ratio of `size`; scaled down to `size`, never up."""
    tw, th = size
    if image.width >= tw and image.height >= th:
        return ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    if image.width * th > image.height * tw:
        cw, ch = max(1, round(image.height * tw / th)), image.height
    else:
        cw, ch = image.width, max(1, round(image.width * th / tw))
    left, top = (image.width - cw) // 2, (image.height - ch) // 2
    return image.crop((left, top, left + cw, top + ch))
