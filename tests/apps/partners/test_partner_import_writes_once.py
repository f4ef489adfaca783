"""`partner import` checks every row before it writes, then writes all of them in one short
transaction: a fixed number of statements whatever the number of rows, and one audit event
that names every partner added."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.queries import events_about_partner
from headstart.apps.audit.services import Actor, verify
from headstart.apps.partners.models import Partner, PartnerStatusChange
from headstart.apps.partners.services import PartnerInput, add_partner, import_partners
from headstart.errors import Conflict, Invalid

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")


def csv_of(count: int, tier: str = "entry") -> str:
    return "name,tier,email\n" + "".join(f"Partner {i:04d},{tier},sec{i}@partner.example\n" for i in range(count))


def write_statements(captured: CaptureQueriesContext) -> list[str]:
    # Django logs an executemany as "N times: SQL".
    statements = [q["sql"].split(" times: ", 1)[-1] for q in captured.captured_queries]
    return [sql for sql in statements if sql.split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


@pytest.mark.parametrize("count", [3, 300])
def test_the_write_takes_the_same_statements_for_three_rows_and_for_three_hundred(program, count):
    with CaptureQueriesContext(connection) as captured:
        created = import_partners(csv_of(count), actor=ACTOR)

    assert len(created) == count == Partner.objects.count()
    # Partners, their status changes, the audit event and the chain's head: nothing per row.
    writes = write_statements(captured)
    assert len(writes) == 4, writes
    assert sum("SAVEPOINT" in q["sql"] for q in captured.captured_queries if "RELEASE" not in q["sql"]) <= 2


def test_a_bad_file_is_refused_before_any_write(program, snapshot, pgp):
    before = snapshot()
    text = ("name,tier,pgp_cert\n" + "".join(f"Partner {i:04d},entry,\n" for i in range(50))
            + "Bad Tier,gold,\n" + f'Bad Cert,entry,"{pgp.expired_certificate}"\n')

    with CaptureQueriesContext(connection) as captured, pytest.raises(Invalid) as caught:
        import_partners(text, actor=ACTOR)

    assert "line 52: unknown tier 'gold'" in caught.value.message
    assert "line 53: OpenPGP certificate for 'Bad Cert' is unusable" in caught.value.message
    assert write_statements(captured) == []
    assert not any("SAVEPOINT" in q["sql"] or "BEGIN" in q["sql"] for q in captured.captured_queries)
    assert snapshot() == before


def test_every_imported_partner_has_its_status_change_and_stored_fields(program, pgp):
    text = f'name,tier,email,pgp_cert\nExample AV,advanced,sec@example-av.example,"{pgp.certificate}"\nContoso EDR,entry,,\n'

    created = import_partners(text, actor=ACTOR)

    example = Partner.objects.get(name="Example AV")
    assert [p.pk for p in created] == list(Partner.objects.order_by("pk").values_list("pk", flat=True))
    assert (example.status, example.tier.name, example.pgp_fingerprint) == ("active", "advanced", pgp.fingerprint)
    assert example.pgp_expires_at == created[0].pgp_expires_at
    assert example.uid != Partner.objects.get(name="Contoso EDR").uid
    changes = PartnerStatusChange.objects.order_by("pk")
    assert [(c.partner.name, c.old_status, c.new_status, c.reason, c.by) for c in changes] == [
        ("Example AV", "", "active", "imported", ACTOR.name), ("Contoso EDR", "", "active", "imported", ACTOR.name)]


def test_one_audit_event_names_every_partner_added_and_the_chain_verifies(program, pgp):
    text = f'name,tier,pgp_cert\nExample AV,advanced,"{pgp.certificate}"\nContoso EDR,entry,\n'

    import_partners(text, actor=ACTOR)

    event = AuditEvent.objects.get(action="partner.import")
    assert (event.actor, event.details["count"]) == (ACTOR.name, 2)
    assert event.details["partners"] == [
        {"partner": "Example AV", "tier": "advanced", "pgp_fingerprint": pgp.fingerprint},
        {"partner": "Contoso EDR", "tier": "entry", "pgp_fingerprint": ""}]
    assert [e.action for e in events_about_partner(AuditEvent.objects.order_by("seq"), "Contoso EDR")] == ["partner.import"]
    assert verify().ok


def test_a_partner_added_while_the_file_is_checked_stops_the_whole_import(program, pgp, snapshot):
    # The certificate loader runs during the checks; here it adds a partner named later in the file.
    def loader_that_adds_a_partner(cell: str) -> str:
        add_partner(PartnerInput("Late Co", "entry"), actor=ACTOR)
        return pgp.certificate

    text = "name,tier,pgp_cert\nExample AV,advanced,example.asc\nLate Co,entry,\n"

    with pytest.raises(Conflict) as caught:
        import_partners(text, actor=ACTOR, certificate_loader=loader_that_adds_a_partner)

    assert "nothing imported: partners added since the file was checked: 'Late Co'" in caught.value.message
    assert list(Partner.objects.values_list("name", flat=True)) == ["Late Co"]
    assert not AuditEvent.objects.filter(action="partner.import").exists()
    assert verify().ok
