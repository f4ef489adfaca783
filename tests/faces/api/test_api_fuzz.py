"""The API fuzzed from its own OpenAPI document: no 5xx, every response as the document says,
and a partner's analyst never receives another partner's data.

schemathesis generates requests for every operation of /api/v1/openapi.json, valid ones
(positive) and ones that break the document (negative), and sends them to the real
application (WSGI, the test database) as staff and as a partner's analyst. Bounded and
repeatable: a fixed number of examples per operation, derandomized (the same requests on
every run), so `make fuzz` runs in about a minute; it runs when HEADSTART_FUZZ is set
(`make fuzz` sets it), not with the rest of the suite.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow,
              pytest.mark.skipif(not os.environ.get("HEADSTART_FUZZ"), reason="the fuzz job: make fuzz")]

# Examples per operation and strategy (valid requests, invalid ones, and valid ones on objects that
# exist): a few hundred to a thousand requests per caller.
EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# What only the other partner may see: its name, its users' and contact addresses (a mark the
# request itself carried, such as a name in the path echoed in a 404, is no leak).
OTHER_PARTNER_MARKS = ("Other IPS", "other-ips")


@dataclass
class Run:
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)


@pytest.fixture
def world(make_partner, make_advisory, staff_user, token_for):  # type: ignore[no-untyped-def]
    _, _, analyst = make_partner("Example AV", "advanced")
    make_partner("Other IPS", "advanced")
    advisory = make_advisory("HS-2026-0001", trigger_spec=True)
    return {"staff": token_for(staff_user), "analyst": token_for(analyst),
            "known": [{"ident": advisory.ident, "name": "Example AV", "investigation": "INV-0001"},
                      {"ident": advisory.ident, "name": "Other IPS", "investigation": "INV-0001"}]}


@pytest.fixture
def api_schema(world) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    yield schema


@contextlib.contextmanager
def quiet_refusals() -> Iterator[None]:
    """Thousands of expected 4xx would each log a warning; a 5xx is still logged (an error)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _leaked(case: Any, content: bytes) -> list[str]:
    sent = f"{unquote(case.formatted_path)} {case.query} {json.dumps(case.body, default=repr)}"
    return [mark for mark in OTHER_PARTNER_MARKS if mark.encode() in content and mark not in sent]


def fuzz(schema: Any, token: str, known: list[dict[str, str]], *, check_leaks: bool) -> Run:
    run = Run()
    headers = {"Authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        cache.clear()  # the per-caller rate limit (600 a minute) is not under test; reaching the views is
        names = {p["name"] for p in operation.definition.raw.get("parameters", []) if p.get("in") == "path"}
        strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
        if names:  # objects that exist (the analyst's partner and the other), so requests get past the 404
            strategies += [operation.as_strategy(path_parameters={n: objects[n] for n in names if n in objects})
                           for objects in known]
        for strategy in strategies:
            @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def send(case: Any) -> None:
                run.requests += 1
                response = case.call(headers=headers)
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every failure is reported at the end
                    run.failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                        f"{_first_lines(exc)}\n{response.content[:300]!r}")
                if check_leaks and (marks := _leaked(case, response.content)):
                    run.leaks.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {marks}")

            send()
    return run


def _first_lines(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " | ".join(lines[:6])


def report(run: Run) -> str:
    return f"{run.requests} requests; " + "\n".join(dict.fromkeys(run.failures + run.leaks))


def test_fuzzing_as_a_partner_analyst_finds_no_fault_and_no_other_partners_data(api_schema, world):
    with quiet_refusals():
        run = fuzz(api_schema, world["analyst"], world["known"], check_leaks=True)
    print(f"analyst: {run.requests} requests")
    assert not run.failures and not run.leaks, report(run)


def test_fuzzing_as_staff_finds_no_fault(api_schema, world):
    with quiet_refusals():
        run = fuzz(api_schema, world["staff"], world["known"], check_leaks=False)
    print(f"staff: {run.requests} requests")
    assert not run.failures, report(run)
