"""The test world of the permission matrices (tests/test_permission_matrix.py, GET and POST):
one Farsta referral past the consent gate with everything hanging off it (lifecycle, finance,
groups, followup), a second provider's groups (coordination), and one user per role. Built once
per module: each test runs inside its own savepoint, so whatever a test writes is rolled back and
the world stays as built.
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from composition.models import CompositionRequest, SuggestedGroup, SuggestedMember
from composition.services import child_relation_record
from consent.selectors import access_log_visible_to
from consent.services import log_review_start
from coordination.models import Participant
from coordination.services import provider_create, public_interest_submit, staff_invite
from finance.models import AnnualReport, ExternalFee
from finance.services import budget_years_create, cost_record
from followup import cooperation
from followup.models import InformationMeeting
from groups import methods
from groups.services import calendar_token_get_or_create, group_place_child
from partnership.models import BackgroundJob, Reminder, Role, TargetGroup
from referrals.models import InterestRegistration, ReturnDossier
from referrals.services import referral_transition
from tests.coordination.factories import make_provider_world, publish
from tests.factories import make_group, make_referral, make_user
from tests.followup.factories import make_followup_world

ROLES = [
    "anonymous",
    "group_leader",
    "operations_manager",
    "social_worker",
    "other_district_social_worker",
    "coordinator",
    "superuser",
    # A second provider beside Bris (Ersta Vändpunkten on an operating grant): its staff see their
    # own provider's pages and get 404 for every object of Bris'.
    "other_provider_group_leader",
    "other_provider_operations_manager",
]
# The second provider's roles and the Bris role each mirrors.
OTHER_PROVIDER_ROLES = {
    "other_provider_group_leader": "group_leader",
    "other_provider_operations_manager": "operations_manager",
}

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    referral: object  # a Farsta referral past the consent gate
    consent: object
    registration: object
    review: object
    # lifecycle (purge/return, reminders)
    dossier: object  # returned to Farsta, not yet received
    reminder: object  # the Farsta social worker's
    # finance
    agreement: object = None
    budget_year: object = None
    payment: object = None
    fee: object = None
    annual_report: object = None
    cost: object = None
    # followup: see tests/followup/factories.make_followup_world
    followup: object = None
    # groups: an open weekly group led by the matrix group leader, with one child placed
    group: object = None
    placement: object = None
    weekend: object = None
    calendar_token: object = None
    # coordination: Ersta's published children's and parents' groups, a public interest routed to Ersta;
    # a provider set up with nobody working there yet, and another whose invited manager has not
    # chosen a password
    coordination: object = None
    # composition (issue 16): a suggestion for Bris' waiting list, a method with a manual, a
    # reference group with a member (an expert without an account)
    composition: object = None
    media_root: object = None  # where the world's files are: tests point MEDIA_ROOT here


def build_world(media_root):
    """The objects and the users who have a part in them: (World, {role: user})."""
    with override_settings(MEDIA_ROOT=media_root, PASSWORD_HASHERS=FAST_HASHERS):
        coordinator = make_user(Role.COORDINATOR, username="matrix_coordinator")
        referral = make_referral(district_name="Farsta")
        registration = InterestRegistration.objects.create(
            agreement=referral.agreement,
            district=referral.district,
            child_first_name="Saga",
            child_birth_year=2015,
            foster_contact_person="Per",
            foster_phone="070",
            recorded_by=referral.submitted_by,
        )
        review = log_review_start(
            reviewer=coordinator,
            entries=access_log_visible_to(coordinator),
            sample_size=5,
            filter_description="",
            period_start=referral.created_at.date(),
            period_end=referral.created_at.date(),
        )
        # lifecycle: an ended Farsta referral whose data Bris returned (a stand-in file, no rendering)
        ended = make_referral(district_name="Farsta", submitted_by=referral.submitted_by)
        referral_transition(referral=ended, to_status="withdrawn", by=ended.submitted_by, reason="Flyttar")
        dossier = ReturnDossier(referral=ended, district=ended.district, created_by=ended.submitted_by)
        dossier.document.save("dossier.pdf", ContentFile(b"%PDF-1.4"), save=True)
        objects = World(
            referral=referral,
            consent=referral.consents.first(),
            registration=registration,
            review=review,
            dossier=dossier,
            reminder=Reminder.objects.create(
                recipient=ended.submitted_by,
                kind="consent_missing",
                subject_type=ContentType.objects.get_for_model(ended),
                subject_id=ended.pk,
                summary=f"Samtycke saknas för {ended.pseudonym}",
                due_on=ended.created_at.date(),
            ),
        )
        _finance_world(objects, coordinator)
        existing = {"coordinator": coordinator}
        _groups_world(objects, existing)
        existing.setdefault("group_leader", make_user(Role.GROUP_LEADER, username="matrix_followup_leader"))
        objects.followup = make_followup_world(
            referral=referral, leader=existing["group_leader"], coordinator=coordinator
        )
        _coordination_world(objects, existing)
        _composition_world(objects, existing)
        for role in ROLES[1:]:
            existing[role] = user_for(role, existing)
        # A group leader who leads none of the world's groups: its groups are outside their scope.
        existing["other_group_leader"] = make_user(Role.GROUP_LEADER, username="matrix_other_leader")
    objects.media_root = media_root
    return objects, existing


@contextmanager
def world_for_module(django_db_blocker, media_root):
    """Build the world once, inside a transaction rolled back when the module is done; its files
    are in MEDIA_ROOT while the module runs."""
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(MEDIA_ROOT=media_root):
        yield build_world(media_root)
        transaction.set_rollback(True)


def _finance_world(world, coordinator):
    world.agreement = world.referral.agreement
    world.budget_year = budget_years_create(agreement=world.agreement, by=coordinator)[0]
    world.payment = world.budget_year.payments.first()
    world.fee = ExternalFee.objects.create(
        agreement=world.agreement,
        child_key="barn-ab",
        year=2017,
        municipality="Solna",
        child_initials="AB",
        child_age=10,
        group_name="Veckogrupp",
        amount_ore=500_000,
        invoiced_on=datetime.date(2017, 3, 1),
        recorded_by=coordinator,
    )
    job = BackgroundJob.objects.create(kind="finance.annual_report", key="matrix", requested_by=coordinator)
    world.annual_report = AnnualReport.objects.create(budget_year=world.budget_year, requested_by=coordinator, job=job)
    world.cost = cost_record(
        budget_year=world.budget_year,
        budget_line=world.agreement.budget_lines.first(),
        spent_on=world.budget_year.starts_on,
        amount_ore=100_00,
        description="Papper",
        by=coordinator,
    )


def _coordination_world(world, existing):
    """Ersta Vändpunkten on an operating grant: a published children's group, a parallel parents'
    group, and a public interest routed to Ersta (the family said no to social services)."""
    provider, agreement, manager, leader = make_provider_world()
    children = make_group(agreement=agreement, leaders=[leader], manager=manager, name="CAP-gruppen", weekday=1)
    publish(children)
    parents = make_group(agreement=agreement, leaders=[leader], manager=manager, name="CAP föräldrar", weekday=3)
    publish(parents, audience="parents", parallel_to=children)
    interest = public_interest_submit(
        sender_role="custodian",
        child_first_name="Ida",
        child_age=9,
        district=world.referral.district,
        target_group=agreement.target_group,
        contact_name="Anna",
        contact="070",
        may_tell_social_services=False,
    )
    participant = Participant.objects.create(
        group=children,
        child_first_name="Ida",
        child_age=9,
        consent_on=children.starts_on,
        consent_how="written",
        recorded_by=manager,
    )
    coordinator = existing["coordinator"]
    target_groups = TargetGroup.objects.filter(code="violence_in_family")
    new_provider = provider_create(
        name="Nystartad förening",
        short_name="",
        organisation_type="ngo",
        district=None,
        target_groups=target_groups,
        by=coordinator,
    )
    invited_provider = provider_create(
        name="Inbjuden förening",
        short_name="",
        organisation_type="ngo",
        district=None,
        target_groups=target_groups,
        by=coordinator,
    )
    invitation = staff_invite(
        organisation=invited_provider,
        first_name="Ina",
        last_name="Inbjuden",
        email="ina@example.se",
        username="matrix_invited",
        base_url="http://testserver/",
        by=coordinator,
    ).invitation
    # Information meetings of the other holders (issue 15): Ersta's own and one for the whole city.
    upcoming = timezone.now() + datetime.timedelta(days=30)
    ersta_meeting = InformationMeeting.objects.create(
        organiser=provider, starts_at=upcoming, location="Ersta", created_by=manager
    )
    city_meeting = InformationMeeting.objects.create(
        organiser=coordinator.membership.organisation, starts_at=upcoming, location="Stadshuset", created_by=coordinator
    )
    world.coordination = SimpleNamespace(
        group=children,
        parents=parents,
        interest=interest,
        participant=participant,
        new_provider=new_provider,
        invitation=invitation,
        information_meetings={"ersta": ersta_meeting, "city": city_meeting},
    )
    existing["other_provider_group_leader"] = leader
    existing["other_provider_operations_manager"] = manager


def _composition_world(world, existing):
    """A suggestion for Bris' waiting list (stored as the solver would), a must-not-meet pair in
    Farsta, a method with a manual, and a reference group with one member."""
    manager = existing["operations_manager"]
    coordinator = existing["coordinator"]
    agreement = world.referral.agreement
    request = CompositionRequest.objects.create(
        agreement=agreement,
        target_group=agreement.target_group,
        requested_by=manager,
        planned_start=timezone.localdate(),
        max_groups=1,
        max_age_spread=3,
        waiting_count=1,
        solver_status="OPTIMAL",
    )
    suggested = SuggestedGroup.objects.create(request=request, position=1, min_age=10, max_age=10, travel_km=0)
    SuggestedMember.objects.create(
        suggested_group=suggested, referral=world.referral, waiting_rank=1, age=10, waited_days=3
    )
    other = make_referral(district_name="Farsta", submitted_by=world.referral.submitted_by)
    relation = child_relation_record(first=world.referral, second=other, kind="apart", by=world.referral.submitted_by)
    method = methods.method_create(
        name="CAP", target_group=agreement.target_group, min_age=7, max_age=12, format="10 träffar", by=coordinator
    )
    manual = methods.method_manual_add(
        method=method,
        version="1",
        published_on=datetime.date(2026, 1, 1),
        document=ContentFile(b"%PDF-1.4", name="cap.pdf"),
        by=coordinator,
    )
    reference_group = cooperation.reference_group_create(
        target_group=agreement.target_group, name="Referensgruppen", created_by=coordinator
    )
    reference_member = cooperation.reference_group_member_add(
        reference_group=reference_group, name="Pia Professor", title="Forskare", representing="expert", by=coordinator
    )
    world.composition = SimpleNamespace(
        request=request,
        suggested=suggested,
        relation=relation,
        method=method,
        manual=manual,
        reference_group=reference_group,
        reference_member=reference_member,
    )


def _groups_world(world, existing):
    """An open weekly group led by the matrix group leader, one child placed; a support weekend."""
    leader = make_user(Role.GROUP_LEADER, username="matrix_leader")
    manager = make_user(Role.OPERATIONS_MANAGER, username="matrix_manager")
    world.group = make_group(agreement=world.referral.agreement, leaders=[leader], manager=manager)
    world.placement = group_place_child(
        group=world.group,
        referral=make_referral(first_name="Matrix", submitted_by=world.referral.submitted_by),
        placed_by=manager,
    )
    world.weekend = make_group(
        agreement=world.referral.agreement, leaders=[leader], format="weekend", name="Helgen", manager=manager
    )
    world.calendar_token = calendar_token_get_or_create(user=leader)
    existing["group_leader"] = leader
    existing["operations_manager"] = manager


def user_for(role, existing):
    if role == "anonymous":
        return None
    if role in existing:
        return existing[role]
    if role == "superuser":
        user = make_user(None, username="matrix_superuser")
        user.is_superuser = user.is_staff = True
        user.save()
        return user
    if role == "other_district_social_worker":
        return make_user(Role.SOCIAL_WORKER, district_name="Bromma")
    return make_user(Role(role), district_name="Farsta")
