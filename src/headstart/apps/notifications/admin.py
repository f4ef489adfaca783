from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from headstart.apps.accounts.models import User
from headstart.apps.admin_readonly import ReadOnlyModelAdmin
from headstart.apps.audit.services import Actor
from headstart.apps.notifications.models import Notification, NotificationStatus
from headstart.apps.notifications.services import send_again
from headstart.errors import Invalid


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    """Read-only; "send again" goes through its service. Filter on status "sending" to find mails a crash may have cut off."""

    list_display = (
        "id",
        "status",
        "kind",
        "advisory",
        "partner",
        "email",
        "due_at",
        "claimed_at",
        "sent_at",
        "cancel_reason",
        "attempts",
    )
    list_filter = ("status", "kind", "cancel_reason", "advisory")
    search_fields = ("email", "partner__name", "advisory__ident")
    list_select_related = ("partner", "advisory")
    actions = ["send_again_action"]

    @admin.action(
        description="Send again (rows in sending or failed; may duplicate a mail that did leave)",
        permissions=["view"],
    )
    def send_again_action(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        user = request.user
        if not isinstance(user, User):  # the admin site lets only signed-in staff this far
            raise PermissionDenied
        actor = Actor(name=user.email, ip=request.META.get("REMOTE_ADDR") or None, user_id=user.pk)
        done = 0
        for n in queryset.filter(status__in=[NotificationStatus.SENDING, NotificationStatus.FAILED]):
            try:
                send_again(n, actor=actor)
                done += 1
            except Invalid as exc:
                self.message_user(request, exc.message, messages.WARNING)
        self.message_user(request, f"{done} notification(s) queued to be sent again.")
