import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.selectors import account_group_tree
from accounts.tests.factories import make_account
from kam.testing import token_client


@pytest.fixture
def group(world):  # noqa: ANN001, ANN201
    """world.account is the root; child under it; grandchild under child (3 levels)."""
    child = make_account(world.owner, name="子公司", parent=world.account)
    grandchild = make_account(world.owner, name="分厂", parent=child)
    return world.account, child, grandchild


def test_ancestors_and_root_walk_any_depth(group) -> None:
    root, child, grandchild = group
    assert grandchild.ancestors() == [child, root]
    assert grandchild.root() == root
    assert root.root() == root


def test_a_cycle_is_refused_with_a_clear_error(group) -> None:
    root, _, grandchild = group
    root.parent = grandchild
    with pytest.raises(ValidationError) as error:
        root.full_clean()
    assert "cannot contain itself" in str(error.value.message_dict["parent"])


def test_an_account_cannot_be_its_own_parent(group) -> None:
    root, _, _ = group
    root.parent = root
    with pytest.raises(ValidationError):
        root.full_clean()


def test_api_refuses_a_cycle_and_keeps_the_tree(client, world, group) -> None:
    root, _, grandchild = group
    api = token_client(world.director)
    response = api.patch(f"/api/v1/accounts/{root.pk}/", {"parent": grandchild.pk}, format="json")
    assert response.status_code == 400
    assert "cannot contain itself" in response.json()["errors"]["parent"][0]
    root.refresh_from_db()
    assert root.parent_id is None


def test_edit_form_refuses_a_cycle_and_keeps_what_was_typed(client, world, group) -> None:
    root, _, grandchild = group
    client.force_login(world.director)
    form = {
        "name": "Typed name",
        "owner": world.owner.pk,
        "parent": grandchild.pk,
        "operating_status": "operating",
        "relationship_type": "partner",
        "lifecycle_stage": "growth",
        "region": "华东",
    }
    response = client.post(reverse("accounts:edit", args=[root.pk]), form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot contain itself" in page
    assert 'value="Typed name"' in page
    root.refresh_from_db()
    assert (root.name, root.parent_id) == ("华东精密机械", None)


def test_group_tree_hides_members_of_other_teams_but_shows_the_shape(world, group) -> None:
    root, child, grandchild = group
    foreign = make_account(world.other_rep, name="外部子公司", parent=root)
    nodes = account_group_tree(user=world.owner, account=grandchild)
    assert [(n.account.name, n.depth, n.visible) for n in nodes] == [
        ("华东精密机械", 0, True),
        ("外部子公司", 1, False),
        ("子公司", 1, True),
        ("分厂", 2, True),
    ]
    assert foreign.pk not in [a.pk for a in child.children.all()]


def test_deleting_a_parent_with_subsidiaries_is_refused(client, world, group) -> None:
    root, _, _ = group
    client.force_login(world.director)
    response = client.post(reverse("accounts:delete", args=[root.pk]), follow=True)
    assert "subsidiaries" in response.content.decode()
    assert root.__class__.objects.filter(pk=root.pk).exists()
