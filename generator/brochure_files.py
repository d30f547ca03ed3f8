"""Build step: the files that belong to each brochure, made before its pages are rendered.

For every brochure: the cover cropped for a phone screen; then for every language the QR codes
of its links (the default link and one per staff member), a poster per staff member and, when
PDFs are asked for, the PDF and its pages as pictures. Pages need to know these paths, so this
runs before rendering and records them in `brochures.Published` on each language's views.

Text on posters and in PDFs is drawn with fonts checked to contain every character; a missing
font is a problem reported like a content error (it names the brochure file), not a PDF of
empty boxes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import fonts, qr
from .drawn_cache import DrawnCache, font_stamp, key
from .brochures import Published, cover_image, sender_query
from .errors import Problems
from .images import share_image
from .model import Brochure, Site
from .qr import qr_svg
from .routes import Plan, Route

COVER_PHONE = (720, 1280)        # px: a 390×844 screen at about 2× (object-fit crops the rest)


@dataclass
class BrochureFiles:
    files: dict[str, bytes] = field(default_factory=dict)      # output path → bytes
    posters: int = 0
    pdfs: int = 0
    poster_jobs: list = field(default_factory=list)            # (output path, cache key, poster() arguments)
    cache: DrawnCache | None = None


def hashed(stem: str, data: bytes, suffix: str) -> str:
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{suffix}"


def make(site: Site, renderer, plan: Plan, problems: Problems, pdf: bool = False,
         draw: bool = True) -> BrochureFiles:
    """Make every brochure's files; with `draw` False only check that fonts cover the text."""
    made = BrochureFiles(cache=DrawnCache(Path(site.root)))
    content = Path(site.root) / "content"
    font_dirs = [theme_dir / "fonts" for theme_dir in renderer.theme.chain]
    for brochure in site.brochures:
        cover = cover_image(brochure)
        share = share_image(renderer.images, cover) if cover else None
        cover_phone = None
        if cover and draw and not cover.lower().endswith(".svg"):
            from . import poster     # (Pillow's drawing modules: imported by sites with brochures only)
            data = poster.cover_rendition(str(content / cover), *COVER_PHONE)
            cover_phone = "assets/" + hashed(f"brochure-{brochure.id}-cover", data, "jpg")
            made.files[cover_phone] = data
        for lang in site.languages:
            lv = renderer.views[lang]
            folder = plan.path("brochure", lang, brochure.id)
            published = Published(folder=folder, brochure_id=brochure.id, share=share,
                                  cover_phone=cover_phone, cover=cover)
            lv.brochure_files[brochure.id] = published
            view = lv.brochure(brochure)
            for person in [None, *view.senders]:
                staff_id = person.id if person is not None else None
                url = plan.absolute(folder) + sender_query(staff_id)
                made.files[published.qr(staff_id)] = qr_svg(url).encode("utf-8")
            _posters(site, renderer, brochure, lang, view, published, font_dirs, problems, made, draw, cover,
                     content)
            if pdf:
                _pdf(site, renderer, plan, brochure, lang, published, font_dirs, problems, made, draw)
    _draw_posters(made)
    if draw:
        made.cache.prune()
    return made


def _draw_posters(made: BrochureFiles) -> None:
    """Posters are independent pictures: drawn on every core (encoding is most of the time)."""
    jobs, made.poster_jobs = made.poster_jobs, []
    made.posters += len(jobs)
    for path, entry_key, _ in jobs:
        found = made.cache.get(entry_key)
        if found is not None:
            made.files[path] = found["poster.jpg"]
    jobs = [job for job in jobs if job[0] not in made.files]
    if not jobs:
        return
    workers = min(len(jobs), int(os.environ.get("YUNZHAO_WORKERS") or 0) or os.cpu_count() or 1)
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pictures = list(pool.map(_poster, [args for _, _, args in jobs]))
    else:
        pictures = [_poster(args) for _, _, args in jobs]
    for (path, entry_key, _), picture in zip(jobs, pictures):
        made.files[path] = picture
        made.cache.put(entry_key, {"poster.jpg": picture})


def _poster(args) -> bytes:
    from . import poster
    return poster.poster(*args)


def _faces(text: str, lang: str, font_dirs, site: Site, brochure: Brochure, what: str, problems: Problems):
    """(regular, bold) faces that draw all of `text`, or None after reporting the problem."""
    try:
        return (fonts.choose(text, lang, False, font_dirs, site.hant_variant),
                fonts.choose(text, lang, True, font_dirs, site.hant_variant))
    except fonts.FontProblem as exc:
        problems.error(brochure.source.file, 0, what, f"{lang}: {exc}")
        return None


