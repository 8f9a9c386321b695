"""The exceptions tracker raises. Every one of them carries what the user needs to act."""

from __future__ import annotations


class TrackerError(Exception):
    """Base class of every error tracker reports to the user."""


class DatabaseError(TrackerError):
    """The database cannot be opened or used."""


class SchemaBehindError(DatabaseError):
    """The database schema is older than this version of tracker."""

    def __init__(self, url: str, current: str | None, head: str) -> None:
        self.url, self.current, self.head = url, current, head
        super().__init__(
            f"the database at {url} is at schema revision {current or 'none'}, "
            f"this tracker needs {head}: run 'tracker db upgrade' (with the same --database)"
        )


class InputError(TrackerError):
    """A source (file, URL, stdin) could not be read or is not an article."""

    def __init__(self, where: str, reason: str) -> None:
        self.where, self.reason = where, reason
        super().__init__(f"{where}: {reason}")


class FetchError(InputError):
    """An HTTP fetch failed (network error, HTTP error status, timeout, too large)."""

    def __init__(self, url: str, reason: str, status_code: int | None = None) -> None:
        self.status_code = status_code
        super().__init__(url, reason)


class NotFoundError(TrackerError):
    """A measure, feed, jurisdiction or company named by the user does not exist."""
