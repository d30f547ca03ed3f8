"""The `yunzhao` command: thin click commands over the build and the authoring tools."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BuildFailed
from .output import OutputError

EXAMPLES = """
\b
Examples:
  yunzhao build                 build content/ of this folder into output/
  yunzhao build --site mysite   build another site folder
  yunzhao check                 check content without writing anything
  yunzhao init mysite           start a new site
  yunzhao serve                 live preview while you edit
  yunzhao new project my-id     add a project (also: park, brochure, page)
  yunzhao import list.xlsx --catalogue 2024   bring projects in from Excel
  yunzhao stats                 projects and investment by sector, park, status
"""


def _site_root(site: str) -> Path:
    root = Path(site)
    if not root.is_dir():
        raise click.UsageError(f"no folder {site}; give the folder that holds content/ with --site")
    if not (root / "content").is_dir():
        raise click.UsageError(f"{site} has no content/ folder; run yunzhao in your site folder "
                               "or give it with --site (yunzhao init starts a new site)")
    return root


def _report_failure(exc: BuildFailed) -> None:
    errors = exc.problems.sorted_errors()
    for problem in errors:
        click.echo(str(problem), err=True)
    click.echo(f"\n{len(errors)} error{'s' if len(errors) != 1 else ''}; nothing was written, "
               "the previous output/ is unchanged.", err=True)


def _report_missing(missing: dict[str, list[str]]) -> None:
    if not missing:
        return
    counts = ", ".join(f"{lang} {len(items)}" for lang, items in sorted(missing.items()))
    click.echo(f"missing translations (shown in the source language): {counts}")
    for lang, items in sorted(missing.items()):
        for item in items:
            click.echo(f"  {lang}: {item}")


@click.group(epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yunzhao")
def main():
    """yunzhao builds a bilingual investment-promotion site and e-brochures from YAML project
    catalogues and Markdown park profiles."""


@main.command(epilog="\b\nExample:\n  yunzhao build --site . --out output --strict")
@click.option("--site", default=".", show_default=True, help="The site folder (it holds content/).")
@click.option("--out", default=None, help="Where to write the site [default: <site>/output].")
@click.option("--strict", is_flag=True, help="Treat missing translations and lost links as errors.")
@click.option("--pdf", is_flag=True, help="Also write each brochure as a PDF (or set pdf: true in site.yaml).")
def build(site, out, strict, pdf):
    """Build the site into output/ (only if everything succeeded; only what changed)."""
    from .cache import quick_check
    from .progress import Progress
    root = _site_root(site)
    target = Path(out) if out else root / "output"
    target = target if target.is_absolute() else Path.cwd() / target
    progress = Progress()
    try:
        # Nothing changed? Answered before the renderer, Jinja and Pillow are even imported.
        quick = quick_check(root.absolute(), target, {"strict": strict, "pdf": pdf})
        if quick.result is not None:
            result = quick.result
        else:
            from .build import build as run_build
            # This process leaves (os._exit) once the build is done: the build decides when to
            # collect garbage while it runs, and a collection after it would only walk what it
            # made (0.08 s after an edit at 10,000 projects).
            gc.disable()
            result = run_build(root, target, strict=strict, pdf=pdf, progress=progress, quick=quick)
    except BuildFailed as exc:
        progress.close()
        _report_failure(exc)
        sys.exit(1)
    except OutputError as exc:
        progress.close()
        click.echo(f"yunzhao: {exc}", err=True)
        sys.exit(2)
    progress.close()
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    if result.lost_links:
        click.echo("these links, possibly already sent to investors, would now be 404 "
                   "(add the old ids as aliases to keep them):")
        earlier = set(result.lost_before)
        for url in result.lost_links:
            click.echo(f"  {url}" + ("   (lost since an earlier build)" if url in earlier else ""))
    _report_missing(result.missing)
    per_lang = ", ".join(f"{lang} {n}" for lang, n in sorted(result.pages.items()) if lang)
    if result.unchanged:
        click.echo(f"nothing changed since the last build: {target} kept as it is "
                   f"({sum(result.pages.values())} pages; {result.seconds:.2f} s)")
        click.echo(f"0 images processed, {result.images_cached} from cache")
        return
    click.echo(f"built {sum(result.pages.values())} pages ({per_lang}), {result.images} images "
               f"into {target} in {result.seconds:.1f} s")
    click.echo(f"{result.images_processed} images processed, {result.images_cached} from cache")
    if result.rendered is not None:
        click.echo(f"incremental: {result.rendered} pages rendered again, {result.written} files changed in output/")
    elif result.full_because:
        click.echo(f"every page rendered: {result.full_because}")
    if result.posters or result.pdfs:
        click.echo(f"brochures: {result.posters} posters, {result.pdfs} PDFs")


@main.command(epilog="\b\nExample:\n  yunzhao check --strict")
@click.option("--site", default=".", show_default=True, help="The site folder (it holds content/).")
@click.option("--strict", is_flag=True, help="Treat missing translations as errors.")
def check(site, strict):
    """Check the content and render every page, without writing anything."""
    from .build import build as run_build
    root = _site_root(site)
    try:
        result = run_build(root, root / "output", strict=strict, write=False)
    except BuildFailed as exc:
        _report_failure(exc)
        sys.exit(1)
    _report_missing(result.missing)
    click.echo("content is fine")


@main.group()
def brochure():
    """E-brochures: the links staff send."""


@brochure.command("links", epilog="\b\nExample:\n  yunzhao brochure links chengyu-2024")
@click.argument("brochure_id")
@click.option("--site", default=".", show_default=True, help="The site folder (it holds content/).")
def brochure_links(brochure_id, site):
    """Print every staff member's link to a brochure, per language, ready to paste into WeChat."""
    from .brochures import links_report
    root = _site_root(site)
    try:
        text = links_report(root, brochure_id)
    except BuildFailed as exc:
        _report_failure(exc)
        sys.exit(1)
    except LookupError as exc:
        raise click.UsageError(str(exc.args[0])) from None
    click.echo(text)


