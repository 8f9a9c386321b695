"""The rule-based extractor, one phenomenon per test: who (places needing context, companies
through products and roles), when (absolute, seasonal, relative to the publication date or to
an earlier date in the article), for how long, and what is not a measure at all.

Every text here is a short sentence or mini-article written for the test.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.app import Tracker
from tracker.data import Article, Fact
from tracker.extract.extract import extract, infer_published, split_sentences
from tracker.extract.gazetteer import Gazetteer
from tracker.vocab import DateSource, MeasureKind, Scope, Status

from ..conftest import fixed_clock, pg_url

PORTLAND_OR = "ocd-division/country:us/state:or/place:portland"
PORTLAND_ME = "ocd-division/country:us/state:me/place:portland"
SOMERVILLE = "ocd-division/country:us/state:ma/place:somerville"
OAKLAND = "ocd-division/country:us/state:ca/place:oakland"
SAN_FRANCISCO = "ocd-division/country:us/state:ca/place:san_francisco"
DETROIT = "ocd-division/country:us/state:mi/place:detroit"
NEW_ORLEANS = "ocd-division/country:us/state:la/place:new_orleans"
VERMONT = "ocd-division/country:us/state:vt"
VIRGINIA = "ocd-division/country:us/state:va"
MARYLAND = "ocd-division/country:us/state:md"
MASSACHUSETTS = "ocd-division/country:us/state:ma"

#: A Tuesday.
PUB = dt.date(2021, 6, 15)


@pytest.fixture(scope="module")
def gazetteer(_template: str) -> Gazetteer:
    """The seeded reference data, loaded once for the module from the template database (the
    gazetteer is in memory: the session is closed before the tests run)."""
    url = _template if pg_url() else f"sqlite:///{_template}"
    with Tracker(url, clock=fixed_clock) as t, t.sessions() as session:
        return Gazetteer.load(session)


def run(
    gazetteer: Gazetteer, text: str, *, published: dt.date | None = PUB, title: str | None = None
) -> list[Fact]:
    article = Article(
        text=text,
        title=title,
        published=published,
        published_how=DateSource.STATED if published else DateSource.UNKNOWN,
    )
    return extract(article, gazetteer)


def brief(fact: Fact) -> tuple[str, str, str | None]:
    return fact.subject.key, fact.status.value, fact.date.iso() if fact.date else None


def briefs(facts: list[Fact]) -> list[tuple[str, str, str | None]]:
    return sorted({brief(f) for f in facts}, key=str)


def only(facts: list[Fact]) -> Fact:
    assert len(facts) == 1, [brief(f) for f in facts]
    return facts[0]


# -- places that need context ----------------------------------------------------------------
@pytest.mark.parametrize(("state", "expected"), [("Maine", PORTLAND_ME), ("Oregon", PORTLAND_OR)])
def test_portland_alone_takes_the_state_named_once_at_the_top(
    gazetteer: Gazetteer, state: str, expected: str
) -> None:
    text = (
        f"Lawmakers across {state} have argued about police surveillance for two years.\n\n"
        "The hearing ran late into the night. Dozens of residents spoke.\n\n"
        "On a 9-0 vote in August 2020, Portland's council banned facial recognition by city staff."
    )
    assert briefs(run(gazetteer, text)) == [(expected, "enacted", "2020-08")]


def test_the_oregon_and_maine_cities_of_portland_are_two_subjects(gazetteer: Gazetteer) -> None:
    text = "The Oregon and Maine cities of Portland both banned facial recognition by city agencies in 2020."
    assert briefs(run(gazetteer, text)) == [
        (PORTLAND_ME, "enacted", "2020"),
        (PORTLAND_OR, "enacted", "2020"),
    ]


def test_portland_comma_maine_is_one_subject_in_maine(gazetteer: Gazetteer) -> None:
    text = "In August 2020 the council of Portland, Maine, voted to ban facial recognition by city departments."
    assert briefs(run(gazetteer, text)) == [(PORTLAND_ME, "enacted", "2020-08")]


def test_the_city_refers_back_to_the_last_place(gazetteer: Gazetteer) -> None:
    text = (
        "Officials in Somerville, Massachusetts, spent the spring studying police surveillance tools.\n\n"
        "In June 2019 the city banned facial recognition by its departments."
    )
    fact = only(run(gazetteer, text))
    assert brief(fact) == (SOMERVILLE, "enacted", "2019-06")


def test_the_state_refers_back_to_the_last_state(gazetteer: Gazetteer) -> None:
    text = (
        "Vermont legislators spent months on a police reform package.\n\n"
        "In October 2020 the state imposed a moratorium on facial recognition use by police."
    )
    fact = only(run(gazetteer, text))
    assert brief(fact) == (VERMONT, "enacted", "2020-10")
    assert fact.kind is MeasureKind.MORATORIUM
    assert fact.scope == Scope.POLICE.value


# -- companies through products and roles ------------------------------------------------------
def test_a_product_name_stands_for_its_company(gazetteer: Gazetteer) -> None:
    fact = only(
        run(gazetteer, "Sales of Rekognition to police were paused for a year in June 2020.")
    )
    assert brief(fact) == ("amazon", "enacted", "2020-06")
    assert fact.kind is MeasureKind.MORATORIUM
    assert fact.scope == Scope.SALES_TO_POLICE.value


@pytest.mark.parametrize("role", ["the company", "the tech giant", "the online retailer"])
def test_a_role_refers_back_to_the_last_company(gazetteer: Gazetteer, role: str) -> None:
    text = (
        "Amazon, based in Seattle, faced months of protests from its own employees.\n\n"
        f"In June 2020 {role} announced a one-year moratorium on police use of its facial recognition software."
    )
    fact = only(run(gazetteer, text))
    assert brief(fact) == ("amazon", "enacted", "2020-06")


# -- machine-spun paraphrase -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected", "scope"),
    [
        (
            "Boston's city council voted on June 24, 2020 to ban facial acknowledgment by city agencies.",
            ("ocd-division/country:us/state:ma/place:boston", "enacted", "2020-06-24"),
            Scope.GOVERNMENT,
        ),
        (
            "The Minneapolis council voted to ban facial acknowledgment by legislation enforcement in February 2021.",
            ("ocd-division/country:us/state:mn/place:minneapolis", "enacted", "2021-02"),
            Scope.POLICE,
        ),
        (
            "Berkeley's town board voted to disallow facial acknowledgment by city divisions on Could 14, 2019.",
            ("ocd-division/country:us/state:ca/place:berkeley", "enacted", "2019-05-14"),
            Scope.GOVERNMENT,
        ),
        (
            "Oakland's council voted to ban facial recognition technology by city agencies in Could 2019.",
            (OAKLAND, "enacted", "2019-05"),
            Scope.GOVERNMENT,
        ),
        (
            "IBM said in June 2020 it would no longer offer facial acknowledgment or computerized reasoning software for mass surveillance.",
            ("ibm", "enacted", "2020-06"),
            Scope.GENERAL,
        ),
    ],
    ids=[
        "facial-acknowledgment",
        "legislation-enforcement",
        "could-day-year",
        "could-year",
        "computerized-reasoning",
    ],
)
def test_spun_paraphrase_is_read_as_the_original(
    gazetteer: Gazetteer, text: str, expected: tuple[str, str, str], scope: Scope
) -> None:
    fact = only(run(gazetteer, text))
    assert brief(fact) == expected
    assert fact.scope == scope.value


# -- dates -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("on March 2, 2021", "2021-03-02"),
        ("in February 2021", "2021-02"),
        ("in 2020", "2020"),
        ("in the summer of 2020", "2020-06"),
        ("in fall 2020", "2020-09"),
        ("last year", "2020"),
        ("this month", "2021-06"),
        ("last June", "2020-06"),
        ("last summer", "2020-06"),
        ("on Tuesday", "2021-06-15"),
        ("on Monday", "2021-06-14"),
        ("on Wednesday", "2021-06-09"),
    ],
)
def test_dates_absolute_and_relative_to_publication(
    gazetteer: Gazetteer, when: str, expected: str
) -> None:
    text = f"Detroit's council voted {when} to ban facial recognition by police."
    fact = only(run(gazetteer, text, published=PUB))
    assert brief(fact) == (DETROIT, "enacted", expected)


def test_late_2020_does_not_start_in_january(gazetteer: Gazetteer) -> None:
    fact = only(
        run(gazetteer, "Detroit's council voted in late 2020 to ban facial recognition by police.")
    )
    assert fact.date is not None
    assert fact.date.start >= dt.date(2020, 9, 1)
    assert fact.date.last == dt.date(2020, 12, 31)


def test_the_day_after_a_dated_pledge(gazetteer: Gazetteer) -> None:
    text = "Microsoft stopped selling facial recognition to police the day after Amazon's June 10 pledge."
    fact = only(run(gazetteer, text, published=dt.date(2020, 6, 20)))
    assert brief(fact) == ("microsoft", "enacted", "2020-06-11")
    assert fact.scope == Scope.SALES_TO_POLICE.value


@pytest.mark.parametrize(
    ("later", "company", "expected"),
    [
        (
            "Two days later, Amazon announced a one-year moratorium on police use of Rekognition.",
            "amazon",
            "2020-06-10",
        ),
        (
            "A day later, Microsoft said it would not sell facial recognition to police.",
            "microsoft",
            "2020-06-09",
        ),
    ],
)
def test_days_later_counts_from_the_last_stated_date(
    gazetteer: Gazetteer, later: str, company: str, expected: str
) -> None:
    text = f"On June 8, 2020, IBM said it would exit the facial recognition business.\n\n{later}"
    facts = run(gazetteer, text, published=dt.date(2020, 6, 20))
    assert (company, "enacted", expected) in briefs(facts)
    assert ("ibm", "enacted", "2020-06-08") in briefs(facts)


@pytest.mark.parametrize(
    ("anchor", "follower", "earliest"),
    [
        pytest.param(
            "in May 2019",
            "Oakland banned the technology soon after.",
            dt.date(2019, 5, 1),
            id="month-trailing",
        ),
        pytest.param(
            "in May 2019",
            "Soon after, Oakland banned facial recognition by city agencies too.",
            dt.date(2019, 5, 1),
            id="month-leading",
        ),
        pytest.param(
            "on May 14, 2019",
            "Oakland banned the technology soon after.",
            dt.date(2019, 5, 14),
            id="day-trailing",
        ),
    ],
)
def test_soon_after_allows_no_day_before_the_event(
    gazetteer: Gazetteer, anchor: str, follower: str, earliest: dt.date
) -> None:
    text = f"San Francisco banned facial recognition by city agencies {anchor}.\n\n{follower}"
    facts = run(gazetteer, text, published=dt.date(2019, 8, 1))
    assert (SAN_FRANCISCO, "enacted") in {(f.subject.key, f.status.value) for f in facts}
    oakland = only([f for f in facts if f.subject.key == OAKLAND])
    assert oakland.status is Status.ENACTED
    assert oakland.date is not None
    assert oakland.date.start >= earliest
    assert oakland.date.start.month == 5


# -- durations and open ends --------------------------------------------------------------------
def test_a_one_year_moratorium_sets_its_end(gazetteer: Gazetteer) -> None:
    text = "Amazon placed a one-year moratorium on police use of Rekognition in June 2020."
    fact = only(run(gazetteer, text))
    assert brief(fact) == ("amazon", "enacted", "2020-06")
    assert fact.kind is MeasureKind.MORATORIUM
    assert fact.duration_months == 12
    assert fact.end is not None and fact.end.iso() == "2021-06"


@pytest.mark.parametrize(
    "open_end", ["until further notice", "indefinitely", "until additional notice"]
)
def test_an_extension_until_further_notice_is_open_ended(
    gazetteer: Gazetteer, open_end: str
) -> None:
    text = f"In May 2021 Amazon extended its moratorium on police use of Rekognition {open_end}."
    fact = only(run(gazetteer, text))
    assert brief(fact) == ("amazon", "extended", "2021-05")
    assert fact.open_ended is True
    assert fact.end is None
    assert fact.duration_months is None


def test_an_extension_for_another_year_keeps_its_duration(gazetteer: Gazetteer) -> None:
    text = (
        "In May 2021 Amazon extended its moratorium on police use of Rekognition for another year."
    )
    fact = only(run(gazetteer, text))
    assert brief(fact) == ("amazon", "extended", "2021-05")
    assert fact.open_ended is False
    assert fact.duration_months == 12
    assert fact.end is None  # counted from the old end, by status.state_on


@pytest.mark.parametrize(
    ("until", "end"),
    [
        ("until January 1, 2023", "2023-01-01"),
        ("until July 2022", "2022-07"),
        pytest.param(
            "until 2023",
            "2023",
        ),
    ],
)
def test_until_a_date_sets_the_end(gazetteer: Gazetteer, until: str, end: str) -> None:
    text = f"In October 2019 California imposed a moratorium on facial recognition in police body cameras {until}."
    fact = only(run(gazetteer, text, published=dt.date(2020, 1, 1)))
    assert brief(fact) == ("ocd-division/country:us/state:ca", "enacted", "2019-10")
    assert fact.scope == Scope.BODY_CAMERAS.value
    assert fact.end is not None and fact.end.iso() == end


# -- things that are not measures ------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Civil liberties groups say Microsoft should ban police use of its facial recognition software.",
            id="should",
        ),
        pytest.param(
            "The NAACP called on Amazon to stop selling facial recognition to police.",
            id="called-on",
        ),
        pytest.param("Activists urged Chicago to ban facial recognition by police.", id="urged"),
        pytest.param(
            "Privacy groups want Congress to ban facial recognition by federal agencies.", id="want"
        ),
        pytest.param(
            "Activists in Seattle wanted the ban on facial recognition to be permanent.",
            id="permanent",
        ),
        pytest.param(
            "Residents of Austin hope the city council will ban facial recognition this year.",
            id="hope",
        ),
        pytest.param(
            "A 2019 study by researchers found that facial recognition systems misidentify darker-skinned women far more often.",
            id="research",
        ),
        pytest.param(
            "Researchers at MIT found that Rekognition misread the gender of darker-skinned women.",
            id="research-product",
        ),
        pytest.param(
            "IBM spent $5 million lobbying on facial recognition and other issues in 2020.",
            id="lobbying",
        ),
        pytest.param(
            "Detroit signed a contract with a facial recognition vendor in 2017.", id="contract"
        ),
        pytest.param(
            "Detroit renewed its contract for facial recognition software in September 2020.",
            id="contract-renewed",
        ),
        pytest.param(
            "Microsoft and the Chicago police department announced a partnership on facial recognition in March 2021.",
            id="partnership",
        ),
        pytest.param(
            '"Face surveillance is dangerous and should be banned everywhere," said the mayor of Boston.',
            id="quote",
        ),
        pytest.param(
            "Atlanta police used facial recognition to identify a suspect in March 2021.", id="use"
        ),
    ],
)
def test_demands_hopes_findings_and_deals_are_not_measures(gazetteer: Gazetteer, text: str) -> None:
    assert run(gazetteer, text) == []


def test_a_demand_after_a_ban_adds_nothing(gazetteer: Gazetteer) -> None:
    text = (
        "Oakland's council voted to ban facial recognition by city agencies in July 2019.\n\n"
        "Activists wanted the ban to be permanent. Some residents hope the ban will be extended "
        "to private businesses."
    )
    assert briefs(run(gazetteer, text)) == [(OAKLAND, "enacted", "2019-07")]


# -- statuses ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "A bill that would have banned police use of facial recognition in Maryland did not pass in 2021.",
            (MARYLAND, "failed", "2021"),
        ),
        (
            "The Maryland bill banning facial recognition by police died in committee in April 2021.",
            (MARYLAND, "failed", "2021-04"),
        ),
    ],
)
def test_a_bill_that_did_not_pass_failed(gazetteer: Gazetteer, text: str, expected: tuple) -> None:
    assert briefs(run(gazetteer, text)) == [expected]


def test_voting_to_reverse_a_ban_is_a_repeal(gazetteer: Gazetteer) -> None:
    text = (
        "New Orleans banned facial recognition by city agencies in December 2020.\n\n"
        "In July 2022 the city council voted to reverse its ban, allowing police to use the technology."
    )
    facts = run(gazetteer, text, published=dt.date(2023, 3, 1))
    assert {brief(f) for f in facts} == {
        (NEW_ORLEANS, "enacted", "2020-12"),
        (NEW_ORLEANS, "repealed", "2022-07"),
    }


def test_expired_on_a_date(gazetteer: Gazetteer) -> None:
    text = "Virginia's moratorium on facial recognition by local police expired on January 1, 2023."
    fact = only(run(gazetteer, text, published=dt.date(2023, 3, 1)))
    assert brief(fact) == (VIRGINIA, "expired", "2023-01-01")
    assert fact.kind is MeasureKind.MORATORIUM


def test_introducing_a_bill_that_would_ban_is_a_proposal(gazetteer: Gazetteer) -> None:
    text = "Massachusetts lawmakers introduced a bill in January 2021 that would ban facial recognition by state agencies."
    fact = only(run(gazetteer, text))
    assert brief(fact) == (MASSACHUSETTS, "proposed", "2021-01")


def test_took_effect_is_in_force(gazetteer: Gazetteer) -> None:
    text = "Portland's ban on facial recognition in stores took effect on January 1, 2021."
    fact = only(run(gazetteer, text, published=dt.date(2021, 1, 5)))
    assert brief(fact) == (PORTLAND_OR, "in_force", "2021-01-01")
    assert fact.scope == Scope.PRIVATE.value


# -- undated articles, headlines and duplicates --------------------------------------------------
UNDATED = (
    "Boulder voted last year to ban facial recognition by city agencies. "
    "Pueblo banned facial recognition by police on March 3, 2021."
)


def test_undated_article_keeps_relative_dates_unknown(gazetteer: Gazetteer) -> None:
    assert briefs(run(gazetteer, UNDATED, published=None)) == [
        ("ocd-division/country:us/state:co/place:boulder", "enacted", None),
        ("ocd-division/country:us/state:co/place:pueblo", "enacted", "2021-03-03"),
    ]


def test_an_inferred_publication_date_does_not_resolve_relative_dates(gazetteer: Gazetteer) -> None:
    article = infer_published(Article(text=UNDATED))
    assert article.published == dt.date(2021, 3, 3)
    assert article.published_how is DateSource.INFERRED
    boulder = [f for f in extract(article, gazetteer) if "boulder" in f.subject.key]
    assert [brief(f) for f in boulder] == [
        ("ocd-division/country:us/state:co/place:boulder", "enacted", None)
    ]


def test_infer_published_keeps_a_stated_date() -> None:
    article = Article(text=UNDATED, published=PUB, published_how=DateSource.STATED)
    assert infer_published(article) == article


@pytest.mark.parametrize(
    "body",
    [
        "Somerville's council voted on June 27, 2019 to ban facial recognition by city agencies.",
        "Somerville's council voted on Thursday to ban facial recognition by city agencies.",
    ],
)
def test_headline_and_body_reporting_one_event_give_one_fact(
    gazetteer: Gazetteer, body: str
) -> None:
    facts = run(
        gazetteer, body, title="Somerville bans facial recognition", published=dt.date(2019, 6, 28)
    )
    assert [brief(f) for f in facts] == [(SOMERVILLE, "enacted", "2019-06-27")]


def test_a_date_prefix_in_the_headline_is_not_part_of_it(gazetteer: Gazetteer) -> None:
    facts = run(
        gazetteer,
        "The council voted on Tuesday to ban facial recognition by police.",
        title="date 2020-08-19 Jackson bans police facial recognition",
        published=dt.date(2020, 8, 19),
    )
    assert briefs(facts) == [
        ("ocd-division/country:us/state:ms/place:jackson", "enacted", "2020-08-18")
    ]


# -- sentences -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Gov. Jay Inslee signed the bill. It takes effect in July.",
            ["Gov. Jay Inslee signed the bill.", "It takes effect in July."],
        ),
        (
            "Portland, Ore. banned it. Then Maine followed.",
            ["Portland, Ore. banned it.", "Then Maine followed."],
        ),
        (
            "The panel met on Jan. 5. Nothing passed.",
            ["The panel met on Jan. 5.", "Nothing passed."],
        ),
        ("J. Smith said so. Others disagreed.", ["J. Smith said so.", "Others disagreed."]),
        ("Sales rose 3.5 percent. The end.", ["Sales rose 3.5 percent.", "The end."]),
        ("First paragraph\n\nSecond paragraph", ["First paragraph", "Second paragraph"]),
        ("- item one\n- item two", ["- item one", "- item two"]),
        ("A line that\nwraps in the middle.", ["A line that wraps in the middle."]),
        pytest.param(
            'She said "Enough." Then she left.',
            ['She said "Enough."', "Then she left."],
        ),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_following_a_leader_dates_the_leader_not_the_follower(gazetteer: Gazetteer) -> None:
    text = (
        "Somerville has banned city agencies from using facial recognition, following San "
        "Francisco's lead from last month. The city council approved the ordinance on June 27."
    )
    facts = {brief(f) for f in run(gazetteer, text, published=dt.date(2019, 6, 28))}
    assert (SAN_FRANCISCO, "enacted", "2019-05") in facts
    assert ("ocd-division/country:us/state:ma/place:somerville", "enacted", "2019-06-27") in facts
    assert not any(s.endswith("somerville") and d == "2019-05" for s, _, d in facts)


def test_a_measure_by_reference_in_a_relative_clause(gazetteer: Gazetteer) -> None:
    text = (
        "Oakland banned facial recognition on Tuesday. The Bay Area city joins San Francisco, "
        "whose supervisors took the same step in May."
    )
    facts = {brief(f) for f in run(gazetteer, text, published=dt.date(2019, 7, 17))}
    assert (SAN_FRANCISCO, "enacted", "2019-05") in facts


def test_the_day_after_someone_elses_announcement_counts_forward(gazetteer: Gazetteer) -> None:
    text = (
        "Amazon announced a one-year moratorium on police use of Rekognition on June 10, 2020. "
        "The day after Amazon's announcement, Microsoft said it would not sell facial "
        "recognition to police until a federal law is in place."
    )
    facts = {brief(f) for f in run(gazetteer, text, published=dt.date(2020, 6, 20))}
    assert ("microsoft", "enacted", "2020-06-11") in facts
