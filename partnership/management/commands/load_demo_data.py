"""Demo data for `make run`: the 2017–2018 agreement, its renewal in force today, one login per
role, then each app's own demo data (its `demo.py`, with `load(agreement)`, given the agreement in
force today), app by app from the bottom layer up, so that each app's demo builds on what the
apps below it made. The demos of past years (finance, follow-up) use `first_agreement()`.

Safe to re-run: existing rows are kept, nothing is duplicated. Refuses to run unless DEBUG is
on, so demo passwords never reach a production database.
"""

import datetime
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from partnership.models import Agreement, BudgetLine, District, Membership, Organisation, Role, TargetGroup
from partnership.reference_data import AGREEMENT_NAME, BUDGET_LINES_KR

RENEWAL_NAME = f"{AGREEMENT_NAME} (förnyad)"
DEMO_PASSWORD = "gruppstod-demo"  # noqa: S105 - printed for the local demo on purpose


DEMO_USERS = [
    # username, first name, last name, role, organisation short name, district
    ("gruppledare", "Greta", "Ledare", Role.GROUP_LEADER, "Bris", None),
    ("verksamhetsansvarig", "Vera", "Ansvarig", Role.OPERATIONS_MANAGER, "Bris", None),
    ("socialsekreterare", "Sam", "Sekreterare", Role.SOCIAL_WORKER, "Socialförvaltningen", "Farsta"),
    ("samordnare", "Iris", "Samordnare", Role.COORDINATOR, "Socialförvaltningen", None),
]


def _agreement(starts_on: datetime.date, ends_on: datetime.date, name: str = AGREEMENT_NAME) -> Agreement:
    agreement, _ = Agreement.objects.get_or_create(
        name=name,
        public_party=Organisation.objects.get(short_name="Socialförvaltningen"),
        provider=Organisation.objects.get(short_name="Bris"),
        starts_on=starts_on,
        defaults={"ends_on": ends_on, "target_group": TargetGroup.objects.get(name="Familjehemsplacerade barn")},
    )
    for position, (line, kronor) in enumerate(BUDGET_LINES_KR):
        BudgetLine.objects.get_or_create(
            agreement=agreement, name=line, defaults={"annual_amount_ore": kronor * 100, "position": position}
        )
    agreement.provider.target_groups.add(agreement.target_group)  # the target group Bris serves
    return agreement


def first_agreement() -> Agreement:
    """The agreement of the seed document, 2017–2018: the demo's past years live under it."""
    return _agreement(datetime.date(2017, 1, 1), datetime.date(2018, 12, 31))


def current_agreement() -> Agreement:
    """A renewal in force today (last year to next year), so a new user of `make run` sees current
    groups in the current year. Made once: it keeps its period when the demo is loaded again."""
    existing = Agreement.objects.filter(name=RENEWAL_NAME).order_by("-starts_on").first()
    if existing is not None:
        return existing
    year = timezone.localdate().year
    return _agreement(datetime.date(year - 1, 1, 1), datetime.date(year + 1, 12, 31), name=RENEWAL_NAME)


class Command(BaseCommand):
    help = "Lägger in demodata (överenskommelse 2017–2018, en förnyad som gäller i dag, en inloggning per roll)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demodata läggs bara in när DEBUG=true (lokal demo), aldrig i produktion.")
        more_logins = []
        with transaction.atomic():
            first_agreement()
            agreement = current_agreement()
            self._users()
            for app_config in apps.get_app_configs():  # in INSTALLED_APPS order: the layers, bottom up
                if module_has_submodule(app_config.module, "demo"):
                    # A demo may return logins of its own: (username, what it is).
                    more_logins += import_module(f"{app_config.name}.demo").load(agreement) or []
        self.stdout.write(self.style.SUCCESS(f"Demodata klar. Inloggningar (lösenord för alla: {DEMO_PASSWORD}):"))
        for username, _first, _last, role, _org, district in DEMO_USERS:
            where = f" ({district})" if district else ""
            self.stdout.write(f"  {username:22} {role.label}{where}")
        for username, label in more_logins:
            self.stdout.write(f"  {username:22} {label}")
        self.stdout.write("  admin                  Superanvändare (administration av referensdata)")

    def _users(self) -> None:
        User = get_user_model()
        for username, first, last, role, org_name, district_name in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.se"}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            Membership.objects.get_or_create(
                user=user,
                defaults={
                    "organisation": Organisation.objects.get(short_name=org_name),
                    "role": role,
                    "district": District.objects.get(name=district_name) if district_name else None,
                },
            )
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.se", DEMO_PASSWORD)
