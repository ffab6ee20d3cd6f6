"""Shared set-up for the data lifecycle tests: a child with something in every kind of record."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.core.files.base import ContentFile
from django.db.models import FileField
from django.utils import timezone

from consent.services import concern_report_create
from groups.models import GroupFormat, Placement, SupportGroup
from partnership.models import Role
from referrals.models import Referral, ReferralStatus
from referrals.services import referral_transition
from tests.factories import make_referral, make_user


@dataclass
class DocumentedChild:
    referral: Referral
    secrets: list[str]  # every identifying value and note: none may survive a purge
    document_name: str


# What purging a documented_child() removes, by kind (PurgeRecord.counts).
DOCUMENTED_CHILD_COUNTS = {
    "files": 1,
    "consents": 2,
    "guardians": 2,
    "child_identity": 1,
    "interest_registrations": 0,
    "transition_reasons": 1,
    "concern_reports": 1,
    "group_records": 1,
    "evaluation_answer_sets": 0,
}


def documented_child(*, first_name="Ingeborg", last_name="Zetterqvist", ended_days_ago=40, district_name="Farsta"):
    """A SoL child who was placed in a group, had a concern reported and then left, with an
    uploaded consent, and whose referral ended `ended_days_ago` days ago."""

    referral = make_referral(
        first_name=first_name,
        last_name=last_name,
        district_name=district_name,
        needs_other=f"{first_name} är rädd för mörker och behöver sitta nära dörren.",
        needs_language="Tolk på tigrinja",
    )
    child = referral.child
    child.phone = "070-987 65 43"
    child.email = "ingeborg.barn@example.se"
    child.address = "Vitsippsvägen 12"
    child.foster_home_name = "Familjehemmet Östlund"
    child.foster_contact_person = "Ragnhild Östlund"
    child.foster_phone = "070-555 12 34"
    child.save()
    consent = referral.consents.first()
    consent.document.save("Ingeborg samtycke.pdf", ContentFile(f"Samtycke för {first_name} {last_name}".encode()))
    manager = make_user(Role.OPERATIONS_MANAGER)
    group = SupportGroup.objects.create(
        agreement=referral.agreement, name="Vårgruppen", format=GroupFormat.WEEKLY, min_age=7, max_age=12
    )
    referral_transition(referral=referral, to_status=ReferralStatus.PLACED, by=manager)
    Placement.objects.create(
        group=group, referral=referral, placed_by=manager, age_override_reason=f"{first_name} fyller snart år."
    )
    concern_report_create(
        referral=referral,
        reported_by=manager,
        justification=f"{first_name} berättade om blåmärken efter helgen hos familjen.",
    )
    referral_transition(
        referral=referral,
        to_status=ReferralStatus.WITHDRAWN,
        by=referral.submitted_by,
        reason=f"{first_name} {last_name} flyttar till en annan kommun.",
    )
    Referral.objects.filter(pk=referral.pk).update(ended_at=timezone.now() - datetime.timedelta(days=ended_days_ago))
    referral.refresh_from_db()
    guardians = list(referral.guardians.values_list("name", flat=True))
    secrets = [
        first_name,
        last_name,
        child.identity_number,
        child.identity_number.replace("-", ""),
        child.identity_number[2:],
        child.phone,
        child.email,
        child.address,
        child.foster_home_name,
        child.foster_contact_person,
        child.foster_phone,
        referral.identity_hash,
        "rädd för mörker",
        "tigrinja",
        "blåmärken",
        *guardians,
    ]
    return DocumentedChild(referral=referral, secrets=secrets, document_name=consent.document.name)


def database_text() -> str:
    """Every row of every model (many-to-many tables included), as text: a dump the test can search."""
    parts = []
    for model in apps.get_models(include_auto_created=True):
        for row in model._base_manager.values_list():
            parts.append(repr(row))
    return "\n".join(parts)


def files_text(media_root) -> str:
    parts = []
    for path in media_root.rglob("*"):
        if path.is_file():
            parts.append(path.name)
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def file_fields_in_use() -> list[str]:
    names = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                names.extend(name for name in model._base_manager.values_list(field.name, flat=True) if name)
    return names
