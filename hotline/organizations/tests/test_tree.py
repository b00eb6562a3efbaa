"""The materialized path: subtrees are prefixes, segments never collide."""

import pytest

from hotline.core.errors import DomainError
from hotline.organizations import services
from hotline.organizations.models import Level, Organization


def test_children_paths_extend_the_parent_path(tree):
    assert tree.chengdong.path.startswith(tree.xining.path)
    assert tree.chengdong.depth == tree.xining.depth + 1 == 2
    assert tree.chengdong.path != tree.chengzhong.path


def test_subtree_is_a_path_prefix(tree):
    names = set(
        Organization.objects.filter(path__startswith=tree.xining.path).values_list(
            "name", flat=True
        )
    )
    assert "城东区总工会" in names
    assert "格尔木市总工会" not in names


def test_segments_keep_counting_after_many_children(tree):
    children = services.create_children(
        tree.golmud,
        [
            services.NewOrganization(
                name=f"格尔木企业{i}工会", level=Level.GRASSROOTS, division=tree.golmud_division
            )
            for i in range(40)
        ],
    )
    paths = [child.path for child in children]
    assert len(set(paths)) == 40
    assert paths == sorted(paths)


def test_a_county_federation_cannot_stand_below_a_grassroots_union(tree):
    with pytest.raises(DomainError) as refused:
        services.create_organization(
            parent=tree.golmud_union,
            name="错误的县总工会",
            level=Level.COUNTY,
            division=tree.golmud_division,
        )
    assert refused.value.code == "organization.level_not_allowed"
    assert not Organization.objects.filter(name="错误的县总工会").exists()


def test_path_segment_is_fixed_width_base36():
    assert services.path_segment(1) == "0001."
    assert services.path_segment(36) == "0010."
    with pytest.raises(DomainError):
        services.path_segment(0)
