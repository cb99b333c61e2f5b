"""Errors a service raises when the domain refuses a write.

Services raise these (or Django's ValidationError for a field at fault); they know nothing of
HTTP. The API maps them to a status in one place (kam.api.exceptions); a page shows the
message and keeps its own status, as its form errors do.
"""

from __future__ import annotations


class DomainError(Exception):
    """A write the domain refuses; `message` is for people, `code` for programs."""

    code = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Conflict(DomainError):
    """The current state forbids the write (e.g. other rows still depend on the one to delete)."""

    code = "conflict"
