"""Test data for the follow-up pages: groups with placed children, and the default instruments."""

import datetime
from types import SimpleNamespace

from django.apps import apps as django_apps
from django.utils import timezone

from followup.evaluation import evaluation_link_create
from followup.evaluation_defaults import seed_default_instruments
from followup.models import (
    CooperationMeeting,
    DistrictContact,
    DistrictContactImport,
    EvaluationInstrument,
    FollowUpReport,
    InformationMeeting,
)
from groups.models import Placement, SupportGroup
from partnership.models import Agreement, AgreementAmendment, BackgroundJob, Role
from tests.factories import district, make_agreement, make_referral, make_user


def instrument(code: str) -> EvaluationInstrument:
    # Transactional (browser) tests flush the rows the data migration made; put them back.
    if not EvaluationInstrument.objects.exists():
        seed_default_instruments(django_apps)
    return EvaluationInstrument.objects.get(code=code, version=1)


def make_group(*, agreement=None, leader=None, name="Torsdagsgruppen", group_format="weekly", year=None, **fields):

    agreement = agreement or Agreement.objects.first() or make_agreement()
    year = year or agreement.starts_on.year
    group = SupportGroup.objects.create(
        agreement=agreement,
        name=name,
        format=group_format,
        status=fields.pop("status", "closed"),
        min_age=fields.pop("min_age", 7),
        max_age=fields.pop("max_age", 18),
        starts_on=datetime.date(year, 3, 1),
        ends_on=datetime.date(year, 4, 26),
        **fields,
    )
    if leader is not None:
        group.leaders.add(leader)
    return group


def place_children(group, *, count: int, age: int = 10, district_name: str = "Farsta", first_names=None):
    """`count` referrals placed in the group; returns the referrals."""

    placed_by = group.leaders.first() or make_user(Role.OPERATIONS_MANAGER)
    referrals = []
    for index in range(count):
        first_name = first_names[index] if first_names else f"Barn{index}"
        referral = make_referral(
            agreement=group.agreement,
            district_name=district_name,
            age=age,
            first_name=first_name,
            planned_start=timezone.localdate() + datetime.timedelta(days=30),
        )
        referral.status = "placed"
        referral.save(update_fields=["status"])
        Placement.objects.create(group=group, referral=referral, placed_by=placed_by)
        referrals.append(referral)
    return referrals


def make_followup_world(*, referral, leader, coordinator):
    """One of each follow-up object, for the permission matrix: a closed group led by `leader`
    with a placed child and an open answer link, a cooperation meeting, an amendment, a contact,
    a contact import by `coordinator`, a breakfast meeting and a report without its PDF yet."""

    agreement = referral.agreement
    group = make_group(agreement=agreement, leader=leader, name="Matrisgruppen")
    Placement.objects.create(group=group, referral=referral, placed_by=leader)
    _link, token = evaluation_link_create(
        group=group,
        referral=referral,
        instrument=instrument("familjehemmets-upplevelse"),
        moment="after",
        created_by=leader,
    )
    meeting = CooperationMeeting.objects.create(
        agreement=agreement, meeting_date=agreement.starts_on, created_by=coordinator
    )
    amendment = AgreementAmendment.objects.create(
        agreement=agreement, title="Förlängning", description="Förlängs ett år.", changes={}, recorded_by=coordinator
    )
    contact = DistrictContact.objects.create(
        district=district("Farsta"), name="Kim Kontakt", role="Enhetschef", email="kim@example.se"
    )
    contact_import = DistrictContactImport.objects.create(file_name="lista.csv", rows=[], uploaded_by=coordinator)
    information_meeting = InformationMeeting.objects.create(
        agreement=agreement,
        starts_at=timezone.now() + datetime.timedelta(days=20),
        location="Bris",
        created_by=coordinator,
    )
    job = BackgroundJob.objects.create(kind="followup.report", key="followup.report:world", requested_by=coordinator)
    report = FollowUpReport.objects.create(
        agreement=agreement, year=agreement.starts_on.year, requested_by=coordinator, job=job
    )
    return SimpleNamespace(
        group=group,
        instrument=instrument("hur-jag-har-det-barn"),
        token=token,
        meeting=meeting,
        amendment=amendment,
        contact=contact,
        contact_import=contact_import,
        information_meeting=information_meeting,
        report=report,
    )
