"""Validators for UK identifiers. Each explains, in words a user understands, what is wrong."""

import re

from django.core.exceptions import ValidationError

NHS_WEIGHTS = range(10, 1, -1)
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_PATTERN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
POSTCODE_PATTERN = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ](\d[\dA-HJKPS-UW]?|[A-HK-Y]\d[\dABEHMNPRV-Y]?) ?\d[ABD-HJLNP-UW-Z]{2})$"
)


def nhs_number_normalise(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_is_valid(value: str) -> bool:
    digits = nhs_number_normalise(value)
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], NHS_WEIGHTS, strict=True))
    check = 11 - (total % 11)
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = nhs_number_normalise(value)
    if len(digits) != 10 or not digits.isdigit():
        raise ValidationError("Enter an NHS number of 10 digits, like 943 476 5919", code="format")
    if not nhs_number_is_valid(digits):
        raise ValidationError(
            "Enter a real NHS number: the check digit of this one is wrong", code="checksum"
        )


def _upn_value(char: str) -> int:
    return int(char) if char.isdigit() else UPN_CHECK_LETTERS.index(char)


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters that follow it (positions 2 to 13)."""
    total = sum(_upn_value(c) * weight for weight, c in enumerate(body, start=2))
    return UPN_CHECK_LETTERS[total % 23]


def upn_is_valid(value: str) -> bool:
    upn = (value or "").strip().upper()
    if not UPN_PATTERN.match(upn):
        return False
    if upn[12].isalpha() and upn[12] not in UPN_CHECK_LETTERS:
        return False
    return upn_check_letter(upn[1:]) == upn[0]


def validate_upn(value: str) -> None:
    upn = (value or "").strip().upper()
    if not UPN_PATTERN.match(upn):
        raise ValidationError(
            "Enter a Unique Pupil Number of 13 characters: a letter, 11 digits, then a digit or "
            "letter",
            code="format",
        )
    if not upn_is_valid(upn):
        raise ValidationError(
            "Enter a real Unique Pupil Number: the check letter of this one is wrong",
            code="checksum",
        )


def postcode_normalise(value: str) -> str:
    compact = re.sub(r"\s", "", (value or "").upper())
    if len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def validate_postcode(value: str) -> None:
    if not POSTCODE_PATTERN.match(postcode_normalise(value)):
        raise ValidationError("Enter a real UK postcode, like EB1 4QT", code="format")


def validate_latitude(value: float) -> None:
    if not -90 <= value <= 90:
        raise ValidationError("Latitude must be between -90 and 90", code="range")


def validate_longitude(value: float) -> None:
    if not -180 <= value <= 180:
        raise ValidationError("Longitude must be between -180 and 180", code="range")
