"""`dangjian remind`: collect every app's reminders for today and send each once (DESIGN §12).

The sources are listed here explicitly; each is a function `reminders(today) -> Iterable[Reminder]`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from dangjian.accounts.models import User

from .services import Reminder, notify


def sources() -> list[Callable[[date], Iterable[Reminder]]]:
    from dangjian.meetings.jobs import reminders as meeting_reminders
    from dangjian.recruitment.jobs import reminders as recruitment_reminders
    from dangjian.talks.jobs import reminders as talk_reminders

    return [meeting_reminders, talk_reminders, recruitment_reminders]


def run_reminders(today: date) -> dict[str, int]:
    """Send today's reminders; running it twice sends nothing twice."""
    sent = skipped = no_account = 0
    reminders = [r for source in sources() for r in source(today)]
    users = {u.person_id: u for u in User.objects.filter(person_id__in={r.person_id for r in reminders},
                                                           is_active=True).select_related("person")}
    for reminder in reminders:
        user = users.get(reminder.person_id)
        if user is None:
            no_account += 1
            continue
        if notify(user=user, reminder=reminder) is None:
            skipped += 1
        else:
            sent += 1
    return {"sent": sent, "already_sent": skipped, "no_account": no_account}
