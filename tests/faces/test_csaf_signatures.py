"""The public CSAF documents are signed with the program's key (CSAF 2.0 requirements 19 and 20), and
the provider metadata that names the key is valid under the CSAF provider metadata schema."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from csaf_helpers import patched, sample_advisory
from django.test import Client

from headstart.apps.csaf.documents import public_document_url
from headstart.apps.program.models import Program

pytestmark = pytest.mark.django_db

BASE = "https://psirt.example.com/"
WELL_KNOWN = "/.well-known/csaf/"


@pytest.fixture(autouse=True)
def _served_at(settings):  # type: ignore[no-untyped-def]
    settings.HEADSTART_PORTAL_URL = BASE


def _path(url: str) -> str:
    assert url.startswith(BASE), url
    return "/" + url[len(BASE):]


def _gpg_verify(certificate: bytes, signature: bytes, content: bytes) -> subprocess.CompletedProcess:
    """`gpg --verify` in a fresh GnuPG home that holds only ``certificate``, as a consumer runs it."""
    with tempfile.TemporaryDirectory(prefix="hs-gpg-", dir="/tmp") as home:
        env = {**os.environ, "GNUPGHOME": home}
        subprocess.run(["gpg", "--batch", "--import"], input=certificate, env=env, check=True, capture_output=True)
        (Path(home) / "document.json").write_bytes(content)
        (Path(home) / "document.json.asc").write_bytes(signature)
        done = subprocess.run(["gpg", "--batch", "--status-fd", "1", "--verify", f"{home}/document.json.asc",
                               f"{home}/document.json"], env=env, capture_output=True, check=False)
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "gpg-agent"], env=env, check=False,
                       capture_output=True)
        return done


def test_a_public_documents_signature_verifies_with_gnupg_against_the_key_the_provider_metadata_names(program):
    advisory = patched(sample_advisory())
    client = Client()
    metadata = client.get(WELL_KNOWN + "provider-metadata.json").json()
    [key] = metadata["public_openpgp_keys"]
    fingerprint = Program.get().signing_fingerprint.upper()
    assert key["fingerprint"] == fingerprint
    served_key = client.get(_path(key["url"]))
    assert served_key.status_code == 200 and served_key["Content-Type"] == "application/pgp-keys"
    document = client.get(_path(public_document_url(advisory)))
    signature = client.get(_path(public_document_url(advisory)) + ".asc")
    assert signature.status_code == 200 and signature["Content-Type"] == "application/pgp-signature"
    assert signature.content.startswith(b"-----BEGIN PGP SIGNATURE-----")

    good = _gpg_verify(served_key.content, signature.content, document.content)
    assert good.returncode == 0, good.stderr.decode()
    [valid] = [line.split() for line in good.stdout.decode(errors="replace").splitlines() if line.startswith("[GNUPG:] VALIDSIG ")]
    assert valid[-1] == fingerprint  # made by the program's key (its signing subkey): the primary's fingerprint
    # A document changed by one byte does not verify.
    tampered = _gpg_verify(served_key.content, signature.content, document.content.replace(b"WHITE", b"WHITF", 1))
    assert tampered.returncode != 0 and b"[GNUPG:] BADSIG" in tampered.stdout


def test_the_rolie_feed_links_each_public_document_to_its_signature(program):
    advisory = patched(sample_advisory())
    [entry] = Client().get(WELL_KNOWN + "feed-tlp-white.json").json()["feed"]["entry"]
    assert {"rel": "signature", "href": public_document_url(advisory) + ".asc"} in entry["link"]


def test_before_the_patch_there_is_no_signature_and_no_other_key_is_served(program):
    advisory = sample_advisory()
    client = Client()
    assert client.get(_path(public_document_url(advisory)) + ".asc").status_code == 404
    assert client.get(WELL_KNOWN + "openpgp/" + "0" * 40 + ".asc").status_code == 404


def _provider_schema_2_0() -> dict[str, Any]:
    """The CSAF provider metadata schema for CSAF 2.0, from the one the csaf package ships (its 2.1
    edition, csaf/csaf/v21/feed/provider.json; the package has no 2.0 file). CSAF 2.1 changed four
    things in it, put back here: metadata_version is "2.0"; `$schema` is not a required field; a
    ROLIE feed's last_updated is not required; the publisher and TLP label are those of the CSAF 2.0
    document schema (which the csaf package's 2.0 registry holds)."""
    import csaf

    text = (Path(csaf.__file__).parent / "csaf" / "v21" / "feed" / "provider.json").read_text()
    # Its references into the CSAF document schema (the publisher, the TLP label) go to the 2.0 one.
    text = text.replace("https://docs.oasis-open.org/csaf/csaf/v2.1/schema/csaf.json",
                        "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json")
    schema = json.loads(text)
    del schema["$id"]
    schema["properties"]["metadata_version"] = {"type": "string", "enum": ["2.0"]}
    del schema["properties"]["$schema"]
    schema["required"] = [name for name in schema["required"] if name != "$schema"]
    feed = schema["properties"]["distributions"]["items"]["properties"]["rolie"]["properties"]["feeds"]["items"]
    feed["required"] = [name for name in feed["required"] if name != "last_updated"]
    return schema


def test_the_provider_metadata_is_valid_under_the_csaf_provider_metadata_schema(program):
    from csaf.csaf.v20._validator import _registry
    from jsonschema import Draft202012Validator

    metadata = Client().get(WELL_KNOWN + "provider-metadata.json").json()
    validator = Draft202012Validator(_provider_schema_2_0(), registry=_registry())
    assert [error.message for error in validator.iter_errors(metadata)] == []
    assert metadata["role"] == "csaf_trusted_provider"  # hashes, signatures, the public key: 18 to 20
    # The check can fail: a key without its URL, a short fingerprint, a field the schema does not know.
    broken = copy.deepcopy(metadata)
    del broken["public_openpgp_keys"][0]["url"]
    assert list(validator.iter_errors(broken))
    broken = copy.deepcopy(metadata)
    broken["public_openpgp_keys"][0]["fingerprint"] = "ABCD"
    assert list(validator.iter_errors(broken))
    assert list(validator.iter_errors({**metadata, "pgp_keys": []}))
