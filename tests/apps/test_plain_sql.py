"""plain_sql reads and writes rows exactly as the ORM does, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from headstart.apps import plain_sql
from headstart.apps.accounts.models import ApiToken, User
from headstart.apps.advisories.models import Advisory, Artifact
from headstart.apps.audit.models import AuditEvent, AuditHead
from headstart.apps.delivery.models import Commitment, Copy, PackageFile
from headstart.apps.partners.models import NdaAcceptance, NdaVersion, Partner, Tier

pytestmark = pytest.mark.django_db

# Every model the download path reads through plain_sql, and the audit log it writes.
MODELS = [ApiToken, User, Partner, Tier, NdaVersion, NdaAcceptance, Advisory, Artifact, Commitment,
          PackageFile, Copy, AuditHead, AuditEvent]


def _fields(instance) -> dict:  # type: ignore[no-untyped-def]
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.fixture
def delivered(make_keyed_partner, sample_advisory, api_client):  # type: ignore[no-untyped-def]
    """A program after one real download: a token, a commitment, copies, a prepared package."""
    keyed = make_keyed_partner("Acme")
    advisory = sample_advisory()
    response = api_client(keyed.admin).get(f"/api/v1/advisories/{advisory.ident}/package")
    assert response.status_code == 200, response.content
    return keyed, advisory


def test_every_row_reads_back_equal_to_the_orms_with_the_same_types(delivered):
    for model in MODELS:
        expected = list(model.objects.order_by("pk"))
        assert expected, f"no {model.__name__} rows to compare"
        got = plain_sql.rows(model, "1 = 1", [], order_by="id")
        assert [type(g) for g in got] == [model] * len(expected)
        for orm, plain in zip(expected, got, strict=True):
            assert _fields(plain) == _fields(orm), model.__name__
            for name, value in _fields(orm).items():
                assert type(getattr(plain, name)) is type(value), f"{model.__name__}.{name}"
            assert not plain._state.adding


def test_datetimes_come_back_aware_and_json_decoded(delivered):
    stored = plain_sql.first(PackageFile, "1 = 1", [])
    assert stored is not None
    assert timezone.is_aware(stored.created_at)
    assert isinstance(stored.files, list) and stored.files[0]["sha256"]
    tier = plain_sql.first(Tier, "name = %s", ["advanced"])
    assert tier is not None and tier.lead_time == dt.timedelta(hours=72)
    assert tier.artifact_kinds == Tier.objects.get(name="advanced").artifact_kinds  # the field's own conversion
    assert "poc-binary" in tier.artifact_kinds


def test_values_are_bound_as_parameters_never_spliced_into_the_sql(delivered):
    _, advisory = delivered
    assert plain_sql.first(Advisory, "ident = %s", [f"{advisory.ident}' OR '1'='1"]) is None
    assert plain_sql.first(Advisory, "ident = %s", [advisory.ident]).pk == advisory.pk  # type: ignore[union-attr]


def test_first_returns_none_and_rows_an_empty_list_when_nothing_matches(program):
    assert plain_sql.first(Advisory, "ident = %s", ["HS-0000-0000"]) is None
    assert plain_sql.rows(Advisory, "ident = %s", ["HS-0000-0000"]) == []


def test_rows_keep_the_order_and_limit_asked_for(program):
    versions = plain_sql.rows(NdaVersion, "1 = 1", [], order_by="version DESC")
    assert [v.version for v in versions] == list(NdaVersion.objects.order_by("-version").values_list("version", flat=True))
    assert len(plain_sql.rows(Tier, "1 = 1", [], order_by="id", limit=1)) == 1


def test_exists_answers_both_ways(delivered):
    keyed, _ = delivered
    table = plain_sql.table(Copy)
    assert plain_sql.exists(f"SELECT 1 FROM {table} WHERE partner_id = %s", [keyed.partner.pk])
    assert not plain_sql.exists(f"SELECT 1 FROM {table} WHERE partner_id = %s", [keyed.partner.pk + 1000])


def test_comparing_with_when_agrees_with_the_orm_to_the_microsecond(delivered):
    _, advisory = delivered
    for offset in (dt.timedelta(microseconds=-1), dt.timedelta(0), dt.timedelta(microseconds=1)):
        at = advisory.patch_at + offset
        plain = plain_sql.first(Advisory, "id = %s AND patch_at <= %s", [advisory.pk, plain_sql.when(at)])
        orm = Advisory.objects.filter(pk=advisory.pk, patch_at__lte=at).first()
        assert (plain is None) == (orm is None), offset


def test_insert_stores_what_save_would_and_sets_the_primary_key(delivered):
    keyed, advisory = delivered
    original = PackageFile.objects.get()
    fields = {"partner": keyed.partner, "advisory": advisory, "plaintext_sha256": "b" * 64, "path": "/x",
              "size": 7, "files": [{"name": "ünïcode.md", "sha256": "c" * 64, "nested": {"n": [1, None]}}]}
    by_orm = PackageFile.objects.create(content_key="1" * 64, **fields)
    by_plain = PackageFile(content_key="2" * 64, **fields)
    plain_sql.insert(by_plain)
    assert by_plain.pk is not None and by_plain.pk not in (original.pk, by_orm.pk)
    assert not by_plain._state.adding
    again = PackageFile.objects.get(pk=by_plain.pk)
    assert timezone.is_aware(again.created_at)  # auto_now_add was applied
    a, b = _fields(PackageFile.objects.get(pk=by_orm.pk)), _fields(again)
    for name in ("id", "content_key", "created_at"):
        a.pop(name), b.pop(name)
    assert a == b


COPY_NAMES = ("partner", "artifact", "file_name", "sha256", "size", "commitment", "first_delivered_at")


def _copy_row(existing: Copy, file_name: str, sha256: str, size: int) -> tuple:
    """A Copy row like ``existing``'s, for another file."""
    return (existing.partner_id, existing.artifact_id, file_name, sha256, size, existing.commitment_id,
            timezone.now())


