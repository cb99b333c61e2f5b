import pytest

from accounts.models import ContactRoleHistory
from accounts.services import contact_update
from accounts.tests.factories import make_contact
from kam.testing import token_client


@pytest.mark.django_db
def test_a_contact_who_moves_keeps_their_past_role(world) -> None:
    contact = make_contact(world.account, title="采购经理", department="采购部", buying_role="gatekeeper")
    contact_update(contact=contact, data={"title": "副总经理", "buying_role": "decision_maker"})
    past = ContactRoleHistory.objects.get(contact=contact)
    assert (past.title, past.department, past.buying_role, past.account_id) == (
        "采购经理",
        "采购部",
        "gatekeeper",
        world.account.pk,
    )
    contact.refresh_from_db()
    assert (contact.title, contact.buying_role) == ("副总经理", "decision_maker")


def test_a_change_of_phone_is_not_a_move(world) -> None:
    contact = make_contact(world.account, title="工程师", buying_role="user")
    contact_update(contact=contact, data={"phone": "138-0000-0000"})
    assert not ContactRoleHistory.objects.filter(contact=contact).exists()


def test_api_update_goes_through_the_history(world) -> None:
    contact = make_contact(world.account, title="工程师", buying_role="user")
    api = token_client(world.owner)
    response = api.patch(f"/api/v1/contacts/{contact.pk}/", {"title": "总工程师"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "总工程师"
    assert list(ContactRoleHistory.objects.filter(contact=contact).values_list("title", flat=True)) == ["工程师"]


def test_reports_to_must_be_in_the_same_account(world) -> None:
    boss = make_contact(world.other_account, name="李强")
    contact = make_contact(world.account, buying_role="user")
    api = token_client(world.director)
    response = api.patch(f"/api/v1/contacts/{contact.pk}/", {"reports_to": boss.pk}, format="json")
    assert response.status_code == 400
    assert "reports_to" in response.json()["errors"]


@pytest.mark.django_db
def test_account_detail_shows_contacts_by_role_team_and_summary(client, world) -> None:
    make_contact(world.account, name="张总", title="总经理", buying_role="decision_maker")
    make_contact(world.account, name="刘工", title="工程师", buying_role="user")
    client.force_login(world.owner)
    page = client.get(f"/accounts/{world.account.pk}/").content.decode()
    for text in ("Decision maker", "张总", "User", "刘工", "Solution manager", "rep2", "Revenue, last 12 months"):
        assert text in page
