"""The page shell, the home page and the organization pages, scoped to the user's subtree."""

from __future__ import annotations

import pytest

from hotline.accounts.models import Role
from hotline.organizations import services
from hotline.organizations.models import Level
from hotline.testing import factories as f


@pytest.fixture
def as_user(client):
    def log_in_as(organization, *roles, **fields):
        user = f.user(organization, *roles, **fields)
        client.force_login(user)
        return user

    return log_in_as


def test_home_shows_the_users_organization_roles_and_place_in_the_tree(client, tree, as_user):
    as_user(tree.chengdong, "handler", "dispatcher", name="马晓兰")
    page = client.get("/").content.decode()
    assert "马晓兰" in page
    assert "城东区总工会" in page
    assert "承办人" in page and "派单员" in page
    # The breadcrumb walks up from the province.
    path = page[page.index('data-testid="tree-path"') :]
    assert path.index("青海省总工会") < path.index("西宁市总工会") < path.index("城东区总工会")


def test_home_lists_direct_children_with_their_counts(client, tree, as_user):
    services.create_organization(
        parent=tree.chengdong_union,
        name="项目部分会",
        level=Level.BRANCH,
        division=tree.chengdong_division,
    )
    as_user(tree.xining, "leader")
    response = client.get("/")
    children = {child.name: child for child in response.context["children"]}
    assert set(children) == {"城东区总工会", "城中区总工会"}
    assert children["城东区总工会"].child_count == 1
    assert children["城东区总工会"].descendant_count == 2
    assert response.context["descendant_count"] == 5
    assert response.context["grassroots_count"] == 2


def test_home_costs_the_same_queries_for_many_children(
    client, tree, as_user, django_assert_max_num_queries
):
    as_user(tree.golmud, "handler")
    with django_assert_max_num_queries(12) as few:
        client.get("/")
    services.create_children(
        tree.golmud,
        [
            services.NewOrganization(
                name=f"格尔木第{i}企业工会", level=Level.GRASSROOTS, division=tree.golmud_division
            )
            for i in range(30)
        ],
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert len(response.context["children"]) == 31


def test_navigation_shows_administration_only_to_administrators(client, tree, as_user):
    as_user(tree.chengdong, "handler")
    page = client.get("/").content.decode()
    assert "工会组织" in page
    assert "系统管理" not in page
    client.logout()
    as_user(tree.province, Role.ADMIN, is_staff=True)
    page = client.get("/").content.decode()
    assert "系统管理" in page
    assert "导入基层工会" in page


def test_county_handler_cannot_open_a_sibling_county_organization(client, tree, as_user):
    as_user(tree.chengdong, "handler")
    assert client.get(f"/organizations/{tree.chengdong_union.pk}/").status_code == 200
    assert client.get(f"/organizations/{tree.chengzhong.pk}/").status_code == 404
    assert client.get(f"/organizations/{tree.chengzhong_union.pk}/").status_code == 404
    assert client.get(f"/organizations/{tree.xining.pk}/").status_code == 404


@pytest.mark.parametrize("role", [value for value, _ in Role.choices])
def test_every_role_at_a_county_sees_only_its_own_subtree(client, tree, as_user, role):
    as_user(tree.golmud, role)
    response = client.get("/organizations/")
    names = {organization.name for organization in response.context["page"].object_list}
    assert names == {"格尔木市总工会", "格尔木盐湖化工有限公司工会"}
    assert client.get(f"/organizations/{tree.delingha.pk}/").status_code == 404


def test_prefecture_sees_its_counties_but_not_the_other_prefecture(client, tree, as_user):
    as_user(tree.haixi, "dispatcher")
    assert client.get(f"/organizations/{tree.golmud_union.pk}/").status_code == 200
    assert client.get(f"/organizations/{tree.chengdong.pk}/").status_code == 404
    names = {o.name for o in client.get("/organizations/").context["page"].object_list}
    assert "德令哈市总工会" in names
    assert "城东区总工会" not in names


def test_province_sees_every_organization(client, tree, as_user):
    as_user(tree.province, "leader")
    assert client.get("/organizations/").context["page"].paginator.count == 11
    assert client.get(f"/organizations/{tree.delingha_union.pk}/").status_code == 200


def test_organization_search_by_name_and_level(client, tree, as_user):
    as_user(tree.province, "agent")
    found = client.get("/organizations/", {"q": "盐湖"}).context["page"].object_list
    assert [o.name for o in found] == ["格尔木盐湖化工有限公司工会"]
    found = client.get("/organizations/", {"level": Level.COUNTY}).context["page"].object_list
    assert len(found) == 4


def test_organization_search_answers_htmx_with_the_results_only(client, tree, as_user):
    as_user(tree.province, "agent")
    response = client.get("/organizations/", {"q": "德令哈"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "德令哈光伏发电有限公司工会" in body
    assert "<html" not in body


def test_organization_search_list_costs_the_same_queries_for_more_rows(
    client, tree, as_user, django_assert_max_num_queries
):
    as_user(tree.province, "agent")
    with django_assert_max_num_queries(12) as few:
        client.get("/organizations/")
    services.create_children(
        tree.delingha,
        [
            services.NewOrganization(
                name=f"德令哈第{i}企业工会", level=Level.GRASSROOTS, division=tree.delingha_division
            )
            for i in range(40)
        ],
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/organizations/")


def test_switching_to_english_translates_the_shell(client, tree, as_user):
    as_user(tree.chengdong, "handler")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Log out" in page


def test_a_unit_with_many_children_lists_the_first_fifty_and_links_to_all(client, tree, as_user):
    services.create_children(
        tree.golmud,
        [
            services.NewOrganization(
                name=f"格尔木第{i:02d}企业工会",
                level=Level.GRASSROOTS,
                division=tree.golmud_division,
            )
            for i in range(60)
        ],
    )
    as_user(tree.golmud, "handler")
    response = client.get("/")
    assert len(response.context["children"]) == 50
    assert response.context["child_count"] == 61
    assert f"?parent={tree.golmud.pk}" in response.content.decode()
    listed = client.get("/organizations/", {"parent": tree.golmud.pk}).context["page"]
    assert listed.paginator.count == 61


def test_listing_the_children_of_an_out_of_scope_organization_is_not_found(client, tree, as_user):
    as_user(tree.golmud, "handler")
    assert client.get("/organizations/", {"parent": tree.delingha.pk}).status_code == 404


def test_navigation_marks_the_most_specific_entry_active(client, tree, as_user):
    as_user(tree.chengdong, "handler")
    navigation = client.get("/cases/inbox/").context["navigation"]
    active = [link.url for link in navigation if link.active]
    assert active == ["/cases/inbox/"]


def test_navigation_shows_each_role_its_case_pages(client, tree, as_user):
    as_user(tree.province, "agent")
    labels = [str(link.label) for link in client.get("/").context["navigation"]]
    assert "Agent workbench" in labels or "坐席工作台" in labels
    page = client.get("/").content.decode()
    assert "坐席工作台" in page and "回访" in page
    assert "督办" not in page.split('data-testid="navigation"')[1].split("</ul>")[0]