def test_insert_rows_stores_every_row_in_one_statement_as_the_orm_reads_it(delivered, django_assert_num_queries):
    existing = Copy.objects.first()
    rows = [_copy_row(existing, f"extra-{i}.md", f"{i}" * 64, i) for i in range(3)]
    with django_assert_num_queries(1):
        assert plain_sql.insert_rows(Copy, COPY_NAMES, rows) == 3
    stored = Copy.objects.filter(file_name__startswith="extra-").order_by("file_name")
    assert [(c.partner_id, c.artifact_id, c.file_name, c.sha256, c.size, c.commitment_id, c.first_delivered_at)
            for c in stored] == rows


def test_insert_rows_prepares_json_values_and_takes_attnames(delivered):
    keyed, advisory = delivered
    files = [{"name": "ünïcode.md", "sha256": "c" * 64, "nested": {"n": [1, None]}}]
    names = ("partner_id", "advisory_id", "content_key", "plaintext_sha256", "path", "size", "files", "created_at")
    moment = timezone.now()
    rows = [(keyed.partner.pk, advisory.pk, f"{i}" * 64, "b" * 64, "/x", 7, files, moment) for i in (1, 2)]
    assert plain_sql.insert_rows(PackageFile, names, rows) == 2
    stored = PackageFile.objects.filter(content_key__in=["1" * 64, "2" * 64])
    assert [(p.files, p.created_at) for p in stored] == [(files, moment)] * 2


def test_insert_rows_refuses_names_that_leave_out_a_field_and_stores_nothing(delivered):
    existing = Copy.objects.first()
    before = Copy.objects.count()
    with pytest.raises(TypeError, match="every field"):
        plain_sql.insert_rows(Copy, COPY_NAMES[:-1], [_copy_row(existing, "short.md", "a" * 64, 1)[:-1]])
    with pytest.raises(TypeError, match="values"):
        plain_sql.insert_rows(Copy, COPY_NAMES, [_copy_row(existing, "short.md", "a" * 64, 1)[:-1]])
    assert Copy.objects.count() == before


def test_a_duplicate_insert_is_refused_by_the_database_constraint(delivered):
    existing = Copy.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        plain_sql.insert_rows(Copy, COPY_NAMES, [_copy_row(existing, existing.file_name, "d" * 64, 1)])
    assert Copy.objects.get(pk=existing.pk).sha256 == existing.sha256


def test_update_prepares_values_like_the_orm(delivered):
    keyed, _ = delivered
    token = ApiToken.objects.filter(user=keyed.admin).first()
    moment = timezone.now() - dt.timedelta(days=3, microseconds=17)
    assert plain_sql.update(ApiToken, token.pk, last_used_at=moment) == 1
    assert ApiToken.objects.get(pk=token.pk).last_used_at == moment
    assert plain_sql.update(ApiToken, token.pk + 1000, last_used_at=moment) == 0


def test_an_in_list_needs_a_value():
    assert plain_sql.placeholders([1, 2, 3]) == "%s, %s, %s"
    with pytest.raises(ValueError):
        plain_sql.placeholders([])


def _tokens_with_users_and_partners(where: str, params: list) -> list[tuple]:  # type: ignore[type-arg]
    return plain_sql.joined(
        [ApiToken, User, Partner],
        f"{plain_sql.table(ApiToken)} t0 JOIN {plain_sql.table(User)} t1 ON t1.id = t0.user_id "
        f"LEFT JOIN {plain_sql.table(Partner)} t2 ON t2.id = t1.partner_id", where, params)


