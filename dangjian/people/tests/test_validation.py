"""Field checks shared by forms, services and the importer: GB 11643 ID numbers, masks, phones, e-mail, ages.

Check digits below were computed by hand: Σ(digit × weight) with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
then "10X98765432"[Σ mod 11].
"""

from datetime import date

import pytest

from dangjian.people.validation import (
    age_on,
    check_id_number,
    email_ok,
    id_birth_date,
    id_checksum_ok,
    id_gender,
    mask_id_number,
    normalise_id_number,
    phone_ok,
)

VALID = "110101199003071233"  # Σ = 174, 174 mod 11 = 9 → '3'
VALID_X = "11010119900307002X"  # Σ = 156, 156 mod 11 = 2 → 'X'
GB_SAMPLE = "11010519491231002X"  # the example printed in GB 11643-1999
BAD_DATE = "110101199002301236"  # Σ = 160, 160 mod 11 = 6 → '6': checksum fine, but 1990-02-30


@pytest.mark.parametrize("value", [VALID, VALID_X, GB_SAMPLE, BAD_DATE])
def test_valid_check_digits(value):
    assert id_checksum_ok(value)


@pytest.mark.parametrize(
    "value",
    [
        "110101199003071234",  # wrong check digit
        "110101199003071230",
        "110101199003070023",  # X expected, digit given
        "11010119900307123",  # 17 characters
        "1101011990030712333",  # 19 characters
        "",
        "11010119900307002x",  # lower-case x: callers normalise first
        "11010119900307123A",  # a letter other than X
        "1101011990O3071233",  # a letter O among the digits
        "110101 99003071233",
    ],
)
def test_invalid_id_numbers(value):
    assert not id_checksum_ok(value)


def test_normalise_strips_spaces_and_upper_cases():
    assert normalise_id_number(" 1101011990 0307002x ") == VALID_X
    assert normalise_id_number(None) == ""


def test_birth_date_and_gender_from_the_number():
    assert id_birth_date(VALID) == date(1990, 3, 7)
    assert id_birth_date(BAD_DATE) is None
    assert id_gender(VALID) == "male"  # 17th digit 3 is odd
    assert id_gender(VALID_X) == "female"  # 17th digit 2 is even


def test_check_id_number_codes():
    assert check_id_number(VALID, date(1990, 3, 7)) is None
    assert check_id_number(VALID, None) is None
    assert check_id_number("110101199003071234", None)[0] == "id_checksum"
    assert check_id_number(BAD_DATE, None) == ("id_checksum", "身份证号中的出生日期无效")
    code, message = check_id_number(VALID, date(1990, 3, 8))
    assert code == "id_birth_mismatch"
    assert message == "身份证号中的出生日期 1990-03-07 与出生日期 1990-03-08 不一致"


def test_mask_keeps_the_first_four_and_last_four():
    assert mask_id_number(VALID) == "1101**********1233"
    assert mask_id_number(VALID_X) == "1101**********002X"
    assert len(mask_id_number(VALID)) == 18
    assert mask_id_number("12345678") == "12345678"
    assert mask_id_number("1234567") == "*******"
    assert mask_id_number("") == ""


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13800138000", True),
        ("19912345678", True),
        ("12800138000", False),  # no mobile prefix 12
        ("1380013800", False),  # 10 digits
        ("138001380000", False),  # 12 digits
        ("+8613800138000", False),
        ("138-0013-8000", False),
        ("", False),
    ],
)
def test_phone(phone, ok):
    assert phone_ok(phone) is ok


@pytest.mark.parametrize(
    ("email", "ok"),
    [
        ("zhang.san@jy.edu.cn", True),
        ("a@b.cn", True),
        ("a@b", False),
        ("a b@c.cn", False),
        ("@c.cn", False),
        ("a@@c.cn", False),
        ("a@c.c", False),
    ],
)
def test_email(email, ok):
    assert email_ok(email) is ok


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(2000, 6, 15), date(2018, 6, 14), 17),
        (date(2000, 6, 15), date(2018, 6, 15), 18),
        (date(2004, 2, 29), date(2022, 2, 28), 17),
        (date(2004, 2, 29), date(2022, 3, 1), 18),
    ],
)
def test_age_on(birth, day, age):
    assert age_on(birth, day) == age
