"""The organization and division API: every role sees its own subtree and nothing else."""

from __future__ import annotations

import pytest

from hotline.accounts.models import Role
from hotline.accounts.tokens import create_api_token
from hotline.organizations import selectors, services
from hotline.organizations.models import Division, Level, Organization
from hotline.testing import factories as f

ROLES = [role.value for role in Role]
API = "/api/v1"


class Caller:
    """A user calling the API with a bearer token."""

    def __init__(self, client, user) -> None:
        self.client = client
        self.user = user
        _, self.token = create_api_token(user, name="tests")

    def get(self, path: str, **params):
        return self.client.get(
            f"{API}{path}", params, headers={"Authorization": f"Bearer {self.token}"}
        )


def caller_at(client, organization: Organization, role: str = "handler") -> Caller:
    return Caller(client, f.user(organization, role))


def child_codes(code: str) -> list[str]:
    return sorted(Division.objects.filter(parent_id=code).values_list("code", flat=True))


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


# --- scoping, for every role -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_county_user_of_every_role_sees_its_own_organization_and_subtree(client, tree, role):
    caller = caller_at(client, tree.chengdong, role)
    assert caller.get(f"/organizations/{tree.chengdong.pk}").status_code == 200
    assert caller.get(f"/organizations/{tree.chengdong_union.pk}").status_code == 200
    assert names(caller.get(f"/organizations/{tree.chengdong.pk}/children")) == [
        tree.chengdong_union.name
    ]


@pytest.mark.parametrize("role", ROLES)
def test_county_user_of_every_role_cannot_see_sibling_county_or_prefecture_above(
    client, tree, role
):
    caller = caller_at(client, tree.chengdong, role)
    for hidden in (tree.chengzhong, tree.chengzhong_union, tree.xining, tree.province):
        detail = caller.get(f"/organizations/{hidden.pk}")
        children = caller.get(f"/organizations/{hidden.pk}/children")
        assert detail.status_code == children.status_code == 404, hidden.name
        assert detail.json()["error"]["code"] == "organization.not_found"
        assert children.json()["error"]["code"] == "organization.not_found"


@pytest.mark.parametrize("role", ROLES)
def test_prefecture_user_of_every_role_sees_its_counties_but_not_the_other_prefecture(
    client, tree, role
):
    caller = caller_at(client, tree.xining, role)
    assert names(caller.get(f"/organizations/{tree.xining.pk}/children")) == [
        tree.chengdong.name,
        tree.chengzhong.name,
    ]
    assert caller.get(f"/organizations/{tree.chengzhong_union.pk}").status_code == 200
    for hidden in (tree.haixi, tree.golmud, tree.golmud_union, tree.province):
        assert caller.get(f"/organizations/{hidden.pk}").status_code == 404, hidden.name


@pytest.mark.parametrize("role", ROLES)
def test_province_user_of_every_role_sees_every_organization(client, tree, role):
    caller = caller_at(client, tree.province, role)
    for organization in Organization.objects.all():
        assert caller.get(f"/organizations/{organization.pk}").status_code == 200
    assert names(caller.get(f"/organizations/{tree.province.pk}/children")) == [
        tree.xining.name,
        tree.haixi.name,
    ]


@pytest.mark.parametrize("role", ROLES)
def test_division_children_follow_the_callers_territory_for_every_role(client, tree, role):
    county = caller_at(client, tree.chengdong, role)
    prefecture = caller_at(client, tree.xining, role)
    province = caller_at(client, tree.province, role)

    assert county.get("/divisions/630102/children").json() == []
    assert county.get("/divisions/630103/children").status_code == 404
    assert county.get("/divisions/630100/children").status_code == 404

    codes = [item["code"] for item in prefecture.get("/divisions/630100/children").json()]
    assert codes == child_codes("630100")
    assert {"630102", "630103"} <= set(codes)
    assert prefecture.get("/divisions/632800/children").status_code == 404
    assert prefecture.get("/divisions/630000/children").status_code == 404

    codes = [item["code"] for item in province.get("/divisions/630000/children").json()]
    assert codes == child_codes("630000")
    assert {"630100", "632800"} <= set(codes)
    codes = [item["code"] for item in province.get("/divisions/632800/children").json()]
    assert codes == child_codes("632800")
    assert {"632801", "632802"} <= set(codes)


# --- divisions ---------------------------------------------------------------------------------


