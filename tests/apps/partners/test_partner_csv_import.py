"""`partner import` takes every row or none, and names every bad row by its line number."""

from __future__ import annotations

import csv
import io

import pytest

from headstart.apps.audit.services import Actor
from headstart.apps.partners.models import Partner
from headstart.apps.partners.services import import_partners
from headstart.errors import Invalid

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")


def rejected(csv_text: str) -> str:
    with pytest.raises(Invalid) as caught:
        import_partners(csv_text, actor=ACTOR)
    message = caught.value.message
    assert "\n" not in message
    return message


def test_a_good_file_imports_every_row(program, pgp):
    rows = [["name", "tier", "email", "pgp_cert"], ["Example AV", "advanced", "sec@example-av.example", pgp.certificate],
            ["Contoso EDR", "entry", "", ""]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    created = import_partners(out.getvalue(), actor=ACTOR)
    assert [p.name for p in created] == ["Example AV", "Contoso EDR"]
    example = Partner.objects.get(name="Example AV")
    assert (example.tier.name, example.email, example.pgp_fingerprint) == ("advanced", "sec@example-av.example",
                                                                           pgp.fingerprint)
    assert Partner.objects.get(name="Contoso EDR").pgp_fingerprint == ""


def test_the_header_alone_may_leave_out_optional_columns(program):
    assert [p.name for p in import_partners("name,tier\nExample AV,entry\n", actor=ACTOR)] == ["Example AV"]


@pytest.mark.parametrize("header", ["organisation,tier", "tier,name", "name,tier,phone", "name,tier,email,email", ""])
def test_a_bad_header_is_refused_on_line_one(program, snapshot, header):
    before = snapshot()
    message = rejected(f"{header}\nExample AV,entry\n")
    assert "line 1" in message or "empty" in message
    assert snapshot() == before


def test_a_row_with_the_wrong_number_of_fields_is_named(program, snapshot):
    before = snapshot()
    message = rejected("name,tier,email\nExample AV,entry,a@example-av.example\nContoso EDR,entry\n")
    assert "line 3: expected 3 fields, found 2" in message
    assert snapshot() == before


def test_an_unknown_tier_is_named_with_its_line(program, snapshot):
    before = snapshot()
    message = rejected("name,tier\nExample AV,entry\nContoso EDR,platinum\n")
    assert "line 3: unknown tier 'platinum'" in message
    assert snapshot() == before


def test_a_duplicate_row_is_named_with_both_lines(program, snapshot):
    before = snapshot()
    message = rejected("name,tier\nExample AV,entry\nContoso EDR,entry\nExample AV,advanced\n")
    assert "line 4: partner 'Example AV' appears twice (first on line 2)" in message
    assert snapshot() == before


def test_a_partner_that_already_exists_is_named(make_partner, snapshot):
    make_partner("Example AV")
    before = snapshot()
    assert "line 2: partner 'Example AV' already exists" in rejected("name,tier\nExample AV,entry\n")
    assert snapshot() == before


def test_every_bad_row_is_reported_in_line_order_and_nothing_is_imported(program, snapshot, pgp):
    before = snapshot()
    text = ("name,tier,email,pgp_cert\n"
            "Good One,entry,,\n"
            "Bad Tier,gold,,\n"
            "Short Row,entry\n"
            "Bad Mail,entry,not-an-address,\n"
            "Good One,entry,,\n"
            "Bad Cert,entry,,garbage\n"
            "Good Two,advanced,,\n")
    message = rejected(text)
    assert message.startswith("nothing imported: ")
    lines = [int(part.split(":")[0].split()[-1]) for part in message.removeprefix("nothing imported: ").split("; ")]
    assert lines == [3, 4, 5, 6, 7]
    assert "unknown tier 'gold'" in message and "expected 4 fields, found 2" in message
    assert "not a valid e-mail address" in message and "appears twice" in message and "unusable" in message
    assert snapshot() == before


def test_an_unusable_certificate_in_a_row_is_named(program, snapshot, pgp):
    rows = [["name", "tier", "pgp_cert"], ["Fine Co", "entry", pgp.certificate],
            ["Expired Co", "entry", pgp.expired_certificate], ["Secret Co", "entry", pgp.secret_key]]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    # Armored certificates span many lines; a row is named by the line it starts on.
    starts = [1]
    for row in rows[:-1]:
        starts.append(starts[-1] + sum(cell.count("\n") for cell in row) + 1)
    before = snapshot()
    message = rejected(out.getvalue())
    assert f"line {starts[2]}: OpenPGP certificate for 'Expired Co' is unusable" in message
    assert f"line {starts[3]}: OpenPGP certificate for 'Secret Co' is unusable: this is a secret key" in message
    assert "Fine Co" not in message
    assert snapshot() == before


def test_an_empty_file_and_a_file_without_rows_are_refused(program, snapshot):
    before = snapshot()
    assert "empty" in rejected("")
    assert "no partner rows" in rejected("name,tier\n\n")
    assert snapshot() == before


def test_a_broken_quote_is_reported_with_its_line(program, snapshot):
    before = snapshot()
    message = rejected('name,tier\nExample AV,entry\n"Unclosed,entry\n')
    assert "line" in message
    assert snapshot() == before
