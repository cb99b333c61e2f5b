"""ERP ids to database ids, with the caller's visibility, one query per kind of reference.

A reference the caller may not see is reported exactly like one that does not exist, so a
batch never confirms that another team's account exists. The one exception is the record's own
key: an existing row the caller may not see cannot be overwritten, and saying so is unavoidable.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts import groups
from accounts.models import Account, User
from accounts.permissions import default_account_owner, owner_choices
from accounts.visibility import sees_everything
from integrations.bulk.specs import ManyReference, Reference, Spec
from integrations.bulk.upsert import Guard, key_list


@dataclass(eq=False, slots=True)  # slots: 5,000 of these a call, fewer objects for the GC to track
class Item:
    """One record of the batch on its way through validation and writing."""

    index: int
    external_id: str | None
    values: dict[str, Any]  # validated, by record field name
    errors: dict[str, list[str]]
    columns: dict[str, Any]  # by model attribute with references resolved (set by `resolve`)
    parent_key: str | None = None  # another record of the batch this one must follow
    links: dict[str, list[int]] | None = None  # per many-reference, the ids it names (set by `resolve`)
    status: str | None = None
    id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def resolve(spec: Spec, user: User, items: list[Item]) -> None:
    """Fill `item.columns` from `item.values`, or add errors; only valid items are looked at."""
    live = [item for item in items if item.ok]
    for item in live:
        item.columns = spec.columns(item.values)
    for ref in (spec.account, *spec.references):
        if ref is not None:
            _resolve(ref, user, live)
    for many in spec.many:
        _resolve_many(many, user, [item for item in live if item.ok])
    if spec.parent is not None:
        _resolve_parents(spec, spec.parent, user, items)
    if spec.owner is not None:
        _resolve_owners(spec, spec.owner, user, [item for item in live if item.ok])
    if not sees_everything(user):
        _refuse_hidden_rows(spec, user, [item for item in live if item.ok])
    if spec.parent_acyclic:
        _refuse_cycles(spec, [item for item in live if item.ok])
    if spec.parent is not None:
        invalidate_orphans(spec, items)  # again: the checks above may have failed some parents


def _resolve(ref: Reference, user: User, items: list[Item]) -> None:
    """Look `ref` up for every item naming one (null: none) and set its column."""
    found = _lookup(ref.model, user, {item.values[ref.name] for item in items if item.values.get(ref.name)})
    for item in items:
        if ref.name not in item.values:
            continue  # left out: the column keeps its value
        key = item.values[ref.name]
        row = found.get(key) if key is not None else (None, None)
        if row is None:
            item.fail(ref.name, does_not_exist(ref.model, key))
        elif ref.same_account and row[1] is not None and row[1] != item.columns.get("account_id", row[1]):
            item.fail(ref.name, belongs_elsewhere(ref.model, key))
        else:
            item.columns[ref.column] = row[0]


def _resolve_many(many: ManyReference, user: User, items: list[Item]) -> None:
    """Look up every id of a list reference (rows of the record's own account) and keep them in
    `item.links`; each unknown, hidden or foreign id is an error of the record."""
    found = _lookup(many.model, user, {key for item in items for key in item.values.get(many.name) or ()})
    for item in items:
        if many.name not in item.values:
            continue  # left out: the links are kept
        pks = []
        for key in dict.fromkeys(item.values[many.name] or ()):
            row = found.get(key)
            if row is None:
                item.fail(many.name, does_not_exist(many.model, key))
            elif row[1] != item.columns.get("account_id"):
                item.fail(many.name, belongs_elsewhere(many.model, key))
            else:
                pks.append(row[0])
        item.links = {**(item.links or {}), many.name: pks}


def does_not_exist(model: type[models.Model], key: str) -> str:
    return _('%(model)s "%(key)s" does not exist.') % _names(model, key)


def belongs_elsewhere(model: type[models.Model], key: str) -> str:
    return _('%(model)s "%(key)s" belongs to another account.') % _names(model, key)


def _names(model: type[models.Model], key: str) -> dict[str, str]:
    return {"model": str(model._meta.verbose_name).capitalize(), "key": key}


def _lookup(model: type[models.Model], user: User, keys: set[str]) -> dict[str, tuple[int, int | None]]:
    """ERP id -> (pk, account id) among the rows of `model` visible to `user`."""
    if not keys:
        return {}
    if model is User:  # people are named by username; any active person may be named
        rows = User.objects.filter(is_active=True, username__in=key_list(keys)).values_list("username", "pk")
        return {key: (pk, None) for key, pk in rows}
    owner = "pk" if model is Account else "account_id"
    rows = model.objects.visible_to(user).filter(external_id__in=key_list(keys)).values_list("external_id", "pk", owner)
    return {key: (pk, account_id) for key, pk, account_id in rows}


def _resolve_parents(spec: Spec, ref: Reference, user: User, items: list[Item]) -> None:
    """The parent may be in the database or another record of this batch (written first)."""
    in_batch = {item.external_id: item for item in items if item.external_id is not None}
    named = {item.values[ref.name] for item in items if item.ok and item.values.get(ref.name)}
    found = _lookup(ref.model, user, named - in_batch.keys())
    for item in items:
        if ref.name not in item.values or not item.ok:
            continue
        key = item.values[ref.name]
        if key is None:
            item.columns[ref.column] = None
        elif key == item.external_id:
            item.fail(ref.name, _("A record cannot be its own parent."))
        elif key in in_batch:
            item.parent_key = key  # the column is set once that record is written (or it fails)
            parent_account = in_batch[key].values.get("account_external_id")
            if spec.parent_same_account and parent_account != item.values.get("account_external_id"):
                item.fail(ref.name, belongs_elsewhere(ref.model, key))
        elif key in found:
            pk, account_id = found[key]
            if spec.parent_same_account and account_id != item.columns.get("account_id"):
                item.fail(ref.name, belongs_elsewhere(ref.model, key))
            item.columns[ref.column] = pk
        else:
            item.fail(ref.name, does_not_exist(ref.model, key))
    invalidate_orphans(spec, items)


def _resolve_owners(spec: Spec, ref: Reference, user: User, items: list[Item]) -> None:
    """The owner named by username, by the hand-over rule (accounts.permissions): someone
    `user` may hand accounts to, or the row's current owner (kept as is). Anyone else is
    reported as not existing, so the answer does not tell whether such a person exists. A new
    account that names nobody goes to `new_account_owner(user)`; with none, it is refused."""
    named = {item.values[ref.name] for item in items if item.values.get(ref.name) is not None}
    allowed = dict(owner_choices(user).filter(username__in=named).values_list("username", "pk"))
    current = {
        key: (username, pk)
        for key, username, pk in spec.model.objects.filter(
            external_id__in=key_list([item.external_id for item in items])
        ).values_list("external_id", "owner__username", "owner_id")
    }
    default = new_account_owner(user)
    for item in items:
        name = item.values.get(ref.name)
        if name is None:
            if item.external_id not in current and default is None:
                item.fail(ref.name, _("Name the owner: no default owner is configured for new accounts."))
            elif default is None:
                # Kept as is, but named: INSERT ... ON CONFLICT checks NOT NULL before the conflict.
                item.columns[ref.column] = current[item.external_id][1]
            continue  # left out: the owner is kept on update, the default is used on insert
        if name in allowed:
            item.columns[ref.column] = allowed[name]
        elif item.external_id in current and name == current[item.external_id][0]:
            item.columns[ref.column] = current[item.external_id][1]  # the current owner, kept
        else:
            item.fail(ref.name, _('User "%(name)s" does not exist or cannot be given this account.') % {"name": name})


def new_account_owner(user: User) -> User | None:
    """Who owns a new account that names no owner: its creator if they can own accounts (a
    person's new account is theirs, or they could not see it), else the configured default."""
    if user.pk is not None and owner_choices(user).filter(pk=user.pk).exists():
        return user
    return default_account_owner()


def invalidate_orphans(spec: Spec, items: list[Item]) -> None:
    """A record whose in-batch parent turned out invalid cannot be written either."""
    assert spec.parent is not None
    by_key = {item.external_id: item for item in items}
    changed = True
    while changed:
        changed = False
        for item in items:
            parent = by_key.get(item.parent_key) if item.parent_key else None
            if item.ok and parent is not None and not parent.ok:
                item.fail(
                    spec.parent.name,
                    _('%(model)s "%(key)s" is not valid in this batch.') % _names(spec.model, str(parent.external_id)),
                )
                changed = True


def visibility_guard(spec: Spec, user: User) -> Guard | None:
    """SQL that is true when the existing row `t` is the caller's to change (None: all are)."""
    if sees_everything(user):
        return None
    sql, params = Account.objects.visible_to(user).values("pk").query.sql_with_params()
    column = spec.model._meta.pk.column if spec.model is Account else spec.model._meta.get_field("account").column
    return f"t.{connection.ops.quote_name(column)} IN ({sql})", params


def _refuse_hidden_rows(spec: Spec, user: User, items: list[Item]) -> None:
    """People may not overwrite rows of accounts they cannot see (moving them would be a leak too)."""
    keys = [item.external_id for item in items]
    if not keys:
        return
    hidden = set(
        spec.model.objects.filter(external_id__in=key_list(keys))
        .exclude(pk__in=spec.model.objects.visible_to(user).values("pk"))
        .values_list("external_id", flat=True)
    )
    for item in items:
        if item.external_id in hidden:
            item.fail("external_id", hidden_message(spec))


def hidden_message(spec: Spec) -> str:
    # "%(model)s" first: no a/an to get wrong, and it reads the same in Chinese.
    return _("%(model)s with this ERP ID exists and is not visible to you; it cannot be changed.") % {
        "model": capfirst(spec.model._meta.verbose_name)
    }


def _refuse_cycles(spec: Spec, items: list[Item]) -> None:
    """Group trees stay trees of at most settings.ACCOUNT_GROUP_MAX_DEPTH levels: under the
    re-parenting lock (held until the batch commits, see `accounts.groups`), the batch's new
    parents are checked against the tree as committed, at any depth."""
    ref = spec.parent
    assert ref is not None
    assert spec.model is Account
    sent = [item for item in items if ref.name in item.values]
    if not any(item.values[ref.name] for item in sent):
        return
    groups.lock_trees()
    keys = {item.external_id for item in sent} | {item.values[ref.name] for item in sent if item.values[ref.name]}
    pks = dict(Account.objects.filter(external_id__in=key_list(sorted(keys))).values_list("external_id", "pk"))

    def node(key: str) -> Hashable:
        # A stored account by its id; a record of this batch not written yet by its ERP id.
        return pks.get(key, ("batch", key))

    changes = {node(item.external_id): node(item.values[ref.name]) if item.values[ref.name] else None for item in sent}
    found = groups.violations(changes)  # a batch: refused changes are left out of the others' check
    for item in sent:
        violation = found.get(node(item.external_id))
        if violation is not None:
            item.fail(ref.name, groups.message(violation))
