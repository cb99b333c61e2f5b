"""Demo activities, generated without touching the database (like accounts.demo.generator).

Each contact the generator marks as contacted gets its latest activity on its `last_contacted_on`
day and a few earlier ones over the order years, so the contacts' "last contacted" (derived from
activities, plans.services.contacts_last_contacted_refresh) is exactly what the generator chose.
Rows reference contacts and accounts by row index; seed_demo maps them to ids and writes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

TYPES = np.array(["call", "meeting", "visit", "email", "message"], dtype=object)
TYPE_WEIGHTS = np.array([0.32, 0.18, 0.2, 0.12, 0.18])
MINUTES = {"call": (5, 30), "meeting": (30, 120), "visit": (45, 180), "email": (5, 15), "message": (2, 10)}
NOTES = np.array(
    [
        "季度业务回顾",
        "新产品介绍",
        "交期与质量问题跟进",
        "价格谈判",
        "年度框架协议沟通",
        "技术方案澄清",
        "回款跟进",
        "节日问候",
    ],
    dtype=object,
)
OUTCOMES = np.array(["同意试用", "需要内部评估", "下周报价", "确认下单意向", "提出投诉，已记录", ""], dtype=object)
EARLIER_MEAN = 1.5  # earlier activities per contacted contact, on average
GAP_MEAN_DAYS = 40


@dataclass(frozen=True)
class DemoActivities:
    activities: pd.DataFrame  # account, contact, owner, type, occurred_at, duration_minutes, notes, outcome
    # one contact and one participant (the account's owner, when it has one) per activity


def demo_activities(
    *, contacts: pd.DataFrame, owners: pd.Series, seed: int, as_of: date, zone: str, start: date
) -> DemoActivities:
    """Activities for `contacts` (the generator's frame: account, last_contacted_on) whose
    accounts have `owners` (username or None, by account index); none before `start`."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(b"activities")])))
    last = pd.to_datetime(contacts["last_contacted_on"])
    contacted = np.flatnonzero(last.notna().to_numpy())
    last_days = (last.to_numpy()[contacted].astype("datetime64[D]") - np.datetime64(start, "D")).astype(np.int64)
    earlier = rng.poisson(EARLIER_MEAN, len(contacted))
    counts = earlier + 1
    contact = np.repeat(contacted, counts)
    nth = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)  # 0 = the latest
    gaps = np.where(nth == 0, 0, rng.exponential(GAP_MEAN_DAYS, len(contact)).astype(np.int64) + 1)
    # Cumulative gaps back from the latest, per contact.
    back = pd.Series(gaps).groupby(contact).cumsum().to_numpy()
    day = np.repeat(last_days, counts) - back
    keep = day >= 0
    contact, day, nth = contact[keep], day[keep], nth[keep]
    n = len(contact)
    span = (as_of - start).days
    hour = np.where(day >= span, 8, rng.integers(9, 18, n))  # the last day: early, so not in the future
    minute = rng.integers(0, 60, n)
    type_idx = rng.choice(len(TYPES), n, p=TYPE_WEIGHTS)
    types = TYPES[type_idx]
    low = np.array([MINUTES[t][0] for t in TYPES])
    high = np.array([MINUTES[t][1] for t in TYPES])
    duration = low[type_idx] + (rng.random(n) * (high[type_idx] - low[type_idx])).astype(np.int64)
    tz = ZoneInfo(zone)
    midnight = datetime(start.year, start.month, start.day, tzinfo=tz)
    occurred = [
        (midnight + timedelta(days=int(d), hours=int(h), minutes=int(m))).astimezone(UTC)
        for d, h, m in zip(day.tolist(), hour.tolist(), minute.tolist(), strict=True)
    ]
    account = contacts["account"].to_numpy()[contact]
    order = np.lexsort((contact, minute, hour, day))  # oldest first, as they were logged
    frame = (
        pd.DataFrame(
            {
                "account": account,
                "contact": contact,
                "owner": owners.to_numpy()[account],
                "type": types,
                "occurred_at": occurred,
                "duration_minutes": duration,
                "notes": NOTES[rng.integers(0, len(NOTES), n)],
                "outcome": OUTCOMES[rng.integers(0, len(OUTCOMES), n)],
            }
        )
        .iloc[order]
        .reset_index(drop=True)
    )
    return DemoActivities(frame)


