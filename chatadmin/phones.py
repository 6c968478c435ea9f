"""Customer numbers: validation, WhatsApp's Mexican ``+521`` form, country, display."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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
    region = phonenumbers.region_code_for_number(parsed)
    # non-geographic numbers (+800, +882, …) have the region "001": no country
    return Phone(e164=e164, country=region if region and region.isalpha() and region != "ZZ" else None)


@lru_cache(maxsize=65536)
def country_of(e164: str) -> str | None:
    """The ISO region of a number already in E.164 (as stored); None for non-geographic ones.

    Cheap when the country code has one region (+52 is MX); shared codes (+1, +7, +44, …)
    need libphonenumber's full rules, so +1 787 … is PR, not US.
    """
    number_digits = e164[1:]
    for length in (1, 2, 3):
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(number_digits[:length] or 0))
        if regions:
            break
    else:
        return None
    region = regions[0] if len(regions) == 1 else phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    return region if region and len(region) == 2 and region != "ZZ" else None


@lru_cache(maxsize=4096)
def format_phone(e164: str) -> str:
    """The international format people read: ``+52 55 1234 5678``."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
