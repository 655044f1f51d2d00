"""Sending notifications: idempotent by (user, key); e-mail after commit when the user has an address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


@dataclass(frozen=True)
class Reminder:
    """What a domain app's `jobs.reminders(today)` yields: one message for one person."""

    person_id: int
    key: str
    kind: str
    title: str
    body: str = ""
    url: str = ""
    due_on: date | None = None


def _email_of(user) -> str:
    person = getattr(user, "person", None)
    return (person.email if person else "") or user.email


@transaction.atomic
def notify(*, user, reminder: Reminder) -> Notification | None:
    """Create the notification unless one with the same key exists. Returns it, or None if already sent."""
    obj, created = Notification.objects.get_or_create(
        user=user,
        key=reminder.key[:200],
        defaults={"kind": reminder.kind, "title": reminder.title[:200], "body": reminder.body,
                  "url": reminder.url[:300], "due_on": reminder.due_on},
    )
    if not created:
        return None
    address = _email_of(user)
    if address:
        def send():
            send_mail(reminder.title, f"{reminder.body}\n\n{reminder.url}".strip(), None, [address],
                      fail_silently=True)
            Notification.objects.filter(pk=obj.pk).update(emailed_at=timezone.now())
        transaction.on_commit(send)
    return obj


@transaction.atomic
def mark_read(*, user, notification: Notification) -> None:
    if notification.user_id != user.pk:
        return
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())


@transaction.atomic
def mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())



