"""A second provider beside Bris: its organisation, its arrangement and its staff."""

import datetime

from django.utils import timezone

from coordination.services import group_publication_update
from partnership.models import Agreement, Membership, Organisation, Role, TargetGroup
from tests.factories import city, district, make_user


def make_provider(
    *, name="Ersta diakoni, Vändpunkten", short_name="Ersta Vändpunkten", organisation_type="ngo", district_name=None
):
    city()  # the reference data
    organisation, _ = Organisation.objects.get_or_create(
        name=name,
        defaults={
            "short_name": short_name,
            "kind": Organisation.Kind.PUBLIC if organisation_type != "ngo" else Organisation.Kind.NONPROFIT,
            "organisation_type": organisation_type,
            "district": district(district_name) if district_name else None,
            "website": "https://example.se/vandpunkten",
            "public_email": "vandpunkten@example.se",
            "public_phone": "08-555 000 00",
        },
    )
    return organisation


def make_arrangement(
    provider, *, kind=Agreement.Kind.OPERATING_GRANT, target_code="parental_substance_misuse", grant_ore=None
):
    today = timezone.localdate()
    return Agreement.objects.create(
        name=f"{provider.short_name}: {Agreement.Kind(kind).label}",
        kind=kind,
        public_party=city(),
        provider=provider,
        target_group=TargetGroup.objects.get(code=target_code),
        starts_on=datetime.date(today.year - 1, 1, 1),
        ends_on=datetime.date(today.year + 1, 12, 31),
        grant_amount_ore=grant_ore if grant_ore is not None else (50_000_000 if kind == "operating_grant" else None),
    )


def make_provider_user(role, provider, *, username=None):
    user = make_user(None, username=username)
    Membership.objects.create(user=user, organisation=provider, role=role)
    return user


def make_provider_world():
    """Ersta Vändpunkten on an operating grant, with an operations manager and a group leader."""
    provider = make_provider()
    agreement = make_arrangement(provider)
    manager = make_provider_user(Role.OPERATIONS_MANAGER, provider)
    leader = make_provider_user(Role.GROUP_LEADER, provider)
    return provider, agreement, manager, leader


def publish(group, **fields):
    """Set what the public page shows about a group, through the service."""
    values = {
        "audience": group.audience,
        "target_group": group.target_group,
        "parallel_to": group.parallel_to,
        "district": group.district,
        "is_published": True,
        "public_description": group.public_description,
        "how_to_join": group.how_to_join,
    }
    values.update(fields)
    manager = group.agreement.provider.memberships.filter(role=Role.OPERATIONS_MANAGER).first()
    return group_publication_update(group=group, by=manager.user if manager else None, **values)
