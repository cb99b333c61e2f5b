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


SAME_ACCOUNT = "Must be a contact of the same account."


def test_the_model_refuses_a_boss_from_another_account(world) -> None:  # noqa: ANN001
    # given a contact whose boss is a contact of another account
    from django.core.exceptions import ValidationError

    boss = make_contact(world.other_account, name="李强")
    contact = make_contact(world.account, buying_role="user")
    contact.reports_to = boss
    # when it is validated, then reports_to is at fault
    with pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert error.value.message_dict == {"reports_to": [SAME_ACCOUNT]}
    # and a boss of the same account is fine
    contact.reports_to = make_contact(world.account, name="张总")
    contact.full_clean()


def test_the_services_refuse_a_boss_from_another_account_and_write_nothing(world) -> None:  # noqa: ANN001
    from django.core.exceptions import ValidationError

    from accounts.models import Contact
    from accounts.services import contact_create

    boss = make_contact(world.other_account, name="李强")
    contact = make_contact(world.account, buying_role="user")
    with pytest.raises(ValidationError, match=SAME_ACCOUNT):
        contact_create(data={"account": world.account, "name": "新人", "buying_role": "user", "reports_to": boss})
    with pytest.raises(ValidationError, match=SAME_ACCOUNT):
        contact_update(contact=contact, data={"reports_to": boss})
    # moving to another account while the boss stays behind is the same fault
    local_boss = make_contact(world.account, name="张总")
    contact_update(contact=contact, data={"reports_to": local_boss})
    with pytest.raises(ValidationError, match=SAME_ACCOUNT):
        contact_update(contact=contact, data={"account": world.other_account})
    contact.refresh_from_db()
    assert (contact.account_id, contact.reports_to_id) == (world.account.pk, local_boss.pk)
    assert not Contact.objects.filter(name="新人").exists()
    assert not ContactRoleHistory.objects.filter(contact=contact).exists()


def test_a_model_form_refuses_a_boss_from_another_account(world) -> None:  # noqa: ANN001
    from django.forms import modelform_factory

    from accounts.models import Contact

    boss = make_contact(world.other_account, name="李强")
    form_class = modelform_factory(Contact, fields=["account", "name", "buying_role", "reports_to"])
    form = form_class({"account": world.account.pk, "name": "新人", "buying_role": "user", "reports_to": boss.pk})
    assert form.errors == {"reports_to": [SAME_ACCOUNT]}


def test_the_admin_refuses_a_boss_from_another_account(client, world) -> None:  # noqa: ANN001
    from accounts.models import Contact

    # given a superuser on the admin's change page of a contact
    world.director.is_staff = world.director.is_superuser = True
    world.director.save()
    boss = make_contact(world.other_account, name="李强")
    contact = make_contact(world.account, name="刘工", buying_role="user")
    client.force_login(world.director)
    # when the boss is set to a contact of another account
    response = client.post(
        f"/admin/accounts/contact/{contact.pk}/change/",
        {
            "account": world.account.pk,
            "name": "刘工",
            "buying_role": "user",
            "attitude": "neutral",
            "reports_to": boss.pk,
            "is_active": "on",
        },
    )
    # then the page comes back with the error on the field, and nothing changed
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"reports_to": [SAME_ACCOUNT]}
    assert Contact.objects.get(pk=contact.pk).reports_to_id is None


def test_the_api_creates_and_updates_contacts_through_the_services(world, service_calls) -> None:  # noqa: ANN001
    from accounts import services

    # given watches on both contact services
    created, updated = service_calls(services, "contact_create"), service_calls(services, "contact_update")
    boss = make_contact(world.other_account, name="李强")
    api = token_client(world.director)
    # when the API creates a contact with a boss elsewhere, then a good one, then patches it
    refused = api.post(
        "/api/v1/contacts/",
        {"account": world.account.pk, "name": "新人", "buying_role": "user", "reports_to": boss.pk},
        format="json",
    )
    ok = api.post(
        "/api/v1/contacts/", {"account": world.account.pk, "name": "新人", "buying_role": "user"}, format="json"
    )
    patched = api.patch(f"/api/v1/contacts/{ok.json()['id']}/", {"reports_to": boss.pk}, format="json")
    # then the refusals are the model's, in the API's error shape, and every write went through a service
    assert (refused.status_code, refused.json()["errors"]) == (400, {"reports_to": [SAME_ACCOUNT]})
    assert ok.status_code == 201
    assert (patched.status_code, patched.json()["errors"]) == (400, {"reports_to": [SAME_ACCOUNT]})
    assert [c["data"]["name"] for c in created] == ["新人", "新人"]
    assert [c["data"] for c in updated] == [{"reports_to": boss}]
