"""Brochures as one language sees them, where their files are published, and the links staff send.

A brochure is a selection made for one prospective investor and sent as a link in a WeChat
chat. The link may name the staff member who sends it (`?s=<staff-id>`): the page then shows
that person's contact card instead of the brochure's default contact. Every file that belongs to
a brochure in one language lives in its folder, `<lang>/brochures/<id>/`, under a name fixed
here, so the page, the staff index, the build and `yunzhao brochure links` agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from . import deps
from . import model as m
from .i18n import Shown
from .routes import Plan
from .units import sum_money
from .views import ItemView, LangView, ProjectView, ParkView, PageView, StaffView


SHARE_DESCRIPTION = 80      # characters of a chat card's description


def sender_query(staff_id: str | None) -> str:
    return f"?s={quote(staff_id)}" if staff_id else ""


def cover_image(brochure: m.Brochure) -> str | None:
    """The brochure's cover, else the first picture of what it shows."""
    if brochure.cover:
        return brochure.cover
    for item in [*brochure.projects, *brochure.parks]:
        if item.images:
            return item.images[0]
    return None


def screen_image(item: m.Project | m.Park) -> str | None:
    """The one picture of a project's screen: its own cover, else its park's."""
    if item.images:
        return item.images[0]
    park = getattr(item, "park", None)
    return park.images[0] if park is not None and park.images else None


@dataclass
class Published:
    """Paths (relative to the site root) of the files made for one brochure in one language.

    Filled in by `brochure_files` before pages are rendered; templates read it through
    `BrochureView.files`.
    """
    folder: str
    brochure_id: str
    share: str | None = None                  # square share picture (language-independent)
    cover_phone: str | None = None            # the cover cropped for a phone screen
    cover: str | None = None                  # the cover as written (content path; renditions in images)
    pdf: str | None = None                    # only when PDFs are built
    pdf_pages: list[str] = field(default_factory=list)
    posters: bool = False

    def qr(self, staff_id: str | None = None) -> str:
        return self.folder + (f"qr-{staff_id}.svg" if staff_id else "qr.svg")

    def poster(self, staff_id: str) -> str:
        return self.folder + f"poster-{staff_id}.jpg"

    def pdf_name(self) -> str:
        return self.folder + f"{self.brochure_id}.pdf"

    def pdf_page(self, number: int) -> str:
        return self.folder + f"{self.brochure_id}-page-{number:02d}.jpg"


