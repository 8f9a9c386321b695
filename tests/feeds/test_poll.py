"""Polling feeds served by a real HTTP server on 127.0.0.1: every feed format, conditional GET,
redirects, HTTP errors and backoff, limits, hostile content, entry identity and updates."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os

import pytest
from sqlalchemy import select

from tracker import feeds
from tracker.feeds.data import FeedOutcome
from tracker.models import Feed, IngestRun, Source, StatusChange

from .data.builders import DATA, SMALL_CAP, count, feed_row, item, rss

pytest_plugins = ["tests.feeds.data.fixtures"]

OAKLAND = (
    "The Oakland City Council voted on July 16, 2019 to ban city agencies from using facial "
    "recognition technology."
)


def poll_one(tracker, feed_id: int, **options) -> FeedOutcome:
    summary = feeds.poll(tracker, feed_ids=[feed_id], **options)
    [outcome] = summary.outcomes
    return outcome


def sources(tracker, feed_id: int | None = None) -> list[Source]:
    with tracker.sessions() as session:
        query = select(Source).order_by(Source.id)
        if feed_id is not None:
            query = query.where(Source.feed_id == feed_id)
        return list(session.scalars(query))


# -- formats ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["rss091.xml", "rss092.xml", "rss10.rdf", "rss20.xml", "atom10.xml"])
def test_every_format_is_ingested(ftracker, server, name):
    url = server.route(f"/{name}", (DATA / name).read_bytes(), headers={"Content-Type": "application/xml"})
    feed = feeds.add_feed(ftracker, url)
    expected = json.loads((DATA / f"{name}.expected.json").read_text())["entries"]

    outcome = poll_one(ftracker, feed.id)

    assert (outcome.result, outcome.status, outcome.new, outcome.failed) == ("new", 200, len(expected), 0)
    stored = sources(ftracker, feed.id)
    assert [(s.entry_id, s.title, s.published_date) for s in stored] == [
        (e["entry_id"], e["title"], dt.date.fromisoformat(e["published"]) if e["published"] else None)
        for e in expected
    ]
    assert [s.text for s in stored] == [e["text"] for e in expected]
    assert all(s.published_how == ("metadata" if s.published_date else "unknown") or s.published_how == "inferred" for s in stored)
    assert {s.publisher for s in stored} == {json.loads((DATA / f"{name}.expected.json").read_text())["title"]}


# -- conditional GET, schedule ---------------------------------------------------------------
def test_conditional_get_turns_into_304(ftracker, server, clock):
    modified = "Mon, 01 Mar 2021 09:00:00 GMT"
    url = server.route("/a.xml", rss(item(1), item(2)), etag='"v1"', last_modified=modified)
    feed = feeds.add_feed(ftracker, url)
    assert poll_one(ftracker, feed.id).new == 2

    clock.advance(hours=1)
    outcome = poll_one(ftracker, feed.id)

    assert (outcome.result, outcome.status, outcome.new, outcome.unchanged) == ("unchanged", 304, 0, 0)
    first, second = server.seen("/a.xml")
    assert "if-none-match" not in first.headers
    assert second.headers["if-none-match"] == '"v1"'
    assert second.headers["if-modified-since"] == modified
    assert first.headers["user-agent"].startswith("tracker/")
    row = feed_row(ftracker, feed.id)
    assert (row.etag, row.last_modified, row.last_error) == ('"v1"', modified, None)
    assert row.next_poll_at == clock.now + dt.timedelta(hours=1)


def test_an_unchanged_feed_without_validators_changes_nothing(ftracker, server):
    url = server.route("/plain.xml", rss(item(1), item(2)))
    feed = feeds.add_feed(ftracker, url)
    poll_one(ftracker, feed.id)

    outcome = poll_one(ftracker, feed.id)

    assert (outcome.result, outcome.status, outcome.new, outcome.unchanged) == ("unchanged", 200, 0, 2)
    assert count(ftracker) == 2


def test_cache_control_max_age_longer_than_the_interval_is_honoured(ftracker, server, clock):
    url = server.route("/cached.xml", rss(item(1)), headers={"Cache-Control": "public, max-age=7200"})
    feed = feeds.add_feed(ftracker, url)
    outcome = poll_one(ftracker, feed.id)
    assert outcome.next_poll_at == clock.now + dt.timedelta(hours=2)


def test_due_polls_only_the_feeds_whose_time_has_come(ftracker, server, clock):
    a = feeds.add_feed(ftracker, server.route("/a.xml", rss(item(1))))
    b = feeds.add_feed(ftracker, server.route("/b.xml", rss(item(2))), interval_seconds=600)
    feeds.poll(ftracker)
    clock.advance(minutes=30)

    summary = feeds.poll(ftracker, due=True)

    assert [o.feed_id for o in summary.outcomes] == [b.id]
    assert feed_row(ftracker, a.id).next_poll_at > clock.now


# -- redirects and gone ----------------------------------------------------------------------
@pytest.mark.parametrize("code", [301, 308])
def test_a_permanent_redirect_updates_the_stored_url(ftracker, server, code):
    new_url = server.route("/new.xml", rss(item(1)))
    server.route("/old.xml", handler=lambda h: (code, {"Location": "/new.xml"}, b""))
    feed = feeds.add_feed(ftracker, server.url("/old.xml"))

    outcome = poll_one(ftracker, feed.id)

    assert (outcome.result, outcome.new, outcome.url) == ("new", 1, new_url)
    assert "moved permanently" in outcome.note
    assert feed_row(ftracker, feed.id).url == new_url


def test_a_temporary_redirect_keeps_the_stored_url(ftracker, server):
    server.route("/elsewhere.xml", rss(item(1)))
    url = server.route("/temp.xml", handler=lambda h: (302, {"Location": "/elsewhere.xml"}, b""))
    feed = feeds.add_feed(ftracker, url)
    assert poll_one(ftracker, feed.id).new == 1
    assert feed_row(ftracker, feed.id).url == url


def test_a_move_onto_another_feed_disables_the_duplicate(ftracker, server):
    target = feeds.add_feed(ftracker, server.route("/target.xml", rss(item(1))))
    server.route("/alias.xml", handler=lambda h: (301, {"Location": "/target.xml"}, b""))
    alias = feeds.add_feed(ftracker, server.url("/alias.xml"))

    poll_one(ftracker, alias.id)

    row = feed_row(ftracker, alias.id)
    assert row.disabled and f"which is feed {target.id}" in row.disabled_reason


def test_410_gone_disables_the_feed_with_a_note(ftracker, server, clock):
    url = server.route("/gone.xml", b"", status=410)
    feed = feeds.add_feed(ftracker, url)

    outcome = poll_one(ftracker, feed.id)

    assert (outcome.result, outcome.status, outcome.error) == ("failed", 410, "gone (HTTP 410)")
    row = feed_row(ftracker, feed.id)
    assert row.disabled and row.next_poll_at is None
    assert "removed for good" in row.disabled_reason and f"--feed {feed.id}" in row.disabled_reason
    clock.advance(days=2)
    assert feeds.poll(ftracker, due=True).outcomes == []
    assert feeds.poll(ftracker).outcomes == []


def test_polling_a_disabled_feed_by_id_enables_it_again(ftracker, server):
    url = server.route("/back.xml", b"", status=410)
    feed = feeds.add_feed(ftracker, url)
    poll_one(ftracker, feed.id)
    server.route("/back.xml", rss(item(1)))

    assert poll_one(ftracker, feed.id).new == 1

    row = feed_row(ftracker, feed.id)
    assert not row.disabled and row.disabled_reason is None and row.last_error is None


# -- errors, hints and backoff ---------------------------------------------------------------
def test_429_retry_after_pushes_the_next_poll_back(ftracker, server, clock):
    url = server.route("/busy.xml", b"slow down", status=429, headers={"Retry-After": "7200"})
    feed = feeds.add_feed(ftracker, url)

    outcome = poll_one(ftracker, feed.id)

    assert (outcome.result, outcome.status) == ("failed", 429)
    assert outcome.error == "HTTP 429 (retry after 7200 s)"
    row = feed_row(ftracker, feed.id)
    assert row.next_poll_at == clock.now + dt.timedelta(hours=2)
    assert (row.error_count, row.last_error) == (1, "HTTP 429 (retry after 7200 s)")


def test_503_retry_after_as_an_http_date(ftracker, server, clock):
    when = "Mon, 23 Nov 2026 00:00:00 GMT"  # 12 hours after the test clock's noon
    url = server.route("/down.xml", b"", status=503, headers={"Retry-After": when})
    feed = feeds.add_feed(ftracker, url)
    outcome = poll_one(ftracker, feed.id)
    assert outcome.next_poll_at == clock.now + dt.timedelta(hours=12)


def test_500_backs_off_exponentially_and_a_success_clears_the_error(ftracker, server, clock):
    url = server.route("/broken.xml", b"oops", status=500)
    feed = feeds.add_feed(ftracker, url)
    delays = []
    for _ in range(7):
        outcome = poll_one(ftracker, feed.id)
        assert (outcome.result, outcome.error) == ("failed", "HTTP 500")
        delays.append((outcome.next_poll_at - clock.now) / dt.timedelta(hours=1))
        clock.now = outcome.next_poll_at
    assert delays == [1, 2, 4, 8, 16, 24, 24]
    row = feed_row(ftracker, feed.id)
    assert (row.error_count, row.last_error) == (7, "HTTP 500")

    server.route("/broken.xml", rss(item(1)))
    outcome = poll_one(ftracker, feed.id)

    assert (outcome.result, outcome.new) == ("new", 1)
    row = feed_row(ftracker, feed.id)
    assert (row.error_count, row.last_error, row.next_poll_at) == (0, None, clock.now + dt.timedelta(hours=1))


@pytest.mark.slow
def test_a_slow_server_hits_the_timeout(ftracker, server):
    url = server.route("/slow.xml", rss(item(1)), delay=2.5)
    feed = feeds.add_feed(ftracker, url)
    outcome = poll_one(ftracker, feed.id)
    assert (outcome.result, outcome.error) == ("failed", "timed out")


@pytest.mark.parametrize("send_length", [True, False], ids=["declared", "streamed"])
def test_an_oversized_body_is_refused(ftracker, server, send_length):
    body = rss(*(item(n, text="x" * 1000) for n in range(300)))
    assert len(body) > SMALL_CAP
    url = server.route("/huge.xml", body, send_length=send_length)
    feed = feeds.add_feed(ftracker, url)
    outcome = poll_one(ftracker, feed.id)
    assert outcome.result == "failed" and outcome.error.startswith("response too large")


def test_gzip_responses_are_decoded(ftracker, server):
    url = server.route("/zipped.xml", rss(item(1), item(2)), gzip=True)
    feed = feeds.add_feed(ftracker, url)
    assert poll_one(ftracker, feed.id).new == 2
    assert "gzip" in server.seen("/zipped.xml")[0].headers["accept-encoding"]


def test_a_gzip_bomb_stops_at_the_size_cap(ftracker, server):
    bomb = gzip.compress(b"<rss>" + b" " * (20 * SMALL_CAP))
    url = server.route(
        "/bomb.xml", handler=lambda h: (200, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}, bomb)
    )
    feed = feeds.add_feed(ftracker, url)
    outcome = poll_one(ftracker, feed.id)
    assert outcome.result == "failed" and outcome.error.startswith("response too large")


# -- charsets and malformed documents --------------------------------------------------------
def test_charset_from_the_xml_declaration_when_the_header_has_none(ftracker, server):
    body = rss(item(1, title="Caf\u00e9 owners testify")).replace(b"utf-8", b"iso-8859-1")
    body = body.decode("utf-8").encode("iso-8859-1")
    url = server.route("/latin1.xml", body, headers={"Content-Type": "text/xml"})
    feed = feeds.add_feed(ftracker, url)
    assert poll_one(ftracker, feed.id).new == 1
    assert sources(ftracker)[0].title == "Caf\u00e9 owners testify"


def test_a_wrong_charset_is_recovered_from(ftracker, server):
    body = rss(item(1, title="Caf\u00e9 owners testify")).decode("utf-8").encode("windows-1252")
    url = server.route("/lying.xml", body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})
    feed = feeds.add_feed(ftracker, url)
    outcome = poll_one(ftracker, feed.id)
    assert (outcome.result, outcome.new) == ("new", 1)
    assert sources(ftracker)[0].title.startswith("Caf")


def test_malformed_xml_that_feedparser_recovers_is_ingested(ftracker, server):
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & proud</title>'
        b"<item><title>Fish & chips <b>vendors</title><link>http://news.example.org/fish</link>"
        b"<description>Unclosed <i>markup and a bare & ampersand.</description></item>"
        b"<item><title>Second story</title><link>http://news.example.org/second</link></item>"
    )
    url = server.route("/broken.xml", body)
    feed = feeds.add_feed(ftracker, url)
    outcome = poll_one(ftracker, feed.id)
    assert (outcome.result, outcome.new, outcome.failed) == ("new", 2, 0)


# -- hostile and non-feed content ------------------------------------------------------------
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "haha">\n'
    + b"".join(
        b'<!ENTITY %s "%s">\n' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10)
        for i in range(8)
    )
    + b']>\n<rss version="2.0"><channel><title>&i;</title><item><title>&i;</title></item></channel></rss>'
)
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "' + b"x" * 50_000 + b'">]>'
    b'<rss version="2.0"><channel><title>t</title><item><description>'
    + b"&big;" * 1000
    + b"</description></item></channel></rss>"
)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, QUADRATIC], ids=["billion-laughs", "quadratic"])
def test_an_entity_bomb_is_refused(ftracker, server, body):
    url = server.route("/bomb.xml", body)
    feed = feeds.add_feed(ftracker, url)
    outcome = poll_one(ftracker, feed.id)
    assert outcome.result == "failed"
    assert outcome.error.startswith("refused: XML entities")
    assert count(ftracker) == 0


@pytest.mark.parametrize(
    ("body", "ctype", "reason"),
    [
        (b"<!DOCTYPE html><html><head><title>News</title></head><body><p>Hello</p></body></html>",
         "text/html; charset=utf-8", "not a feed: an HTML page"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png", "not a feed: a PNG image"),
        (b"GIF89a" + bytes(50), "application/octet-stream", "not a feed: a GIF image"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/feed+json",
         "not a feed: JSON (JSON Feed is not supported)"),
        (b"", "application/rss+xml", "not a feed: empty"),
        (b'<?xml version="1.0"?><urlset><url><loc>http://x/</loc></url></urlset>', "application/xml",
         "not a feed: an XML document whose root is <urlset>"),
    ],
    ids=["html", "png", "gif", "json", "empty", "sitemap"],
)
def test_non_feed_responses_are_reported_as_such(ftracker, server, body, ctype, reason):
    url = server.route("/thing", body, headers={"Content-Type": ctype})
    feed = feeds.add_feed(ftracker, url)
    outcome = poll_one(ftracker, feed.id)
    assert (outcome.result, outcome.error) == ("failed", reason)
    assert feed_row(ftracker, feed.id).last_error == reason


def test_an_html_page_names_the_feed_it_links_to(ftracker, server):
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/news.rss"></head><body>x</body></html>'
    feed = feeds.add_feed(ftracker, server.route("/page", page, headers={"Content-Type": "text/html"}))
    assert poll_one(ftracker, feed.id).error == "not a feed: an HTML page (it links to a feed: /news.rss)"


def test_only_http_links_are_kept_and_scripts_never_reach_the_text(ftracker, server):
    feed = feeds.add_feed(ftracker, server.route("/rss20.xml", (DATA / "rss20.xml").read_bytes()))
    poll_one(ftracker, feed.id, fetch_articles=True)
    stored = sources(ftracker)
    assert stored[0].url == server.url("/2021/harbor-oversight")
    assert stored[1].url is None  # javascript: dropped, never fetched
    assert all("track()" not in s.text for s in stored)
    assert [r.path for r in server.requests] == ["/rss20.xml", "/2021/harbor-oversight"]


def test_one_failing_feed_does_not_stop_the_others(ftracker, server):
    good = feeds.add_feed(ftracker, server.route("/good.xml", rss(item(1))))
    bad = feeds.add_feed(ftracker, server.route("/bad.xml", b"<html><body>nope</body></html>"))
    missing = feeds.add_feed(ftracker, server.url("/missing.xml"))

    summary = feeds.poll(ftracker, workers=3)

    by_id = {o.feed_id: o for o in summary.outcomes}
    assert by_id[good.id].result == "new"
    assert (by_id[bad.id].result, by_id[missing.id].error) == ("failed", "HTTP 404")
    assert (summary.feeds["new"], summary.feeds["failed"], summary.entries["new"]) == (1, 2, 1)


# -- entry identity, duplicates and updates --------------------------------------------------
def test_a_repeated_guid_in_one_feed_is_stored_once(ftracker, server):
    feed = feeds.add_feed(ftracker, server.route("/dup.xml", rss(item(1), item(1, text="A second copy."), item(2))))
    outcome = poll_one(ftracker, feed.id)
    assert (outcome.new, outcome.duplicate) == (2, 1)
    assert count(ftracker) == 2


def test_without_a_guid_the_link_identifies_an_entry(ftracker, server):
    feed = feeds.add_feed(ftracker, server.route("/noguid.xml", rss(item(1, guid=""))))
    poll_one(ftracker, feed.id)
    assert sources(ftracker)[0].entry_id == "http://news.example.org/story/1"


def test_the_same_story_in_two_feeds_is_one_source(ftracker, server):
    story = item(7, guid="feed-a-7", link="http://news.example.org/shared-story")
    same = item(7, guid="feed-b-99", link="http://news.example.org/shared-story")
    a = feeds.add_feed(ftracker, server.route("/a.xml", rss(story, item(1))))
    b = feeds.add_feed(ftracker, server.route("/b.xml", rss(same, item(2))))

    first, second = poll_one(ftracker, a.id), poll_one(ftracker, b.id)

    assert (first.new, second.new, second.duplicate) == (2, 1, 1)
    assert count(ftracker) == 3
    assert count(ftracker, Source, Source.url == "http://news.example.org/shared-story") == 1


def test_the_same_text_under_two_links_is_one_source(ftracker, server):
    text = "A wire story that two sites publish under their own links."
    a = feeds.add_feed(ftracker, server.route("/a.xml", rss(item(1, link="http://one.example/x", title="Wire", text=text))))
    b = feeds.add_feed(ftracker, server.route("/b.xml", rss(item(2, link="http://two.example/y", title="Wire", text=text))))
    poll_one(ftracker, a.id)
    assert poll_one(ftracker, b.id).duplicate == 1
    assert count(ftracker) == 1


def test_an_updated_entry_is_updated_not_added(ftracker, server, clock):
    feed = feeds.add_feed(ftracker, server.route("/news.xml", rss(item(1), item(2))))
    poll_one(ftracker, feed.id)
    clock.advance(hours=1)
    server.route("/news.xml", rss(item(1), item(2, text="Item 2, corrected: the meeting moved to Friday.")))

    outcome = poll_one(ftracker, feed.id)

    assert (outcome.result, outcome.new, outcome.updated, outcome.unchanged) == ("updated", 0, 1, 1)
    stored = sources(ftracker, feed.id)
    assert len(stored) == 2
    assert "moved to Friday" in stored[1].text
    assert stored[1].updated_at == clock.now and stored[0].updated_at is None


def test_an_entry_that_states_a_ban_yields_a_fact_and_an_update_replaces_it(ftracker, server):
    oakland = item(1, title="Oakland votes", text=OAKLAND)
    feed = feeds.add_feed(ftracker, server.route("/oak.xml", rss(oakland)))

    outcome = poll_one(ftracker, feed.id)

    assert outcome.facts >= 1
    assert count(ftracker, StatusChange) >= 1
    server.route("/oak.xml", rss(item(1, title="Oakland votes", text="The vote was postponed; nothing was decided.")))
    assert poll_one(ftracker, feed.id).updated == 1
    assert count(ftracker, StatusChange) == 0


# -- full articles, local files, bookkeeping -------------------------------------------------
ARTICLE = (
    b"<html><head><title>Harbor audit</title></head><body><article><h1>Harbor audit</h1>"
    b"<p>The harbor city council approved a rule on Tuesday requiring a yearly public audit of every "
    b"surveillance tool that its departments use, including license plate readers.</p>"
    b"<p>The first audit is due next spring, officials said after the meeting.</p></article></body></html>"
)


def test_fetch_articles_ingests_the_linked_page(ftracker, server):
    page = server.route("/story.html", ARTICLE, headers={"Content-Type": "text/html; charset=utf-8"})
    feed_url = server.route("/teasers.xml", rss(item(1, link=page, text="Teaser only."), item(2, link=server.url("/404.html"))))
    feed = feeds.add_feed(ftracker, feed_url, fetch_articles=True)

    outcome = poll_one(ftracker, feed.id)

    assert (outcome.new, outcome.failed) == (2, 0)
    with_page, without = sources(ftracker)
    assert "yearly public audit" in with_page.text and "Teaser only." not in with_page.text
    assert without.text.endswith("library hours.")  # the page was missing: the summary stays


def test_a_local_file_is_a_feed(ftracker, tmp_path):
    path = tmp_path / "archive.xml"
    path.write_bytes(rss(item(1), item(2)))
    feed = feeds.add_feed(ftracker, str(path))
    assert feed.url == str(path)

    assert poll_one(ftracker, feed.id).new == 2
    assert poll_one(ftracker, feed.id).status == 304

    path.write_bytes(rss(item(1), item(2, text="Item 2 revised."), item(3)))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    outcome = poll_one(ftracker, feed.id)
    assert (outcome.new, outcome.updated, outcome.unchanged) == (1, 1, 1)
    assert {s.path for s in sources(ftracker)} == {None}  # they have links


def test_a_missing_local_file_is_a_failure(ftracker, tmp_path):
    path = tmp_path / "gone.xml"
    path.write_bytes(rss(item(1)))
    feed = feeds.add_feed(ftracker, str(path))
    path.unlink()
    assert poll_one(ftracker, feed.id).error == "no such file"


def test_each_poll_is_recorded_as_a_run(ftracker, server):
    feed = feeds.add_feed(ftracker, server.route("/a.xml", rss(item(1), item(2))))
    poll_one(ftracker, feed.id)
    with ftracker.sessions() as session:
        run = session.scalars(select(IngestRun)).one()
        assert (run.kind, run.new, run.failed) == ("feeds", 2, 0)
        assert {s.run_id for s in session.scalars(select(Source))} == {run.id}


def test_removing_a_feed_keeps_its_sources(ftracker, server):
    feed = feeds.add_feed(ftracker, server.route("/a.xml", rss(item(1))))
    poll_one(ftracker, feed.id)
    removed = feeds.remove_feed(ftracker, str(feed.id))
    assert removed.entries == 1
    assert count(ftracker, Feed) == 0
    assert [s.feed_id for s in sources(ftracker)] == [None]


def test_adding_a_feed_twice_is_refused(ftracker, server):
    url = server.url("/a.xml")
    feed = feeds.add_feed(ftracker, url)
    with pytest.raises(feeds.FeedExistsError, match=f"already feed {feed.id}"):
        feeds.add_feed(ftracker, url)


@pytest.mark.parametrize("location", ["ftp://example.org/feed.xml", "javascript:alert(1)", "/no/such/file.xml", "http://"])
def test_only_http_urls_and_existing_files_are_feeds(ftracker, location):
    with pytest.raises(feeds.FeedError.__mro__[1]):  # InputError
        feeds.add_feed(ftracker, location)


def test_polling_an_unknown_feed_is_an_error(ftracker):
    with pytest.raises(feeds.FeedNotFoundError, match="no feed 42"):
        feeds.poll(ftracker, feed_ids=[42])


@pytest.mark.slow
def test_feeds_parse_in_worker_processes_too(ftracker, server):
    ids = [feeds.add_feed(ftracker, server.route(f"/p{n}.xml", rss(item(n), item(100 + n)))).id for n in range(3)]
    bad = feeds.add_feed(ftracker, server.route("/bad.xml", b"<html><body>no feed</body></html>"))

    summary = feeds.poll(ftracker, parse_processes=2)

    assert sorted(o.feed_id for o in summary.outcomes if o.result == "new") == ids
    assert [o.error for o in summary.outcomes if o.feed_id == bad.id] == ["not a feed: an HTML page"]
    assert summary.entries["new"] == 6