# ---- authoring: init, serve, new, import, export, stats (generator/authoring/, generator/serve.py) ----

def _refuse(message) -> None:
    """A request yunzhao will not carry out (nothing was written): one line, exit status 2."""
    click.echo(f"yunzhao: {message}", err=True)
    sys.exit(2)


@main.command(epilog="\b\nExamples:\n  yunzhao init mysite                  Chinese, English and Traditional Chinese\n"
                     "  yunzhao init mysite --lang zh,en     Chinese and English only\n"
                     "  cd mysite && yunzhao serve           then preview it")
@click.argument("folder")
@click.option("--lang", default="zh,en,zh-Hant", show_default=True,
              help="The site's languages, comma-separated; the one content is written in (zh or en) first.")
@click.option("--base-url", default="https://invest.example.gov.cn/example/", show_default=True,
              help="The site's public address, with its sub-path (can be changed later in site.yaml).")
def init(folder, lang, base_url):
    """Start a new site in FOLDER.

    FOLDER must be new or empty. The site has its settings, sectors, a staff member, a catalogue
    with two projects, a park with its translation and a brochure, and builds at once."""
    from .authoring.init import InitRefused, init_site, parse_languages
    try:
        languages = parse_languages(lang)
        files = init_site(Path(folder), languages, base_url)
    except InitRefused as exc:
        _refuse(exc)
    click.echo(f"started a site in {folder} (languages: {', '.join(languages)}):")
    for path in files:
        click.echo(f"  {path.relative_to(folder).as_posix()}")
    click.echo(f"next: cd {folder} && yunzhao serve   (a live preview), or yunzhao build")


@main.command(epilog="\b\nExamples:\n  yunzhao serve                      preview this folder's site\n"
                     "  yunzhao serve --site mysite --port 8080\n"
                     "  yunzhao serve --bind 127.0.0.1     only this computer (no phone)")
