"""What a build reports: pages per language, images, missing translations, what it changed.

Kept apart from build.py so that the no-change fast path (cache.quick_check) can answer without
importing the renderer, Jinja, Pillow and the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class BuildResult:
    pages: dict[str, int] = field(default_factory=dict)     # per language ("" for shared files)
    missing: dict[str, list[str]] = field(default_factory=dict)
    lost_links: list[str] = field(default_factory=list)    # served once, not now (see output.py)
    lost_before: list[str] = field(default_factory=list)   # of which already lost at the last build
    warnings: list = field(default_factory=list)
    images: int = 0              # images of content published
    images_processed: int = 0    # of which worked on in this build
    images_cached: int = 0       # of which taken from the image cache
    posters: int = 0             # brochure posters drawn
    pdfs: int = 0                # brochure PDFs written
    seconds: float = 0.0
    unchanged: bool = False      # nothing changed since the last build: output/ was kept
    rendered: int | None = None  # pages rendered, when the build started from the last one's record
    written: int = 0             # files written or deleted in output/
    full_because: str = ""       # why every page was rendered although output/ existed
    changed: set[str] | None = None   # files written or deleted by an incremental build

    # What a later build with no change reports again (see cache.py).
    REMEMBERED = ("pages", "missing", "warnings", "images", "posters", "pdfs", "lost_links")

    def summary(self) -> dict:
        return {name: ([str(w) for w in self.warnings] if name == "warnings" else getattr(self, name))
                for name in self.REMEMBERED}
