"""ID numbers: encrypted at rest, checked by GB 11643; phones normalized, checked and masked."""

from __future__ import annotations

import pytest
from django.test import override_settings

from hotline.cases import crypto
from hotline.core.errors import DomainError

from .conftest import id_number


def test_encryption_round_trips_with_a_fresh_nonce_each_time():
    first = crypto.encrypt("630102199003071234")
    second = crypto.encrypt("630102199003071234")
    assert first != second
    assert first.startswith("v1:")
    assert crypto.decrypt(first) == crypto.decrypt(second) == "630102199003071234"


def test_an_altered_token_does_not_decrypt():
    token = crypto.encrypt("630102199003071234")
    body = token[3:]
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    with pytest.raises(ValueError):
        crypto.decrypt("v1:" + flipped)
    with pytest.raises(ValueError):
        crypto.decrypt("v9:" + body)
    with pytest.raises(ValueError):
        crypto.decrypt("not a token")


def test_a_token_needs_the_key_it_was_made_with():
    token = crypto.encrypt("630102199003071234")
    with override_settings(FIELD_ENCRYPTION_KEY="another key"), pytest.raises(ValueError):
        crypto.decrypt(token)


def test_a_real_shaped_id_number_passes_and_x_is_upper_cased():
    # 11010519491231002X is the standard's own example.
    assert crypto.validate_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert crypto.validate_id_number(id_number()) == id_number()


@pytest.mark.parametrize(
    "value",
    [
        "",
        "11010519491231002",  # 17 characters
        "110105194912310021",  # wrong check digit
        "11010519491231002Y",
        "010105194912310028",  # no region starts with 0
    ],
)
def test_malformed_id_numbers_are_refused_on_the_id_number_field(value):
    with pytest.raises(DomainError) as refused:
        crypto.validate_id_number(value)
    assert refused.value.code == "case.invalid_id_number"
    assert "id_number" in refused.value.fields


@pytest.mark.parametrize(
    "body",
    [
        "63010219900230123",  # 30 February
        "63010218800101123",  # born 1880
        "63010221000101123",  # born in 2100
    ],
)
def test_implausible_birth_dates_are_refused_even_with_a_right_check_digit(body):
    with pytest.raises(DomainError) as refused:
        crypto.validate_id_number(id_number(body))
    assert refused.value.code == "case.invalid_id_number"


def test_id_numbers_are_masked_keeping_region_and_last_four():
    assert crypto.mask_id_number("11010519491231002X") == "110105********002X"
    assert crypto.mask_id_number("") == ""
    assert crypto.mask_id_number("1234") == "****"


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("13897112345", "13897112345"),
        ("138 9711 2345", "13897112345"),
        ("+86 138-9711-2345", "13897112345"),
        ("8613897112345", "13897112345"),
        ("0971-6123456", "09716123456"),
        ("(0971) 612 3456", "09716123456"),
        ("010-12345678", "01012345678"),
    ],
)
def test_phones_are_normalized_to_digits_and_accepted(raw, normalized):
    assert crypto.validate_phone(raw) == normalized


@pytest.mark.parametrize("raw", ["", "12897112345", "1389711234", "138971123456", "6123456", "abc"])
def test_invalid_phones_are_refused_on_the_phone_field(raw):
    with pytest.raises(DomainError) as refused:
        crypto.validate_phone(raw)
    assert refused.value.code == "case.invalid_phone"
    assert "phone" in refused.value.fields


def test_phones_are_masked():
    assert crypto.mask_phone("13897112345") == "138****2345"
    assert crypto.mask_phone("09716123456") == "0971***3456"
    assert crypto.mask_phone("") == ""
