"""The queued job: send one notification. The row decides; the task only carries its id."""

from __future__ import annotations

from django_tasks import task


@task()
def send_notification(notification_id: int) -> str:
    from headstart.apps.notifications.services import deliver

    return deliver(notification_id)
