"""Deactivating and reactivating PSIRT staff (accounts.staff_accounts): with a reason in the audit
log, sessions ended and tokens revoked; never oneself, the last active staff or a partner's user."""

from __future__ import annotations

import pytest
from factories import ACTOR, database_state

from headstart.apps.accounts.models import ApiToken
from headstart.apps.accounts.services import add_user, create_token
from headstart.apps.accounts.staff_accounts import deactivate_staff, reactivate_staff
from headstart.apps.audit.models import AuditEvent
from headstart.errors import Invalid, NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(staff_user):  # type: ignore[no-untyped-def]
    return add_user("colleague@vendor.example", actor=ACTOR, staff=True)


def test_a_deactivated_colleague_cannot_act_and_is_reactivated_with_reasons(staff_user, colleague):
    create_token(colleague, actor=ACTOR)
    epoch = colleague.session_epoch
    user = deactivate_staff(staff_user, colleague.pk, reason="left the company", actor=ACTOR)
    assert not user.is_active and user.session_epoch == epoch + 1
    assert not ApiToken.objects.filter(user=colleague, revoked_at__isnull=True).exists()
    assert AuditEvent.objects.get(action="user.deactivate").details["reason"] == "left the company"
    assert reactivate_staff(colleague.pk, reason="came back", actor=ACTOR).is_active
    assert AuditEvent.objects.get(action="user.reactivate").object_id == "colleague@vendor.example"


def test_no_one_deactivates_themselves_or_the_last_staff_member(staff_user, colleague):
    with pytest.raises(Invalid, match="your own account"):
        deactivate_staff(staff_user, staff_user.pk, reason="r", actor=ACTOR)
    deactivate_staff(staff_user, colleague.pk, reason="left", actor=ACTOR)
    with pytest.raises(Invalid, match="last active staff member"):
        deactivate_staff(colleague, staff_user.pk, reason="r", actor=ACTOR)


def test_a_reason_is_required_and_partner_users_are_not_staff(staff_user, colleague, make_partner):
    _, admin, _ = make_partner("Example AV")
    before = database_state()
    with pytest.raises(Invalid, match="give a reason"):
        deactivate_staff(staff_user, colleague.pk, reason="  ", actor=ACTOR)
    with pytest.raises(NotFound):
        deactivate_staff(staff_user, admin.pk, reason="r", actor=ACTOR)
    assert database_state() == before
