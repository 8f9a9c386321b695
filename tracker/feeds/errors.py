"""The errors of feed handling. Each carries the feed (URL or path) and a one-line reason."""

from __future__ import annotations

from tracker.errors import InputError, NotFoundError, TrackerError


class FeedError(InputError):
    """A feed could not be read: malformed beyond recovery, refused as hostile, not a feed."""

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.where, self.reason))  # it crosses from parser processes


class NotAFeedError(FeedError):
    """The response or file is something else: an HTML page, an image, JSON, empty."""


class FeedExistsError(TrackerError):
    """``feeds add`` was given a URL or path that is already a feed."""

    def __init__(self, url: str, feed_id: int) -> None:
        self.url, self.feed_id = url, feed_id
        super().__init__(f"{url}: already feed {feed_id}")


class FeedNotFoundError(NotFoundError):
    """No feed has the given id or URL."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"no feed {key} (see 'tracker feeds list')")


class PollLockedError(TrackerError):
    """Another ``feeds poll`` held the run lock for longer than we were willing to wait."""
