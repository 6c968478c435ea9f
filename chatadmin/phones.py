"""Customer numbers: validation, WhatsApp's Mexican ``+521`` form, country, display."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from chatadmin.errors import InvalidInput

_NOT_DIGITS = re.compile(r"\D")


def digits(text: str) -> str:
    return _NOT_DIGITS.sub("", text)


@dataclass(frozen=True)
class Phone:
    e164: str
    country: str | None


def normalize_phone(text: str) -> Phone:
    """Validate an E.164 number by libphonenumber's rules; ``+521…`` becomes ``+52…``."""
    raw = text.strip()
    if not raw.startswith("+"):
        raise InvalidInput(f"phone number must be E.164 (start with +): {text!r}")
    number_digits = digits(raw)
    # WhatsApp still reports Mexican mobiles with the old "1" after the country code.
    if number_digits.startswith("521") and len(number_digits) == 13:
        number_digits = "52" + number_digits[3:]
    try:
        parsed = phonenumbers.parse("+" + number_digits, None)
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"not a phone number: {text!r}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(f"not a valid phone number: {text!r}")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164=e164, country=phonenumbers.region_code_for_number(parsed))


def format_phone(e164: str) -> str:
    """The international format people read: ``+52 55 1234 5678``."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
