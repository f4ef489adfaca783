"""The program's secrets stay out of the database; a key that does not match is refused."""

from __future__ import annotations

import secrets

import pytest
from django.test import override_settings

from headstart.apps.audit.services import Actor
from headstart.apps.program import keys
from headstart.apps.program.models import Program
from headstart.apps.program.services import check_program_keys, initialise
from headstart.crypto import openpgp
from headstart.errors import HeadstartError, Invalid

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")


def test_the_marking_key_and_signing_secret_never_reach_the_database(program, stored_text):
    everything = stored_text()
    marking = keys.marking_key()
    assert marking.hex() not in everything and marking.hex().upper() not in everything
    assert "PRIVATE KEY BLOCK" not in everything
    assert program.marking_key_id == keys.marking_key_id(marking) and program.marking_key_id in everything


def test_the_database_keeps_the_public_certificate_that_matches_the_signing_key(program):
    assert openpgp.fingerprint(program.signing_certificate) == program.signing_fingerprint
    assert openpgp.fingerprint(keys.signing_key()) == program.signing_fingerprint


def test_initialise_twice_changes_nothing(program, snapshot):
    before = snapshot()
    again = initialise("Some other name", actor=ACTOR)
    assert (again.created, again.created_tiers, again.nda_version) == (False, [], None)
    assert again.program.name == "Test program"
    assert snapshot() == before


def test_a_wrong_marking_key_is_refused(program, snapshot):
    before = snapshot()
    with override_settings(HEADSTART_MARKING_KEY=secrets.token_hex(32)):
        with pytest.raises(Invalid, match="does not match"):
            initialise("Test program", actor=ACTOR)
        with pytest.raises(Invalid, match="does not match"):
            check_program_keys()
    assert snapshot() == before
    assert check_program_keys() == Program.get()


@pytest.mark.parametrize("malformed, says", [("zz" * 32, "64 hexadecimal digits"), ("ab" * 16, "32 bytes")])
def test_a_malformed_marking_key_is_refused_clearly(program, malformed, says):
    with override_settings(HEADSTART_MARKING_KEY=malformed), pytest.raises(HeadstartError, match=says):
        keys.marking_key()


def test_init_needs_a_name(db):
    with pytest.raises(Invalid, match="needs a name"):
        initialise("  ", actor=ACTOR)