PLAN_STATUSES = np.array(["draft", "submitted", "approved", "returned"], dtype=object)
PLAN_STATUS_WEIGHTS = np.array([0.3, 0.25, 0.35, 0.1])
PLAN_SHARE = 0.4  # of the accounts with an owner
ACTIONS = np.array(
    [
        "拜访采购总监",
        "技术交流会",
        "送样测试",
        "年度框架协议谈判",
        "高层互访",
        "回款跟进",
        "竞争对手情况摸底",
        "客户满意度回访",
    ],
    dtype=object,
)
BATCH = 5_000


def seed_plans(*, seed: int, as_of: date) -> tuple[int, int]:
    """Account plans for this year in every status, each with 2-4 actions (some overdue, some
    done), for a share of the accounts that have an owner; approved ones frozen with the
    account's tier. Deterministic for a seed. Returns (plans, actions)."""
    from accounts.models import Account, User
    from plans.models import AccountPlan, ActionItem, PlanReview
    from tiering.selectors import strategy_for

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(b"plans")])))
    accounts = list(Account.objects.filter(owner__isnull=False).order_by("id").values_list("id", "owner_id", "tier"))
    if not accounts:
        return 0, 0
    managers = dict(User.objects.filter(team__isnull=False).values_list("pk", "team__manager_id"))
    director = User.objects.filter(role=User.Role.DIRECTOR).order_by("pk").values_list("pk", flat=True).first()
    chosen = rng.random(len(accounts)) < PLAN_SHARE
    statuses = PLAN_STATUSES[rng.choice(len(PLAN_STATUSES), len(accounts), p=PLAN_STATUS_WEIGHTS)]
    first = np.flatnonzero(chosen)[: len(PLAN_STATUSES)]
    statuses[first] = PLAN_STATUSES[: len(first)]  # every status shows, even in a small demo
    share = rng.integers(10, 60, len(accounts))
    revenue = rng.integers(20, 500, len(accounts)) * 10_000
    now = datetime.now(UTC)
    period = str(as_of.year)
    plans = []
    for i, (account_id, owner_id, tier) in enumerate(accounts):
        if not chosen[i]:
            continue
        status = statuses[i]
        decider = managers.get(owner_id) if managers.get(owner_id) not in (None, owner_id) else director
        decided = status in ("approved", "returned")
        plans.append(
            AccountPlan(
                account_id=account_id,
                owner_id=owner_id,
                period=period,
                status=status,
                position_target="成为该客户的第一供应商",
                share_target=int(share[i]),
                revenue_target=int(revenue[i]),
                profit_target=int(revenue[i]) // 5,
                success_probability=int(share[i]) + 30,
                # Approved plans a while ago (their monthly review is due), the others lately.
                submitted_at=now - timedelta(days=50 if status == "approved" else 20) if status != "draft" else None,
                decided_at=now - timedelta(days=45 if status == "approved" else 10) if decided else None,
                decided_by_id=decider if decided else None,
                return_comment="请补充竞争对手分析" if status == "returned" else "",
                frozen_tier=tier if status == "approved" else "",
                frozen_strategy=strategy_for(tier) if status == "approved" else "",
            )
        )
    AccountPlan.objects.bulk_create(plans, batch_size=BATCH)
    saved = list(
        AccountPlan.objects.filter(period=period).order_by("account_id").values_list("id", "account_id", "owner_id")
    )
    counts = rng.integers(2, 5, len(saved))
    actions = []
    for (plan_id, account_id, owner_id), n in zip(saved, counts.tolist(), strict=True):
        for _ in range(n):
            start = as_of - timedelta(days=int(rng.integers(0, 120)))
            end = start + timedelta(days=int(rng.integers(7, 90)))
            done = end < as_of and rng.random() < 0.6
            actions.append(
                ActionItem(
                    plan_id=plan_id,
                    account_id=account_id,
                    owner_id=owner_id,
                    action=ACTIONS[int(rng.integers(0, len(ACTIONS)))],
                    starts_on=start,
                    ends_on=end,
                    status="done" if done else ("in_progress" if start <= as_of else "open"),
                    completion=100 if done else int(rng.integers(0, 10)) * 10,
                )
            )
    ActionItem.objects.bulk_create(actions, batch_size=BATCH)
    # Every other approved plan has last month's PDCA review (the others are reminded of it).
    last_month = (as_of.replace(day=1) - timedelta(days=1)).replace(day=1)
    approved = AccountPlan.objects.filter(period=period, status="approved").order_by("id")
    PlanReview.objects.bulk_create(
        [
            PlanReview(
                account_id=account_id,
                plan_id=plan_id,
                month=last_month,
                notes="P：推进试用；D：已送样；C：客户反馈良好；A：下月报价",
                manager_comment="继续跟进，注意回款" if i % 4 == 0 else "",
                author_id=owner_id,
            )
            for i, (plan_id, account_id, owner_id) in enumerate(approved.values_list("id", "account_id", "owner_id"))
            if i % 2 == 0
        ],
        batch_size=BATCH,
    )
    return len(saved), len(actions)


