"""Contacts kept from the account page: add, edit, move to another job (the past role stays), left."""

import pytest
from django.urls import reverse

from accounts.models import Contact, ContactRoleHistory
from accounts.tests.factories import make_contact

pytestmark = pytest.mark.django_db


def _form(**fields: object) -> dict:
    return {
        "name": "赵敏",
        "title": "采购经理",
        "department": "采购部",
        "buying_role": "user",
        "attitude": "neutral",
        **fields,
    }


def test_a_rep_adds_a_contact_with_a_boss_from_the_account_page(client, world) -> None:
    # given the boss already a contact of the account
    boss = make_contact(world.account, name="张总", title="总经理")
    client.force_login(world.owner)
    # when the owner adds a contact reporting to them
    url = reverse("plans_account:contact_add", args=[world.account.pk])
    response = client.post(url, _form(reports_to=boss.pk, phone="+86 138 0000 0000", email="zhao@example.com"))
    # then it is saved on the account, and the account page lists it
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{world.account.pk}/#contacts"
    saved = Contact.objects.get(name="赵敏")
    assert (saved.account, saved.reports_to, saved.phone, saved.buying_role) == (
        world.account,
        boss,
        "+86 138 0000 0000",
        "user",
    )
    page = client.get(f"/accounts/{world.account.pk}/").content.decode()
    assert "赵敏" in page
    assert 'href="tel:+86 138 0000 0000"' in page


def test_a_boss_from_another_account_cannot_be_picked(client, world) -> None:
    stranger = make_contact(world.other_account, name="李强")
    client.force_login(world.director)
    url = reverse("plans_account:contact_add", args=[world.account.pk])
    response = client.post(url, _form(reports_to=stranger.pk))
    assert response.status_code == 200
    assert "reports_to" in response.context["form"].errors
    assert not Contact.objects.filter(name="赵敏").exists()


def test_editing_the_title_keeps_the_role_held_before(client, world) -> None:
    contact = make_contact(world.account, name="王伟", title="采购经理", buying_role="user")
    client.force_login(world.owner)
    url = reverse("plans_account:contact_edit", args=[world.account.pk, contact.pk])
    response = client.post(url, _form(name="王伟", title="采购总监", buying_role="decision_maker"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.title, contact.buying_role) == ("采购总监", "decision_maker")
    past = ContactRoleHistory.objects.get(contact=contact)
    assert (past.title, past.buying_role, past.account) == ("采购经理", "user", world.account)


def test_a_contact_who_moves_to_another_account_keeps_the_past_role(client, world) -> None:
    # given a contact of the owner's account with a boss there, and a second account the owner sees
    from accounts.tests.factories import make_account

    second = make_account(world.owner, name="苏州新材料")
    boss = make_contact(world.account, name="张总")
    contact = make_contact(world.account, name="王伟", title="采购经理", buying_role="user", reports_to=boss)
    client.force_login(world.owner)
    # when they move to the other account as its decision maker
    url = reverse("plans_account:contact_move", args=[world.account.pk, contact.pk])
    response = client.post(
        url, {"account": second.pk, "title": "副总经理", "department": "", "buying_role": "decision_maker"}
    )
    # then they are now there, without the old boss, and the past role is kept
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{second.pk}/#contacts"
    contact.refresh_from_db()
    assert (contact.account, contact.title, contact.buying_role, contact.reports_to) == (
        second,
        "副总经理",
        "decision_maker",
        None,
    )
    past = ContactRoleHistory.objects.get(contact=contact)
    assert (past.account, past.title, past.buying_role) == (world.account, "采购经理", "user")
    assert "was 采购经理 (User) at 华东精密机械" in client.get(f"/accounts/{second.pk}/").content.decode()


def test_a_contact_cannot_move_to_an_account_the_rep_cannot_see(client, world) -> None:
    contact = make_contact(world.account, name="王伟")
    client.force_login(world.owner)
    url = reverse("plans_account:contact_move", args=[world.account.pk, contact.pk])
    response = client.post(url, {"account": world.other_account.pk, "title": "x", "buying_role": "user"})
    assert response.status_code == 200
    assert "account" in response.context["form"].errors
    contact.refresh_from_db()
    assert contact.account == world.account


def test_marking_a_contact_as_left_keeps_them_but_off_the_chart(client, world) -> None:
    boss = make_contact(world.account, name="张总")
    report = make_contact(world.account, name="刘工", buying_role="user", reports_to=boss)
    client.force_login(world.owner)
    response = client.post(reverse("plans_account:contact_left", args=[world.account.pk, boss.pk]))
    assert response.status_code == 302
    boss.refresh_from_db()
    report.refresh_from_db()
    assert (boss.is_active, report.reports_to) == (False, None)
    page = client.get(f"/accounts/{world.account.pk}/")
    assert [card.contact.name for card in page.context["plans"].contacts] == ["刘工"]
    assert page.context["plans"].org_chart == [{"name": "刘工", "value": "User · Neutral", "children": []}]


def test_the_org_chart_follows_reporting_lines(client, world) -> None:
    ceo = make_contact(world.account, name="A总", title="总经理", attitude="supportive")
    make_contact(world.account, name="B工", title="工程师", buying_role="user", reports_to=ceo)
    make_contact(world.account, name="C经理", title="采购", buying_role="gatekeeper", reports_to=ceo)
    client.force_login(world.owner)
    chart = client.get(f"/accounts/{world.account.pk}/").context["plans"].org_chart
    assert chart == [
        {
            "name": "A总",
            "value": "总经理 · Decision maker · Supportive",
            "children": [
                {"name": "B工", "value": "工程师 · User · Neutral", "children": []},
                {"name": "C经理", "value": "采购 · Gatekeeper · Neutral", "children": []},
            ],
        }
    ]
