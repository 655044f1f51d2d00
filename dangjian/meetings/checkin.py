"""QR check-in: a rotating token per meeting, valid only around the meeting time, and the QR code as inline SVG.

A token is `<window>.<mac>`: the number of the time window it was made in (window length from the registry,
`meetings.checkin.window_seconds`) and an HMAC of the meeting, its secret and that window, keyed with the
site's SECRET_KEY. So a token names its own window: one from a past window is *expired*, one whose MAC
does not match is *forged* — two different messages for the member. No location is involved (DESIGN §15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from dangjian.core import rules as registry

from .models import Meeting

_SALT = "dangjian.meetings.checkin"
MAC_LENGTH = 20


@dataclass(frozen=True)
class CheckinSettings:
    window_seconds: int
    grace_windows: int
    opens_before: timedelta
    closes_after: timedelta
    default_duration: timedelta


def settings_in_force() -> CheckinSettings:
    v = registry.values(
        "meetings.checkin.window_seconds", "meetings.checkin.grace_windows", "meetings.checkin.opens_before_minutes",
        "meetings.checkin.closes_after_minutes", "meetings.checkin.default_duration_minutes",
    )
    return CheckinSettings(
        window_seconds=max(int(v["meetings.checkin.window_seconds"]), 1),
        grace_windows=max(int(v["meetings.checkin.grace_windows"]), 0),
        opens_before=timedelta(minutes=v["meetings.checkin.opens_before_minutes"]),
        closes_after=timedelta(minutes=v["meetings.checkin.closes_after_minutes"]),
        default_duration=timedelta(minutes=v["meetings.checkin.default_duration_minutes"]),
    )


def checkin_period(meeting: Meeting, conf: CheckinSettings | None = None) -> tuple[datetime, datetime]:
    """When scanning is open: from `opens_before` before the start to `closes_after` after the end (or after
    the start plus the default duration when no end is set)."""
    conf = conf or settings_in_force()
    end = meeting.ends_at or meeting.starts_at + conf.default_duration
    return meeting.starts_at - conf.opens_before, end + conf.closes_after


def is_open(meeting: Meeting, at: datetime | None = None, conf: CheckinSettings | None = None) -> bool:
    opens, closes = checkin_period(meeting, conf)
    return opens <= (at or timezone.now()) <= closes


def _window(at: datetime, conf: CheckinSettings) -> int:
    return int(at.timestamp()) // conf.window_seconds


def _mac(meeting: Meeting, window: int) -> str:
    value = f"{meeting.pk}:{meeting.checkin_secret}:{window}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:MAC_LENGTH]


def checkin_token(meeting: Meeting, at: datetime | None = None) -> str:
    """The token to put in the QR code at `at` (now); it changes every window."""
    window = _window(at or timezone.now(), settings_in_force())
    return f"{window}.{_mac(meeting, window)}"


def token_expires_at(at: datetime | None = None) -> datetime:
    """When the current token stops being shown (the page refreshes the QR code then)."""
    conf = settings_in_force()
    window = _window(at or timezone.now(), conf)
    return datetime.fromtimestamp((window + 1) * conf.window_seconds, tz=timezone.get_current_timezone())


def verify(meeting: Meeting, token: str, at: datetime | None = None) -> str:
    """'ok', 'expired' (genuine, but from a window more than the grace before now) or 'invalid' (forged,
    malformed, from another meeting or from the future)."""
    conf = settings_in_force()
    window_text, _sep, mac = (token or "").strip().partition(".")
    if not meeting.checkin_secret or not window_text.isdigit() or len(window_text) > 12 or not mac:
        return "invalid"
    window = int(window_text)
    if not constant_time_compare(mac, _mac(meeting, window)):
        return "invalid"
    now = _window(at or timezone.now(), conf)
    if window > now:
        return "invalid"
    if window < now - conf.grace_windows:
        return "expired"
    return "ok"


def qr_svg(url: str) -> str:
    """The QR code of `url` as an inline <svg> (no external request, no inline style: CSP-safe)."""
    qr = segno.make(url, error="m")
    return qr.svg_inline(scale=6, border=2, omitsize=True, svgclass="checkin-qr", lineclass="checkin-qr-line")
