"""Builders for the curation tests: the sample corpus in a database, the CLI with a fixed
clock, and look-ups of facts by what they say rather than by id."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import cli as cli_module
from tracker.app import Tracker
from tracker.commands import options
from tracker.models import Jurisdiction, Measure, Source, StatusChange

from ..conftest import ROOT, fixed_clock

SEEDS = ROOT / "seeds" / "articles"
#: An article (own words) that misreports Portland, Oregon's private-use ban as Portland, Maine's:
#: the wrong fact a reviewer rejects or corrects. The extractor reads it right; the text is wrong.
MISREPORT = Path(__file__).resolve().parent / "data" / "misreport-portland-maine.txt"


@pytest.fixture
def fixed_cli(monkeypatch):
    """Commands run with the tests' fixed clock."""
    monkeypatch.setattr(options, "make_tracker", functools.partial(Tracker, clock=fixed_clock))


def run(db_url: str, *args: str, input: str | None = None, ok: bool = True):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli_module.cli, ["--database", db_url, *args], input=input, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def run_json(db_url: str, *args: str):  # type: ignore[no-untyped-def]
    return json.loads(run(db_url, *args, "--format", "json").output)


def facts_of(tracker: Tracker, ocd_id: str, scope: str | None = None, source_like: str | None = None) -> list[int]:
    """Ids of the extracted facts about a jurisdiction (optionally one scope, one source)."""
    with tracker.sessions() as session:
        query = (
            select(StatusChange.id)
            .join(Measure, StatusChange.measure_id == Measure.id)
            .join(Jurisdiction, Measure.jurisdiction_id == Jurisdiction.id)
            .where(Jurisdiction.ocd_id == ocd_id)
            .order_by(StatusChange.id)
        )
        if scope:
            query = query.where(Measure.scope == scope)
        if source_like:
            query = query.join(Source, StatusChange.source_id == Source.id).where(Source.path.like(f"%{source_like}%"))
        return list(session.scalars(query))


PORTLAND_ME = "ocd-division/country:us/state:me/place:portland"
PORTLAND_OR = "ocd-division/country:us/state:or/place:portland"
SAN_FRANCISCO = "ocd-division/country:us/state:ca/place:san_francisco"
PRIVATE = "private use in public places"


def subjects(report: dict) -> set[tuple[str, str, str]]:
    return {(m["subject"]["name"], m["measure"]["scope"], m["status"]) for m in report["measures"]}
