"""The Django admin is for looking: every Headstart model there is read-only.

A change made in the admin would go around its service, and so around the rules the
service keeps and the audit event it writes in the same transaction (design.md: "No path,
the Django admin included, changes a record without its service and its event"). Changes
go through the CLI, the API and the portal. Staff keep the lists, filters, search and the
read-only change pages; no add, change or delete permission, and no bulk delete. An admin
may still offer an action that calls a service (which writes its own event).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.forms import Form
from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """No add, change or delete permission; saving or deleting refused even if a view is reached."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The base of every Headstart ModelAdmin."""

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Model, form: Form, change: bool) -> None:
        raise PermissionDenied

    def save_related(self, request: HttpRequest, form: Form, formsets: Any, change: bool) -> None:
        raise PermissionDenied

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        raise PermissionDenied

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        raise PermissionDenied


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The base of every Headstart inline: list the columns to show in ``fields``."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Every column shown is read-only, so no form is built for fields that cannot be edited.
        return [*super().get_readonly_fields(request, obj), *flatten_fieldsets([(None, {"fields": self.fields or ()})])]