def test_joined_returns_one_tuple_per_row_with_instances_equal_to_the_orms(delivered, staff_user, token_for):
    token_for(staff_user)
    rows = sorted(_tokens_with_users_and_partners("1 = 1", []), key=lambda row: row[0].pk)
    expected = list(ApiToken.objects.select_related("user__partner").order_by("pk"))
    assert len(rows) == len(expected) >= 2
    for (token, user, partner), orm in zip(rows, expected, strict=True):
        assert (type(token), type(user)) == (ApiToken, User)
        assert _fields(token) == _fields(orm)
        assert _fields(user) == _fields(orm.user)
        if orm.user.partner is None:
            assert partner is None
        else:
            assert type(partner) is Partner and _fields(partner) == _fields(orm.user.partner)
        assert not token._state.adding and not user._state.adding


def test_joined_gives_none_where_a_left_join_found_no_row(delivered, staff_user, token_for):
    keyed, _ = delivered
    token_for(staff_user)
    ((token, user, partner),) = _tokens_with_users_and_partners("t1.email = %s", [staff_user.email])
    assert user.pk == staff_user.pk and token.user_id == staff_user.pk
    assert partner is None  # staff belong to no partner
    partner_rows = _tokens_with_users_and_partners("t1.email = %s", [keyed.admin.email])
    assert [p.pk for _, _, p in partner_rows] == [keyed.partner.pk]


def test_joined_returns_an_empty_list_when_nothing_matches(delivered):
    assert _tokens_with_users_and_partners("t0.digest = %s", ["0" * 64]) == []


def test_only_reads_the_named_columns_and_a_deferred_one_loads_when_read(delivered):
    _, advisory = delivered
    orm = Commitment.objects.get(advisory=advisory)
    light = plain_sql.first(Commitment, "advisory_id = %s", [advisory.pk], only=["version", "partner_uids"])
    assert light is not None
    assert light.get_deferred_fields() == {"advisory_id", "digest", "statement", "signed_statement", "artifact_ids",
                                           "created_at"}
    assert (light.pk, light.version, light.partner_uids) == (orm.pk, orm.version, orm.partner_uids)
    assert light.signed_statement == orm.signed_statement  # loaded on first read, as the ORM's .only() does
    assert "signed_statement" not in light.get_deferred_fields()


def test_only_refuses_a_column_the_model_does_not_have(delivered):
    with pytest.raises(ValueError, match="no columns"):
        plain_sql.first(Commitment, "1 = 1", [], only=["version", "nonsense"])


def test_tuples_return_the_drivers_rows_with_parameters_bound(delivered):
    keyed, _ = delivered
    expected = sorted(Copy.objects.filter(partner=keyed.partner).values_list("file_name", "sha256"))
    got = plain_sql.tuples(f"SELECT file_name, sha256 FROM {plain_sql.table(Copy)} WHERE partner_id = %s "
                           "ORDER BY file_name", [keyed.partner.pk])
    assert [tuple(row) for row in got] == expected and expected
    assert plain_sql.tuples(f"SELECT file_name FROM {plain_sql.table(Copy)} WHERE file_name = %s",
                            ["x' OR '1'='1"]) == []


def test_reads_show_in_djangos_query_log_when_queries_are_counted(delivered, django_assert_num_queries):
    _, advisory = delivered
    with django_assert_num_queries(2):
        plain_sql.first(Advisory, "ident = %s", [advisory.ident])
        plain_sql.tuples(f"SELECT id FROM {plain_sql.table(Advisory)}", [])


def test_skip_conflicts_stores_the_new_rows_leaves_the_existing_one_and_counts(delivered):
    existing = Copy.objects.first()
    rows = [_copy_row(existing, existing.file_name, "d" * 64, 1), _copy_row(existing, "another-name.md", "e" * 64, 2)]
    assert plain_sql.insert_rows(Copy, COPY_NAMES, rows, skip_conflicts=True) == 1
    assert Copy.objects.get(pk=existing.pk).sha256 == existing.sha256
    assert Copy.objects.get(file_name="another-name.md").sha256 == "e" * 64


def test_skip_conflicts_still_refuses_a_row_breaking_another_constraint(delivered):
    existing = Copy.objects.first()
    orphan = (*_copy_row(existing, "orphan.md", "f" * 64, 1)[:5], None, timezone.now())  # NOT NULL, not uniqueness
    with pytest.raises(IntegrityError), transaction.atomic():
        plain_sql.insert_rows(Copy, COPY_NAMES, [orphan], skip_conflicts=True)
    assert not Copy.objects.filter(file_name="orphan.md").exists()
