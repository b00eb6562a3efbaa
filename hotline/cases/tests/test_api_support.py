"""Who sees a worker's personal data through the API, and the helpers the API tests share.

``Caller`` calls the API as one user with a bearer token; the other ``test_api_*`` modules import
it from here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hotline.accounts.models import AccessEvent, AccessLog, Role, User
from hotline.accounts.tokens import create_api_token
from hotline.cases import api_support, privacy
from hotline.cases.tests.conftest import id_number
from hotline.core.errors import DomainError
from hotline.testing import factories as f

API = "/api/v1"


class Caller:
    """One user calling the API with a bearer token."""

    def __init__(self, client: Client, user: User) -> None:
        self.client = client
        self.user = user
        _, self.token = create_api_token(user, name="tests")

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{API}{path}", params, headers=self.headers())

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            f"{API}{path}",
            {} if body is None else body,
            content_type="application/json",
            headers=self.headers(headers),
        )


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The error envelope of ``response``, which must have ``status``."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert list(body) == ["error"]
    return body["error"]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:800])
    return response.json()


# --- masking and the personal data rule (``privacy``, shared with the pages) ---------------------


@pytest.mark.parametrize(
    ("name", "masked"), [("张师傅", "张**"), ("李", "李*"), ("", ""), ("  王五 ", "王*")]
)
def test_a_name_is_masked_to_its_first_character(name, masked):
    assert privacy.mask_name(name) == masked


def test_lists_mask_the_phone_and_name_for_every_role(new_case):
    case = new_case()
    assert (privacy.masked_phone(case), privacy.masked_name(case)) == ("138****2345", "张**")


def test_an_anonymous_case_shows_no_name_at_all(new_case):
    assert privacy.masked_name(new_case(is_anonymous=True)) == ""


def test_the_id_number_shows_only_its_last_four_characters(new_case):
    case = new_case(id_number=id_number())
    shown = privacy.masked_id_number(case)
    assert shown.endswith(case.id_number_tail) and shown.count("*") == 14
    assert privacy.masked_id_number(new_case()) == ""


def test_the_staff_who_contact_the_worker_may_reveal_and_those_who_judge_the_work_may_not(
    staff, flow, accepted_case, tree
):
    case = flow.at_prefecture(accepted_case())
    assert privacy.may_see_personal_data(staff.agent, case)  # the registering centre
    assert privacy.may_see_personal_data(staff.xining_handler, case)  # the handling unit
    assert not privacy.may_see_personal_data(staff.chengdong_handler, case)  # a sibling unit
    assert not privacy.may_see_personal_data(staff.province_supervisor, case)
    assert not privacy.may_see_personal_data(f.user(tree.xining, Role.LEADER), case)


def test_a_confidential_case_is_revealed_only_to_the_registering_centre(staff, flow, accepted_case):
    case = flow.at_prefecture(accepted_case(is_confidential=True))
    assert privacy.may_see_personal_data(staff.agent, case)
    assert not privacy.may_see_personal_data(staff.xining_handler, case)
    assert not privacy.may_see_personal_data(staff.province_supervisor, case)


def test_viewing_personal_data_decrypts_the_id_number_and_writes_the_access_log(
    rf, staff, new_case
):
    case = new_case(id_number=id_number())
    data = api_support.view_personal_data(rf.get("/"), staff.agent, case)
    assert data["id_number"] == id_number()
    row = AccessLog.objects.get(event=AccessEvent.PERSONAL_DATA_VIEW)
    assert row.user == staff.agent and case.number in row.detail


def test_a_refused_personal_data_view_writes_nothing(rf, staff, new_case):
    case = new_case()
    with pytest.raises(DomainError) as refused:
        api_support.view_personal_data(rf.get("/"), staff.xining_dispatcher, case)
    assert (refused.value.code, refused.value.status) == ("case.personal_data_forbidden", 403)
    assert not AccessLog.objects.filter(event=AccessEvent.PERSONAL_DATA_VIEW).exists()
