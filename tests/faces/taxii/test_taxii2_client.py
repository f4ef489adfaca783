"""taxii2-client, the OASIS TAXII 2.1 client, against `headstart serve` in a process of its own.

The program is `headstart seed`'s (SQLite in its home): the sample advisory 48 hours ahead,
open to the advanced tier (Example AV) and not yet to the entry tier (Contoso EDR, 24 hours).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
import stix2
from cluster import AppServer, Program
from taxii2client.v21 import Collection, Server, as_pages


class Bearer(requests.auth.AuthBase):
    """The API token, sent as partners' scripts send it to the API."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@dataclass(frozen=True)
class Live:
    program: Program
    server: AppServer

    def auth(self, email: str) -> Bearer:
        made = self.program.headstart("token", "create", email, "--json")
        assert made.returncode == 0, made.stderr
        return Bearer(json.loads(made.stdout)["token"])

    def collection_id(self, partner: str) -> str:
        """The partner's collection id as staff see it listed (each is titled with its partner's name)."""
        staff = Server(f"{self.server.url}/taxii2/", auth=self.auth("psirt@example.com"))
        return next(c.id for c in staff.api_roots[0].collections if c.title == f"{partner}: advisories")


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    program = Program.create(tmp_path_factory.mktemp("taxii") / "home", None)
    seed = program.headstart("seed", "--json")
    assert seed.returncode == 0, seed.stderr
    with program.app_servers(1) as (server,):
        yield Live(program, server)


def test_a_partner_lists_and_reads_its_collection(live):
    server = Server(f"{live.server.url}/taxii2/", auth=live.auth("analyst@example-av.example"))
    assert len(server.api_roots) == 1
    collections = server.api_roots[0].collections
    assert [c.id for c in collections] == [live.collection_id("Example AV")]
    collection = collections[0]
    assert collection.can_read and not collection.can_write
    envelope = collection.get_objects()
    bundle = stix2.parse({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": envelope["objects"]})
    vulnerability = next(o for o in bundle.objects if o.type == "vulnerability")
    assert vulnerability.external_references[0].external_id == "CVE-2026-99001"
    manifest = collection.get_manifest()
    assert {m["id"] for m in manifest["objects"]} == {o["id"] for o in envelope["objects"]}
    assert collection.get_object(vulnerability.id)["objects"][0]["id"] == vulnerability.id
    pages = list(as_pages(collection.get_objects, per_request=2))
    assert len(pages) > 1
    assert [o["id"] for page in pages for o in page["objects"]] == [o["id"] for o in envelope["objects"]]


def test_a_partner_is_refused_another_partners_collection(live):
    auth = live.auth("analyst@example-av.example")
    other = Collection(f"{live.server.url}/taxii2/api/collections/{live.collection_id('Other IPS')}/", auth=auth)
    with pytest.raises(requests.HTTPError) as refused:
        other.get_objects()
    assert refused.value.response.status_code == 404


def test_outside_its_window_a_partner_is_served_nothing(live):
    server = Server(f"{live.server.url}/taxii2/", auth=live.auth("analyst@contoso-edr.example"))
    collection = server.api_roots[0].collections[0]
    assert collection.id == live.collection_id("Contoso EDR")
    assert "objects" not in collection.get_objects()
    assert "objects" not in collection.get_manifest()


def test_staff_see_every_partners_collection(live):
    server = Server(f"{live.server.url}/taxii2/", auth=live.auth("psirt@example.com"))
    titles = {c.title for c in server.api_roots[0].collections}
    assert titles == {f"{p}: advisories" for p in ("Example AV", "Other IPS", "Contoso EDR", "Fabrikam Mail Security")}
