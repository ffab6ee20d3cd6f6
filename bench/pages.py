"""Every list and home page of each role: what `make bench` loads and the query-plan test explains.

A page names its URL by name (and arguments, found in the seeded data where it needs an object)
and the role that opens it. The bench compares each with the baselines; the test in
tests/test_query_plans.py checks that none of its queries scans a big table from end to end.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from finance.models import BudgetYear
from groups.models import SupportGroup
from partnership.models import Role

from .seed import BENCH_USERS


@dataclass(frozen=True)
class Page:
    key: str
    role: str
    label: str
    url_name: str
    query: str = ""
    # The URL's keyword arguments, looked up in the database (the seeded data) when needed.
    arguments: Callable[[], dict] | None = None
    # Opened without any session, as the public opens it; still compared with its role's baselines.
    anonymous: bool = False
    # A page that is not a list may run more queries than tests/test_query_plans.py allows a list.
    max_queries: int | None = None

    def url(self) -> str:
        path = reverse(self.url_name, kwargs=self.arguments() if self.arguments else None)
        return f"{path}?{self.query}" if self.query else path


def _current_budget_year() -> dict:
    year = BudgetYear.objects.filter(year=timezone.localdate().year).order_by("-pk").first()
    return {"public_id": year.public_id}


def _the_leaders_fullest_group() -> dict:
    group = (
        SupportGroup.objects.filter(leaders__username=BENCH_USERS[Role.GROUP_LEADER], parent__isnull=True)
        .annotate(children=Count("placements"))
        .order_by("-children", "-starts_on")
        .first()
    )
    return {"public_id": group.public_id}


def _a_month_ago() -> str:
    return (timezone.localdate() - datetime.timedelta(days=30)).isoformat()


GROUP_LEADER, MANAGER, SOCIAL_WORKER, COORDINATOR = (
    Role.GROUP_LEADER,
    Role.OPERATIONS_MANAGER,
    Role.SOCIAL_WORKER,
    Role.COORDINATOR,
)

PAGES = [
    # The social worker: one district's children.
    Page("sw-home", SOCIAL_WORKER, "Start (socialsekreterare)", "home"),
    Page("sw-referrals", SOCIAL_WORKER, "Anmälningar (socialsekreterare)", "referrals:list"),
    Page(
        "sw-referrals-filtered",
        SOCIAL_WORKER,
        "Anmälningar, filtrerade (socialsekreterare)",
        "referrals:list",
        query="status=completed&placement_basis=sol",
    ),
    Page("sw-interest", SOCIAL_WORKER, "Intresseanmälningar (socialsekreterare)", "referrals:interest_list"),
    Page("sw-dossiers", SOCIAL_WORKER, "Återförda uppgifter", "referrals:return_dossiers"),
    Page("sw-reminders", SOCIAL_WORKER, "Påminnelser (socialsekreterare)", "reminders"),
    # The group leader: Bris, every district.
    Page("gl-home", GROUP_LEADER, "Start (gruppledare)", "home"),
    Page("gl-referrals", GROUP_LEADER, "Anmälningar för Bris (gruppledare)", "referrals:list"),
    Page("gl-groups", GROUP_LEADER, "Grupper (gruppledare)", "groups:list"),
    Page("gl-calendar", GROUP_LEADER, "Kalender", "groups:calendar"),
    # Not a list, but the page a leader opens most: the group, its children and its meetings.
    Page(
        "gl-group",
        GROUP_LEADER,
        "En grupp (gruppledare)",
        "groups:detail",
        arguments=_the_leaders_fullest_group,
        max_queries=30,
    ),
    Page("gl-evaluations", GROUP_LEADER, "Utvärdering", "followup:evaluations"),
    Page("gl-reminders", GROUP_LEADER, "Påminnelser (gruppledare)", "reminders"),
    # The operations manager.
    Page("om-home", MANAGER, "Start (verksamhetsansvarig)", "home"),
    Page("om-referrals", MANAGER, "Anmälningar för Bris", "referrals:list"),
    Page(
        "om-referrals-filtered",
        MANAGER,
        "Anmälningar för Bris, filtrerade",
        "referrals:list",
        query="status=waiting_list&age_band=10-12",
    ),
    Page("om-waiting", MANAGER, "Väntelista", "groups:waiting_list"),
    Page("om-groups", MANAGER, "Grupper", "groups:list"),
    Page("om-interest", MANAGER, "Intresseanmälningar", "referrals:interest_list"),
    Page("om-purge", MANAGER, "Gallring", "referrals:purge_due"),
    Page("om-access-log", MANAGER, "Åtkomstlogg (Bris)", "consent:access_log"),
    Page("om-finance", MANAGER, "Ekonomi (verksamhetsansvarig)", "finance:overview"),
    Page("om-year", MANAGER, "Budgetår (verksamhetsansvarig)", "finance:year", arguments=_current_budget_year),
    Page("om-fees", MANAGER, "Avgifter", "finance:fees"),
    Page("om-travel", MANAGER, "Resor och logi", "finance:travel"),
    Page("om-reminders", MANAGER, "Påminnelser (verksamhetsansvarig)", "reminders"),
    Page("om-public-interests", MANAGER, "Intresse från allmänheten", "coordination:inbox"),
    # The IOP coordinator.
    Page("co-home", COORDINATOR, "Start (samordnare)", "home"),
    Page("co-access-log", COORDINATOR, "Åtkomstlogg", "consent:access_log"),
    Page(
        "co-access-log-filtered",
        COORDINATOR,
        "Åtkomstlogg med filter",
        "consent:access_log",
        query="action=view&date_from={month_ago}",
    ),
    Page(
        "co-access-log-child",
        COORDINATOR,
        "Åtkomstlogg för ett barn",
        "consent:access_log",
        query="child=B-AAAAAA&username=ledare",
    ),
    Page("co-finance", COORDINATOR, "Ekonomi", "finance:overview"),
    Page("co-year", COORDINATOR, "Budgetår", "finance:year", arguments=_current_budget_year),
    Page("co-payments", COORDINATOR, "Förskott", "finance:payments", arguments=_current_budget_year),
    Page("co-finance-log", COORDINATOR, "Ekonomilogg", "finance:audit_log"),
    Page("co-report", COORDINATOR, "Uppföljningsrapport", "followup:report"),
    Page("co-outcomes", COORDINATOR, "Utvärderingsresultat", "followup:outcomes"),
    Page("co-cooperation", COORDINATOR, "Samverkansgrupp", "followup:cooperation"),
    Page("co-contacts", COORDINATOR, "Kontaktlista", "followup:contacts"),
    Page("co-information", COORDINATOR, "Frukostmöten", "followup:information"),
    Page("co-reminders", COORDINATOR, "Påminnelser (samordnare)", "reminders"),
    Page("co-city", COORDINATOR, "Stödgrupper i staden", "coordination:city_overview"),
    Page("co-mailing", COORDINATOR, "Utskick om planerade grupper", "coordination:mailing"),
    # The public page of groups and its feed (no login needed): as the public opens it, and in the
    # coordinator's session (base.html then renders the signed-in menu).
    Page(
        "public-groups-anonymous",
        COORDINATOR,
        "Stödgrupper, öppna sidan (utan inloggning)",
        "coordination:public_list",
        anonymous=True,
    ),
    Page("public-groups", COORDINATOR, "Stödgrupper, öppna sidan", "coordination:public_list"),
    Page(
        "public-groups-filtered",
        COORDINATOR,
        "Stödgrupper, öppna sidan, filtrerad",
        "coordination:public_list",
        query="malgrupp=foster_care&alder=10",
    ),
    Page("public-hsds", COORDINATOR, "Stödgrupper som HSDS-JSON", "coordination:hsds"),
    # The city as a whole (citywide): aggregates per district, target group and term.
    Page("co-demand", COORDINATOR, "Efterfrågan och platser", "citywide:demand"),
]


def page_url(page: Page) -> str:
    return page.url().replace("{month_ago}", _a_month_ago())
