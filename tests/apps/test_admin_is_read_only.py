"""The Django admin is for looking: it cannot go around a service and its audit event.

Every ModelAdmin registered on the admin site is walked as a superuser staff member: its
list and a change page load, and every POST that would add, change or delete (the add
view, the change view with the object's current data, the delete view, the list's
delete_selected action) is refused and changes no row anywhere, and the audit chain still
verifies with no new event.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse
from factories import ACTOR

pytestmark = pytest.mark.django_db

REGISTERED: list[tuple[type[models.Model], admin.ModelAdmin]] = list(admin.site._registry.items())
PASSWORD = "admin probe passphrase 7"


def label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def url(model: type[models.Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def everything(program, make_keyed_partner, make_partner, sample_advisory, token_for):  # type: ignore[no-untyped-def]
    """At least one row of every model registered in the admin, each made by its service."""
    from headstart.apps.accounts.services import add_user
    from headstart.apps.delivery.services import fetch_package
    from headstart.apps.investigations.intake import Submission
    from headstart.apps.investigations.services import investigate
    from headstart.apps.notifications.services import sweep
    from headstart.apps.partners.services import set_status

    staff = add_user("looker@vendor.example", actor=ACTOR, staff=True, password=PASSWORD)
    keyed = make_keyed_partner("Alpha Labs")
    token_for(keyed.admin)
    beta, _admin, _analyst = make_partner("Beta Security")
    set_status(beta, "suspended", reason="test", actor=ACTOR)
    advisory = sample_advisory(patch_in=dt.timedelta(hours=1))  # the window is open for the advanced tier
    fetch_package(keyed.analyst, advisory.ident, actor=ACTOR)
    sweep()
    investigate([Submission("post.txt", b"nothing marked here\n")], actor=ACTOR)
    return staff


@pytest.fixture
def staff_client(everything) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(everything)
    return client


def test_every_registered_model_has_a_row_in_the_fixture(everything) -> None:
    empty = [label(model) for model, _ in REGISTERED if not model._default_manager.exists()]
    assert empty == []


def test_django_groups_are_not_in_the_admin() -> None:
    assert not admin.site.is_registered(Group)


def test_no_admin_grants_add_change_delete_or_bulk_delete(everything) -> None:
    request = RequestFactory().post("/admin/")
    request.user = everything
    for model, model_admin in REGISTERED:
        obj = model._default_manager.first()
        assert model_admin.has_view_permission(request, obj), label(model)
        assert not model_admin.has_add_permission(request), label(model)
        assert not model_admin.has_change_permission(request, obj), label(model)
        assert not model_admin.has_delete_permission(request, obj), label(model)
        assert "delete_selected" not in model_admin.get_actions(request), label(model)
        for inline in model_admin.get_inline_instances(request, obj):
            assert not inline.has_add_permission(request, obj), (label(model), inline)
            assert not inline.has_change_permission(request, obj), (label(model), inline)
            assert not inline.has_delete_permission(request, obj), (label(model), inline)


def current_form_data(model_admin: admin.ModelAdmin, obj: models.Model) -> dict[str, Any]:
    """What the change form would send back unchanged: every editable field, and empty inline formsets."""
    data: dict[str, Any] = {"_save": "Save"}
    for field in obj._meta.concrete_fields:
        if field.primary_key or not field.editable:
            continue
        value = field.value_from_object(obj)
        if value is None:
            value = ""
        elif isinstance(field, models.JSONField):
            value = json.dumps(value)
        elif isinstance(field, models.DurationField):
            value = str(value)
        data[field.name] = value
    for inline in model_admin.inlines:
        prefix = inline.model._meta.get_field(
            next(f.name for f in inline.model._meta.concrete_fields
                 if f.is_relation and f.related_model is type(obj))).related_query_name()
        for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0), ("MIN_NUM_FORMS", 0), ("MAX_NUM_FORMS", 1000)):
            data[f"{prefix}-{key}"] = value
    return data


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[label(m) for m, _ in REGISTERED])
def test_the_admin_shows_but_refuses_every_change(model, model_admin, staff_client, snapshot) -> None:  # type: ignore[no-untyped-def]
    from headstart.apps.audit.models import AuditEvent
    from headstart.apps.audit.services import verify

    obj = model._default_manager.first()
    assert obj is not None
    pk = str(obj.pk)

    listing = staff_client.get(url(model, "changelist"))
    assert listing.status_code == 200
    if model_admin.search_fields:
        assert staff_client.get(url(model, "changelist"), {"q": "a"}).status_code == 200
    page = staff_client.get(url(model, "change", pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # no save button: the page is read-only

    before = snapshot()
    last_event = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    current = current_form_data(model_admin, obj)
    edited = {k: (v + "x" if isinstance(v, str) and k != "_save" and not k.endswith("_FORMS") else v)
              for k, v in current.items()}
    refused = [
        staff_client.post(url(model, "add"), current),
        staff_client.post(url(model, "change", pk), current),
        staff_client.post(url(model, "change", pk), edited),
        staff_client.post(url(model, "delete", pk), {"post": "yes"}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    bulk = staff_client.post(url(model, "changelist"),
                             {"action": "delete_selected", "_selected_action": [pk], "post": "yes", "index": 0})
    # Not offered: with other actions, "No action selected" (302); with none, the plain list (200).
    assert bulk.status_code in (200, 302, 403)
    assert b"delete_selected" not in staff_client.get(url(model, "changelist")).content

    assert snapshot() == before
    assert AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() == last_event
    assert verify().ok


def test_no_password_form_and_no_password_hash_in_the_user_admin(everything, staff_client, snapshot) -> None:
    from headstart.apps.accounts.models import User

    everything.refresh_from_db()
    assert everything.check_password(PASSWORD)
    with pytest.raises(NoReverseMatch):
        reverse("admin:auth_user_password_change", args=[everything.pk])
    with pytest.raises(NoReverseMatch):
        reverse("admin:accounts_user_password_change", args=[everything.pk])
    page = staff_client.get(url(User, "change", everything.pk))
    assert page.status_code == 200
    hash_text = everything.password.encode()
    assert hash_text not in page.content
    assert everything.password.split("$")[-1].encode() not in page.content  # not even the hash part
    assert b"password" not in page.content.lower().split(b'id="content"')[-1]

    before = snapshot()  # UserAdmin's old password form lived here; the path now names no view
    response = staff_client.post(f"/admin/accounts/user/{everything.pk}/password/",
                                 {"password1": "changed passphrase 8", "password2": "changed passphrase 8"})
    assert response.status_code in (302, 403, 404)
    assert snapshot() == before
    everything.refresh_from_db()
    assert everything.check_password(PASSWORD)


def test_no_token_digest_in_the_token_admin(everything, staff_client) -> None:
    from headstart.apps.accounts.models import ApiToken

    token = ApiToken.objects.first()
    assert token is not None
    for page in (staff_client.get(url(ApiToken, "changelist")), staff_client.get(url(ApiToken, "change", token.pk))):
        assert page.status_code == 200
        assert token.digest.encode() not in page.content