@click.option("--site", default=".", show_default=True, help="The site folder (it holds content/).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="The port; the next free one is used when it is taken (0: any free port).")
@click.option("--bind", default="0.0.0.0", show_default=True,
              help="The address to listen on: 0.0.0.0 lets phones on the same network open the preview; "
                   "127.0.0.1 keeps it to this computer.")
@click.option("--out", default=None,
              help="Build into this folder (e.g. output) instead of a temporary preview folder.")
def serve(site, port, bind, out):
    """Preview the site live while you edit it.

    Builds the site into a preview folder, serves it under its sub-path, rebuilds on every saved
    change and reloads the open pages; content errors are shown on the page while the last good
    site stays served. Prints the address, and a QR code for phones on the same network."""
    import signal
    import threading

    from .serve import lan_address, start
    root = _site_root(site)

    def report(outcome, changes):
        said = f"{', '.join(changes[:3])}{' …' if len(changes) > 3 else ''} changed: " if changes else ""
        if outcome.problems:
            for problem in outcome.problems:
                click.echo(problem, err=True)
            kept = "keeps the last good site" if changes else "has nothing to show yet"
            click.echo(f"{said}{len(outcome.problems)} error(s); the preview {kept} and shows the errors "
                       "on the page until they are fixed", err=True)
        elif changes:
            rendered = "every page rendered" if outcome.rendered is None else \
                f"{outcome.rendered} of {outcome.pages} pages rendered again"
            click.echo(f"{said}rebuilt in {outcome.seconds:.1f} s ({rendered}), {len(outcome.changed)} files changed")
        else:
            click.echo(f"built {outcome.pages} pages in {outcome.seconds:.1f} s")

    # Ctrl+C and `kill` only ask to stop, so that a second signal (a shell sends one to the
    # process and one to its group) cannot cut the clean-up short and leave the preview folder.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    click.echo("building the preview …")
    try:
        session = start(root, Path(out) if out else None, bind, port, report)
    except OSError as exc:
        _refuse(f"{exc}; choose another --port")
    prefix = session.server.prefix
    local = f"http://127.0.0.1:{session.port}{prefix}"
    click.echo(f"preview folder: {session.preview.out}")
    click.echo(f"serving on this computer: {local}")
    lan = lan_address() if bind not in ("127.0.0.1", "localhost") else None
    if lan:
        import segno
        url = f"http://{lan}:{session.port}{prefix}"
        click.echo(f"on a phone in the same network: {url}  (scan the code)")
        segno.make(url, error="m").terminal(out=sys.stdout, compact=True)
    click.echo("watching content/ and the theme; press Ctrl+C to stop")
    stop.wait()
    session.close()
    click.echo("stopped")


@main.command("new", epilog="\b\nExamples:\n  yunzhao new project smart-security-park\n"
                            "  yunzhao new project logistics-hub --catalogue 2025\n"
                            "  yunzhao new park xipeng\n  yunzhao new brochure chengyu-2025\n  yunzhao new page policies")
@click.argument("kind", type=click.Choice(["project", "park", "brochure", "page"]))
@click.argument("item_id", metavar="ID")
@click.option("--site", default=".", show_default=True, help="The site folder (it holds content/).")
@click.option("--catalogue", default=None,
              help="For a project: the catalogue to add it to, e.g. 2025 [default: the newest catalogue].")
def new(kind, item_id, site, catalogue):
    """Add a project, park, brochure or page.

    Every field is listed and explained, the required ones filled with placeholders, so the stub
    passes yunzhao check. A project is appended to a catalogue file; an id in use is refused."""
    from .authoring.sitedata import SiteError
    from .authoring.stubs import StubRefused, new_stub
    root = _site_root(site)
    try:
        result = new_stub(root, kind, item_id, catalogue)
    except (StubRefused, SiteError) as exc:
        _refuse(exc)
    click.echo(f"added the {kind} {item_id} at {result.path.relative_to(root).as_posix()}:{result.line}; "
               "fill in its fields, then run yunzhao check")


@main.command("import", epilog="\b\nExamples:\n  yunzhao import 2024项目表.xlsx --catalogue 2024\n"
                               "  yunzhao import projects.csv --catalogue 2025 --dry-run\n"
                               "  yunzhao import 2024项目表.xlsx --catalogue 2024 --force   replace it")
@click.argument("file", metavar="FILE.xlsx|FILE.csv")
@click.option("--catalogue", required=True, help="The catalogue to write: content/projects/<name>.yaml.")
@click.option("--site", default=".", show_default=True, help="The site folder (it holds content/).")
@click.option("--force", is_flag=True, help="Replace the catalogue if it exists (its text is lost).")
@click.option("--title", default=None, help="The catalogue's title [default: the sheet's title row].")
@click.option("--dry-run", is_flag=True, help="Show what would be read; write nothing.")
def import_(file, catalogue, site, force, title, dry_run):
    """Bring projects in from an Excel or CSV sheet.

    Reads Chinese or English headers, merged cells, units in the header or the cell, and sectors,
    parks and contacts by name, and writes content/projects/<catalogue>.yaml. Reports which
    column became which field and every cell it could not read (sheet!cell)."""
    from .authoring.columns import describe, letter
    from .authoring.sheets import ImportRefused, import_sheet
    from .authoring.sitedata import SiteError
    root = _site_root(site)
    try:
        result = import_sheet(root, Path(file), catalogue, force=force, title=title, write=not dry_run)
    except (ImportRefused, SiteError) as exc:
        _refuse(exc)
    for sheet in result.sheets:
        first, last = sheet.header_rows
        rows = f"row {first}" if first == last else f"rows {first}-{last}"
        click.echo(f"{sheet.name}: header on {rows}, {sheet.projects} projects")
        for column in sheet.columns:
            became = describe(column) if column.field else f"not used: {column.note}"
            click.echo(f"  {letter(column.index):>3} {column.header or '(empty)'} → {became}")
    for note in result.notes:
        click.echo(note)
    for problem in result.problems:
        click.echo(problem, err=True)
    target = result.target.relative_to(root).as_posix()
    done = f"wrote {target}" if result.written else f"would write {target} (--dry-run: nothing written)"
    click.echo(f"{done}: {len(result.projects)} projects")
    if result.problems:
        click.echo(f"{len(result.problems)} cell(s) could not be read (listed above, by sheet!cell); "
                   "correct the sheet and import again with --force", err=True)
        sys.exit(1)


@main.command(epilog="\b\nExamples:\n  yunzhao export 2024 2024项目表.xlsx\n  yunzhao export 2025 projects.csv --force")
@click.argument("catalogue")
@click.argument("file", metavar="FILE.xlsx|FILE.csv")
@click.option("--site", default=".", show_default=True, help="The site folder (it holds content/).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def export(catalogue, file, site, force):
    """Write a catalogue as an Excel workbook (or CSV).

    Chinese headers, names instead of ids, drop-down lists for status, sector, park and contact;
    yunzhao import reads the file back into the same catalogue."""
    from .authoring.export import ExportRefused, export_catalogue
    from .authoring.sitedata import SiteError
    root = _site_root(site)
    try:
        result = export_catalogue(root, catalogue, Path(file), force=force)
    except (ExportRefused, SiteError) as exc:
        _refuse(exc)
    click.echo(f"wrote {result.projects} projects to {file} (columns: {', '.join(result.columns)})")


@main.command(epilog="\b\nExamples:\n  yunzhao stats\n  yunzhao stats --catalogue 2024 --csv stats.csv\n"
                     "  yunzhao stats --today 2024-03-31     the quarter of that day")
@click.option("--site", default=".", show_default=True, help="The site folder (it holds content/).")
@click.option("--catalogue", default=None, help="Only this catalogue, e.g. 2024 [default: all].")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day whose quarter counts as this quarter [default: SOURCE_DATE_EPOCH, else today].")
@click.option("--csv", "csv_file", default=None, help="Also write the figures to this CSV file.")
def stats(site, catalogue, today, csv_file):
    """Figures to report: projects and investment.

    Projects and total investment by sector, park and status, and the projects signed this
    quarter (those with a signed: date), as a table and optionally as CSV."""
    from .authoring import stats as figures
    from .check import check_site
    from .errors import Problems
    root = _site_root(site)
    problems = Problems()
    model = check_site(root, problems)
    if model is None or problems:
        _report_failure(BuildFailed(problems))
        sys.exit(1)
    if catalogue is not None and catalogue not in {c.id for c in model.catalogues}:
        _refuse(f'no catalogue "{catalogue}"; catalogues: {", ".join(c.id for c in model.catalogues)}')
    result = figures.compute(model, figures.today_from(today.date() if today else None), catalogue)
    click.echo(figures.table(result), nl=False)
    if csv_file:
        Path(csv_file).write_text(figures.csv_text(result), encoding="utf-8")
        click.echo(f"wrote {csv_file}")


def run():
    """Entry point: content errors are reports, and even a bug prints one line, not a traceback."""
    try:
        code = main.main(prog_name="yunzhao", standalone_mode=False)
    except click.UsageError as exc:
        # One line with what to do, instead of click's usage block (staff read the last line).
        where = exc.ctx.command_path if exc.ctx is not None else "yunzhao"
        message = " ".join(exc.format_message().split())
        click.echo(f"{where}: {message} (see {where} --help)", err=True)
        _leave(2)
    except click.ClickException as exc:
        click.echo(f"yunzhao: {' '.join(exc.format_message().split())}", err=True)
        _leave(exc.exit_code)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            _leave(exc.code or 0)
        raise
    except (KeyboardInterrupt, click.Abort):
        click.echo("interrupted; output/ is unchanged", err=True)
        _leave(130)
    except Exception as exc:  # a bug in yunzhao, not in the content
        if os.environ.get("YUNZHAO_DEBUG"):
            raise
        click.echo(f"yunzhao: internal error: {type(exc).__name__}: {exc} "
                   "(output/ is unchanged; run with YUNZHAO_DEBUG=1 for details and report it)", err=True)
        _leave(3)
    _leave(code if isinstance(code, int) else 0)


def _leave(code: int) -> None:
    """Exit now. Everything is written and closed by then; what is left is freeing the site's
    model (hundreds of thousands of objects in a large site) one object at a time, which took a
    sixth of an incremental build at 10,000 projects: the system frees the memory at once."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