def _posters(site, renderer, brochure, lang, view, published, font_dirs, problems, made, draw, cover, content):
    from . import poster
    strings = renderer.strings[lang]["brochure"]
    texts = []
    for person in view.senders:
        texts.append((person, poster.PosterText(
            lang=lang, site_title=view.lv.title.text, title=view.title.text, subtitle=view.subtitle.text,
            figures=tuple(view.figures), scan_hint=strings["poster_scan"], sender_label=strings["sender"],
            sender_name=person.name.text, sender_role=person.role.text, sender_phone=person.phone,
            address=site.base_url.split("://", 1)[-1].rstrip("/"))))
    faces = _faces("\n".join(t.all_text() for _, t in texts), lang, font_dirs, site, brochure, "poster",
                   problems)
    if faces is None or not draw:
        return
    cover_file = str(content / cover) if cover and not cover.lower().endswith(".svg") else None
    for person, text in texts:
        url = site.base_url + published.folder + sender_query(person.id)
        args = (cover_file, text, url, site.brand_color, *faces)
        from importlib.metadata import version     # (8 ms to import: only for brochures)
        entry_key = key("poster", version("pillow"), version("segno"), Path(poster.__file__), Path(qr.__file__),
                        dataclasses.asdict(text), url, site.brand_color,
                        [[font_stamp(f.file), f.index] for f in faces], Path(cover_file) if cover_file else None)
        made.poster_jobs.append((published.poster(person.id), entry_key, args))
    published.posters = True


def _pdf(site, renderer, plan, brochure, lang, published, font_dirs, problems, made, draw):
    from . import pdf as pdfs     # (WeasyPrint is imported by pdf.write_pdf, when a PDF is made)
    route = Route("brochure", lang, brochure.id, published.folder)
    context = renderer.context(route)
    html = renderer.env.get_template("brochure-print.html").render(context)
    strings = renderer.strings[lang]["brochure"]
    # The page number's words are drawn from CSS, not from the page's text: checked with it.
    text = pdfs.drawn_text(html) + strings["page_before"] + strings["page_after"]
    faces = _faces(text, lang, font_dirs, site, brochure, "pdf", problems)
    if faces is None or not draw:
        return
    if not fonts.system_has_fonts():
        problems.error(brochure.source.file, 0, "pdf", "WeasyPrint needs at least one font installed on this "
                       "machine, even when the theme ships its own; on Debian or Ubuntu `apt-get install "
                       "fonts-noto-cjk` (or fonts-dejavu-core)")
        return

    def lookup(path: str) -> bytes | None:
        if path in made.files:
            return made.files[path]
        cached = renderer.images.files.get(path)
        if cached is not None:
            return Path(cached).read_bytes()
        for asset_path, data in renderer.assets.values():
            if asset_path == path:
                return data
        return None

    fetcher = pdfs.SiteFetcher(site.base_url, lookup)
    css = pdfs.font_css(*faces, fetcher)
    # Pictures appear in the HTML under names that carry their content's hash, so the HTML, the
    # CSS and the fonts decide the PDF's bytes.
    from importlib.metadata import version
    entry_key = key("pdf", version("weasyprint"), version("pypdfium2"), Path(pdfs.__file__), html, css,
                    [[font_stamp(f.file), f.index] for f in faces])
    found = made.cache.get(entry_key)
    if found is None:
        try:
            data = pdfs.write_pdf(html, plan.absolute(published.folder), fetcher, css)
        except pdfs.MissingGlyphs as exc:
            shown = " ".join(f'"{c}" (U+{ord(c):04X})' for c in exc.args[0])
            problems.error(brochure.source.file, 0, "pdf", f"{lang}: the PDF would show empty boxes for {shown}: "
                           f"the font {faces[0].describe()} lacks them; {fonts.INSTALL_HINT}")
            return
        for url in sorted(set(fetcher.refused)):
            problems.warn(brochure.source.file, 0, "pdf", f"{lang}: the PDF leaves out {url}: not a file of "
                          "this site")
        found = {"document.pdf": data}
        for number, picture in enumerate(pdfs.page_images(data), start=1):
            found[f"page-{number:02d}.jpg"] = picture
        if not fetcher.refused:
            made.cache.put(entry_key, found)
    published.pdf = published.pdf_name()
    made.files[published.pdf] = found["document.pdf"]
    for number in range(1, len(found)):
        made.files[published.pdf_page(number)] = found[f"page-{number:02d}.jpg"]
        published.pdf_pages.append(published.pdf_page(number))
    made.pdfs += 1