def test_division_children_carry_code_name_and_level(client, tree):
    response = caller_at(client, tree.province).get("/divisions/630100/children")
    assert response.json()[0] == {"code": "630102", "name": "城东区", "level": "county"}


def test_an_unknown_division_code_answers_404_json(client, tree):
    response = caller_at(client, tree.province).get("/divisions/639999/children")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "division.not_found"


@pytest.mark.parametrize("code", ["63010", "6301000", "63a100", "abcdef"])
def test_a_division_code_that_is_not_six_digits_answers_422(client, tree, code):
    response = caller_at(client, tree.province).get(f"/divisions/{code}/children")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["code"]


# --- one organization --------------------------------------------------------------------------


def test_organization_detail_gives_parent_division_and_counts(client, tree):
    body = caller_at(client, tree.province).get(f"/organizations/{tree.xining.pk}").json()
    assert body["id"] == tree.xining.pk
    assert body["name"] == "西宁市总工会"
    assert body["level"] == "prefecture"
    assert body["parent_id"] == tree.province.pk
    assert body["division"] == {"code": "630100", "name": "西宁市", "level": "prefecture"}
    assert (body["child_count"], body["descendant_count"]) == (2, 4)


def test_organization_detail_of_a_grassroots_union_gives_formation_and_credit_code(client, tree):
    union = f.organization(
        "城东区某某物流有限公司工会",
        parent=tree.chengdong,
        level=Level.GRASSROOTS,
        division=tree.chengdong_division,
        credit_code="91630102MA752XXXXA",
        formation="joint",
    )
    body = caller_at(client, tree.chengdong).get(f"/organizations/{union.pk}").json()
    assert (body["formation"], body["credit_code"]) == ("joint", "91630102MA752XXXXA")
    assert (body["child_count"], body["descendant_count"]) == (0, 0)


def test_an_unknown_organization_answers_404_like_an_invisible_one(client, tree):
    caller = caller_at(client, tree.province)
    response = caller.get("/organizations/999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "organization.not_found"


def test_an_organization_id_that_is_not_a_number_answers_422(client, tree):
    response = caller_at(client, tree.province).get("/organizations/abc")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["organization_id"]


# --- children ----------------------------------------------------------------------------------


def test_children_list_gives_each_child_its_counts_division_and_total(client, tree):
    body = caller_at(client, tree.province).get(f"/organizations/{tree.province.pk}/children")
    body = body.json()
    assert (body["count"], body["limit"], body["offset"]) == (2, 50, 0)
    xining = body["items"][0]
    assert xining["division"] == {"code": "630100", "name": "西宁市", "level": "prefecture"}
    assert (xining["child_count"], xining["descendant_count"]) == (2, 4)
    assert xining["level"] == "prefecture"
    assert {"formation", "credit_code", "level_label", "is_active"} <= set(xining)


def test_children_list_pages_with_limit_and_offset_and_keeps_the_total(client, tree):
    caller = caller_at(client, tree.xining)
    response = caller.get(f"/organizations/{tree.xining.pk}/children", limit=1, offset=1)
    assert response.json()["count"] == 2
    assert names(response) == [tree.chengzhong.name]


def test_children_list_filters_by_level(client, tree):
    f.organization(
        "西宁市直属企业工会",
        parent=tree.xining,
        level=Level.GRASSROOTS,
        division=tree.xining_division,
    )
    caller = caller_at(client, tree.xining)
    response = caller.get(f"/organizations/{tree.xining.pk}/children", level="grassroots")
    assert names(response) == ["西宁市直属企业工会"]
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"level": "planet"}, "level"),
    ],
)
def test_children_list_refuses_bad_paging_or_level_with_422(client, tree, params, field):
    response = caller_at(client, tree.province).get(
        f"/organizations/{tree.province.pk}/children", **params
    )
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == [field]


def test_children_list_accepts_the_largest_page(client, tree):
    response = caller_at(client, tree.province).get(
        f"/organizations/{tree.province.pk}/children", limit=200
    )
    assert response.status_code == 200


def grow(parent: Organization, count: int) -> None:
    """``count`` grassroots unions below ``parent``, each with one branch below it."""
    children = services.create_children(
        parent,
        [
            services.NewOrganization(
                name=f"{parent.name}企业{i}工会", level=Level.GRASSROOTS, division=parent.division
            )
            for i in range(count)
        ],
    )
    for child in children:
        f.organization(
            f"{child.name}分会", parent=child, level=Level.BRANCH, division=child.division
        )