def seed_contact_plans(*, seed: int, as_of: date) -> int:
    """For each account with an owner, its decision makers and one more active contact in the
    contact plan, kept by the owner every 14, 30 or 60 days for half a year. Deterministic."""
    from accounts.models import Contact
    from plans.models import ContactPlanEntry

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(b"contact plan")])))
    rows = Contact.objects.filter(is_active=True, account__owner__isnull=False).order_by("account_id", "id")
    picked: list[tuple[int, int, int]] = []
    per_account: dict[int, int] = {}
    for contact_id, account_id, owner_id, role in rows.values_list(
        "id", "account_id", "account__owner_id", "buying_role"
    ):
        taken = per_account.get(account_id, 0)
        if role == "decision_maker" or taken < 2:
            picked.append((contact_id, account_id, owner_id))
            per_account[account_id] = taken + 1
    intervals = rng.choice([14, 30, 30, 60], len(picked))
    starts = as_of - timedelta(days=180)
    ContactPlanEntry.objects.bulk_create(
        [
            ContactPlanEntry(contact_id=c, account_id=a, owner_id=o, interval_days=int(intervals[i]), starts_on=starts)
            for i, (c, a, o) in enumerate(picked)
        ],
        batch_size=BATCH,
    )
    return len(picked)


def seed_relationships(*, seed: int) -> int:
    """The owner's link with each account's decision makers (weak, working or strong; none for
    some, so the zipper shows gaps), and the account team's with one more contact."""
    from accounts.models import AccountTeamMember, Contact
    from plans.models import RelationshipLink

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(b"relationships")])))
    strengths = np.array(["", "weak", "working", "working", "strong"], dtype=object)
    links: dict[tuple[int, int], RelationshipLink] = {}
    deciders = Contact.objects.filter(is_active=True, buying_role="decision_maker", account__owner__isnull=False)
    rows = list(deciders.order_by("id").values_list("id", "account_id", "account__owner_id"))
    picks = strengths[rng.integers(0, len(strengths), len(rows))]
    for (contact, account, owner), strength in zip(rows, picks.tolist(), strict=True):
        if strength:
            links[(contact, owner)] = RelationshipLink(
                contact_id=contact, account_id=account, user_id=owner, strength=strength
            )
    first_other = dict(
        Contact.objects.filter(is_active=True)
        .exclude(buying_role="decision_maker")
        .order_by("-id")
        .values_list("account_id", "id")
    )  # the lowest id wins: later rows overwrite earlier ones
    members = list(AccountTeamMember.objects.order_by("id").values_list("account_id", "user_id"))
    picks = strengths[rng.integers(1, len(strengths), len(members))]
    for (account, user), strength in zip(members, picks.tolist(), strict=True):
        contact = first_other.get(account)
        if contact is not None:
            links.setdefault(
                (contact, user),
                RelationshipLink(contact_id=contact, account_id=account, user_id=user, strength=strength),
            )
    RelationshipLink.objects.bulk_create(links.values(), batch_size=BATCH)
    return len(links)


