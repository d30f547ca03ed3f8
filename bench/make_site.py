#!/usr/bin/env python3
"""Write a yunzhao site from the peer benchmark's records, so all tools build the same content.

    python3 bench/make_site.py --n 10000 --out /tmp/bench/yunzhao-10000

The records, titles and bodies come from ../shared/bench/make_corpus.py (imported, not copied):
project i is the same project for Hugo, Eleventy, Pelican and yunzhao. Only the form is ours:
catalogues of 1,000 projects each, park profiles with English translations, sectors, one staff
member. Languages are zh and en, as for the peers (zh-Hant would add a third tree).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"
sys.path.insert(0, str(SHARED))
import make_corpus as corpus  # noqa: E402  (the shared generator, used in place)

STATUS = {"签约": "signed", "在建": "under-construction", "试生产": "operating", "投产": "operating",
          "前期": "seeking"}


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line if line else "" for line in text.rstrip("\n").split("\n"))


def project_yaml(rec: dict) -> str:
    amount_wan = round(rec["nums"]["inv"] * 100)          # million yuan → 万元
    park_index = [p[0] for p in corpus.PARKS].index(rec["park"])
    return "\n".join([
        f"  - id: {rec['slug']}",
        f"    title: {{zh: {q(corpus.project_title(rec, 'zh'))}, en: {q(corpus.project_title(rec, 'en'))}}}",
        f"    sector: {rec['sector']}",
        f"    park: park-{park_index:03d}",
        f"    investment: {amount_wan}万元",
        f"    status: {STATUS[rec['status'][0]]}",
        f"    summary: {{zh: {q(corpus._fill(corpus.ZH_SENTENCES[rec['sent'][0]], rec, 'zh'))}, "
        f"en: {q(corpus._fill(corpus.EN_SENTENCES[rec['sent'][0]], rec, 'en'))}}}",
        "    description:",
        f"      zh: {block(corpus.project_body(rec, 'zh'), 8)}",
        f"      en: {block(corpus.project_body(rec, 'en'), 8)}",
    ]) + "\n"


def write_site(n: int, out: Path, languages: str) -> None:
    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    (content / "data").mkdir(parents=True)
    (content / "site.yaml").write_text(
        "title: {zh: 投资项目库, en: Investment Projects}\n"
        f"languages: [{languages}]\n"
        "base_url: https://invest.example.gov.cn/bench/\ncontact: bench\n", "utf-8")
    (content / "data" / "sectors.yaml").write_text("".join(
        f"- id: {key}\n  name: {{zh: {zh}, en: {q(en)}}}\n" for key, zh, en in corpus.SECTORS), "utf-8")
    (content / "data" / "staff.yaml").write_text(
        "- id: bench\n  name: {zh: 王明, en: Wang Ming}\n  phone: \"+86 10 0000 0000\"\n", "utf-8")
    parks = content / "parks"
    parks.mkdir()
    for j in range(max(corpus.n_parks(n), len(corpus.PARKS))):
        park = corpus.park_record(j)
        industries = ", ".join(s[0] for s in park["secs"])
        (parks / f"park-{j:03d}.md").write_text(
            f"---\ntitle: {q(corpus.park_title(park, 'zh'))}\nindustries: [{industries}]\n"
            f"area: {park['nums']['area']}平方公里\n---\n\n{corpus.park_body(park, 'zh')}", "utf-8")
        (parks / f"park-{j:03d}.en.md").write_text(
            f"---\ntitle: {q(corpus.park_title(park, 'en'))}\n---\n\n{corpus.park_body(park, 'en')}", "utf-8")
    projects = content / "projects"
    projects.mkdir()
    for start in range(0, n, 1000):
        with open(projects / f"batch-{start // 1000:02d}.yaml", "w", encoding="utf-8") as f:
            f.write(f"catalogue:\n  title: {{zh: 项目批次{start // 1000 + 1}, en: Batch {start // 1000 + 1}}}\n"
                    "projects:\n")
            for i in range(start + 1, min(n, start + 1000) + 1):
                f.write(project_yaml(corpus.project_record(i)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--languages", default="zh, en", help='e.g. "zh, en, zh-Hant"')
    args = parser.parse_args()
    write_site(args.n, args.out, args.languages)


if __name__ == "__main__":
    main()
