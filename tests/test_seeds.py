"""Reference data: distinct records for ambiguous names, and an idempotent load."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker import seeds
from tracker.extract.gazetteer import Gazetteer, resolve
from tracker.models import Company, CompanyAlias, Jurisdiction, JurisdictionAlias, Product


@pytest.fixture
def gazetteer(tracker):
    with tracker.sessions() as session:
        return Gazetteer.load(session)


@pytest.mark.parametrize(
    ("name", "ocd_id"),
    [
        ("Portland, Oregon", "ocd-division/country:us/state:or/place:portland"),
        ("Portland, Maine", "ocd-division/country:us/state:me/place:portland"),
        ("Portland, Ore.", "ocd-division/country:us/state:or/place:portland"),
        ("Portland (Maine)", "ocd-division/country:us/state:me/place:portland"),
        ("Portland, ME", "ocd-division/country:us/state:me/place:portland"),
        ("San Francisco", "ocd-division/country:us/state:ca/place:san_francisco"),
        ("Oakland", "ocd-division/country:us/state:ca/place:oakland"),
        ("Massachusetts", "ocd-division/country:us/state:ma"),
        ("Cambridge, Massachusetts", "ocd-division/country:us/state:ma/place:cambridge"),
        ("Springfield, Mass.", "ocd-division/country:us/state:ma/place:springfield"),
        ("Springfield, Illinois", "ocd-division/country:us/state:il/place:springfield"),
        ("New Orleans", "ocd-division/country:us/state:la/place:new_orleans"),
        ("New York City", "ocd-division/country:us/state:ny/place:new_york"),
        ("King County, Washington", "ocd-division/country:us/state:wa/county:king"),
        ("United States", "ocd-division/country:us"),
        ("Washington, D.C.", "ocd-division/country:us/district:dc"),
        ("Puerto Rico", "ocd-division/country:us/territory:pr"),
    ],
)
def test_names_resolve_to_their_ocd_ids(gazetteer, name, ocd_id):
    place = resolve(gazetteer, name)
    assert place is not None, name
    assert place.ocd_id == ocd_id


def test_ambiguous_names_stay_distinct_records(tracker):
    with tracker.sessions() as session:
        for name, states in [("Portland", {"OR", "ME"}), ("Springfield", {"MA", "IL", "MO"}), ("Cambridge", {"MA"})]:
            found = set(
                session.scalars(
                    select(Jurisdiction.state_code).where(
                        Jurisdiction.name == name, Jurisdiction.kind == "place"
                    )
                )
            )
            assert states <= found, (name, found)


def test_bare_name_takes_state_hint(gazetteer):
    assert resolve(gazetteer, "Portland", state_hint="ME").state_code == "ME"
    assert resolve(gazetteer, "Portland").state_code == "OR"  # the larger namesake


def test_every_state_dc_and_territories_with_parents(tracker):
    with tracker.sessions() as session:
        kinds = dict(
            session.execute(select(Jurisdiction.kind, func.count()).group_by(Jurisdiction.kind)).all()
        )
        assert kinds["state"] == 50
        assert kinds["district"] == 1
        assert kinds["territory"] == 5
        assert kinds["country"] == 1
        assert kinds["county"] > 3000
        assert kinds["place"] > 3000
        orphans = session.scalar(
            select(func.count()).select_from(Jurisdiction).where(
                Jurisdiction.parent_id.is_(None), Jurisdiction.kind != "country"
            )
        )
        assert orphans == 0
        sf = session.scalar(select(Jurisdiction).where(Jurisdiction.ocd_id.like("%place:san_francisco")))
        assert sf.parent.ocd_id == "ocd-division/country:us/state:ca"


def test_companies_with_products_and_aliases(gazetteer):
    assert gazetteer.company("Rekognition").key == "amazon"
    assert gazetteer.company("Amazon Web Services").key == "amazon"
    assert gazetteer.company("Face API").key == "microsoft"
    assert gazetteer.company("Clearview").key == "clearview-ai"
    assert gazetteer.company("Facebook").key == "meta"
    assert gazetteer.company("Nobody Inc") is None


def _counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Jurisdiction, JurisdictionAlias, Company, CompanyAlias, Product)
    )


def test_loading_twice_changes_nothing(tracker):
    with tracker.sessions() as session:
        before = _counts(session)
    report = tracker.seed()
    assert not report.changed
    with tracker.sessions.begin() as session:
        again = seeds.load_all(session)
    assert not again.changed
    with tracker.sessions() as session:
        assert _counts(session) == before
    assert before[0] > 6000


def test_ocd_name_rules():
    assert seeds.ocd_name("San Francisco") == "san_francisco"
    assert seeds.ocd_name("Coeur d'Alene") == "coeur_dalene"
    assert seeds.ocd_name("Cañon City") == "canon_city"
