"""Errors the service layer raises for bad input or refused access.

Faces translate them: the CLI prints the message on one line and exits non-zero, the API
answers with the status below and a JSON body {"detail": message}.
"""

from __future__ import annotations


class HeadstartError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(HeadstartError):
    """The input is malformed or breaks a rule; nothing was changed."""

    status = 400


class NotFound(HeadstartError):
    status = 404


class Conflict(HeadstartError):
    """The input clashes with what exists (a duplicate name, a second init)."""

    status = 409


class Forbidden(HeadstartError):
    """The caller may not do or see this."""

    status = 403
