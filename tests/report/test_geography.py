"""Jurisdictions by the names people write, roll-ups with --within, grouped by level."""

from __future__ import annotations

import pytest

from tracker import geography
from tracker.errors import NotFoundError

from ..curate.helpers import SEEDS, fixed_cli, run, run_json, subjects  # noqa: F401


@pytest.mark.parametrize(("name", "ocd_id"), [
    ("Massachusetts", "ocd-division/country:us/state:ma"),
    ("MA", "ocd-division/country:us/state:ma"),
    ("Mass.", "ocd-division/country:us/state:ma"),
    ("Portland, ME", "ocd-division/country:us/state:me/place:portland"),
    ("Portland, Maine", "ocd-division/country:us/state:me/place:portland"),
    ("Portland, Ore.", "ocd-division/country:us/state:or/place:portland"),
    ("portland, oregon", "ocd-division/country:us/state:or/place:portland"),
    ("City of Boston", "ocd-division/country:us/state:ma/place:boston"),
    ("King County, Wash.", "ocd-division/country:us/state:wa/county:king"),
    ("Teaneck, N.J.", "ocd-division/country:us/state:nj/place:teaneck"),
    ("Washington", "ocd-division/country:us/state:wa"),  # the state outranks towns of that name
    ("Washington, D.C.", "ocd-division/country:us/district:dc"),
    ("ocd-division/country:us/state:or", "ocd-division/country:us/state:or"),
])
def test_names_people_write(tracker, name, ocd_id):
    with tracker.sessions() as session:
        assert geography.resolve(session, name).ocd_id == ocd_id


def test_an_ambiguous_name_lists_its_candidates_with_their_states(tracker):
    with tracker.sessions() as session, pytest.raises(geography.AmbiguousNameError) as info:
        geography.resolve(session, "Portland")
    assert info.value.candidates == ["Portland, ME", "Portland, OR", "Portland, TX"]
    assert "did you mean 'Portland, ME'; 'Portland, OR'; 'Portland, TX'?" in str(info.value)


@pytest.mark.parametrize("name", ["Atlantis", "Portland, Narnia"])
def test_unknown_names(tracker, name):
    with tracker.sessions() as session, pytest.raises(NotFoundError):
        geography.resolve(session, name)


def test_within_a_state_holds_its_counties_and_cities(tracker):
    with tracker.sessions() as session:
        ma = geography.resolve(session, "MA")
        inside = geography.within(session, ma)
        boston = geography.resolve(session, "Boston, MA").id
        middlesex = geography.resolve(session, "Middlesex County, MA").id
        us = geography.resolve(session, "United States").id
        oregon = geography.resolve(session, "Oregon").id
        assert inside[ma.id] == "state" and inside[boston] == "place" and inside[middlesex] == "county"
        assert us not in inside and oregon not in inside
        assert us in geography.within(session, ma, include_federal=True)


def test_status_within_massachusetts_lists_the_state_and_its_cities(db_url, fixed_cli):  # noqa: F811
    run(db_url, "ingest", str(SEEDS))
    data = run_json(db_url, "status", "--within", "Massachusetts", "--as-of", "2021-03-01")
    assert subjects(data) == {
        ("Massachusetts", "police use", "in_force"),
        ("Boston, MA", "government use", "in_force"),
        ("Brookline, MA", "government use", "in_force"),
        ("Cambridge, MA", "government use", "in_force"),
        ("Somerville, MA", "government use", "in_force"),
    }
    table = run(db_url, "status", "--within", "Mass.", "--as-of", "2021-03-01").output
    lines = table.splitlines()
    assert lines.index("== State ==") < lines.index("Massachusetts") < lines.index("== Cities and towns ==")
    assert lines.index("== Cities and towns ==") < lines.index("Boston, MA")
    federal = run_json(db_url, "status", "--within", "MA", "--include-federal", "--all", "--as-of", "2021-06-01")
    assert ("United States", "government use", "failed") in subjects(federal)
    assert ("United States", "government use", "failed") not in subjects(
        run_json(db_url, "status", "--within", "MA", "--all", "--as-of", "2021-06-01"))
    bad = run(db_url, "status", "--include-federal", ok=False)
    assert bad.exit_code == 2 and "--include-federal goes with --within" in bad.output
    ambiguous = run(db_url, "status", "--jurisdiction", "Portland", ok=False)
    assert ambiguous.exit_code == 1
    assert ambiguous.output == "error: 'Portland' is ambiguous: did you mean 'Portland, ME'; 'Portland, OR'; 'Portland, TX'?\n"
