"""Extraction by meaning (issue 8): places inside other names, places resolved by context,
the legislative process, effective dates, whose act it is, elliptical reports and anchored
dates; and metamorphic tests: swapping the city, the date or the wording moves the facts with
them. Every sentence here is written for the test.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.app import Tracker
from tracker.data import Article, Fact
from tracker.extract.extract import explain, extract
from tracker.extract.gazetteer import Gazetteer
from tracker.vocab import DateSource

from ..conftest import fixed_clock, pg_url

PUB = dt.date(2021, 6, 15)  # a Tuesday
CA = "ocd-division/country:us/state:ca"
MA = "ocd-division/country:us/state:ma"
OAKLAND = f"{CA}/place:oakland"
SAN_FRANCISCO = f"{CA}/place:san_francisco"
CAMBRIDGE = f"{MA}/place:cambridge"
SOMERVILLE = f"{MA}/place:somerville"
BROOKLINE = f"{MA}/place:brookline"


@pytest.fixture(scope="module")
def gazetteer(_template: str) -> Gazetteer:
    url = _template if pg_url() else f"sqlite:///{_template}"
    with Tracker(url, clock=fixed_clock) as t, t.sessions() as session:
        return Gazetteer.load(session)


def run(gazetteer: Gazetteer, text: str, *, published: dt.date | None = PUB, title: str | None = None) -> list[Fact]:
    article = Article(text=text, title=title, published=published,
                      published_how=DateSource.STATED if published else DateSource.UNKNOWN)
    return extract(article, gazetteer)


def facts(gazetteer: Gazetteer, text: str, **kw: object) -> set[tuple[str, str, str | None]]:
    return {(f.subject.key, f.status.value, f.date.iso() if f.date else None) for f in run(gazetteer, text, **kw)}  # type: ignore[arg-type]


def subjects(gazetteer: Gazetteer, text: str, **kw: object) -> set[str]:
    return {f.subject.key for f in run(gazetteer, text, **kw)}  # type: ignore[arg-type]


# -- places inside other names ---------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "According to the Detroit Free Press, the Cambridge City Council voted on Monday to ban facial recognition.",
    "Councilor Austin Reyes said the Cambridge City Council voted on Monday to ban facial recognition.",
    "The Cambridge City Council voted on Monday to ban facial recognition, Rep. Lee Tran, D-Somerville, said.",
    "Fans of the Boston Red Sox learned that the Cambridge City Council voted on Monday to ban facial recognition.",
    "BOSTON (AP) — The Cambridge City Council voted on Monday to ban facial recognition.",
    "The Cambridge City Council voted on Monday to ban facial recognition, the ACLU of Massachusetts announced.",
])
def test_a_place_inside_another_name_is_not_that_place(gazetteer, text):
    assert facts(gazetteer, text) == {(CAMBRIDGE, "enacted", "2021-06-14")}


def test_a_dateline_is_what_the_city_and_its_council_refer_to(gazetteer):
    text = "OAKLAND, Calif. — The City Council voted on Monday to ban police use of facial recognition."
    assert facts(gazetteer, text) == {(OAKLAND, "enacted", "2021-06-14")}


@pytest.mark.parametrize(("state", "code"), [("Massachusetts", "ma"), ("Illinois", "il"), ("Missouri", "mo")])
def test_an_ambiguous_city_takes_the_state_the_article_names(gazetteer, state, code):
    text = (f"Springfield councilors voted on Monday to ban facial recognition.\n\n"
            f"A civil liberties group in {state} had asked for the ban for months.")
    assert subjects(gazetteer, text) == {f"ocd-division/country:us/state:{code}/place:springfield"}


def test_a_ranked_place_is_not_its_state(gazetteer):
    text = "Cambridge voted on Monday to ban facial recognition, becoming the fourth community in Massachusetts to do so."
    assert subjects(gazetteer, text) == {CAMBRIDGE}
    text = "Cambridge voted on Monday to ban facial recognition, becoming the fourth city in the state to take that step."
    assert subjects(gazetteer, text) == {CAMBRIDGE}


# -- the legislative process -----------------------------------------------------------------
@pytest.mark.parametrize(("text", "status"), [
    ("The Massachusetts Senate passed a bill on Monday that would ban police use of facial recognition.", "proposed"),
    ("A Massachusetts House committee advanced a bill on Monday to ban facial recognition.", "proposed"),
    ("On Monday the Massachusetts Senate approved a facial recognition ban in a first reading.", "proposed"),
    ("Massachusetts lawmakers filed two bills on Monday to limit police use of facial recognition.", "proposed"),
    ("A new bill in the Massachusetts Senate would stop police from using facial recognition.", "proposed"),
    ("Massachusetts lawmakers approved a three-year moratorium on facial recognition on Monday.", "proposed"),
    ("The Massachusetts legislature voted on Monday to send a facial recognition ban to the governor.", "proposed"),
    ("The Massachusetts governor signed a bill on Monday that limits police use of facial recognition.", "enacted"),
    ("The Massachusetts governor vetoed a bill on Monday that would have banned facial recognition.", "failed"),
])
def test_stages_of_a_bill(gazetteer, text, status):
    assert {(s, st) for s, st, _ in facts(gazetteer, text)} == {(MA, status)}


def test_a_city_council_that_moves_to_ban_has_proposed(gazetteer):
    assert {st for _, st, _ in facts(gazetteer, "The Somerville City Council moves to ban facial recognition.")} == {"proposed"}


@pytest.mark.parametrize("text", [
    "The Somerville City Council postponed its vote on a facial recognition ban until July.",
    "Somerville councilors are working on an ordinance that would ban facial recognition.",
    "An ordinance to repeal the Somerville facial recognition ban was introduced on Monday, but no vote is scheduled.",
])
def test_what_changed_nothing_is_no_fact(gazetteer, text):
    assert {st for _, st, _ in facts(gazetteer, text)} <= {"proposed"}
    assert "repealed" not in {st for _, st, _ in facts(gazetteer, text)}
    assert "enacted" not in {st for _, st, _ in facts(gazetteer, text)}


# -- effective dates -------------------------------------------------------------------------
def test_a_stated_effective_date_is_its_own_fact(gazetteer):
    text = "The Oakland City Council voted on Monday to ban facial recognition. The ban takes effect January 1, 2022."
    got = facts(gazetteer, text)
    assert (OAKLAND, "enacted", "2021-06-14") in got
    assert (OAKLAND, "in_force", "2022-01-01") in got


@pytest.mark.parametrize("text", [
    "The Oakland City Council voted on Monday to ban facial recognition. The ordinance will take effect in 30 days.",
    "The Oakland City Council voted on Monday to ban facial recognition; it takes effect in 30 days.",
])
def test_an_effective_date_counted_from_the_vote(gazetteer, text):
    assert facts(gazetteer, text) == {(OAKLAND, "enacted", "2021-06-14"), (OAKLAND, "in_force", "2021-07-14")}


def test_a_future_month_is_the_next_one(gazetteer):
    text = "The Oakland City Council voted on Monday to ban facial recognition. The ban will take effect January 1."
    assert (OAKLAND, "in_force", "2022-01-01") in facts(gazetteer, text)
    text = "Oakland will end its ban on facial recognition in March, a year after adopting it."
    assert facts(gazetteer, text) == {(OAKLAND, "repealed", "2022-03")}


def test_namesake_counties_nothing_tells_apart_are_not_guessed(gazetteer):
    assert subjects(gazetteer, "Washington County commissioners voted on Monday to ban facial recognition.") == set()
    text = "Washington County commissioners in Oregon voted on Monday to ban facial recognition."
    assert subjects(gazetteer, text) == {"ocd-division/country:us/state:or/county:washington"}


# -- whose act it is, elliptical reports, anchored dates -------------------------------------
def test_following_soon_after_is_the_same_act_no_earlier(gazetteer):
    text = "San Francisco banned city use of facial recognition in May 2019, with Oakland following soon after."
    assert facts(gazetteer, text) == {(SAN_FRANCISCO, "enacted", "2019-05"), (OAKLAND, "enacted", "2019-05")}


def test_leaders_followed_have_their_own_measures(gazetteer):
    text = "Following the lead of Brookline and Somerville, Cambridge on Monday banned facial recognition."
    got = facts(gazetteer, text)
    assert (CAMBRIDGE, "enacted", "2021-06-14") in got
    assert {s for s, st, _ in got if st == "enacted"} == {CAMBRIDGE, BROOKLINE, SOMERVILLE}


def test_following_suit_with_a_qualified_place(gazetteer):
    text = ("San Francisco banned police use of facial recognition in May 2019, with the Somerville City Council "
            "in Massachusetts following suit on June 27, 2019.")
    assert facts(gazetteer, text) == {(SAN_FRANCISCO, "enacted", "2019-05"), (SOMERVILLE, "enacted", "2019-06-27")}


def test_a_subordinate_clause_has_its_own_subject(gazetteer):
    text = "The vote came after San Francisco became the first city to ban facial recognition in May 2019."
    assert facts(gazetteer, text) == {(SAN_FRANCISCO, "enacted", "2019-05")}


def test_councilors_are_their_city_and_the_state_city_is_the_one_named(gazetteer):
    text = ("PORTLAND, Maine — The city has a new rule on facial recognition. Councilors voted Monday to ban it.\n\n"
            "Portland, Oregon, is weighing its own rules. The Oregon city voted on Wednesday to ban facial recognition.")
    got = facts(gazetteer, text)
    assert ("ocd-division/country:us/state:me/place:portland", "enacted", "2021-06-14") in got
    assert ("ocd-division/country:us/state:or/place:portland", "enacted", "2021-06-09") in got


def test_what_a_bill_says_is_not_an_event(gazetteer):
    text = "California lawmakers voted on Thursday to send the governor a bill temporarily banning facial recognition on body cameras."
    assert {st for _, st, _ in facts(gazetteer, text)} == {"proposed"}


def test_a_demand_on_a_company_is_not_its_measure(gazetteer):
    text = "In 2018, employees pushed Amazon to stop selling Rekognition to police departments."
    assert facts(gazetteer, text) == set()


def test_the_day_after_another_pledge_takes_that_date(gazetteer):
    text = ("Amazon announced a one-year moratorium on police use of Rekognition on June 10, 2020.\n\n"
            "Microsoft said it would not sell facial recognition to police the day after Amazon's pledge.")
    got = {(s, st, d) for s, st, d in facts(gazetteer, text)}
    assert ("microsoft", "enacted", "2020-06-11") in got


def test_a_sentence_that_dates_the_order_just_reported(gazetteer):
    text = ("The attorney general told every New Jersey police department to stop using Clearview's facial recognition app.\n\n"
            "The order was issued Friday.")
    assert facts(gazetteer, text) == {("ocd-division/country:us/state:nj", "enacted", "2021-06-11")}


def test_a_company_choosing_not_to_offer_it_has_a_ban(gazetteer):
    text = "Google said on Monday it had chosen not to sell general-purpose facial recognition."
    assert facts(gazetteer, text) == {("google", "enacted", "2021-06-14")}


def test_a_feed_excerpt_cut_off_after_facial(gazetteer):
    text = "Google's chief said on Monday the company had chosen not to sell general-purpose facial ..."
    assert facts(gazetteer, text) == {("google", "enacted", "2021-06-14")}


@pytest.mark.parametrize("text", [
    "Google backs the EU's proposed facial recognition ban.",
    "Microsoft disagrees with the EU facial recognition ban.",
    "House lawmakers are working on legislation that would halt police facial recognition.",
    "Congress is considering a moratorium on facial recognition.",
])
def test_stances_and_plans_are_no_facts(gazetteer, text):
    assert facts(gazetteer, text) == set()


def test_undated_stays_undated(gazetteer):
    text = "Oakland banned city use of facial recognition."
    assert facts(gazetteer, text, published=None) == {(OAKLAND, "enacted", None)}


# -- metamorphic: the facts follow the city, the date and the wording -------------------------
CITIES = [("Oakland", OAKLAND), ("Somerville", SOMERVILLE), ("Minneapolis", "ocd-division/country:us/state:mn/place:minneapolis"),
          ("Berkeley", f"{CA}/place:berkeley")]
WORDINGS = [
    "The {city} City Council voted on {when} to ban police use of facial recognition.",
    "{city} approved a ban on facial recognition on {when}.",
    "On {when}, {city} passed an ordinance banning government use of face recognition technology.",
    "{city} councilors on {when} adopted an ordinance that bars city agencies from using facial recognition.",
]
WHENS = [("June 1, 2021", "2021-06-01"), ("March 3, 2020", "2020-03-03"), ("Monday", "2021-06-14")]


@pytest.mark.parametrize(("city", "key"), CITIES)
@pytest.mark.parametrize("wording", WORDINGS)
@pytest.mark.parametrize(("when", "iso"), WHENS)
def test_metamorphic_city_date_and_wording(gazetteer, city, key, wording, when, iso):
    assert facts(gazetteer, wording.format(city=city, when=when)) == {(key, "enacted", iso)}


@pytest.mark.parametrize(("city", "key"), CITIES)
def test_metamorphic_negation_and_demand_remove_the_fact(gazetteer, city, key):
    assert facts(gazetteer, f"{city} voted on Monday to ban facial recognition.") == {(key, "enacted", "2021-06-14")}
    assert facts(gazetteer, f"Activists want {city} to ban facial recognition.") == set()
    assert {st for _, st, _ in facts(gazetteer, f"{city} voted down a ban on facial recognition on Monday.")} == {"failed"}


def test_explain_records_the_rejected_candidates(gazetteer):
    article = Article(text="Activists urged Oakland to ban facial recognition. Oakland banned it on Monday.",
                      published=PUB, published_how=DateSource.STATED)
    _, got, trace = explain(article, gazetteer)
    assert [(f.subject.key, f.date.iso()) for f in got] == [(OAKLAND, "2021-06-14")]  # type: ignore[union-attr]
    decisions = [d for s in trace.sentences for d in s.decisions]
    assert any(d.startswith("rejected 'ban'") and "demand" in d for d in decisions)
    assert any("subject Oakland" in d for d in decisions)


# -- clauses joined by "however"; laws "on the tech" ---------------------------------------------
ST = "ocd-division/country:us/state:{}"


@pytest.mark.parametrize(("state", "code", "month", "iso"), [
    ("Vermont", "vt", "March 2020", "2020-03"),
    ("Ohio", "oh", "October 2019", "2019-10"),
])
def test_however_separates_a_failed_ban_from_a_later_passed_bill(gazetteer, state, code, month, iso):
    # a spinner writes "however" for "but": two clauses, two events, each with its own date
    text = (f"The state of {state} did not pass a proposed ban in {month} however has recently "
            "passed a revised bill that places some restrictions on police use of facial recognition.")
    got = facts(gazetteer, text)
    assert (ST.format(code), "failed", iso) in got
    assert (ST.format(code), "enacted", "2021-06") in got  # "recently": bounded by publication
    # ", however," is an adverb: one clause, the negation still governs the verb
    assert {st for _, st, _ in facts(gazetteer, f"{state}, however, did not pass a ban on facial recognition in {month}.")} == {"failed"}


@pytest.mark.parametrize(("pair", "keys"), [
    ("The Oregon and Maine cities of Portland", {"ocd-division/country:us/state:or/place:portland", "ocd-division/country:us/state:me/place:portland"}),
    ("Cambridge and Somerville", {CAMBRIDGE, SOMERVILLE}),
])
@pytest.mark.parametrize("prep", ["on", "around", "governing"])
def test_laws_passed_on_the_tech_in_a_facial_recognition_article(gazetteer, pair, keys, prep):
    text = f"Several cities have turned against facial recognition. {pair} also passed laws {prep} the tech in late 2020."
    assert facts(gazetteer, text) == {(k, "enacted", "2020-10") for k in keys}
    # a law about something else is not the measure at hand
    assert facts(gazetteer, f"Several cities have turned against facial recognition. {pair} also passed laws on parking in late 2020.") == set()


# -- a company's pledge and the pledges anchored to it -------------------------------------------
@pytest.mark.parametrize(("first", "second", "third"), [
    ("Google", "IBM", "Microsoft"),
    ("Microsoft", "Amazon", "Google"),
])
@pytest.mark.parametrize(("month", "iso"), [("June 2020", "2020-06"), ("March 2019", "2019-03")])
@pytest.mark.parametrize("spun", [False, True])
def test_a_pledge_dated_by_until_when_and_two_pledges_anchored_to_it(gazetteer, first, second, third, month, iso, spun):
    # "until <date>, when ..." dates what the when-clause reports; "the day after X's pledge"
    # and an elliptical "the same week" are dated by X's pledge
    text = (
        f"{first} stood by the product until {month}, when pressure from protests led to the company "
        f"{'saying' if spun else 'announcing'} a one-year moratorium on police customers for the service. "
        f"{second} {'introduced' if spun else 'announced'} that it will also not be {'promoting' if spun else 'selling'} "
        f"its face recognition services to police the day after {first}'s pledge, and {third} "
        f"{'mentioned' if spun else 'said'} that it would stop developing facial recognition the {'identical' if spun else 'same'} week."
    )
    got = facts(gazetteer, text)
    assert got == {(c.lower(), "enacted", iso) for c in (first, second, third)}


def test_until_a_date_without_when_is_still_an_end(gazetteer):
    got = run(gazetteer, "Google imposed a moratorium on police use of facial recognition in May 2020 until June 2021.")
    assert [(f.date.iso(), f.end.iso()) for f in got] == [("2020-05", "2021-06")]  # type: ignore[union-attr]


@pytest.mark.parametrize("verb", ["said", "mentioned"])
def test_saying_a_measure_would_be_premature_is_no_fact(gazetteer, verb):
    assert facts(gazetteer, f"Google {verb} a moratorium on police use of facial recognition would be premature.") == set()


@pytest.mark.parametrize(("state", "code"), [("Vermont", "vt"), ("Ohio", "oh")])
@pytest.mark.parametrize("object_", ["some restrictions on police use of facial recognition", "several restrictions on how police use facial recognition"])
def test_a_bill_that_provides_restrictions_is_a_restriction_not_the_failed_ban(gazetteer, state, code, object_):
    text = (f"{state} did not pass a proposed ban on facial recognition in March 2020, but has recently "
            f"passed a revised bill that provides {object_}.")
    kinds = {(f.status.value, f.kind.value if f.kind else None) for f in run(gazetteer, text)}
    assert kinds == {("failed", "ban"), ("enacted", "restriction")}
    # "<place>'s restrictions on" describes a measure, it names no new kind
    assert {f.kind.value for f in run(gazetteer, f"{state} banned facial recognition in May 2020, making {state}'s restrictions on it the strictest.") if f.kind} == {"ban"}


@pytest.mark.parametrize("company", ["Google", "IBM"])
@pytest.mark.parametrize("condition", ["await federal regulation", "wait for national rules"])
def test_refusing_to_sell_until_regulation_is_a_ban_not_a_restriction(gazetteer, company, condition):
    text = (f"Several cities restricted facial recognition. {company} said last June that it would "
            f"{condition} before selling its face recognition software to police.")
    assert [(f.kind.value, f.status.value) for f in run(gazetteer, text) if f.kind] == [("ban", "enacted")]