LIBRARY = [
    ("交期不稳定", "区域仓备货", "48小时到货，减少停线", "华东某汽车厂两年零停线"),
    ("采购成本压力大", "年度框架价格", "全年价格锁定，预算可控", "某家电集团节省8%"),
    ("质量波动", "驻厂质量工程师", "来料不良率下降", "某电子厂PPM从500降到80"),
    ("新产品导入慢", "联合开发小组", "新品上市提前两个月", "某医疗器械客户案例"),
]


def seed_themes(*, seed: int) -> int:
    """The shared library and, for about a fifth of the accounts, one or two themes from it."""
    from accounts.models import Account
    from plans.models import SalesTheme, ThemeLibraryEntry

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(b"themes")])))
    entries = [
        ThemeLibraryEntry.objects.get_or_create(problem=p, feature=f, benefit=b, proof=proof)[0]
        for p, f, b, proof in LIBRARY
    ]
    ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    chosen = rng.random(len(ids)) < 0.2
    counts = rng.integers(1, 3, len(ids))
    themes = []
    for i, account in enumerate(ids):
        if chosen[i]:
            for k in rng.choice(len(entries), int(counts[i]), replace=False).tolist():
                e = entries[k]
                themes.append(
                    SalesTheme(
                        account_id=account,
                        source=e,
                        problem=e.problem,
                        feature=e.feature,
                        benefit=e.benefit,
                        proof=e.proof,
                    )
                )
    SalesTheme.objects.bulk_create(themes, batch_size=BATCH)
    return len(themes)


PROPOSAL_STATUSES = np.array(["draft", "submitted", "approved", "returned"], dtype=object)
PROPOSAL_RISKS = np.array(["low", "medium", "medium", "high"], dtype=object)
ADVANTAGES = np.array(
    ["定制化解决方案，一条龙服务", "区域仓备货，交期稳定", "简化采购流程，降低采购成本", "强强联合，提升双方声誉"],
    dtype=object,
)


