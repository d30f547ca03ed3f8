"""Images: published light, upright and private — checked on images the tests make with Pillow.

One fixture site with every kind of image is built once for the module (a photo rotated by
EXIF and carrying GPS, XMP and a comment; a 6000×4000 photo; a transparent PNG; a photo with a
non-sRGB colour profile; an SVG; a small WeChat QR code); the tests read its output back.
Bad images each get their own small site, since the first content error stops a build.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw

from conftest import REPO, run_yunzhao, tree_digest, write_site

RED, BLUE = (220, 20, 20), (20, 20, 220)
GPS = 0x8825


# ---- images made for the tests --------------------------------------------------------------

def photo_like(width: int, height: int, seed: int = 1) -> Image.Image:
    """Smooth large shapes, texture at several scales and sharp-edged objects, like a photograph:
    far harder to compress than a flat test card, so sizes measured on it mean something."""
    rnd = random.Random(seed)
    base = Image.new("RGB", (8, 6))
    base.putdata([tuple(rnd.randrange(40, 220) for _ in range(3)) for _ in range(48)])
    image = base.resize((width, height), Image.Resampling.BICUBIC)
    for scale, amount in ((16, 60), (4, 40), (1, 18)):
        noise = Image.effect_noise((max(1, width // scale), max(1, height // scale)), 64)
        noise = noise.resize((width, height), Image.Resampling.BICUBIC)
        image = Image.blend(image, Image.merge("RGB", (noise, noise, noise)), amount / 255)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rnd.randrange(width), rnd.randrange(height)
        draw.rectangle((x, y, x + rnd.randrange(width // 20), y + rnd.randrange(height // 10)),
                       fill=tuple(rnd.randrange(256) for _ in range(3)))
    return image


def jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **options)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def rotated_phone_photo() -> bytes:
    """Stored landscape, red top half over blue bottom half, with EXIF Orientation 6 (shown turned
    a quarter clockwise, so upright the red half is on the right), GPS, XMP and a comment."""
    image = Image.new("RGB", (1200, 800), BLUE)
    ImageDraw.Draw(image).rectangle((0, 0, 1199, 399), fill=RED)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif[GPS] = {1: "N", 2: (29.0, 30.0, 15.0), 3: "E", 4: (106.0, 28.0, 0.0)}
    data = jpeg(image, exif=exif, comment=b"secret-comment",
                xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret-xmp</x:xmpmeta>')
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(GPS), "the test photo must carry GPS to prove it is removed"
    return data


def swapped_profile() -> bytes:
    """An RGB colour profile that is not sRGB: sRGB with its red and blue primaries swapped, so
    pure red in it is pure blue in sRGB — a conversion that cannot go unnoticed."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", data[128:132])[0]
    entries = {bytes(data[132 + 12 * i:136 + 12 * i]): 132 + 12 * i for i in range(count)}
    red, blue = entries[b"rXYZ"], entries[b"bXYZ"]
    data[red + 4:red + 12], data[blue + 4:blue + 12] = data[blue + 4:blue + 12], data[red + 4:red + 12]
    return bytes(data).replace("sRGB".encode("utf-16-be"), "Swap".encode("utf-16-be"))


