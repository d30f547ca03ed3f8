#!/usr/bin/env python3
"""Generate the illustrative demo images of the Jiulongpo example site.

The pictures are calm, photo-like landscapes built from gradients and simple
silhouettes (hills, a river, factory roofs, a skyline, a bridge, temple roofs,
containers, aluminium coils).  They contain no text and show no real place.

The output is deterministic: every scene draws from its own fixed random seed,
and nothing depends on the clock or the machine, so running the script twice
gives byte-identical files for a given Pillow version.

Usage:  python tools/make_demo_images.py [--out content/images]
Needs:  Pillow.
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 1067      # 3:2, the shape of a landscape photograph
SCALE = 2                       # draw at twice the size, then downsample: smooth edges
JPEG_QUALITY = 82

Color = tuple[int, int, int]


# --------------------------------------------------------------------------- helpers

def hex_color(value: str) -> Color:
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def mix(a: Color, b: Color, t: float) -> Color:
    """Linear interpolation between two colours; t=0 gives a, t=1 gives b."""
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))  # type: ignore[return-value]


def vertical_gradient(size: tuple[int, int], stops: list[tuple[float, str]]) -> Image.Image:
    """A top-to-bottom gradient through colour stops given as (position 0..1, '#rrggbb')."""
    w, h = size
    strip = Image.new("RGB", (1, h))
    px = strip.load()
    cols = [(p, hex_color(c)) for p, c in stops]
    for y in range(h):
        t = y / (h - 1)
        for (p0, c0), (p1, c1) in zip(cols, cols[1:]):
            if p0 <= t <= p1:
                px[0, y] = mix(c0, c1, (t - p0) / (p1 - p0) if p1 > p0 else 0)
                break
        else:
            px[0, y] = cols[-1][1] if t > cols[-1][0] else cols[0][1]
    return strip.resize((w, h), Image.Resampling.BILINEAR)


def glow(canvas: Image.Image, centre: tuple[float, float], radius: float, color: str,
         strength: float) -> None:
    """Add a soft radial light (the sun behind haze, a furnace, a lamp)."""
    w, h = canvas.size
    # radial_gradient() is 0 at the centre and 128 at the middle of each edge: map that
    # radius to a smooth falloff that reaches exactly 0 before the square's border.
    mask = Image.radial_gradient("L").point(
        lambda v: int(255 * strength * max(0.0, 1 - v / 128) ** 1.2))
    mask = mask.resize((int(radius * 2), int(radius * 2)), Image.Resampling.BILINEAR)
    full = Image.new("L", (w, h), 0)
    full.paste(mask, (int(centre[0] - radius), int(centre[1] - radius)))
    canvas.paste(Image.new("RGB", (w, h), hex_color(color)), (0, 0), full)


def ridge(rnd: random.Random, width: int, base: float, amplitude: float,
          roughness: int = 5, step: int = 8) -> list[tuple[float, float]]:
    """A smooth hill line: a sum of a few sines with random phases."""
    waves = [(rnd.uniform(0.6, 1.0) / (k + 1), rnd.uniform(1, 3) * (k + 1), rnd.uniform(0, 6.3))
             for k in range(roughness)]
    norm = sum(a for a, _, _ in waves)
    pts = []
    for x in range(0, width + step, step):
        u = x / width
        y = sum(a * math.sin(f * u * math.pi * 2 + ph) for a, f, ph in waves) / norm
        pts.append((x, base - y * amplitude))
    return pts


def fill_below(canvas: Image.Image, line: list[tuple[float, float]], color: Color,
               blur: float = 0) -> None:
    """Fill everything below a polyline with one colour (a hill, a bank, a ground plane)."""
    w, h = canvas.size
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).polygon(line + [(w, h), (0, h)], fill=255)
    if blur:
        mask = mask.filter(ImageFilter.GaussianBlur(blur))
    canvas.paste(Image.new("RGB", (w, h), color), (0, 0), mask)


def silhouette(canvas: Image.Image, polygons: list[list[tuple[float, float]]], color: Color,
               blur: float = 0, rects: list[tuple[float, float, float, float]] = (),
               ellipses: list[tuple[float, float, float, float]] = ()) -> None:
    """Paint a group of shapes in one colour, optionally softened by haze."""
    w, h = canvas.size
    mask = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(mask)
    for poly in polygons:
        d.polygon(poly, fill=255)
    for r in rects:
        d.rectangle(r, fill=255)
    for e in ellipses:
        d.ellipse(e, fill=255)
    if blur:
        mask = mask.filter(ImageFilter.GaussianBlur(blur))
    canvas.paste(Image.new("RGB", (w, h), color), (0, 0), mask)


def water(canvas: Image.Image, horizon: int, tint: str, rnd: random.Random) -> None:
    """Turn everything below the horizon into a calm river reflecting the scene above."""
    w, h = canvas.size
    depth = h - horizon
    above = canvas.crop((0, max(0, horizon - depth), w, horizon))
    refl = above.transpose(Image.Transpose.FLIP_TOP_BOTTOM).resize((w, depth))
    refl = refl.filter(ImageFilter.GaussianBlur(6 * SCALE))
    refl = Image.blend(refl, Image.new("RGB", (w, depth), hex_color(tint)), 0.45)
    # gentle ripples: thin lighter and darker horizontal streaks
    d = ImageDraw.Draw(refl)
    for _ in range(140):
        y = rnd.uniform(0, depth) ** 1.3 / depth ** 0.3
        x = rnd.uniform(-100, w)
        length = rnd.uniform(60, 420) * (0.4 + y / depth)
        shade = rnd.choice([18, -14])
        base = refl.getpixel((int(min(max(x, 0), w - 1)), int(min(y, depth - 1))))
        col = tuple(max(0, min(255, c + shade)) for c in base)
        d.line([(x, y), (x + length, y)], fill=col, width=max(1, int(SCALE * (1 + y / depth * 2))))
    refl = refl.filter(ImageFilter.GaussianBlur(1.2 * SCALE))
    canvas.paste(refl, (0, horizon))


def finish(canvas: Image.Image, seed: int, grain: int = 5, vignette: float = 0.22) -> Image.Image:
    """Downsample, then add a faint film grain and a soft vignette, like a real photograph."""
    img = canvas.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    rnd = random.Random(seed * 7919)
    gw, gh = WIDTH // 2, HEIGHT // 2
    noise = Image.frombytes("L", (gw, gh), rnd.randbytes(gw * gh))
    noise = noise.resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)
    # map 0..255 to -grain..+grain around mid grey, then add to each channel
    offset = noise.point(lambda v: 128 + int((v - 128) * grain / 128))
    img = ImageChops.add(img, Image.merge("RGB", [offset] * 3), scale=1.0, offset=-128)
    if vignette:
        mask = Image.radial_gradient("L").resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)
        mask = mask.point(lambda v: int(max(0, v - 110) * vignette * 255 / 145))
        img.paste(Image.new("RGB", (WIDTH, HEIGHT), (20, 22, 28)), (0, 0), mask)
    return img


def new_canvas(stops: list[tuple[float, str]]) -> Image.Image:
    return vertical_gradient((WIDTH * SCALE, HEIGHT * SCALE), stops)


S = SCALE  # short alias for coordinates written at output resolution


# --------------------------------------------------------------------------- building blocks

def factory_row(rnd: random.Random, x0: float, x1: float, ground: float,
                height: tuple[float, float], chimneys: int = 2, tanks: int = 1):
    """Polygons, rectangles and ellipses for a row of sawtooth-roofed halls."""
    polys, rects, ells = [], [], []
    x = x0
    while x < x1:
        hall_w = rnd.uniform(160, 380) * S
        hall_h = rnd.uniform(*height) * S
        top = ground - hall_h
        teeth = max(2, int(hall_w / (46 * S)))
        tooth = hall_w / teeth
        pts = [(x, ground), (x, top)]
        for i in range(teeth):
            pts += [(x + i * tooth, top - 22 * S), (x + (i + 1) * tooth, top)]
        pts += [(x + hall_w, ground)]
        polys.append(pts)
        x += hall_w + rnd.uniform(10, 60) * S
    for _ in range(chimneys):
        cx = rnd.uniform(x0 + 40 * S, x1 - 40 * S)
        cw = rnd.uniform(10, 16) * S
        ch = rnd.uniform(150, 230) * S
        rects.append((cx, ground - ch, cx + cw, ground))
    for _ in range(tanks):
        tx = rnd.uniform(x0, x1 - 120 * S)
        tw = rnd.uniform(70, 110) * S
        th = rnd.uniform(60, 90) * S
        rects.append((tx, ground - th, tx + tw, ground))
        ells.append((tx, ground - th - tw * 0.18, tx + tw, ground - th + tw * 0.18))
    return polys, rects, ells


def skyline(rnd: random.Random, x0: float, x1: float, ground: float,
            height: tuple[float, float], gap: tuple[float, float] = (4, 30)):
    """Rectangles (some with stepped crowns) for a distant city skyline."""
    rects, polys = [], []
    x = x0
    while x < x1:
        bw = rnd.uniform(36, 110) * S
        bh = rnd.uniform(*height) * S
        rects.append((x, ground - bh, x + bw, ground))
        if rnd.random() < 0.35:       # a stepped crown
            inset = bw * 0.2
            rects.append((x + inset, ground - bh - bh * 0.08, x + bw - inset, ground - bh))
        if rnd.random() < 0.12:       # a mast
            mx = x + bw / 2
            rects.append((mx - 2 * S, ground - bh - 70 * S, mx + 2 * S, ground - bh))
        x += bw + rnd.uniform(*gap) * S
    return rects, polys


def trees(rnd: random.Random, line: list[tuple[float, float]], count: int,
          size: tuple[float, float]) -> list[tuple[float, float, float, float]]:
    """Round tree crowns sitting on a ridge line."""
    ells = []
    for _ in range(count):
        x, y = rnd.choice(line)
        r = rnd.uniform(*size) * S
        ells.append((x - r, y - r * 1.4, x + r, y + r * 0.4))
    return ells


def temple_roof(cx: float, base: float, w: float, h: float) -> list[tuple[float, float]]:
    """A hall with a curved, upswept eave, as a single polygon."""
    pts = [(cx - w * 0.36, base), (cx - w * 0.36, base - h * 0.45)]
    steps = 14
    for i in range(steps + 1):          # left eave curving up at the tip
        t = i / steps
        x = cx - w / 2 + t * w * 0.22
        y = base - h * 0.45 - h * 0.10 * (1 - t) ** 3 + h * 0.05 * t
        pts.append((x, y))
    pts += [(cx - w * 0.2, base - h * 0.62), (cx - w * 0.12, base - h), (cx + w * 0.12, base - h),
            (cx + w * 0.2, base - h * 0.62)]
    for i in range(steps + 1):          # right eave
        t = i / steps
        x = cx + w * 0.28 + t * w * 0.22
        y = base - h * 0.4 - h * 0.10 * t ** 3
        pts.append((x, y))
    pts += [(cx + w * 0.36, base - h * 0.45), (cx + w * 0.36, base)]
    return pts


# --------------------------------------------------------------------------- scenes

def scene_xipeng(seed: int) -> Image.Image:
    """Industrial park on the far bank of a wide river, early morning."""
    rnd = random.Random(seed)
    c = new_canvas([(0, "#8fa9c4"), (0.45, "#e9d9c4"), (0.62, "#f3dcc0"), (1, "#d9c2a6")])
    glow(c, (1150 * S, 470 * S), 420 * S, "#fff1dc", 0.55)
    haze = hex_color("#eadccb")
    fill_below(c, ridge(rnd, c.width, 520 * S, 60 * S), mix(hex_color("#7d8aa0"), haze, 0.55),
               blur=3 * S)
    fill_below(c, ridge(rnd, c.width, 600 * S, 45 * S), mix(hex_color("#5f6f7e"), haze, 0.35),
               blur=2 * S)
    ground = 700 * S
    polys, rects, ells = factory_row(rnd, 120 * S, 1500 * S, ground, (55, 95), chimneys=3, tanks=2)
    silhouette(c, polys, mix(hex_color("#4a5561"), haze, 0.22), rects=rects, ellipses=ells, blur=0.6 * S)
    fill_below(c, [(0, 690 * S), (c.width, 680 * S)], hex_color("#56605c"))
    water(c, 712 * S, "#8d9aa6", rnd)
    return finish(c, seed)


def scene_jiulong(seed: int) -> Image.Image:
    """Standard multi-storey plants in front of a city skyline and green hills, clear day."""
    rnd = random.Random(seed)
    c = new_canvas([(0, "#6f9cc8"), (0.5, "#bcd3e6"), (0.7, "#e3ebef"), (1, "#c9d3c8")])
    glow(c, (300 * S, 220 * S), 380 * S, "#ffffff", 0.35)
    haze = hex_color("#dfe8ee")
    fill_below(c, ridge(rnd, c.width, 560 * S, 70 * S), mix(hex_color("#6d8a86"), haze, 0.55),
               blur=3 * S)
    rects, _ = skyline(rnd, 0, c.width, 640 * S, (60, 210))
    silhouette(c, [], mix(hex_color("#7b8a99"), haze, 0.45), rects=rects, blur=1.5 * S)
    fill_below(c, ridge(rnd, c.width, 690 * S, 14 * S), hex_color("#7f9a78"))
    # three blocks of standard plants, lit from the left
    d = ImageDraw.Draw(c)
    x = 90 * S
    for i in range(4):
        bw, bh = rnd.uniform(280, 340) * S, rnd.uniform(150, 200) * S
        top = 860 * S - bh
        d.rectangle((x, top, x + bw, 860 * S), fill=hex_color("#e8e6e0"))
        d.rectangle((x + bw, top + 12 * S, x + bw + 60 * S, 860 * S), fill=hex_color("#b9bcbc"))
        d.polygon([(x + bw, top), (x + bw + 60 * S, top + 12 * S), (x + bw, top + 12 * S)],
                  fill=hex_color("#b9bcbc"))
        for row in range(3):            # window bands
            wy = top + (30 + row * 48) * S
            if wy + 16 * S < 850 * S:
                d.rectangle((x + 18 * S, wy, x + bw - 18 * S, wy + 16 * S), fill=hex_color("#8fa3b3"))
        x += bw + rnd.uniform(40, 80) * S
    fill_below(c, [(0, 858 * S), (c.width, 858 * S)], hex_color("#8c9a84"))
    fill_below(c, [(0, 930 * S), (c.width, 910 * S)], hex_color("#6e7d67"))
    return finish(c, seed, vignette=0.16)


def scene_huayan(seed: int) -> Image.Image:
    """Misty green hills with temple roofs among trees."""
    rnd = random.Random(seed)
    c = new_canvas([(0, "#b7c6c4"), (0.55, "#e4e8df"), (1, "#cfd8c8")])
    haze = hex_color("#e6eae2")
    for base, amp, col, t in [(430, 80, "#6f8a7a", 0.7), (540, 90, "#56735f", 0.5),
                              (650, 70, "#3f5b48", 0.3)]:
        line = ridge(rnd, c.width, base * S, amp * S)
        fill_below(c, line, mix(hex_color(col), haze, t), blur=2.5 * S)
        silhouette(c, [], mix(hex_color(col), haze, t), ellipses=trees(rnd, line, 40, (14, 30)),
                   blur=2 * S)
    # temple halls on the nearest slope
    roof_col = mix(hex_color("#2f3a35"), haze, 0.15)
    polys = [temple_roof(700 * S, 720 * S, 300 * S, 120 * S),
             temple_roof(960 * S, 700 * S, 200 * S, 85 * S),
             temple_roof(520 * S, 735 * S, 170 * S, 70 * S)]
    silhouette(c, polys, roof_col, blur=0.5 * S)
    line = ridge(rnd, c.width, 790 * S, 30 * S)
    fill_below(c, line, hex_color("#34503c"))
    silhouette(c, [], hex_color("#2c4432"), ellipses=trees(rnd, line, 60, (26, 60)), blur=0.8 * S)
    # a band of mist across the hills
    mist = Image.new("L", c.size, 0)
    ImageDraw.Draw(mist).rectangle((0, 560 * S, c.width, 640 * S), fill=110)
    mist = mist.filter(ImageFilter.GaussianBlur(40 * S))
    c.paste(Image.new("RGB", c.size, haze), (0, 0), mist)
    return finish(c, seed, vignette=0.18)


def scene_chengyu(seed: int) -> Image.Image:
    """A river city at sunset with a long bridge: the Chengdu–Chongqing cover."""
    rnd = random.Random(seed)
    c = new_canvas([(0, "#3d5378"), (0.35, "#9b7f92"), (0.55, "#e6a27a"), (0.62, "#f2c08c"),
                    (1, "#d28f6c")])
    glow(c, (800 * S, 590 * S), 520 * S, "#ffd9a0", 0.75)
    haze = hex_color("#e8b48f")
    fill_below(c, ridge(rnd, c.width, 560 * S, 50 * S), mix(hex_color("#5b4a5e"), haze, 0.55),
               blur=3 * S)
    rects, _ = skyline(rnd, 0, c.width, 640 * S, (90, 330), gap=(2, 14))
    silhouette(c, [], mix(hex_color("#3a3347"), haze, 0.3), rects=rects, blur=0.8 * S)
    # bridge: deck, two towers, cable fans
    d = ImageDraw.Draw(c)
    col = hex_color("#2f2a38")
    deck = 600 * S
    d.rectangle((0, deck, c.width, deck + 10 * S), fill=col)
    for tx in (520 * S, 1080 * S):
        d.rectangle((tx - 8 * S, deck - 190 * S, tx + 8 * S, deck + 70 * S), fill=col)
        for k in range(1, 9):
            for sign in (-1, 1):
                d.line([(tx, deck - 180 * S + k * 8 * S), (tx + sign * k * 30 * S, deck)],
                       fill=col, width=2 * S)
    fill_below(c, [(0, 640 * S), (c.width, 640 * S)], hex_color("#3b3344"))
    water(c, 648 * S, "#a0707a", rnd)
    return finish(c, seed)


def coils(c: Image.Image, rnd: random.Random, row_y: float, count: int, r: tuple[float, float],
          x0: float, x1: float, tone: str, light: str) -> None:
    """Aluminium coils seen end-on: discs with a bright rim, concentric wraps and a core."""
    d = ImageDraw.Draw(c)
    xs = [x0 + (x1 - x0) * (i + 0.5) / count for i in range(count)]
    for x in xs:
        rad = rnd.uniform(*r) * S
        cy = row_y - rad
        d.ellipse((x - rad, cy - rad, x + rad, cy + rad), fill=hex_color(tone))
        for k in range(6, 0, -1):        # wraps, lighter towards the rim
            rr = rad * (0.35 + k * 0.1)
            d.ellipse((x - rr, cy - rr, x + rr, cy + rr),
                      outline=mix(hex_color(tone), hex_color(light), k / 7), width=max(1, S))
        core = rad * 0.3
        d.ellipse((x - core, cy - core, x + core, cy + core), fill=hex_color("#3b4148"))
        # a highlight crescent on the upper left
        hl = Image.new("L", c.size, 0)
        ImageDraw.Draw(hl).arc((x - rad * 0.95, cy - rad * 0.95, x + rad * 0.95, cy + rad * 0.95),
                               200, 260, fill=150, width=int(6 * S))
        hl = hl.filter(ImageFilter.GaussianBlur(3 * S))
        c.paste(Image.new("RGB", c.size, hex_color("#ffffff")), (0, 0), hl)


def scene_materials_cover(seed: int) -> Image.Image:
    """A row of aluminium coils in a bright, cool hall."""
    rnd = random.Random(seed)
    c = new_canvas([(0, "#cfd6dc"), (0.5, "#e9ecee"), (0.66, "#d7dbde"), (1, "#9aa2a8")])
    glow(c, (1200 * S, 250 * S), 600 * S, "#ffffff", 0.6)
    d = ImageDraw.Draw(c)
    for i in range(9):                  # roof trusses fading into the light
        y = (60 + i * 38) * S
        d.line([(0, y), (c.width, y + 30 * S)], fill=mix(hex_color("#aab2b9"), hex_color("#e9ecee"),
                                                         i / 9), width=3 * S)
    fill_below(c, [(0, 700 * S), (c.width, 700 * S)], hex_color("#b8bec3"))
    coils(c, rnd, 760 * S, 4, (120, 150), 60 * S, 1540 * S, "#8d969e", "#e3e8ec")
    coils(c, rnd, 1010 * S, 3, (170, 200), -100 * S, 1300 * S, "#7f8991", "#dfe5ea")
    return finish(c, seed, vignette=0.2)


def scene_aerogel(seed: int) -> Image.Image:
    """Abstract translucent layers, blue and white, like a macro shot of a light material."""
    rnd = random.Random(seed)
    c = new_canvas([(0, "#dce7f0"), (0.5, "#b8cde0"), (1, "#8aa7c2")])
    for i in range(26):
        layer = Image.new("L", c.size, 0)
        cx, cy = rnd.uniform(0, c.width), rnd.uniform(0, c.height)
        rx, ry = rnd.uniform(200, 700) * S, rnd.uniform(60, 220) * S
        ImageDraw.Draw(layer).ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=rnd.randint(40, 90))
        layer = layer.filter(ImageFilter.GaussianBlur(rnd.uniform(20, 60) * S))
        tone = rnd.choice(["#ffffff", "#f1f6fb", "#9cb8d3", "#c9daea"])
        c.paste(Image.new("RGB", c.size, hex_color(tone)), (0, 0), layer)
    glow(c, (500 * S, 380 * S), 380 * S, "#ffffff", 0.45)
    return finish(c, seed, grain=4, vignette=0.25)


def scene_aluminium(seed: int) -> Image.Image:
    """A dim casting hall with the warm glow of a furnace and coils in the foreground."""
    rnd = random.Random(seed)
    c = new_canvas([(0, "#2b3038"), (0.6, "#4a4d52"), (1, "#2a2c30")])
    glow(c, (1150 * S, 560 * S), 420 * S, "#f3a35b", 0.85)
    glow(c, (1150 * S, 560 * S), 160 * S, "#ffe2b0", 0.9)
    d = ImageDraw.Draw(c)
    col = hex_color("#1c1f24")
    for i in range(7):                  # columns and roof trusses
        x = (i * 260 - 40) * S
        d.rectangle((x, 0, x + 26 * S, 760 * S), fill=col)
        d.line([(x, 120 * S), (x + 260 * S, 40 * S)], fill=col, width=6 * S)
        d.line([(x + 260 * S, 120 * S), (x, 40 * S)], fill=col, width=3 * S)
    d.rectangle((0, 110 * S, c.width, 126 * S), fill=col)
    fill_below(c, [(0, 760 * S), (c.width, 760 * S)], hex_color("#34363a"))
    coils(c, rnd, 1040 * S, 3, (150, 175), 0, 1100 * S, "#6d7378", "#f0c79a")
    return finish(c, seed, grain=6)


def scene_datacenter(seed: int) -> Image.Image:
    """Long low halls at dusk with strips of lit windows and roof cooling units."""
    rnd = random.Random(seed)
    c = new_canvas([(0, "#1f2d4a"), (0.45, "#4a6587"), (0.62, "#9db3c9"), (1, "#2f3a48")])
    haze = hex_color("#8ea5bd")
    fill_below(c, ridge(rnd, c.width, 600 * S, 50 * S), mix(hex_color("#2e3c52"), haze, 0.45),
               blur=3 * S)
    d = ImageDraw.Draw(c)
    for row, (top, bottom, shade) in enumerate([(640, 760, "#2d3542"), (700, 900, "#262d38")]):
        x = (60 if row == 0 else -40) * S
        while x < c.width:
            bw = rnd.uniform(420, 620) * S
            d.rectangle((x, top * S, x + bw, bottom * S), fill=hex_color(shade))
            ux = x + 40 * S             # a few cooling units on the roof
            while ux < x + bw - 120 * S:
                d.rectangle((ux, (top - 10) * S, ux + 60 * S, top * S), fill=hex_color(shade))
                ux += rnd.uniform(130, 190) * S
            wy = (top + (bottom - top) * 0.55) * S
            d.rectangle((x + 14 * S, wy, x + bw - 14 * S, wy + 8 * S), fill=hex_color("#f2d9a2"))
            x += bw + rnd.uniform(50, 110) * S
    fill_below(c, [(0, 900 * S), (c.width, 900 * S)], hex_color("#1d232c"))
    glow(c, (800 * S, 660 * S), 700 * S, "#a8c4e0", 0.15)
    return finish(c, seed)


def scene_culture(seed: int) -> Image.Image:
    """Hills at dusk with traditional roofs and a few warm lanterns."""
    rnd = random.Random(seed)
    c = new_canvas([(0, "#34405e"), (0.4, "#7d6f86"), (0.6, "#d9a386"), (1, "#5a4a52")])
    glow(c, (350 * S, 560 * S), 420 * S, "#ffcf9a", 0.55)
    haze = hex_color("#c89b8c")
    for base, amp, col, t in [(480, 90, "#4c4760", 0.6), (580, 70, "#3c3a4c", 0.4)]:
        line = ridge(rnd, c.width, base * S, amp * S)
        fill_below(c, line, mix(hex_color(col), haze, t), blur=2.5 * S)
    roof = hex_color("#221f2a")
    polys = [temple_roof(x * S, y * S, w * S, h * S)
             for x, y, w, h in [(380, 760, 260, 100), (640, 735, 320, 130), (920, 760, 240, 95),
                                (1180, 770, 280, 105), (1420, 780, 200, 80)]]
    silhouette(c, polys, roof, rects=[(0, 760 * S, c.width, c.height)], blur=0.5 * S)
    for _ in range(16):                 # lanterns
        x, y = rnd.uniform(250, 1500) * S, rnd.uniform(700, 760) * S
        glow(c, (x, y), 28 * S, "#ffb45e", 0.8)
        ImageDraw.Draw(c).ellipse((x - 5 * S, y - 7 * S, x + 5 * S, y + 7 * S), fill=hex_color("#ffcf80"))
    fill_below(c, [(0, 880 * S), (c.width, 880 * S)], hex_color("#1b1920"))
    return finish(c, seed)


def scene_logistics(seed: int) -> Image.Image:
    """A warehouse yard with stacked containers and gantry cranes in the morning."""
    rnd = random.Random(seed)
    c = new_canvas([(0, "#86a6c4"), (0.55, "#dfe6ea"), (0.7, "#eae6dc"), (1, "#b9b4a8")])
    glow(c, (1300 * S, 300 * S), 420 * S, "#fff5e0", 0.45)
    haze = hex_color("#e2e5e4")
    fill_below(c, ridge(rnd, c.width, 560 * S, 50 * S), mix(hex_color("#6d7f86"), haze, 0.6),
               blur=3 * S)
    d = ImageDraw.Draw(c)
    # warehouses with shallow pitched roofs
    for x, w in [(40, 520), (620, 460)]:
        d.polygon([(x * S, 700 * S), (x * S, 560 * S), ((x + w / 2) * S, 530 * S),
                   ((x + w) * S, 560 * S), ((x + w) * S, 700 * S)], fill=hex_color("#c9cbc8"))
        d.rectangle((x * S, 640 * S, (x + w) * S, 700 * S), fill=hex_color("#aeb3b3"))
    # gantry cranes
    crane = hex_color("#5c6670")
    for x in (1150, 1400):
        d.rectangle(((x - 90) * S, 420 * S, (x + 90) * S, 436 * S), fill=crane)
        for lx in (x - 80, x + 70):
            d.rectangle((lx * S, 436 * S, (lx + 10) * S, 760 * S), fill=crane)
    # container stacks in muted colours
    palette = ["#9c5b4a", "#4f6d86", "#7d8a6a", "#b08a55", "#6b6f78", "#8a6e7c"]
    fill_below(c, [(0, 700 * S), (c.width, 700 * S)], hex_color("#a7a397"))
    for row, (base, cw, ch) in enumerate([(770, 120, 46), (880, 160, 60)]):
        x = rnd.uniform(-80, 0) * S
        while x < c.width:
            if rnd.random() < 0.2:          # an empty bay
                x += cw * S
                continue
            stack = rnd.randint(1, 2)
            for k in range(stack):
                col = hex_color(rnd.choice(palette))
                y0 = (base - (k + 1) * ch) * S
                d.rectangle((x, y0, x + cw * S, y0 + ch * S - 2 * S), fill=col)
                for rib in range(1, 8):     # corrugation
                    rx = x + rib * cw * S / 8
                    d.line([(rx, y0 + 4 * S), (rx, y0 + ch * S - 6 * S)],
                           fill=mix(col, (0, 0, 0), 0.15), width=S)
            x += cw * S + rnd.uniform(6, 40) * S
    # the paved yard in front, with faded lane markings
    fill_below(c, [(0, 880 * S), (c.width, 880 * S)], hex_color("#8f8c84"))
    for i in range(9):
        x = (i * 200 - 40) * S
        d.rectangle((x, 970 * S, x + 110 * S, 976 * S), fill=hex_color("#c9c3b2"))
    return finish(c, seed, vignette=0.18)


def qr_placeholder(seed: int, size: int = 300, modules: int = 29) -> Image.Image:
    """A square that looks like a QR code: three finder squares and seeded random modules.

    It only stands in for the WeChat QR image that staff will export from WeChat; it encodes
    nothing.
    """
    rnd = random.Random(seed)
    quiet = 4
    cell = size // (modules + 2 * quiet)
    img = Image.new("L", (size, size), 255)
    d = ImageDraw.Draw(img)
    origin = (size - cell * modules) // 2

    def box(cx: int, cy: int, w: int, fill: int) -> None:
        d.rectangle((origin + cx * cell, origin + cy * cell,
                     origin + (cx + w) * cell - 1, origin + (cy + w) * cell - 1), fill=fill)

    finders = [(0, 0), (modules - 7, 0), (0, modules - 7)]
    reserved = set()
    for fx, fy in finders:
        for yy in range(fy - 1, fy + 8):
            for xx in range(fx - 1, fx + 8):
                reserved.add((xx, yy))
    for y in range(modules):
        for x in range(modules):
            if (x, y) not in reserved and rnd.random() < 0.48:
                box(x, y, 1, 0)
    for fx, fy in finders:
        box(fx, fy, 7, 0)
        box(fx + 1, fy + 1, 5, 255)
        box(fx + 2, fy + 2, 3, 0)
    return img


SCENES = {
    "xipeng.jpg": (scene_xipeng, 101),
    "jiulong.jpg": (scene_jiulong, 102),
    "huayan.jpg": (scene_huayan, 103),
    "cover-chengyu.jpg": (scene_chengyu, 201),
    "cover-materials.jpg": (scene_materials_cover, 202),
    "project-aerogel.jpg": (scene_aerogel, 301),
    "project-aluminium.jpg": (scene_aluminium, 302),
    "project-datacenter.jpg": (scene_datacenter, 303),
    "project-culture.jpg": (scene_culture, 304),
    "project-logistics.jpg": (scene_logistics, 305),
}


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=root / "content" / "images",
                        help="folder to write the images to (default: content/images)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (scene, seed) in SCENES.items():
        img = scene(seed)
        path = args.out / name
        img.save(path, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True,
                 subsampling="4:2:0")
        print(f"{path.relative_to(root) if path.is_relative_to(root) else path}"
              f"  {path.stat().st_size // 1024} KB")
    qr = qr_placeholder(401)
    path = args.out / "qr-caogang.png"
    qr.save(path, "PNG", optimize=True)
    print(f"{path.relative_to(root) if path.is_relative_to(root) else path}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