class BrochureView(ItemView):
    kind = "brochure"

    @cached_property
    def dep_keys(self) -> tuple[str, ...]:
        # Few pages show a brochure, so it depends on everything it reaches through the model.
        b = self.model
        return (deps.key("brochure", b.id), deps.key("brochure-files", b.id), "list:staff",
                *(deps.key("project", p.id) for p in b.projects),
                *(deps.key("park", p.park.id) for p in b.projects if p.park is not None),
                *(deps.key("park", p.id) for p in b.parks), *(deps.key("page", p.id) for p in b.pages))

    @cached_property
    def title(self) -> Shown:
        return self.text("title")

    @cached_property
    def subtitle(self) -> Shown:
        return self.text("subtitle")

    @cached_property
    def projects(self) -> list[ProjectView]:
        return self.lv.projects_of(self.model.projects)

    @cached_property
    def parks(self) -> list[ParkView]:
        return [self.lv.park(p) for p in self.model.parks]

    @cached_property
    def pages(self) -> list[PageView]:
        return [self.lv.page(p) for p in self.model.pages]

    @cached_property
    def contact(self) -> StaffView:
        return self.lv.staff(self.model.contact or self.lv.model.contact)

    @cached_property
    def senders(self) -> list[StaffView]:
        """Every staff member who may send this brochure; the default contact first."""
        others = [s for s in self.lv.model.staff if s is not self.contact.model]
        return [self.contact] + [self.lv.staff(s) for s in others]

    @cached_property
    def files(self) -> Published:
        return self.lv.brochure_files.get(self.id) or Published(self.url, self.id)

    def link(self, staff: StaffView | None = None) -> str:
        """The site-root path a staff member sends (without ?s= for the default contact)."""
        return self.url + sender_query(staff.id if staff is not None else None)

    @cached_property
    def totals(self) -> list[m.Money]:
        totals = sum_money(p.investment for p in self.model.projects)
        return [totals[c] for c in sorted(totals, key=lambda c: (c != "CNY", c))]

    @cached_property
    def figures(self) -> list[tuple[str, str, str]]:
        """(number, unit, label) for the cover and the poster: projects, total investment, parks."""
        s = self.lv.strings["brochure"]
        count_unit = s["count_unit"]
        out = [(str(len(self.model.projects)), count_unit, s["figure_projects"])]
        if self.totals:
            number, unit = self.totals[0].parts(self.lv.lang)
            label = s["figure_total"]
            if len(self.totals) > 1:
                label += " + " + " + ".join(t.format(self.lv.lang) for t in self.totals[1:])
            out.append((number, unit, label))
        if self.model.parks:
            out.append((str(len(self.model.parks)), count_unit, s["figure_parks"]))
        return out

    @cached_property
    def share_title(self) -> str:
        """The title a chat list shows: the brochure's own, without the site's name."""
        return self.title.text

    @cached_property
    def share_description(self) -> str:
        """One line under the title in a chat card: the subtitle, or the key figures."""
        if self.subtitle:
            text = self.subtitle.text
        else:
            text = " · ".join(f"{n}{'' if self.lv.lang != 'en' else ' '}{u} {label}".strip()
                              for n, u, label in self.figures)
        # A chat card shows two short lines at most; cut long subtitles rather than let WeChat do it.
        return text if len(text) <= SHARE_DESCRIPTION else text[:SHARE_DESCRIPTION - 1].rstrip() + "…"

    def screen_image(self, item):
        """The one picture on an item's screen, as published (see images.py), or None."""
        return self.lv.image(screen_image(item.model))

    @cached_property
    def cover(self):
        return self.lv.image(self.files.cover)


def view(lv: LangView, brochure: m.Brochure) -> BrochureView:
    return lv._view(BrochureView, brochure)


def links(site: m.Site, plan: Plan, brochure: m.Brochure) -> list[tuple[m.Staff | None, str, str]]:
    """(staff member or None for the default link, language, absolute URL) of every link to send."""
    out: list[tuple[m.Staff | None, str, str]] = []
    contact = brochure.contact or site.contact
    staff = [contact] + [s for s in site.staff if s is not contact]
    for person in [None, *staff]:
        for lang in site.languages:
            path = plan.path("brochure", lang, brochure.id)
            out.append((person, lang, plan.absolute(path) + sender_query(person.id if person else None)))
    return out


def _names(text: m.LText) -> str:
    """A name in every language it is written in, once each: 曹刚 Cao Gang."""
    seen: list[str] = []
    for value in text.values():
        if value not in seen:
            seen.append(value)
    return " ".join(seen)


def links_report(root: Path, brochure_id: str) -> str:
    """What `yunzhao brochure links` prints: each link on its own line, ready to copy."""
    from .check import check_site
    from .errors import BuildFailed, Problems, did_you_mean
    from .routes import plan_site
    problems = Problems()
    site = check_site(root, problems)
    if site is None or problems:
        raise BuildFailed(problems)
    found = {b.id: b for b in site.brochures}
    if brochure_id not in found:
        known = ", ".join(sorted(found)) or "none (add one in content/brochures/)"
        raise LookupError(f'no brochure "{brochure_id}"' + (did_you_mean(brochure_id, found) or f"; known: {known}"))
    brochure = found[brochure_id]
    plan = plan_site(site)
    width = max(len(lang) for lang in site.languages)
    lines = [f"{_names(brochure.title)} ({brochure.id})"]
    current = object()
    contact = brochure.contact or site.contact
    for person, lang, url in links(site, plan, brochure):
        if person is not current:
            current = person
            if person is None:
                lines += ["", f"default link (shows the brochure's contact, {_names(contact.name)}):"]
            else:
                role = f", {_names(person.role)}" if person.role else ""
                lines += ["", f"sent by {_names(person.name)} ({person.id}){role}:"]
        lines.append(f"  {lang:<{width}}  {url}")
    return "\n".join(lines)