def transparent_png() -> bytes:
    image = Image.new("RGBA", (640, 480), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((120, 40, 520, 440), fill=(179, 38, 30, 255))
    return png(image)


def qr_like() -> Image.Image:
    """A 116 px black-and-white grid, like a small WeChat QR code export."""
    rnd = random.Random(7)
    image = Image.new("L", (116, 116), 255)
    draw = ImageDraw.Draw(image)
    for row in range(29):
        for col in range(29):
            if rnd.random() < 0.5:
                draw.rectangle((col * 4, row * 4, col * 4 + 3, row * 4 + 3), fill=0)
    return image


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims to be width×height but holds almost nothing: a decompression bomb."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


STAFF_WITH_QR = """
    - id: wang
      name: {zh: 王明, en: Wang Ming}
      phone: "+86 23 0000 0000"
      wechat: test-wechat
      wechat_qr: images/qr.png
"""


def catalogue(*projects: tuple[str, str]) -> str:
    """A catalogue file: one project per (id, images as YAML)."""
    lines = ["catalogue:", "  title: {zh: 2024年项目, en: 2024 Projects}", "projects:"]
    for item_id, images in projects:
        lines += [f"  - id: {item_id}", f"    title: {{zh: 项目{item_id}, en: Project {item_id}}}",
                  "    sector: new-materials", "    investment: 5亿元", f"    images: {images}"]
    return "\n".join(lines) + "\n"


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# ---- reading the output back -------------------------------------------------------------------

class Pictures(HTMLParser):
    """Every <img> and <source> of a page with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "source"):
            self.tags.append((tag, dict(attrs)))


def pictures(page: Path) -> list[tuple[str, dict]]:
    parser = Pictures()
    parser.feed(page.read_text("utf-8"))
    return parser.tags


def candidates(attrs: dict) -> list[str]:
    """Every URL an <img>/<source> may load: src and each srcset candidate."""
    urls = [attrs["src"]] if "src" in attrs else []
    for part in attrs.get("srcset", "").split(","):
        if part.strip():
            url, descriptor = part.split()
            assert re.fullmatch(r"\d+w", descriptor), attrs
            urls.append(url)
    return urls


def loaded_files(out: Path) -> dict[Path, set[Path]]:
    """Image file → the pages that may load it, resolving every relative URL."""
    found: dict[Path, set[Path]] = {}
    for page in sorted(out.rglob("*.html")):
        for tag, attrs in pictures(page):
            for url in candidates(attrs):
                target = (page.parent / url).resolve()
                assert target.is_file(), f"{page}: {url} does not exist"
                found.setdefault(target, set()).add(page)
    return found


def published(out: Path, stem: str) -> list[Path]:
    return sorted((out / "images").glob(f"{stem}.*"))


# ---- the site with every kind of image ----------------------------------------------------------

@pytest.fixture(scope="module")
def images_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    tinted = Image.new("RGB", (800, 600), (255, 0, 0))
    write_site(root, {
        "content/data/staff.yaml": STAFF_WITH_QR,
        "content/projects/2024.yaml": catalogue(
            ("alpha", "[images/rotated.jpg, images/clear.png, images/tinted.jpg, images/logo.svg]"),
            ("beta", "[images/huge.jpg]")),
        "content/images/rotated.jpg": rotated_phone_photo(),
        "content/images/huge.jpg": jpeg(photo_like(6000, 4000)),
        "content/images/clear.png": transparent_png(),
        "content/images/tinted.jpg": jpeg(tinted, icc_profile=swapped_profile()),
        "content/images/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40">'
                                   '<rect width="120" height="40" fill="#b3261e"/></svg>\n',
        "content/images/qr.png": png(qr_like()),
    })
    first = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert first.returncode == 0, first.stderr + first.stdout
    return root, first


@pytest.fixture(scope="module")
def images_out(images_site) -> Path:
    return images_site[0] / "output"


def test_rotated_gps_photo_comes_out_upright_with_no_metadata(images_out):
    files = published(images_out, "rotated")
    kinds = {p.name.rsplit("-", 1)[-1] for p in files}
    # 800 px wide upright: no wider rendition, and the wide share crop is not enlarged either
    assert kinds == {"480.webp", "480.jpg", "800.webp", "800.jpg", "800x420.jpg", "600x600.jpg"}, kinds
    for path in files:
        data = path.read_bytes()
        image = Image.open(io.BytesIO(data))
        assert len(image.getexif()) == 0 and not image.getexif().get_ifd(GPS), f"{path.name} keeps EXIF"
        for key in ("exif", "xmp", "comment", "icc_profile"):
            assert not image.info.get(key), f"{path.name} keeps {key}"
        for secret in (b"Exif\0\0", b"PhoneMaker", b"secret-xmp", b"secret-comment"):
            assert secret not in data, f"{path.name} keeps {secret!r}"
        if "x" not in path.name.rsplit("-", 1)[-1]:             # the renditions, not the share crops
            assert image.height > image.width, f"{path.name} is not upright: {image.size}"
        image = image.convert("RGB")
        left, right = image.getpixel((2, image.height // 2)), image.getpixel((image.width - 3, image.height // 2))
        assert left[2] > 150 > left[0] and right[0] > 150 > right[2], f"{path.name} is turned the wrong way"


def test_no_published_image_carries_metadata(images_out):
    for path in sorted((images_out / "images").iterdir()):
        if path.suffix == ".svg":
            continue
        image = Image.open(path)
        assert len(image.getexif()) == 0, path.name
        assert not any(image.info.get(k) for k in ("exif", "xmp", "comment", "icc_profile")), path.name


def test_a_6000_by_4000_photo_is_never_sent_whole(images_out):
    loads = loaded_files(images_out)
    assert loads, "no page shows an image"
    huge = [path for path in loads if path.name.startswith("huge.")]
    assert huge and {Image.open(p).width for p in huge} == {480, 960, 1600}
    for path in loads:
        if path.suffix != ".svg":
            width, height = Image.open(path).size
            assert width <= 1600 and height <= 1600, f"{path.name} ({width}×{height}) is loaded by a page"
    assert not any(p.stat().st_size > 1_000_000 for p in (images_out / "images").iterdir())
    page = images_out / "zh" / "projects" / "beta" / "index.html"
    (img,) = [attrs for tag, attrs in pictures(page) if tag == "img"]
    assert img["src"].endswith("-960.jpg") and (img["width"], img["height"]) == ("960", "640")
    assert "fetchpriority" in img and "loading" not in img and img["decoding"] == "async"


def test_pictures_have_sizes_webp_first_and_lazy_below_the_first_screen(images_out):
    page = images_out / "en" / "projects" / "alpha" / "index.html"
    tags = pictures(page)
    sources = [attrs for tag, attrs in tags if tag == "source"]
    imgs = [attrs for tag, attrs in tags if tag == "img"]
    assert sources and all(s["type"] == "image/webp" and s["sizes"] for s in sources)
    assert all(".webp " in s["srcset"] for s in sources)
    cover, *gallery = imgs
    assert "fetchpriority" in cover and "loading" not in cover
    assert gallery and all(i["loading"] == "lazy" and i["decoding"] == "async" for i in gallery)
    assert all(i["width"].isdigit() and i["height"].isdigit() for i in imgs)
    rotated = next(i for i in imgs if "rotated." in i["src"])
    assert int(rotated["height"]) > int(rotated["width"])       # the upright shape, so nothing shifts


def test_png_keeps_its_alpha(images_out):
    files = published(images_out, "clear")
    fallbacks = [p for p in files if p.suffix == ".png"]
    assert fallbacks and not [p for p in files if p.suffix == ".jpg" and "x" not in p.stem.rsplit("-", 1)[-1]]
    for path in fallbacks + [p for p in files if p.suffix == ".webp"]:
        image = Image.open(path)
        assert image.mode in ("RGBA", "LA", "PA"), f"{path.name}: {image.mode}"
        alpha = image.convert("RGBA").getchannel("A")
        assert alpha.getextrema() == (0, 255), f"{path.name} lost its transparency"
        assert image.convert("RGBA").getpixel((0, 0))[3] == 0


def test_colour_is_converted_to_srgb(images_out):
    for path in published(images_out, "tinted"):
        r, g, b = Image.open(path).convert("RGB").getpixel((10, 10))
        assert b > 200 and r < 60, f"{path.name}: ({r}, {g}, {b}) was not converted from its profile"


def test_svg_is_published_unchanged_under_a_hashed_name(images_site, images_out):
    root, _ = images_site
    (svg,) = published(images_out, "logo")
    assert re.fullmatch(r"logo\.[0-9a-f]{10}\.svg", svg.name)
    assert svg.read_bytes() == (root / "content" / "images" / "logo.svg").read_bytes()


def test_wechat_qr_stays_a_sharp_lossless_png(images_out):
    (qr,) = published(images_out, "qr")
    image = Image.open(qr)
    assert qr.suffix == ".png" and image.size == (348, 348)       # 116 px enlarged 3× to pass 300
    expected = qr_like().resize((348, 348), Image.Resampling.NEAREST)
    assert image.convert("L").tobytes() == expected.tobytes(), "the QR code lost pixels"


def test_file_names_carry_the_hash_of_their_bytes(images_out):
    import hashlib
    for path in (images_out / "images").iterdir():
        found = re.fullmatch(r"[\w-]+\.([0-9a-f]{10})(-[a-z0-9]+)*\.(webp|jpg|png|svg)", path.name)
        assert found, path.name
        assert hashlib.sha256(path.read_bytes()).hexdigest()[:10] == found.group(1), path.name


def test_second_build_does_no_image_work_and_order_does_not_matter(images_site, tmp_path):
    root, first = images_site
    assert "0 images processed" not in first.stdout and "6 images processed, 0 from cache" in first.stdout
    before = tree_digest(root / "output")
    again = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert again.returncode == 0, again.stderr
    assert "0 images processed, 6 from cache" in again.stdout
    assert tree_digest(root / "output") == before
    # A cold build on one worker gives the same bytes as the parallel one.
    shutil.copytree(root / "content", tmp_path / "content")
    serial = run_yunzhao("build", "--site", str(tmp_path), cwd=REPO, env={"YUNZHAO_WORKERS": "1"})
    assert serial.returncode == 0 and "6 images processed, 0 from cache" in serial.stdout, serial.stderr
    assert tree_digest(tmp_path / "output") == before
    # The cache lives beside content/, never in what is published.
    assert (root / ".yunzhao-cache" / "images").is_dir()
    assert not any(".yunzhao-cache" in p for p in before)


def test_full_width_phone_rendition_of_a_photo_is_under_150_kb(site):
    root = site({
        "content/projects/2024.yaml": catalogue(("alpha", "[images/photo.jpg]")),
        "content/images/photo.jpg": jpeg(photo_like(4000, 3000, seed=3)),
    })
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stderr
    phone = [p for p in published(root / "output", "photo") if p.stem.endswith("-960")]
    assert len(phone) == 2                                         # WebP and its JPEG fallback
    for path in phone:
        assert Image.open(path).size == (960, 720)
        assert path.stat().st_size < 150 * 1024, f"{path.name}: {path.stat().st_size // 1024} KB"


# ---- settings --------------------------------------------------------------------------------

def test_widths_and_quality_are_set_per_site(site):
    root = site({
        "content/site.yaml": """
            title: {zh: 测试招商局, en: Test Investment Bureau}
            languages: [zh, en]
            base_url: https://invest.example.gov.cn/test/
            contact: wang
            images: {widths: [320, 640, 2400], quality: 60, webp_quality: 50}
        """,
        "content/projects/2024.yaml": catalogue(("alpha", "[images/photo.jpg]")),
        "content/images/photo.jpg": jpeg(photo_like(1000, 750)),
    })
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stderr
    widths = sorted({Image.open(p).width for p in published(root / "output", "photo")
                     if "x" not in p.stem.rsplit("-", 1)[-1]})
    assert widths == [320, 640, 1000]                 # 2400 is wider than the photo: no upscaling
    # The settings are part of the cache key: changing one redoes the image, once.
    site_yaml = root / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8").replace("webp_quality: 50", "webp_quality: 70"), "utf-8")
    changed = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert "1 images processed, 0 from cache" in changed.stdout, changed.stderr
    again = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert "0 images processed, 1 from cache" in again.stdout, again.stderr


def test_unreadable_image_settings_are_content_errors(site):
    root = site({"content/site.yaml": """
        title: {zh: 测试招商局, en: Test Investment Bureau}
        languages: [zh, en]
        base_url: https://invest.example.gov.cn/test/
        contact: wang
        images:
          widths: [480, wide]
          quality: 180
          sharpen: true
    """})
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 1
    assert 'content/site.yaml:6: widths: cannot read "wide"; write a whole number' in result.stderr
    assert 'content/site.yaml:7: quality: cannot read "180"; write a whole number from 30 to 100' in result.stderr
    assert "content/site.yaml:8: sharpen: unknown field in images" in result.stderr
    assert "Traceback" not in result.stderr


def test_site_pixel_limit_refuses_larger_images(site):
    root = site({
        "content/site.yaml": """
            title: {zh: 测试招商局, en: Test Investment Bureau}
            languages: [zh, en]
            base_url: https://invest.example.gov.cn/test/
            contact: wang
            images: {max_pixels: 1000000}
        """,
        "content/projects/2024.yaml": catalogue(("alpha", "[images/scan.png]")),
        "content/images/scan.png": png(Image.new("L", (1500, 1400), 128)),
    })
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 1, result.stdout
    line = line_of(root, "content/projects/2024.yaml", "scan.png")
    assert (f"content/projects/2024.yaml:{line}: images: content/images/scan.png has 2 million pixels, "
            "more than this site's limit of 1 million") in result.stderr


# ---- bad images ----------------------------------------------------------------------------------

def test_bad_images_are_content_errors_naming_the_file_and_output_is_untouched(site):
    root = site()
    good = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert good.returncode == 0, good.stderr
    before = tree_digest(root / "output")
    photo = jpeg(photo_like(800, 600))
    write_site(root, {
        "content/projects/2024.yaml": catalogue(
            ("text", "[images/notes.jpg]"), ("cut", "[images/cut.jpg]"), ("bomb", "[images/bomb.png]"),
            ("liar", "[images/liar.png]"), ("scripted", "[images/scripted.svg]"), ("fine", "[images/fine.jpg]")),
        "content/images/notes.jpg": "meeting notes, not a picture\n",
        "content/images/cut.jpg": photo[: len(photo) // 2],
        "content/images/bomb.png": png(Image.new("1", (9000, 7000))),           # 63 MP, 1 bit: tiny file
        "content/images/liar.png": png_header_only(100_000, 100_000),
        "content/images/scripted.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "content/images/fine.jpg": photo,
    })
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 1, result.stdout
    err = result.stderr
    assert "Traceback" not in err and "internal error" not in err
    where = lambda name: f"content/projects/2024.yaml:{line_of(root, 'content/projects/2024.yaml', name)}: images: content/images/{name}"
    assert f"{where('notes.jpg')} is not an image yunzhao can read" in err
    assert f"{where('cut.jpg')} is damaged or cut short" in err
    assert f"{where('bomb.png')} has 63 million pixels, more than this site's limit of 60 million" in err
    assert f"{where('liar.png')} has 10000 million pixels, more than this site's limit of 60 million" in err
    assert f"{where('scripted.svg')} contains a script" in err
    assert "fine.jpg" not in err
    assert "5 errors; nothing was written" in err
    assert tree_digest(root / "output") == before


def test_missing_and_outside_paths_are_refused_with_clear_messages(site):
    root = site({
        "content/projects/2024.yaml": catalogue(
            ("outside", "[../../etc/passwd]"), ("absolute", "[/etc/passwd]"), ("missing", "[images/nothere.jpg]")),
    })
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 1
    err = result.stderr
    line = lambda name: line_of(root, "content/projects/2024.yaml", name)
    assert (f'content/projects/2024.yaml:{line("../../etc/passwd")}: images: "../../etc/passwd" points outside '
            "content/; put the image in content/images/") in err
    assert f'content/projects/2024.yaml:{line("[/etc/passwd]")}: images: "/etc/passwd" points outside content/' in err
    assert (f'content/projects/2024.yaml:{line("nothere")}: images: "images/nothere.jpg": no such file in '
            "content/images/") in err
    assert "Traceback" not in err and not (root / "output").exists()


def test_an_image_that_links_outside_content_is_refused(site, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "secret.jpg"
    elsewhere.write_bytes(jpeg(photo_like(64, 48)))
    root = site({"content/projects/2024.yaml": catalogue(("alpha", "[images/link.jpg]"))})
    (root / "content" / "images").mkdir(parents=True, exist_ok=True)
    (root / "content" / "images" / "link.jpg").symlink_to(elsewhere)
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 1
    assert '"images/link.jpg" links to a file outside content/' in result.stderr


# ---- the demo site ------------------------------------------------------------------------------

def test_demo_pictures_resolve_and_stay_small(demo_out):
    loads = loaded_files(demo_out)
    assert len(loads) > 20
    ours = [path for path in loads if path.is_relative_to((demo_out / "images").resolve())]
    assert len(ours) > 20
    for path in ours:
        assert path.stat().st_size < 400 * 1024, path.name
    responsive = 0
    for page in sorted(demo_out.rglob("*.html")):
        for tag, attrs in pictures(page):
            if tag == "img" and "srcset" in attrs:           # written by the picture() macro
                assert attrs["width"].isdigit() and attrs["height"].isdigit() and attrs["sizes"], page
                assert attrs["decoding"] == "async" and ("loading" in attrs) != ("fetchpriority" in attrs), page
                responsive += 1
    assert responsive > 50          # covers of projects and parks, park cards, galleries