def seed_proposals(*, seed: int) -> int:
    """A development proposal for most potential key accounts of the current tiering run (a
    possible or normal account with the "potential" badge or high potential: plans.domain.
    proposals), by the account's owner, in every status (the first four take one each).
    Deterministic for a seed; none without a run. Returns how many."""
    from accounts.models import User
    from plans.domain.proposals import PROPOSABLE_CATEGORIES, proposal_eligible
    from plans.models import DevelopmentProposal
    from tiering.models import AccountScore
    from tiering.selectors import current_run_id

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(b"proposals")])))
    rows = (
        AccountScore.objects.filter(
            run_id__in=current_run_id(),
            is_group=False,
            account__category__in=PROPOSABLE_CATEGORIES,
            account__owner__isnull=False,
        )
        .order_by("account_id")
        .values_list("account_id", "account__owner_id", "account__category", "potential_band", "badges")
    )
    eligible = [
        (account, owner)
        for account, owner, category, band, badges in rows
        if proposal_eligible(category=category, potential_band=band, badges=badges or [])
    ]
    if not eligible:
        return 0
    managers = dict(User.objects.filter(team__isnull=False).values_list("pk", "team__manager_id"))
    director = User.objects.filter(role=User.Role.DIRECTOR).order_by("pk").values_list("pk", flat=True).first()
    chosen = rng.random(len(eligible)) < 0.7
    first = min(len(PROPOSAL_STATUSES), len(eligible))
    chosen[:first] = True
    statuses = PROPOSAL_STATUSES[rng.integers(0, len(PROPOSAL_STATUSES), len(eligible))]
    statuses[:first] = PROPOSAL_STATUSES[:first]  # every status shows, even in a small demo
    sales = rng.integers(50, 400, len(eligible)) * 10_000
    margins = rng.integers(8, 30, len(eligible))
    now = datetime.now(UTC)
    proposals = []
    for i, (account_id, owner_id) in enumerate(eligible):
        if not chosen[i]:
            continue
        status = statuses[i]
        decider = managers.get(owner_id) if managers.get(owner_id) not in (None, owner_id) else director
        decided = status in ("approved", "returned")
        revenue = int(sales[i])
        proposals.append(
            DevelopmentProposal(
                account_id=account_id,
                owner_id=owner_id,
                status=status,
                forecast_sales=revenue,
                margin_percent=int(margins[i]),
                management_cost=revenue // 50,
                travel_cost=revenue // 100,
                other_cost=revenue // int(rng.integers(20, 80)),
                risk=PROPOSAL_RISKS[int(rng.integers(0, len(PROPOSAL_RISKS)))],
                risk_notes="竞争对手已有长期合同" if rng.random() < 0.5 else "付款周期较长",
                competitive_advantage=ADVANTAGES[int(rng.integers(0, len(ADVANTAGES)))],
                submitted_at=now - timedelta(days=12) if status != "draft" else None,
                decided_at=now - timedelta(days=5) if decided else None,
                decided_by_id=decider if decided else None,
                return_comment="请补充费用预测和风险分析" if status == "returned" else "",
            )
        )
    DevelopmentProposal.objects.bulk_create(proposals, batch_size=BATCH)
    return len(proposals)


VISIT_HISTORY_DAYS = 75  # this month and the last, for the visit completion rate
SKIP_REASONS = np.array(["客户停产检修", "客户要求改期", "出差冲突", "天气原因"], dtype=object)


def seed_visits(*, seed: int, as_of: date) -> int:
    """The visit history of the last VISIT_HISTORY_DAYS days, so the completion rate has
    figures: each visit activity of an owned account becomes a done visit of its owner on
    that day (checked in then, the activity its record); a share of accounts also has a
    skipped visit (with a reason) or a missed one (still planned, its day passed).
    Deterministic for a seed. Returns visits made."""
    from django.utils import timezone

    from accounts.models import Account
    from plans.models import Activity, Visit

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(b"visits")])))
    zone = timezone.get_current_timezone()
    since = datetime.combine(as_of - timedelta(days=VISIT_HISTORY_DAYS), datetime.min.time(), tzinfo=zone)
    done = Activity.objects.filter(type="visit", account__owner__isnull=False, occurred_at__gte=since)
    visits = [
        Visit(
            account_id=account_id,
            owner_id=owner_id,
            planned_on=occurred_at.astimezone(zone).date(),
            status="done",
            checked_in_at=occurred_at,
            activity_id=activity_id,
        )
        for activity_id, account_id, owner_id, occurred_at in done.order_by("id").values_list(
            "id", "account_id", "account__owner_id", "occurred_at"
        )
        if occurred_at.astimezone(zone).date() <= as_of
    ]
    accounts = list(Account.objects.filter(owner__isnull=False).order_by("id").values_list("id", "owner_id"))
    draw = rng.random(len(accounts))
    days = rng.integers(1, VISIT_HISTORY_DAYS, len(accounts))
    reasons = SKIP_REASONS[rng.integers(0, len(SKIP_REASONS), len(accounts))]
    for i, (account_id, owner_id) in enumerate(accounts):
        day = as_of - timedelta(days=int(days[i]))
        if draw[i] < 0.2:
            visits.append(
                Visit(account_id=account_id, owner_id=owner_id, planned_on=day, status="skipped", reason=reasons[i])
            )
        elif draw[i] < 0.3:
            visits.append(Visit(account_id=account_id, owner_id=owner_id, planned_on=day))
    Visit.objects.bulk_create(visits, batch_size=BATCH)
    return len(visits)
