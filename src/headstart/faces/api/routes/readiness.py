"""Partners test their YARA rules or ClamAV signatures against their own PoC copies and mark an
advisory ready. The test runs as a worker job; POST waits a bounded time for it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from headstart.apps.readiness.models import Status as TestStatus
from headstart.apps.readiness.services import confirm_ready, latest_tests, result_json, submit, wait
from headstart.errors import Invalid
from headstart.faces.api.auth import actor_for, api_user
from headstart.faces.api.schemas import Error

router = Router(tags=["readiness"])


class ReadinessForm(Schema):
    engine: str = "yara"
    note: str = ""
    ready: bool = False


@router.post("/advisories/{ident}/readiness",
             response={200: dict[str, Any], 202: dict[str, Any], 400: dict[str, Any], 403: Error, 404: Error})
def test(request: HttpRequest, response: HttpResponse, ident: str, data: Form[ReadinessForm],
         rules: File[UploadedFile | None] = None) -> Status[dict[str, Any]]:
    """A partner's user: multipart `rules` (a YARA file, or with `engine=clamav` a ClamAV `.ndb`,
    `.ldb`, `.hdb` or `.hsb` database), optional `note` and `ready`. The rules are recorded and
    tested by a worker job in a sandbox against the partner's own copies of the binary PoCs,
    copies made for synthetic codewords, and valid files that do not trigger the bug.

    200: the result (`detected`, `missed`, `false_positives`, `other_copies`, `warnings`, `ready`,
    `status: "done"`), when the job finished within HEADSTART_READINESS_WAIT_SECONDS; 400 with
    `detail` (and `status: "failed"`) when the rules were refused, by the upload checks or by the
    job (they do not compile, use a module, are too slow or too hungry); 202 with `status`
    (`queued` or `running`) and `url` to GET later otherwise. Without `rules`, `ready=true`
    confirms protections ready without a test (a partner using its own engine), with `note`."""
    user, actor = api_user(request), actor_for(request)
    url = request.build_absolute_uri(request.path)
    if rules is None:
        if not data.ready:
            raise Invalid("upload a `rules` file to test, or send ready=true (and a note) to confirm "
                          "protections ready without a test")
        return Status(200, result_json(confirm_ready(user, ident, note=data.note, actor=actor)))
    # One byte past the limit is enough to refuse it: a 50 MB upload is never read whole.
    raw = rules.read(settings.HEADSTART_READINESS_MAX_RULES_BYTES + 1)
    queued = submit(user, ident, raw, engine=data.engine, filename=rules.name or "", note=data.note,
                    ready=data.ready, actor=actor)
    done = wait(queued, settings.HEADSTART_READINESS_WAIT_SECONDS)
    body = result_json(done)
    if done.status == TestStatus.DONE:
        return Status(200, body)
    if done.status == TestStatus.FAILED:
        return Status(400, {"detail": done.error, **body})
    response["Location"] = url
    response["Retry-After"] = "5"
    return Status(202, {**body, "url": url,
                        "detail": f"the test is {done.status}: GET {url} for its result when its status is done"})


@router.get("/advisories/{ident}/readiness", response={200: list[dict[str, Any]], 404: Error})
def latest(request: HttpRequest, ident: str) -> list[dict[str, Any]]:
    """The caller's latest test of the advisory (a list of one, or empty) with its `status`
    (`queued`, `running`, `done`, `failed`) and, once done, its result (or `error`); staff get
    every partner's latest."""
    return [result_json(t) for t in latest_tests(api_user(request), ident, actor=actor_for(request))]
