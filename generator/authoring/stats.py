"""`yunzhao stats`: the figures a bureau reports, from the checked site.

Projects and total investment by sector, park and status, and the projects signed this
quarter (those with a `signed:` date in it). "Today" comes from --today, else from
SOURCE_DATE_EPOCH (so tests and reproducible reports get the same answer), else the clock.
Amounts in different currencies are never added together: a total reads 215.6亿元 + 2亿美元.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from decimal import Decimal

from ..model import Project, Site
from ..units import Money, sum_money
from .textwidth import pad, width
from .vocabulary import STATUS_ZH


@dataclass
class Group:
    dimension: str        # sector, park, status, total, signed-this-quarter
    key: str              # the id ("" for totals)
    name: str             # as shown, in the site's source language
    projects: int
    investment: dict[str, Money]


@dataclass
class Stats:
    today: dt.date
    quarter: tuple[dt.date, dt.date]
    groups: list[Group]
    signed: list[Project]     # signed this quarter, by date


def today_from(option: dt.date | None) -> dt.date:
    if option is not None:
        return option
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first_month, 1)
    end = dt.date(day.year + (first_month == 10), 1 if first_month == 10 else first_month + 3, 1)
    return start, end - dt.timedelta(days=1)


def compute(site: Site, today: dt.date, catalogue: str | None = None) -> Stats:
    lang = site.source_language
    projects = [p for p in site.projects if catalogue is None or p.catalogue.id == catalogue]
    groups = [_group("total", "", "合计" if lang == "zh" else "Total", projects)]
    for sector in site.sectors:
        chosen = [p for p in projects if p.sector is sector]
        if chosen:
            groups.append(_group("sector", sector.id, _name(sector.name, lang), chosen))
    for park in site.parks:
        chosen = [p for p in projects if p.park is park]
        if chosen:
            groups.append(_group("park", park.id, _name(park.title, lang), chosen))
    no_park = [p for p in projects if p.park is None]
    if no_park:
        groups.append(_group("park", "", "（未定园区）" if lang == "zh" else "(no park)", no_park))
    for status, word in STATUS_ZH.items():
        chosen = [p for p in projects if p.status == status]
        if chosen:
            groups.append(_group("status", status, word if lang == "zh" else status, chosen))
    start, end = quarter_of(today)
    signed = sorted((p for p in projects if p.signed and start <= p.signed <= end), key=lambda p: (p.signed, p.id))
    groups.append(_group("signed-this-quarter", f"{start.year}-Q{(start.month - 1) // 3 + 1}",
                         f"{start.isoformat()} – {end.isoformat()}", signed))
    return Stats(today, (start, end), groups, signed)


def _group(dimension, key, name, projects) -> Group:
    return Group(dimension, key, name, len(projects), sum_money(p.investment for p in projects))


def _name(text, lang) -> str:
    return text.get(lang) or next(iter(text.values()), "")


def money_text(totals: dict[str, Money]) -> str:
    return " + ".join(m.format("zh") for m in totals.values()) or "0"


# ---- output ------------------------------------------------------------------------------

HEADINGS = {"total": "all projects", "sector": "by sector", "park": "by park", "status": "by status",
            "signed-this-quarter": "signed this quarter"}


def table(stats: Stats) -> str:
    names = [g.name for g in stats.groups] + [p.id for p in stats.signed]
    name_width = max(width(n) for n in names) + 2
    money_width = max([width(money_text(g.investment)) for g in stats.groups] + [10]) + 2
    lines = []
    start, end = stats.quarter
    for dimension, heading in HEADINGS.items():
        rows = [g for g in stats.groups if g.dimension == dimension]
        if dimension == "signed-this-quarter":
            heading += f" ({rows[0].key}, {start.isoformat()} – {end.isoformat()}; today is {stats.today.isoformat()})"
        lines.append(heading)
        lines.append(pad("", name_width) + pad("projects", 10, right=True) + pad("investment", money_width, True))
        for group in rows:
            name = group.name if dimension != "signed-this-quarter" else "total"
            lines.append(pad("  " + name, name_width) + pad(str(group.projects), 10, right=True)
                         + pad(money_text(group.investment), money_width, right=True))
        if dimension == "signed-this-quarter":
            for project in stats.signed:
                lines.append(f"  {project.signed.isoformat()}  {project.id}  {_name(project.title, 'zh')}  "
                             f"{project.investment.format('zh')}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def csv_text(stats: Stats) -> str:
    """One row per group; amounts as numbers in 万 (ten thousand) of each currency, as bureaus report."""
    currencies = sorted({c for g in stats.groups for c in g.investment})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["dimension", "id", "name", "projects", "investment"]
                    + [f"{c} (万)" for c in currencies])
    for g in stats.groups:
        writer.writerow([g.dimension, g.key, g.name, g.projects, money_text(g.investment)]
                        + [_wan(g.investment.get(c)) for c in currencies])
    return "\ufeff" + buffer.getvalue()      # the BOM makes Excel read UTF-8


def _wan(money: Money | None) -> str:
    if money is None:
        return "0"
    value = (money.amount / Decimal(10000)).normalize()
    return format(value, "f")
