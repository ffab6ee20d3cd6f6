"""The coordination connects to the hooks of the apps below it (imported by partnership/apps.py)."""

from django.contrib.auth.models import User
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from groups.models import Audience, Meeting, SupportGroup
from groups.selectors import (
    AttendancePage,
    AttendanceSheetRow,
    attendance_page_register,
    attendance_sheet_rows_register,
)
from groups.services import participant_counter_register
from partnership.access import can
from referrals.signals import purge_sweep_ran

from .models import ParentParticipant, Participant
from .selectors import attendance_people, participant_attendance_sheet
from .services import coordination_purge_due


@receiver(purge_sweep_ran, dispatch_uid="coordination_purge_due")
def purge_with_the_nightly_sweep(sender, on, **kwargs):
    """Lapsed public interests and the people of ended groups go with the nightly purge sweep."""
    coordination_purge_due(on=on)


def count_participants(group) -> int:
    """Children taken in on a custodian's consent, and a parents' group's parents: they count
    toward the group's size when a provider outside the IOP starts it."""
    return (
        Participant.objects.filter(group=group, removed_at__isnull=True, purged_at__isnull=True).count()
        + ParentParticipant.objects.filter(group=group, purged_at__isnull=True).count()
    )


participant_counter_register(count_participants)


def participant_attendance_page(user: User, group: SupportGroup) -> AttendancePage | None:
    """The group page links each meeting's attendance of the provider's participants (children
    on consent, or a parents' group's parents) for those who may record it. Participants are
    placed in the whole group, never in a subgroup."""
    if group.parent_id is not None or not can(user, "coordination.record_participant_attendance", group):
        return None
    label = _("Närvaro (föräldrar)") if group.audience == Audience.PARENTS else _("Närvaro (deltagare)")
    return AttendancePage(label=str(label), url_name="coordination:participant_attendance")


attendance_page_register(participant_attendance_page)


def participant_attendance_sheet_rows(
    user: User, group: SupportGroup, meetings: list[Meeting]
) -> list[AttendanceSheetRow]:
    """The attendance sheet PDF lists the provider's participants after the placed children."""
    if group.parent_id is not None or not can(user, "coordination.record_participant_attendance", group):
        return []
    children, parents = attendance_people(group)
    records = participant_attendance_sheet(group)
    rows = [
        AttendanceSheetRow(
            name=child.child_first_name or "",
            age=child.child_age,
            cells=[records.get((meeting.pk, f"c{child.pk}")) for meeting in meetings],
        )
        for child in children
    ]
    rows += [
        AttendanceSheetRow(
            name=parent.name or "", age=None, cells=[records.get((meeting.pk, f"f{parent.pk}")) for meeting in meetings]
        )
        for parent in parents
    ]
    return rows


attendance_sheet_rows_register(participant_attendance_sheet_rows)
