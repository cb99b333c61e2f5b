"""Demo data for the KAM CRM, generated without touching the database.

Everything here is pure: a seeded numpy ``Generator`` (PCG64) turns (seed, sizes, as-of date)
into plain pandas DataFrames that reference each other by *row index* (account 0, contact 17, …),
never by database id. The ``seed_demo`` command maps indexes to ids and writes the rows, so the
same seed gives the same names, amounts, dates and relations on SQLite and PostgreSQL alike.

Each part of the data draws from its own random stream (``_rng("contacts")``, ``_rng("orders", k)``…),
so changing how one part is generated does not reshuffle the others, and orders can be produced
chunk by chunk (bounded memory) while staying reproducible.

Orders are the big table (10M rows at full size): ``order_chunks()`` yields them in chunks of about
``CHUNK_ROWS`` rows, in date order, with one payment per non-cancelled order alongside.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from accounts.demo.words import (
    ATTITUDE_WEIGHTS,
    ATTITUDES,
    BOTTLENECKS,
    BRANCH_WORDS,
    BRANDS,
    BUYING_ROLES,
    CREDIT_LEVELS,
    CREDIT_WEIGHTS,
    DEFAULT_ATTITUDE_WEIGHTS,
    FEEDBACK_DETAILS,
    FEEDBACK_SUBJECTS,
    GIVEN,
    INDUSTRIES,
    LIFECYCLE_STAGES,
    OPERATING_STATUSES,
    OTHER_ROLE_WEIGHTS,
    REGIONS,
    RELATIONSHIP_TYPES,
    ROLE_TITLES,
    STRATEGIES,
    SURNAMES,
)

# Fixed, not a parameter: the chunk layout shapes the order dates, so it is part of the data.
CHUNK_ROWS = 200_000
HISTORY_YEARS = 3
DEMO_PASSWORD = "demo1234"  # noqa: S105 - the published password of the demo logins


# ---------------------------------------------------------------------------------------------
# People of the demo: logins and teams
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # accounts.User.Role value
    last_name: str
    first_name: str
    team: str | None  # name of the team this user belongs to (a manager belongs to the team they lead)


@dataclass(frozen=True)
class DemoTeam:
    name: str
    manager: str
    reps: tuple[str, ...]


DEMO_TEAMS: tuple[DemoTeam, ...] = (
    DemoTeam("Team 1", "manager1", ("rep1", "rep2", "rep3")),
    DemoTeam("Team 2", "manager2", ("rep4", "rep5", "rep6")),
)

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("director", "director", "陈", "建国", None),
    DemoUser("manager1", "manager", "王", "海峰", "Team 1"),
    DemoUser("manager2", "manager", "李", "晓燕", "Team 2"),
    DemoUser("rep1", "rep", "张", "伟", "Team 1"),
    DemoUser("rep2", "rep", "刘", "芳", "Team 1"),
    DemoUser("rep3", "rep", "杨", "洋", "Team 1"),
    DemoUser("rep4", "rep", "赵", "敏", "Team 2"),
    DemoUser("rep5", "rep", "黄", "俊杰", "Team 2"),
    DemoUser("rep6", "rep", "周", "婷", "Team 2"),
)

REPS: tuple[str, ...] = tuple(rep for team in DEMO_TEAMS for rep in team.reps)
# Some reps carry more accounts than others.
REP_WEIGHTS = np.array([0.22, 0.18, 0.14, 0.20, 0.15, 0.11])


def team_of(username: str) -> DemoTeam:
    for team in DEMO_TEAMS:
        if username == team.manager or username in team.reps:
            return team
    raise KeyError(username)


# Activity patterns of accounts over the three years of history.
ACTIVE, CHURNED, NEW = 0, 1, 2
# Payer types.
GOOD, SLOW, BAD = 0, 1, 2


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderChunk:
    """One chunk of orders (in date order) with the payments of its non-cancelled orders."""

    index: int
    orders: pd.DataFrame  # seq, external_id, account, ordered_at, amount_cents, margin_cents, status
    payments: pd.DataFrame  # seq, external_id, order_seq, account, amount_cents, due_on, paid_on (NaT: unpaid)


def _nullable(values: np.ndarray, present: np.ndarray) -> pd.Series:
    """An integer column with <NA> where `present` is false (a nullable foreign key by index)."""
    return pd.Series(values, dtype="Int64").where(present)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class DemoData:
    """All demo rows for one (accounts, orders, seed, as_of). Cheap parts are cached properties;
    orders come from ``order_chunks()`` and are never all held at once."""

    def __init__(self, accounts: int, orders: int, seed: int, as_of: date) -> None:
        if accounts < 1:
            raise ValueError("need at least one account")
        if orders < 0:
            raise ValueError("orders cannot be negative")
        self.n_accounts = accounts
        self.n_orders = orders
        self.seed = seed
        self.as_of = as_of
        self.start = _years_before(as_of, HISTORY_YEARS)
        self.span = (as_of - self.start).days  # day index of as_of; orders fall on days 0..span
        self._epoch = np.datetime64(self.start, "D")

    # -- helpers --------------------------------------------------------------------------------

    def _rng(self, *stream: str | int) -> np.random.Generator:
        # A stable (not Python-hash-randomised) key per stream.
        key = [self.seed, *(zlib.crc32(s.encode()) if isinstance(s, str) else int(s) for s in stream)]
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(key)))

    def _dates(self, days: np.ndarray) -> np.ndarray:
        return self._epoch + days.astype("timedelta64[D]")

    # -- accounts -------------------------------------------------------------------------------

    @cached_property
    def _structure(self) -> tuple[np.ndarray, np.ndarray]:
        """Parent index (-1 for none) and root index of every account, parents before children.

        About 13% of top-level draws become groups of 1-5 subsidiaries, a third of them with a
        second level; the first account is always a two-level group so small runs have one too."""
        rng = self._rng("structure")
        n = self.n_accounts
        parent = np.full(n, -1, dtype=np.int64)
        root = np.arange(n, dtype=np.int64)
        i = 0
        while i < n:
            first = i == 0 and n >= 6
            if not (first or (n - i >= 2 and rng.random() < 0.13)):
                i += 1
                continue
            top = i
            i += 1
            deep = first or rng.random() < 0.33
            for c in range(int(rng.integers(1, 6))):
                if i >= n:
                    break
                child = i
                parent[child], root[child] = top, top
                i += 1
                if deep and (c == 0 or rng.random() < 0.4):
                    for _ in range(int(rng.integers(1, 4))):
                        if i >= n:
                            break
                        parent[i], root[i] = child, top
                        i += 1
        return parent, root

    @cached_property
    def _profile(self) -> pd.DataFrame:
        """Hidden per-account drivers of the order history (not written to the database)."""
        rng = self._rng("profile")
        n = self.n_accounts
        # Lognormal with sigma 1.7: the top 20% of accounts hold ~80% of the weight (Pareto-like).
        weight = rng.lognormal(0.0, 1.7, n)
        pattern = np.where(rng.random(n) < 0.12, CHURNED, ACTIVE)
        pattern = np.where((pattern == ACTIVE) & (rng.random(n) < 0.11), NEW, pattern)
        pattern[0] = ACTIVE
        span = self.span
        start = np.zeros(n, dtype=np.int64)
        end = np.full(n, span, dtype=np.int64)
        # Churned: nothing in the last year.
        churned = pattern == CHURNED
        end[churned] = rng.integers(int(span * 0.2), span - 365, churned.sum(), endpoint=True)
        # New: first order within the last year.
        new = pattern == NEW
        start[new] = rng.integers(span - 365, span - 30, new.sum(), endpoint=True)
        # A few established accounts only started in the first two years.
        late = (pattern == ACTIVE) & (rng.random(n) < 0.1)
        late[0] = False
        start[late] = rng.integers(1, span - 365, late.sum(), endpoint=True)
        payer = rng.choice(3, n, p=[0.75, 0.20, 0.05])
        return pd.DataFrame(
            {
                "weight": weight,
                # Revenue ~ weight: frequency carries w^0.6 and ticket size w^0.4.
                "frequency": weight**0.6,
                "ticket": 20_000.0 * weight**0.4,
                "margin_rate": rng.uniform(0.05, 0.35, n),
                "term": rng.choice(np.array([30, 60, 90]), n, p=[0.5, 0.3, 0.2]),
                "payer": payer,
                "pattern": pattern,
                "start": start,
                "end": end,
            }
        )

    @cached_property
    def accounts(self) -> pd.DataFrame:
        """One row per account, index = account index. `parent` is an account index (or <NA>)."""
        rng = self._rng("accounts")
        parent, root = self._structure
        prof = self._profile
        n = self.n_accounts

        places = [(zh, en, region) for region, (_, ps) in REGIONS.items() for zh, en in ps]
        products = [(zh, en, industry) for industry, (_, ps, _) in INDUSTRIES.items() for zh, en in ps]
        top_level = np.flatnonzero(parent < 0)
        space = len(places) * len(BRANDS) * len(products)
        # Unique (place, brand, product) per top-level account while the space lasts.
        combos = rng.permutation(space)[: min(space, len(top_level))]

        names, english, industry, region, domain = [""] * n, [""] * n, [""] * n, [""] * n, [""] * n
        brand_of = np.zeros(n, dtype=np.int64)
        product_of = np.zeros(n, dtype=np.int64)
        children: dict[int, int] = {}
        is_group = np.zeros(n, dtype=bool)
        is_group[parent[parent >= 0]] = True
        stock_suffix = rng.random(n) < 0.25
        child_place = rng.integers(0, len(places), n)
        child_product = rng.integers(0, 1 << 30, n)
        branch_word = rng.integers(0, len(BRANCH_WORDS), n)
        for j, i in enumerate(top_level):
            combo = int(combos[j % len(combos)])
            p, rest = divmod(combo, len(BRANDS) * len(products))
            b, q = divmod(rest, len(products))
            pzh, pen, reg = places[p]
            bzh, ben = BRANDS[b]
            qzh, qen, ind = products[q]
            extra = "" if j < space else str(j // space + 1)  # only beyond ~130k top-level accounts
            if is_group[i]:
                zh_suffix, en_suffix = "集团有限公司", "Group Co., Ltd."
            elif stock_suffix[i]:
                zh_suffix, en_suffix = "股份有限公司", "Corp."
            else:
                zh_suffix, en_suffix = "有限公司", "Co., Ltd."
            names[i] = f"{pzh}{bzh}{qzh}{extra}{zh_suffix}"
            english[i] = f"{pen} {ben} {qen}{(' ' + extra) if extra else ''} {en_suffix}"
            industry[i], region[i] = ind, reg
            brand_of[i], product_of[i] = b, q
            domain[i] = f"{ben}-{pen}".lower().replace("'", "") + ".com.cn"
        for i in np.flatnonzero(parent >= 0):  # parents come first, so theirs are already named
            up = int(parent[i])
            nth = children[up] = children.get(up, 0) + 1
            b = int(brand_of[up])
            bzh, ben = BRANDS[b]
            pzh, pen, reg = places[int(child_place[i])]
            brand_of[i] = b
            region[i] = reg
            domain[i] = domain[up]
            if parent[up] < 0:  # a subsidiary: same brand, same industry, its own city
                ind = products[int(product_of[up])][2]
                same = [k for k, prod in enumerate(products) if prod[2] == ind]
                q = same[int(child_product[i]) % len(same)]
                qzh, qen, _ = products[q]
                product_of[i] = q
                industry[i] = ind
                names[i] = f"{bzh}{qzh}({pzh})有限公司"
                english[i] = f"{ben} {qen} ({pen}) Co., Ltd."
            else:  # second level: a branch (in its own city), plant or division of the subsidiary
                wzh, wen = BRANCH_WORDS[int(branch_word[i])]
                if wzh != "分公司":
                    region[i] = region[up]
                product_of[i] = product_of[up]
                industry[i] = industry[up]
                names[i] = f"{names[up]}{pzh}{wzh}" if wzh == "分公司" else f"{names[up]}第{nth}{wzh}"
                english[i] = f"{english[up]} {pen} {wen}" if wzh == "分公司" else f"{english[up]} {wen} {nth}"

        # Owners: a weighted rep; subsidiaries mostly stay with the group's owner.
        owner_idx = rng.choice(len(REPS), n, p=REP_WEIGHTS)
        keep = rng.random(n) < 0.75
        for i in np.flatnonzero(parent >= 0):
            if keep[i]:
                owner_idx[i] = owner_idx[root[i]]
        owners = np.array(REPS, dtype=object)[owner_idx]

        weight = prof["weight"].to_numpy()
        rank = pd.Series(weight).rank(pct=True).to_numpy()  # 1.0 = biggest
        employees = np.clip(np.exp(rng.normal(5.0 + 0.45 * np.log(weight), 0.8)), 10, 200_000).astype(np.int64)
        revenue_yuan = employees * rng.lognormal(math.log(800_000), 0.5, n)
        annual_revenue = pd.array(np.round(revenue_yuan / 10_000).astype(np.int64) * 10_000 * 100, dtype="Int64")
        annual_revenue[rng.random(n) < 0.05] = pd.NA

        payer = prof["payer"].to_numpy()
        credit_cdf = np.cumsum(CREDIT_WEIGHTS, axis=1)[payer]
        credit_idx = np.minimum((rng.random(n)[:, None] > credit_cdf).sum(axis=1), len(CREDIT_LEVELS) - 1)
        credit = np.array(CREDIT_LEVELS, dtype=object)[credit_idx]
        credit[rng.random(n) < 0.04] = ""

        pattern = prof["pattern"].to_numpy()
        churned = pattern == CHURNED
        status = np.where(
            churned,
            rng.choice(np.array(OPERATING_STATUSES), n, p=[0.5, 0.2, 0.15, 0.15]),
            rng.choice(np.array(OPERATING_STATUSES), n, p=[0.96, 0.03, 0.01, 0.0]),
        )
        relationship = np.where(
            rank > 0.95,
            rng.choice(np.array(RELATIONSHIP_TYPES), n, p=[0.10, 0.30, 0.40, 0.20]),
            np.where(
                rank > 0.8,
                rng.choice(np.array(RELATIONSHIP_TYPES), n, p=[0.25, 0.40, 0.30, 0.05]),
                rng.choice(np.array(RELATIONSHIP_TYPES), n, p=[0.60, 0.30, 0.09, 0.01]),
            ),
        )
        stages = np.array(LIFECYCLE_STAGES)
        stage = np.select(
            [pattern == NEW, churned, rank > 0.8],
            [
                rng.choice(stages, n, p=[0.6, 0.4, 0, 0, 0, 0, 0]),
                rng.choice(stages, n, p=[0, 0, 0, 0, 0.2, 0.5, 0.3]),
                rng.choice(stages, n, p=[0, 0.15, 0.35, 0.35, 0.15, 0, 0]),
            ],
            rng.choice(stages, n, p=[0.15, 0.3, 0.3, 0.15, 0.1, 0, 0]),
        )
        # 1-3 distinct products of the account's industry (random sort keys, then the first few).
        product_keys = rng.random((n, max(len(v[2]) for v in INDUSTRIES.values()))).tolist()
        product_counts = rng.integers(1, 4, n).tolist()
        main_products = []
        for i in range(n):
            pool = INDUSTRIES[industry[i]][2]
            keys = product_keys[i]
            picks = sorted(sorted(range(len(pool)), key=keys.__getitem__)[: product_counts[i]])
            main_products.append("、".join(pool[k] for k in picks))

        return pd.DataFrame(
            {
                "external_id": [f"C-{i + 1:06d}" for i in range(n)],
                "name": names,
                "english_name": english,
                "parent": _nullable(parent, parent >= 0),
                "root": root,
                "industry": industry,
                "region": region,
                "employees": employees,
                "annual_revenue_cents": annual_revenue,
                "business_strategy": np.array(STRATEGIES, dtype=object)[rng.integers(0, len(STRATEGIES), n)],
                "main_products": main_products,
                "credit_level": credit,
                "operating_status": status,
                "development_bottleneck": np.array(BOTTLENECKS, dtype=object)[rng.integers(0, len(BOTTLENECKS), n)],
                "relationship_type": relationship,
                "lifecycle_stage": stage,
                "owner": owners,
                "domain": domain,
            }
        )

    @cached_property
    def account_team(self) -> pd.DataFrame:
        """The iron triangle: the owner is account manager; solution and delivery managers come
        from the owner's sales team (the other reps or the team's manager), distinct people."""
        rng = self._rng("account_team")
        accounts = self.accounts
        n = len(accounts)
        rows_account, rows_user, rows_role = [], [], []
        has_solution = rng.random(n) < 0.9
        has_delivery = rng.random(n) < 0.75
        # The pool (other reps + manager) always has 3 people: two distinct picks a != b.
        first_pick = rng.integers(0, 3, n)
        second_pick = (first_pick + rng.integers(1, 3, n)) % 3
        for i, owner in enumerate(accounts["owner"].tolist()):
            team = team_of(owner)
            pool = [u for u in (*team.reps, team.manager) if u != owner]
            solution, delivery = pool[first_pick[i]], pool[second_pick[i]]
            for user, role, present in (
                (owner, "account_manager", True),
                (solution, "solution_manager", has_solution[i]),
                (delivery, "delivery_manager", has_delivery[i]),
            ):
                if present:
                    rows_account.append(i)
                    rows_user.append(user)
                    rows_role.append(role)
        return pd.DataFrame({"account": rows_account, "user": rows_user, "role": rows_role})

    # -- contacts -------------------------------------------------------------------------------

    @cached_property
    def contacts(self) -> pd.DataFrame:
        """2-6 contacts per account, index = contact index. The first is the decision maker;
        the internal ones report to the decision maker directly or through another contact."""
        rng = self._rng("contacts")
        n = self.n_accounts
        counts = rng.integers(2, 7, n)
        total = int(counts.sum())
        account = np.repeat(np.arange(n), counts)
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        position = np.arange(total) - offsets[account]

        role_idx = 1 + rng.choice(6, total, p=OTHER_ROLE_WEIGHTS)
        role_idx[position == 0] = 0
        self._cover_all_roles(role_idx, position)
        roles = np.array(BUYING_ROLES, dtype=object)[role_idx]

        surname_w = 1.0 / (np.arange(len(SURNAMES)) + 3.0)  # common surnames are much more common
        surname = rng.choice(len(SURNAMES), total, p=surname_w / surname_w.sum())
        given1 = rng.integers(0, len(GIVEN), total)
        given2 = rng.integers(0, len(GIVEN), total)
        two_chars = rng.random(total) < 0.65
        title_pick = rng.integers(0, 1 << 30, total)
        attitude_u = rng.random(total)
        report_u = rng.random(total)
        report_pick = rng.integers(0, 1 << 30, total)
        phone_prefix = rng.choice(np.array(["138", "139", "136", "158", "186", "188", "135", "177"]), total)
        phone_rest = rng.integers(0, 100_000_000, total)
        has_email = rng.random(total) < 0.9
        contacted_ago = np.minimum(rng.exponential(45.0, total).astype(np.int64), 700)
        never_contacted = rng.random(total) < 0.2
        inactive = rng.random(total) < 0.05

        domains = self.accounts["domain"].tolist()
        pattern = self._profile["pattern"].to_numpy()
        names, titles, departments, attitudes, emails, phones = [], [], [], [], [], []
        reports_to = np.full(total, -1, dtype=np.int64)
        attitude_cdf = {role: np.cumsum(ATTITUDE_WEIGHTS.get(role, DEFAULT_ATTITUDE_WEIGHTS)) for role in BUYING_ROLES}
        for k in range(total):
            role = roles[k]
            sz, spy = SURNAMES[surname[k]]
            gz, gpy = GIVEN[given1[k]]
            if two_chars[k]:
                gz2, gpy2 = GIVEN[given2[k]]
                gz, gpy = gz + gz2, gpy + gpy2
            names.append(sz + gz)
            title, dept = ROLE_TITLES[role][title_pick[k] % len(ROLE_TITLES[role])]
            titles.append(title)
            departments.append(dept)
            cdf = attitude_cdf[role]
            attitudes.append(ATTITUDES[min(int(np.searchsorted(cdf, attitude_u[k] * cdf[-1], side="right")), 4)])
            acct = account[k]
            emails.append(f"{gpy}.{spy.lower()}@{domains[acct]}" if has_email[k] else "")
            phones.append(f"{phone_prefix[k]}{phone_rest[k]:08d}")
            if position[k] == 0 or role == "external_influencer":
                continue
            first = offsets[acct]
            # An earlier internal, non-decision-maker colleague, or else the decision maker.
            earlier = [c for c in range(first + 1, k) if roles[c] != "external_influencer"]
            if earlier and report_u[k] > 0.65:
                reports_to[k] = earlier[report_pick[k] % len(earlier)]
            else:
                reports_to[k] = first

        # Contacts at churned accounts have not been called in a while.
        contacted_ago = np.where(pattern[account] == CHURNED, contacted_ago + 240, contacted_ago)
        last_contacted = self._dates(self.span - contacted_ago).astype("datetime64[s]")
        last_contacted[never_contacted] = np.datetime64("NaT")
        return pd.DataFrame(
            {
                "account": account,
                "external_id": [f"CT-{k + 1:07d}" for k in range(total)],
                "name": names,
                "title": titles,
                "department": departments,
                "buying_role": roles,
                "attitude": attitudes,
                "reports_to": _nullable(reports_to, reports_to >= 0),
                "email": emails,
                "phone": phones,
                "last_contacted_on": last_contacted,
                "is_active": ~inactive,
            }
        )

    @staticmethod
    def _cover_all_roles(role_idx: np.ndarray, position: np.ndarray) -> None:
        """Make sure every buying role appears somewhere (small runs could miss a rare one),
        by re-labelling contacts of over-represented roles. Never touches decision makers."""
        others = np.flatnonzero(position > 0)
        for role in range(1, len(BUYING_ROLES)):
            if (role_idx[others] == role).any():
                continue
            counts = np.bincount(role_idx[others], minlength=len(BUYING_ROLES))
            donors = others[counts[role_idx[others]] > 1]
            if len(donors):
                role_idx[donors[0]] = role

    @cached_property
    def contact_role_history(self) -> pd.DataFrame:
        """A past role for about 6% of internal contacts: people move on and we keep what they were."""
        rng = self._rng("contact_role_history")
        contacts = self.contacts
        internal = contacts["buying_role"].to_numpy() != "external_influencer"
        chosen = np.flatnonzero(internal & (rng.random(len(contacts)) < 0.06))
        internal_roles = [r for r in BUYING_ROLES if r != "external_influencer"]
        current = contacts["buying_role"].to_numpy()[chosen]
        past_roles = []
        for role in current:
            options = [r for r in internal_roles if r != role]
            past_roles.append(options[int(rng.integers(0, len(options)))])
        titles = [ROLE_TITLES[r][int(rng.integers(0, len(ROLE_TITLES[r])))] for r in past_roles]
        ended_ago = rng.integers(30, 900, len(chosen))
        return pd.DataFrame(
            {
                "contact": chosen,
                "account": contacts["account"].to_numpy()[chosen],
                "title": [t for t, _ in titles],
                "department": [d for _, d in titles],
                "buying_role": past_roles,
                "ended_on": self._dates(self.span - ended_ago).astype("datetime64[s]"),
            }
        )

    # -- feedback -------------------------------------------------------------------------------

    @cached_property
    def feedback(self) -> pd.DataFrame:
        """A few complaints, suggestions and praise per account; never more rows than accounts."""
        rng = self._rng("feedback")
        n = self.n_accounts
        per_account = np.minimum(rng.poisson(0.7, n), 3)
        cap = np.cumsum(per_account) <= n  # stop once the total would exceed the number of accounts
        per_account = np.where(cap, per_account, 0)
        account = np.repeat(np.arange(n), per_account)
        total = len(account)
        contacts = self.contacts
        first_contact = np.searchsorted(contacts["account"].to_numpy(), np.arange(n))
        n_contacts = np.bincount(contacts["account"].to_numpy(), minlength=n)
        kinds = rng.choice(np.array(["complaint", "feedback", "praise"]), total, p=[0.5, 0.3, 0.2])
        received_ago = rng.integers(0, 720, total)
        resolve_after = rng.integers(1, 31, total)
        resolved = (received_ago > resolve_after) & (rng.random(total) < 0.85)
        contact = first_contact[account] + rng.integers(0, 1 << 30, total) % n_contacts[account]
        with_contact = rng.random(total) < 0.8
        subjects = [FEEDBACK_SUBJECTS[k][int(rng.integers(0, len(FEEDBACK_SUBJECTS[k])))] for k in kinds]
        details = rng.integers(0, len(FEEDBACK_DETAILS), total)
        received_day = self.span - received_ago
        return pd.DataFrame(
            {
                "account": account,
                "contact": _nullable(contact, with_contact),
                "kind": kinds,
                "subject": subjects,
                "body": [f"{s}。{FEEDBACK_DETAILS[d]}" for s, d in zip(subjects, details, strict=True)],
                "received_on": self._dates(received_day).astype("datetime64[s]"),
                "status": np.where(resolved, "resolved", "open"),
                "resolved_on": pd.Series(self._dates(received_day + resolve_after).astype("datetime64[s]")).where(
                    resolved
                ),
            }
        )

    # -- orders and payments --------------------------------------------------------------------

    def _strata(self) -> tuple[int, int, np.ndarray, np.ndarray]:
        """Chunks, strata per chunk, stratum boundaries (fractional days) and orders per stratum.

        The history is cut into >= 36 time strata holding equal numbers of orders; business grows
        ~30% over the window, so later strata are shorter. Chunk k holds strata [k*s, (k+1)*s), so
        orders come out in date order and the external ids follow the dates."""
        chunks = max(1, math.ceil(self.n_orders / CHUNK_ROWS))
        per_chunk = max(1, math.ceil(36 / chunks))
        strata = chunks * per_chunk
        quantile = np.arange(strata + 1) / strata
        growth = 0.3
        # Inverse CDF of a density rising linearly from 1 to 1+growth over the window.
        t = (-1.0 + np.sqrt(1.0 + 2.0 * growth * quantile * (1.0 + growth / 2.0))) / growth
        bounds = t * (self.span + 1)
        counts = np.diff(np.round(quantile * self.n_orders).astype(np.int64))
        return chunks, per_chunk, bounds, counts

    def order_chunks(self) -> Iterator[OrderChunk]:
        """Orders in date order, ~CHUNK_ROWS at a time, each with its payments."""
        if self.n_orders == 0:
            return
        chunks, per_chunk, bounds, counts = self._strata()
        prof = self._profile
        start = prof["start"].to_numpy().astype(np.float64)
        end = prof["end"].to_numpy().astype(np.float64) + 1.0  # exclusive
        frequency = prof["frequency"].to_numpy()
        ticket = prof["ticket"].to_numpy()
        margin_rate = prof["margin_rate"].to_numpy()
        term = prof["term"].to_numpy()
        payer = prof["payer"].to_numpy()
        order_seq = payment_seq = 0
        for k in range(chunks):
            rng = self._rng("orders", k)
            accts, days = [], []
            for j in range(k * per_chunk, (k + 1) * per_chunk):
                size = int(counts[j])
                if size == 0:
                    continue
                lo, hi = bounds[j], bounds[j + 1]
                a = np.maximum(start, lo)
                overlap = np.clip(np.minimum(end, hi) - a, 0.0, None)
                p = frequency * overlap
                if p.sum() <= 0:  # nobody active in this stretch (tiny runs): spread over everyone
                    a, overlap, p = np.full_like(start, lo), np.full_like(start, hi - lo), frequency.copy()
                chosen = rng.choice(len(p), size, p=p / p.sum())
                day = np.floor(a[chosen] + rng.random(size) * overlap[chosen]).astype(np.int64)
                accts.append(chosen)
                days.append(np.clip(day, 0, self.span))
            account = np.concatenate(accts)
            day = np.concatenate(days)
            order = np.lexsort((account, day))  # date, then account: stable and DB-independent
            account, day = account[order], day[order]
            n = len(account)

            amount = np.maximum(np.round(ticket[account] * rng.lognormal(0.0, 0.55, n) * 100.0), 100).astype(np.int64)
            rate = np.clip(margin_rate[account] + rng.normal(0.0, 0.02, n), 0.05, 0.35)
            margin = np.round(amount * rate).astype(np.int64)
            age = self.span - day
            status = np.where(rng.random(n) < np.clip(1.0 - age / 45.0, 0.0, 1.0) * 0.9, "open", "fulfilled")
            status = np.where(rng.random(n) < 0.03, "cancelled", status)
            status = pd.Categorical(status, categories=["open", "fulfilled", "cancelled"])  # small in memory
            seq = np.arange(order_seq, order_seq + n, dtype=np.int64)
            order_seq += n
            orders = pd.DataFrame(
                {
                    "seq": seq,
                    "external_id": [f"SO-{s + 1:08d}" for s in seq.tolist()],
                    "account": account,
                    "ordered_at": self._dates(day).astype("datetime64[s]"),
                    "amount_cents": amount,
                    "margin_cents": margin,
                    "status": status,
                }
            )

            # One receivable per order that was not cancelled.
            billed = np.asarray(status != "cancelled")
            p_account, p_day, p_seq = account[billed], day[billed], seq[billed]
            m = len(p_account)
            due = p_day + term[p_account]
            kind = payer[p_account]
            delay = (
                np.select(
                    [kind == GOOD, kind == SLOW],
                    [rng.normal(-3.0, 6.0, m), rng.exponential(20.0, m) + rng.normal(0.0, 5.0, m)],
                    rng.exponential(55.0, m),
                )
                .round()
                .astype(np.int64)
            )
            paid = np.maximum(due + delay, p_day)
            never = np.where(kind == BAD, rng.random(m) < 0.15, rng.random(m) < 0.003)
            # Disputes: a few recent receivables are simply not paid yet, although due.
            disputed = (due > self.span - 180) & (rng.random(m) < 0.04)
            unpaid = never | disputed | (paid > self.span)
            paid_on = self._dates(paid).astype("datetime64[s]")
            paid_on[unpaid] = np.datetime64("NaT")
            pseq = np.arange(payment_seq, payment_seq + m, dtype=np.int64)
            payment_seq += m
            payments = pd.DataFrame(
                {
                    "seq": pseq,
                    "external_id": [f"RC-{s + 1:08d}" for s in p_seq.tolist()],
                    "order_seq": p_seq,
                    "account": p_account,
                    "amount_cents": amount[billed],
                    "due_on": self._dates(due).astype("datetime64[s]"),
                    "paid_on": paid_on,
                }
            )
            yield OrderChunk(k, orders, payments)

    def release(self) -> None:
        """Forget the cached account-level frames (once written) to leave room for the orders."""
        for name in ("accounts", "account_team", "contacts", "contact_role_history", "feedback"):
            self.__dict__.pop(name, None)

    def chunk_count(self) -> int:
        return 0 if self.n_orders == 0 else self._strata()[0]
