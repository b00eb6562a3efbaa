"""Checks of identifiers used by organizations: the unified social credit code (GB 32100-2015)
and contact phone numbers.

A credit code is 18 characters from a 31-character alphabet (digits and capital letters without
I, O, Z, S, V): registration authority, organization type, the six-digit division code, a
nine-character organization code, and a check character computed over the first 17.
"""

from __future__ import annotations

import re

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_LENGTH = 18
# Weight of position i is 3**i mod 31 (GB 32100-2015, 5.2).
_CREDIT_CODE_WEIGHTS = tuple(pow(3, position, 31) for position in range(CREDIT_CODE_LENGTH - 1))
_CREDIT_CODE_VALUES = {char: value for value, char in enumerate(CREDIT_CODE_ALPHABET)}

_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
# Landline with area code (0971 is Xining), optional hyphen and extension.
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$")


def credit_code_check_char(code17: str) -> str:
    """The check character (18th) for the first 17 characters of a credit code.

    Raises ``ValueError`` if ``code17`` is not 17 characters of the credit-code alphabet.
    """
    if len(code17) != CREDIT_CODE_LENGTH - 1:
        raise ValueError("A credit code body has 17 characters.")
    try:
        total = sum(
            _CREDIT_CODE_VALUES[char] * weight
            for char, weight in zip(code17, _CREDIT_CODE_WEIGHTS, strict=True)
        )
    except KeyError as unknown:
        raise ValueError(f"Not a credit-code character: {unknown}") from None
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """True if ``code`` is 18 characters of the alphabet and its check character is right."""
    if len(code) != CREDIT_CODE_LENGTH or any(c not in _CREDIT_CODE_VALUES for c in code):
        return False
    return credit_code_check_char(code[:-1]) == code[-1]


def normalize_phone(phone: str) -> str:
    """``phone`` without spaces, the form in which it is checked and stored."""
    return re.sub(r"\s+", "", phone)


def is_valid_phone(phone: str) -> bool:
    """True for a mainland mobile number or a landline with its area code."""
    phone = normalize_phone(phone)
    return bool(_MOBILE.match(phone) or _LANDLINE.match(phone))
