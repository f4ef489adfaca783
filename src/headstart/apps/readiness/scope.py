"""What a partner's rules are tested against, and who may test: shared by the API's services and the job."""

from __future__ import annotations

import datetime as dt

from headstart.apps.accounts.models import User
from headstart.apps.advisories import access
from headstart.apps.advisories.models import Advisory, ArtifactKind
from headstart.apps.delivery import copies
from headstart.errors import Forbidden, NotFound

SUBMIT = "readiness.submit"
TEST = "readiness.test"
FAILED = "readiness.test.failed"
READY = "readiness.ready"
VIEW = "readiness.view"
# Codewords that belong to no partner (a partner's uid is a UUID): their copies stand in for
# "the other partners' copies" without rendering or showing any real partner's copy.
SYNTHETIC = [f"readiness-synthetic-{i}" for i in range(4)]
MARK_WARNING = "a signature that keys on a mark would miss other partners' copies"


def poc_deliverables(user: User, ident: str, now: dt.datetime | None) -> tuple[Advisory, list[copies.Deliverable]]:
    """The advisory and the binary PoCs the partner user may see; NotFound when there are none."""
    if user.is_psirt:
        raise Forbidden("only a partner tests its detection rules: staff have no copies")
    advisory = access.get_visible_advisory(user, ident, now)
    visible = {a.pk for a in access.visible_artifacts(user, advisory, now) if a.kind == ArtifactKind.POC_BINARY}
    if not visible:
        raise NotFound(f"advisory {ident!r} has no binary proof-of-concept file open to you")
    items = [d for d in copies.deliverables(advisory, kinds={ArtifactKind.POC_BINARY}) if d.artifact.pk in visible]
    return advisory, items
