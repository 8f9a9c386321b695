"""Untrusted links stay outside (issue 11, item 6): links from feeds, and redirects that leave
the host the user named, may not reach loopback, private, link-local or metadata addresses."""

from __future__ import annotations

import httpx
import pytest

from tracker import feeds, net
from tracker.app import Tracker
from tracker.errors import FetchError
from tracker.feeds.data import FeedOutcome
from tracker.ingest.fetch import Fetcher
from tracker.models import Source

from ..feeds.data.builders import count, item, rss
from ..feeds.data.localserver import FeedServer

pytest_plugins = ["tests.feeds.data.fixtures"]

PAGE = (
    b"<html><head><title>Secret</title></head><body><article><p>The internal service says the "
    b"Oakland City Council voted on July 16, 2019 to ban city agencies from using facial "
    b"recognition technology.</p></article></body></html>"
)


def fetcher(allow: bool = False) -> Fetcher:
    return Fetcher(timeout=httpx.Timeout(2.0, connect=1.0), allow_private_hosts=allow)


@pytest.fixture
def internal():
    """A second server: an internal service on another port of 127.0.0.1."""
    with FeedServer() as s:
        s.route("/admin", PAGE, headers={"Content-Type": "text/html"})
        yield s


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
        ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
        ("169.254.169.254", "cloud-metadata"), ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"), ("fd00:ec2::254", "cloud-metadata"), ("fc00::1", "private"),
        ("0.0.0.0", "unspecified"), ("::ffff:127.0.0.1", "loopback"), ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non-public"), ("100.100.100.200", "cloud-metadata"),
        ("93.184.216.34", None), ("2606:4700::1111", None), ("8.8.8.8", None),
    ],
)
def test_address_kinds(address, kind):
    assert net.classify(address) == kind


def test_a_redirect_to_another_internal_port_is_refused(server, internal):
    url = server.route("/story", status=302, headers={"Location": internal.url("/admin")})
    with fetcher() as f, pytest.raises(FetchError) as caught:
        f.get(url)
    assert caught.value.reason.startswith("refused: 127.0.0.1 is a loopback address")
    assert f"(redirected to {internal.url('/admin')})" in caught.value.reason
    assert internal.seen("/admin") == []


def test_a_redirect_on_the_users_own_host_is_followed(server):
    server.route("/new", b"hello", headers={"Content-Type": "text/plain"})
    url = server.route("/old", status=301, headers={"Location": "/new"})
    with fetcher() as f:
        assert f.get(url).content == b"hello"


def test_allow_private_hosts_lifts_the_rule(server, internal):
    url = server.route("/story", status=302, headers={"Location": internal.url("/admin")})
    with fetcher(allow=True) as f:
        assert f.get(url).content == PAGE
    with fetcher(allow=True) as f:
        assert f.get(internal.url("/admin"), trusted=False).content == PAGE


def test_an_untrusted_url_may_not_name_a_private_host(internal):
    with fetcher() as f, pytest.raises(FetchError) as caught:
        f.get_ok(internal.url("/admin"), trusted=False)
    assert "loopback address" in caught.value.reason
    assert internal.seen("/admin") == []


@pytest.mark.parametrize("host", ["localhost", "[::1]", "0177.0.0.1", "2130706433"])
def test_other_spellings_of_loopback_are_refused(host):
    with fetcher() as f, pytest.raises(FetchError) as caught:
        f.get(f"http://{host}:9/x", trusted=False)
    assert caught.value.reason.startswith(("refused:", "cannot resolve"))


def test_the_address_is_checked_again_at_connect_time(internal, monkeypatch):
    """DNS rebinding: a name that passes the first check and resolves to 127.0.0.1 when the
    socket connects is still refused (the connection goes to the checked address)."""
    monkeypatch.setattr(net, "check_url", lambda url: None)  # the first check is fooled
    with fetcher() as f, pytest.raises(FetchError) as caught:
        f.get(internal.url("/admin"), trusted=False)
    assert "loopback address" in caught.value.reason
    assert internal.seen("/admin") == []


def test_a_feed_cannot_make_tracker_fetch_an_internal_page(db_url, server, internal, clock):
    feed_url = server.route("/feed.xml", rss(item(1, link=internal.url("/admin"))))
    with Tracker(db_url, clock=clock, fetcher_factory=fetcher) as tracker:
        feed = feeds.add_feed(tracker, feed_url, fetch_articles=True)  # the user's own host: fine
        [outcome] = feeds.poll(tracker, feed_ids=[feed.id]).outcomes
        with tracker.sessions() as session:
            texts = [s.text for s in session.query(Source)]
    assert isinstance(outcome, FeedOutcome) and outcome.new == 1
    assert internal.seen("/admin") == []
    assert not any("internal service" in t for t in texts)  # the entry's own text was kept


def test_a_feed_that_redirects_inside_is_a_failure(db_url, server, internal, clock):
    internal.route("/feed.xml", rss(item(1)))
    feed_url = server.route("/feed.xml", status=301, headers={"Location": internal.url("/feed.xml")})
    with Tracker(db_url, clock=clock, fetcher_factory=fetcher) as tracker:
        feed = feeds.add_feed(tracker, feed_url)
        [outcome] = feeds.poll(tracker, feed_ids=[feed.id]).outcomes
        assert count(tracker) == 0
    assert outcome.result == "failed" and "loopback address" in outcome.error
    assert internal.seen("/feed.xml") == []


@pytest.mark.parametrize("link", ["file:///etc/passwd", "gopher://127.0.0.1:25/x", "ftp://example.org/"])
def test_only_http_ever(link):
    with fetcher(allow=True) as f, pytest.raises(FetchError) as caught:
        f.get(link)
    assert caught.value.reason == "only http and https URLs are fetched"
