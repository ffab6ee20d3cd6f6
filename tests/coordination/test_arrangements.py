"""Providers, target groups and arrangements as data; the Bris IOP keeps its place."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coordination.models import ParticipantAttendance
from finance.services import budget_years_create
from groups.models import GroupStatus, SupportGroup
from partnership.models import Agreement, Membership, Organisation, Role, TargetGroup
from partnership.selectors import agreement_current, agreement_current_for
from tests.coordination.factories import make_arrangement, make_provider, make_provider_world, publish
from tests.factories import make_agreement, make_group, make_user

pytestmark = pytest.mark.django_db


def test_the_four_target_groups_are_seeded_with_codes_and_english_names():
    codes = dict(TargetGroup.objects.values_list("code", "name_en"))
    assert set(codes) >= {"foster_care", "parental_substance_misuse", "parental_mental_illness", "violence_in_family"}
    assert codes["foster_care"] == "Children in foster care"
    # The IOP's target group kept its row (and its ages): it is the one with the foster-care code.
    foster = TargetGroup.objects.get(code="foster_care")
    assert (foster.name, foster.min_age, foster.max_age) == ("Familjehemsplacerade barn", 7, 18)
    assert Organisation.objects.get(short_name="Socialförvaltningen").organisation_type == "city"
    assert Organisation.objects.get(short_name="Bris").organisation_type == "ngo"


def test_the_iop_stays_the_current_agreement_beside_a_newer_operating_grant():
    today = timezone.localdate()
    iop = make_agreement(starts_on=datetime.date(today.year - 2, 1, 1), ends_on=datetime.date(today.year + 1, 12, 31))
    _provider, grant, manager, _leader = make_provider_world()
    assert grant.starts_on > iop.starts_on
    assert agreement_current() == iop
    assert agreement_current_for(make_user(Role.SOCIAL_WORKER)) == iop
    assert agreement_current_for(make_user(Role.OPERATIONS_MANAGER)) == iop  # Bris' manager
    assert agreement_current_for(manager) == grant


def test_only_an_operating_grant_has_a_grant_amount():
    provider = make_provider()
    with pytest.raises(Exception):  # noqa: B017 - the database's check constraint
        make_arrangement(provider, kind=Agreement.Kind.DISTRICT_OWN, grant_ore=100)


def test_advances_are_created_for_an_iop_only():
    make_agreement()
    _provider, grant, _manager, _leader = make_provider_world()
    coordinator = make_user(Role.COORDINATOR)
    with pytest.raises(ValidationError, match="bara för ett IOP"):
        budget_years_create(agreement=grant, by=coordinator)
    assert not grant.budget_years.exists()


def test_the_finance_overview_offers_advances_and_settlement_for_the_iop_only(make_signed_in_client):
    iop = make_agreement()
    _provider, grant, _manager, _leader = make_provider_world()
    hagersten = make_provider(
        name="Hägersten-Älvsjö stadsdelsförvaltning",
        short_name="Hägersten",
        organisation_type="district",
        district_name="Hägersten-Älvsjö",
    )
    own = make_arrangement(hagersten, kind=Agreement.Kind.DISTRICT_OWN, target_code="violence_in_family")
    coordinator = make_user(Role.COORDINATOR)
    http = make_signed_in_client(coordinator)
    page = http.get(reverse("finance:overview")).content.decode()
    assert page.count("Skapa budgetår och förskottsplan") == 1
    assert reverse("finance:schedule_create", kwargs={"public_id": iop.public_id}) in page
    assert reverse("finance:schedule_create", kwargs={"public_id": grant.public_id}) not in page
    assert "Verksamhetsstöd per år" in page and "500 000,00 kr" in page.replace("\xa0", " ")
    assert "Inga pengar går mellan parterna." in page
    assert http.post(reverse("finance:schedule_create", kwargs={"public_id": grant.public_id})).status_code == 403
    assert http.get(reverse("finance:settlement", kwargs={"public_id": own.public_id})).status_code == 403
    assert http.get(reverse("finance:settlement", kwargs={"public_id": iop.public_id})).status_code == 200


def test_the_demo_has_three_more_providers_with_groups_in_every_status(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    call_command("load_demo_data", stdout=StringIO())  # again: nothing is duplicated
    kinds = dict(Agreement.objects.values_list("provider__short_name", "kind"))
    assert kinds == {
        "Bris": "iop",
        "Ersta Vändpunkten": "operating_grant",
        "Hägersten-Älvsjö": "district_own",
        "Källan": "operating_grant",
    }
    ersta = SupportGroup.objects.filter(agreement__provider__short_name="Ersta Vändpunkten", parent__isnull=True)
    assert set(ersta.values_list("status", flat=True)) == {"planned", "open", "running", "closed", "cancelled"}
    parents = ersta.get(audience="parents")
    assert parents.parallel_to.audience == "children" and parents.parents.count() == 1
    assert ersta.filter(is_published=True).count() == 4
    assert Membership.objects.filter(
        user__username="ersta_gruppledare", organisation__short_name="Ersta Vändpunkten"
    ).exists()
    # The running group's first meeting has its attendance, once, with one child away ill.
    running = ersta.get(status="running")
    records = ParticipantAttendance.objects.filter(meeting__group=running)
    assert records.count() == 5 and records.values("meeting").distinct().count() == 1
    assert list(records.filter(present=False).values_list("absence_reason", flat=True)) == ["ill"]


def test_a_second_providers_manager_plans_a_group_under_their_own_arrangement(make_signed_in_client):
    iop = make_agreement()
    _provider, grant, manager, leader = make_provider_world()
    http = make_signed_in_client(manager)
    response = http.post(
        reverse("groups:create"),
        {
            "name": "CAP-gruppen",
            "format": "weekly",
            "min_age": 7,
            "max_age": 12,
            "leaders": [leader.pk],
            "first_date": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
            "weekday": 1,
            "start_time": "17:00",
        },
    )
    assert response.status_code == 302
    group = SupportGroup.objects.get(name="CAP-gruppen")
    assert group.agreement == grant and group.agreement != iop
    # Bris' manager neither sees it in the list nor opens it.
    bris = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    assert "CAP-gruppen" not in bris.get(reverse("groups:list")).content.decode()
    assert bris.get(reverse("groups:detail", kwargs={"public_id": group.public_id})).status_code == 404


def test_a_group_is_published_only_under_a_target_group_its_provider_has(make_signed_in_client):
    """Ersta works with parents' substance misuse (its grant's target group) and, as the coordinator
    set it up, violence at home; it cannot publish a group for foster-placed children."""
    make_agreement()
    provider, agreement, manager, leader = make_provider_world()
    violence = TargetGroup.objects.get(code="violence_in_family")
    foster = TargetGroup.objects.get(code="foster_care")
    provider.target_groups.add(violence)
    group = make_group(agreement=agreement, leaders=[leader], manager=manager, open_for_placement=False)
    with pytest.raises(ValidationError) as refused:
        publish(group, target_group=foster)
    assert "har inte den målgruppen" in refused.value.message_dict["target_group"][0]
    assert publish(group, target_group=violence).target_group == violence

    url = reverse("coordination:publication", kwargs={"public_id": group.public_id})
    client = make_signed_in_client(manager)
    offered = set(client.get(url).context["form"].fields["target_group"].queryset)
    assert offered == {violence, agreement.target_group}
    response = client.post(url, {"audience": "children", "target_group": foster.pk, "is_published": "on"})
    assert response.status_code == 200 and response.context["form"].errors["target_group"]
    group.refresh_from_db()
    assert group.target_group == violence


def test_a_parents_group_runs_beside_a_childrens_group_with_meetings_ahead_or_the_one_it_already_has(
    make_signed_in_client,
):
    """A provider has thousands of children's groups over the years: the choice offers those still
    to meet, and keeps the one chosen before even once it has closed."""
    make_agreement()
    _provider, agreement, manager, leader = make_provider_world()
    ahead = make_group(agreement=agreement, leaders=[leader], manager=manager, name="Våren", weekday=0)
    closed = make_group(agreement=agreement, leaders=[leader], manager=manager, name="Förra året", weekday=1)
    parents = make_group(agreement=agreement, leaders=[leader], manager=manager, name="Föräldrarna", weekday=2)
    publish(parents, audience="parents", parallel_to=closed)
    SupportGroup.objects.filter(pk=closed.pk).update(status=GroupStatus.CLOSED)
    older = make_group(agreement=agreement, leaders=[leader], manager=manager, name="Ännu äldre", weekday=3)
    SupportGroup.objects.filter(pk=older.pk).update(status=GroupStatus.CLOSED)

    client = make_signed_in_client(manager)
    url = reverse("coordination:publication", kwargs={"public_id": parents.public_id})
    offered = set(client.get(url).context["form"].fields["parallel_to"].queryset)
    assert offered == {ahead, closed}
