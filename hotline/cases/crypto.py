"""Workers' personal data: the ID number encrypted at rest, checks and masks for ID and phone.

ID numbers are encrypted with AES-256-GCM under a key from ``settings.FIELD_ENCRYPTION_KEY`` (any
string; hashed to 32 bytes), or derived from ``SECRET_KEY`` when that is unset. A token is
``v1:`` + base64url(12-byte random nonce + ciphertext + tag): the version prefix lets a later key
or algorithm decrypt old rows. The check digit of an ID number follows GB 11643-1999 (ISO 7064
MOD 11-2). Phones are kept as digits only: a mainland mobile (``1[3-9]`` + 9 digits) or a landline
with its area code (``0971…``).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError

TOKEN_VERSION = "v1"
_NONCE_BYTES = 12
# Binds a token to its purpose: an ID-number token pasted into another field will not decrypt.
_ASSOCIATED_DATA = b"hotline.cases.id_number"

ID_NUMBER_LENGTH = 18
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")
OLDEST_PLAUSIBLE_AGE = 120

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 0 + a 2-3 digit area code + a 7-8 digit local number.
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_PHONE_NOISE = re.compile(r"[\s\-()（）]+")


def _key() -> bytes:
    secret = getattr(settings, "FIELD_ENCRYPTION_KEY", "") or f"id-number:{settings.SECRET_KEY}"
    return hashlib.sha256(secret.encode()).digest()


def encrypt(value: str) -> str:
    """A versioned token for ``value`` (a fresh random nonce each time)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_key()).encrypt(nonce, value.encode(), _ASSOCIATED_DATA)
    return f"{TOKEN_VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    """The value sealed in ``token``; ``ValueError`` if it is not a token of ours or was altered."""
    version, _sep, body = token.partition(":")
    if version != TOKEN_VERSION or not body:
        raise ValueError("Unknown encryption token version.")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
        plain = AESGCM(_key()).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _ASSOCIATED_DATA)
    except (binascii.Error, InvalidTag, ValueError) as broken:
        raise ValueError("The token does not decrypt with the current key.") from broken
    return plain.decode()


def id_number_check_char(first17: str) -> str:
    """The 18th character of an ID number whose first 17 digits are ``first17``."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _invalid_id_number(reason: str) -> DomainError:
    return DomainError(
        "case.invalid_id_number",
        _("The ID number is not valid."),
        fields={"id_number": reason},
    )


def validate_id_number(value: str) -> str:
    """``value`` as stored (upper-case X), if it is a plausible resident ID number.

    18 characters, the right check character, and a birth date that exists, is not in the future
    and is at most 120 years ago. Raises ``DomainError("case.invalid_id_number")`` otherwise.
    """
    number = (value or "").strip().upper()
    if not _ID_SHAPE.match(number):
        raise _invalid_id_number(_("An ID number has 17 digits and a final digit or X."))
    if id_number_check_char(number[:17]) != number[17]:
        raise _invalid_id_number(_("The check digit does not match; please check the number."))
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _invalid_id_number(_("The birth date in the ID number does not exist.")) from None
    today = timezone.localdate()
    if born > today or today.year - born.year > OLDEST_PLAUSIBLE_AGE:
        raise _invalid_id_number(_("The birth date in the ID number is not plausible."))
    return number


def mask_id_number(value: str) -> str:
    """``630102********1234``: region and last four kept, the birth date hidden."""
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    if len(value) < ID_NUMBER_LENGTH:
        return "*" * (len(value) - 4) + value[-4:]
    return value[:6] + "*" * 8 + value[-4:]


def normalize_phone(value: str) -> str:
    """Digits only: spaces, hyphens and brackets dropped, a +86 / 86 prefix of a mobile removed."""
    phone = _PHONE_NOISE.sub("", value or "")
    if phone.startswith("+"):
        phone = phone[1:]
    if len(phone) == 13 and phone.startswith("86") and _MOBILE.match(phone[2:]):
        phone = phone[2:]
    return phone


def is_valid_phone(value: str) -> bool:
    """True for a normalized mainland mobile or landline-with-area-code number."""
    return bool(_MOBILE.match(value) or _LANDLINE.match(value))


def validate_phone(value: str) -> str:
    """The normalized phone, or ``DomainError("case.invalid_phone")`` with field ``phone``."""
    phone = normalize_phone(value)
    if not is_valid_phone(phone):
        raise DomainError(
            "case.invalid_phone",
            _("The phone number is not valid."),
            fields={"phone": _("Enter a mobile number or a landline number with its area code.")},
        )
    return phone


def mask_phone(value: str) -> str:
    """``138****1234`` for a mobile; a landline keeps its first four and last four digits."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:2] + "*" * (len(value) - 2)
    head = 3 if _MOBILE.match(value) else 4
    return value[:head] + "*" * (len(value) - head - 4) + value[-4:]
