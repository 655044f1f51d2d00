"""Field checks shared by the forms, the services and the roster importer (one rule, one place)."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def normalise_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def id_checksum_ok(value: str) -> bool:
    """GB 11643-1999: 17 digits and a check character (0-9 or X)."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17]


def id_birth_date(value: str) -> date | None:
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_gender(value: str) -> str:
    return "male" if int(value[16]) % 2 else "female"


def mask_id_number(value: str) -> str:
    """`110101199003071234` → `1101**********1234`."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def check_id_number(value: str, birth_date: date | None) -> tuple[str, str] | None:
    """None when valid; otherwise (code, message) with the importer's codes."""
    if not id_checksum_ok(value):
        return "id_checksum", _("身份证号校验位不正确（GB 11643）")
    born = id_birth_date(value)
    if born is None:
        return "id_checksum", _("身份证号中的出生日期无效")
    if birth_date is not None and born != birth_date:
        return "id_birth_mismatch", _("身份证号中的出生日期 %(id)s 与出生日期 %(given)s 不一致") % {
            "id": born.isoformat(),
            "given": birth_date.isoformat(),
        }
    return None


def phone_ok(value: str) -> bool:
    return bool(PHONE_RE.match(value))


def email_ok(value: str) -> bool:
    return bool(EMAIL_RE.match(value))


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


RECRUITMENT_DATE_FIELDS = ("applied_on", "activist_on", "candidate_on", "joined_on", "full_member_on")
