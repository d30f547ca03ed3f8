"""The `yunzhao` command: thin click commands over the build and the authoring tools."""

from __future__ import annotations

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
def build(site, out, strict):
    """Build the site into output/ (replaced whole, only if everything succeeded)."""
    from .build import build as run_build
    root = _site_root(site)
    target = Path(out) if out else root / "output"
    try:
        result = run_build(root, target, strict=strict)
    except BuildFailed as exc:
        _report_failure(exc)
        sys.exit(1)
    except OutputError as exc:
        click.echo(f"yunzhao: {exc}", err=True)
        sys.exit(2)
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    if result.lost_links:
        click.echo("these links, possibly already sent to investors, would now be 404 "
                   "(add the old ids as aliases to keep them):")
        for url in result.lost_links:
            click.echo(f"  {url}")
    _report_missing(result.missing)
    per_lang = ", ".join(f"{lang} {n}" for lang, n in sorted(result.pages.items()) if lang)
    click.echo(f"built {sum(result.pages.values())} pages ({per_lang}), {result.images} images "
               f"into {target} in {result.seconds:.1f} s")


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


def run():
    """Entry point: content errors are reports, and even a bug prints one line, not a traceback."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("interrupted; output/ is unchanged", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug in yunzhao, not in the content
        if os.environ.get("YUNZHAO_DEBUG"):
            raise
        click.echo(f"yunzhao: internal error: {type(exc).__name__}: {exc} "
                   "(output/ is unchanged; run with YUNZHAO_DEBUG=1 for details and report it)", err=True)
        sys.exit(3)


if __name__ == "__main__":
    run()
