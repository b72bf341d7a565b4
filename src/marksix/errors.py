"""One exception tree for the whole package.

    MarksixError
    ├── InputError            the user asked for something impossible or malformed
    │   ├── TicketError       a bad ticket (duplicates, range, bankers, size)
    │   └── PickError         an impossible pick request
    ├── DataError             data that breaks the rules of a draw
    │   ├── ImportRejected    a file with bad rows (carries every row's reason)
    │   └── DrawConflict      the same draw id with other numbers
    ├── NotFound              a draw, account or comment that does not exist
    ├── ApiError              a remote service (HKJC, Graph API, LLM) failed
    │   ├── NetworkError      no answer at all (offline, DNS, timeout)
    │   ├── RetryableApiError a transient failure; try again
    │   ├── RateLimited       throttled; carries retry_after seconds
    │   ├── TokenExpired      the access token is no longer valid
    │   ├── PolicyBlocked     the platform stopped this account from acting
    │   └── PermanentApiError the request itself is wrong; never retry
    ├── StoreError            the database failed or is out of date
    └── ConfigError           missing or bad settings, or a missing extra

Library and HTTP errors are translated into these at the boundary where they
happen, so callers catch one tree and get data (codes, retry hints) on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class MarksixError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(MarksixError, ValueError):
    """The caller's input cannot be honoured; the message says why."""


class TicketError(InputError):
    """A ticket breaks Mark Six's entry rules."""


class PickError(InputError):
    """A pick request that no combination can satisfy."""


class DataError(MarksixError):
    """Draw data that breaks the rules of a draw."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One bad row of an import file: where it is and what is wrong."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportRejected(DataError):
    """A file with at least one bad row; nothing from it was imported."""

    #: Rows named in the message; `problems` keeps every one (a 100,000-row file stays readable).
    LISTED = 20

    def __init__(self, source: str, problems: Sequence[RowProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listing = "\n".join(f"  {problem}" for problem in self.problems[: self.LISTED])
        count = len(self.problems)
        more = count - self.LISTED
        if more > 0:
            rows = "row" if more == 1 else "rows"
            listing += f"\n  ... and {more:,} more bad {rows} (the first {self.LISTED} are shown)"
        super().__init__(
            f"{source}: {count:,} bad row{'s' if count != 1 else ''}, nothing imported:\n{listing}"
        )


class DrawConflict(DataError):
    """A draw id that is already known with different numbers or date."""

    def __init__(self, known: str, incoming: str) -> None:
        self.known = known
        self.incoming = incoming
        super().__init__(f"conflicting draw, nothing imported:\n  known:    {known}\n  incoming: {incoming}")


class NotFound(MarksixError, LookupError):
    """The named object does not exist."""


class ApiError(MarksixError):
    """A remote service failed. `code` and `subcode` are the service's own."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        subcode: int | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.subcode = subcode
        self.status = status


class NetworkError(ApiError):
    """No answer came back: offline, refused, DNS failure or timeout."""


class RetryableApiError(ApiError):
    """A transient server-side failure; the same call may succeed later."""


class RateLimited(ApiError):
    """Throttled. `retry_after` is how many seconds to wait, when known."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: int | None) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class TokenExpired(ApiError):
    """The access token is expired or revoked; a person must renew it."""


class PolicyBlocked(ApiError):
    """The platform blocked this account from the action (spam or policy)."""


class PermanentApiError(ApiError):
    """The request is wrong and will fail again; do not retry."""


class StoreError(MarksixError):
    """The database failed, or its schema is not what this version expects."""


class ConfigError(MarksixError):
    """Missing or bad configuration, or an optional extra that is not installed."""


def missing_extra(extra: str, module: str) -> ConfigError:
    """The error for an optional backend whose package is not installed."""
    return ConfigError(
        f"the {module!r} package is needed for this; install it with: pip install 'marksix[{extra}]'"
    )