@pytest.mark.parametrize("count", [2, 40])
def test_children_list_costs_the_same_queries_for_2_and_40_children(
    client, tree, django_assert_num_queries, count
):
    grow(tree.golmud, count - 1)  # golmud already has one grassroots union
    caller = caller_at(client, tree.haixi)
    url = f"/organizations/{tree.golmud.pk}/children"
    caller.get(
        url
    )  # the first use of a token writes last_used_at; later ones within a minute don't
    # token + parent + total + page + counts
    with django_assert_num_queries(5):
        response = caller.get(url)
    assert response.json()["count"] == count
    counts = [(item["child_count"], item["descendant_count"]) for item in response.json()["items"]]
    assert counts == [(0, 0)] + [(1, 1)] * (count - 1)


def test_descendant_counts_reach_every_level_below(client, tree):
    grow(tree.chengdong, 1)
    branch_parent = Organization.objects.get(name="城东区总工会企业0工会")
    f.organization(
        "第二分会", parent=branch_parent, level=Level.BRANCH, division=tree.chengdong_division
    )
    branch = Organization.objects.get(name="城东区总工会企业0工会分会")
    f.organization("第一小组", parent=branch, level=Level.GROUP, division=tree.chengdong_division)

    body = caller_at(client, tree.province).get(f"/organizations/{tree.xining.pk}/children")
    by_name = {item["name"]: item for item in body.json()["items"]}
    # 城东区总工会: 2 grassroots unions; one of them has 2 branches, one branch has 1 group.
    assert by_name["城东区总工会"]["child_count"] == 2
    assert by_name["城东区总工会"]["descendant_count"] == 2 + 2 + 1
    assert by_name["城中区总工会"]["descendant_count"] == 1


# --- the selector the pages share --------------------------------------------------------------


def test_organization_children_selector_annotates_counts_without_paging(tree):
    children = selectors.organization_children(tree.province)
    assert [c.name for c in children] == [tree.xining.name, tree.haixi.name]
    assert [(c.child_count, c.descendant_count) for c in children] == [(2, 4), (2, 4)]


def test_organization_children_selector_of_a_leaf_is_empty(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.organization_children(tree.golmud_union) == []


def test_annotate_counts_handles_organizations_of_different_depths(tree):
    organizations = [tree.province, tree.xining, tree.golmud_union]
    selectors.annotate_counts(organizations)
    assert [(o.child_count, o.descendant_count) for o in organizations] == [
        (2, 10),
        (2, 4),
        (0, 0),
    ]


def test_organization_overview_gives_ancestors_children_and_subtree_totals(
    tree, django_assert_num_queries
):
    f.user(tree.xining, "leader")
    with django_assert_num_queries(5):  # totals, ancestors, children, their counts, users
        overview = selectors.organization_overview(tree.xining)
    assert [a.name for a in overview["ancestors"]] == ["青海省总工会"]
    assert [c.name for c in overview["children"]] == [tree.chengdong.name, tree.chengzhong.name]
    assert (overview["descendant_count"], overview["grassroots_count"]) == (4, 2)
    assert overview["user_count"] == 1


def test_organization_overview_of_a_grassroots_union_counts_itself_as_grassroots(tree):
    overview = selectors.organization_overview(tree.golmud_union)
    assert (overview["descendant_count"], overview["grassroots_count"]) == (0, 1)
    assert [a.name for a in overview["ancestors"]] == [
        "青海省总工会",
        "海西州总工会",
        "格尔木市总工会",
    ]


def test_search_organizations_stays_in_the_users_subtree(tree):
    county = f.user(tree.chengdong, "agent")
    assert [o.name for o in selectors.search_organizations(county, text="工会")] == [
        tree.chengdong.name,
        tree.chengdong_union.name,
    ]
    assert not selectors.search_organizations(county, text="盐湖").exists()


def test_search_organizations_finds_by_credit_code_and_filters_by_level(tree):
    f.organization(
        "格尔木物流有限公司工会",
        parent=tree.golmud,
        level=Level.GRASSROOTS,
        division=tree.golmud_division,
        credit_code="91632801MA7XXXXX1Q",
    )
    province = f.user(tree.province, "agent")
    found = selectors.search_organizations(province, text="MA7XXXXX1Q")
    assert [o.name for o in found] == ["格尔木物流有限公司工会"]
    assert selectors.search_organizations(province, level=Level.COUNTY).count() == 4
