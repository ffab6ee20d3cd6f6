"""Attendance of a provider's own participants (issue 15): the children a provider outside the IOP
took in on a custodian's consent, and a parents' group's parents, recorded per meeting with the
rules of an IOP placement's attendance, reached from the group page, and purged with them."""

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from coordination.models import ParticipantAttendance
from coordination.receivers import participant_attendance_page
from coordination.services import (
    ParticipantAttendanceEntry,
    coordination_purge_due,
    parent_register,
    participant_attendance_record,
    participant_place,
)
from groups import services as group_services
from partnership.models import Role
from tests.coordination.factories import make_provider, make_provider_user, make_provider_world, publish
from tests.factories import make_agreement, make_group, make_user

pytestmark = pytest.mark.django_db

NAMES = ["Alma", "Ture", "Vera", "Otto", "Siri"]


def _take_in(group, manager, names=NAMES):
    return [
        participant_place(
            group=group,
            interest=None,
            child_first_name=name,
            child_age=9,
            custodian_name=f"Vårdnadshavare till {name}",
            custodian_contact="070-000 00 00",
            consent_on=timezone.localdate() - datetime.timedelta(days=80),
            consent_how="written",
            by=manager,
        )
        for name in names
    ]


@pytest.fixture
def ersta(db):
    """Ersta's children's group, started 70 days ago with five children taken in on consent."""
    make_agreement()  # Bris' IOP beside it, as in the city
    provider, grant, manager, leader = make_provider_world()
    group = make_group(
        agreement=grant,
        leaders=[leader],
        manager=manager,
        name="CAP-gruppen",
        min_age=7,
        max_age=12,
        earliest=timezone.localdate() - datetime.timedelta(days=70),
    )
    children = _take_in(group, manager)
    group = group_services.group_start(group=group, by=manager)
    meeting = group.meetings.order_by("starts_at").first()
    return {
        "provider": provider,
        "agreement": grant,
        "manager": manager,
        "leader": leader,
        "group": group,
        "children": children,
        "meeting": meeting,
    }


def _url(group, meeting):
    return reverse(
        "coordination:participant_attendance", kwargs={"public_id": group.public_id, "meeting_id": meeting.pk}
    )


def _all_present(children, **overrides):
    data = {f"c{child.pk}-present": "1" for child in children}
    data.update(overrides)
    return data


# --- The service ---------------------------------------------------------------------------------


def test_a_leader_records_who_came_and_why_not(ersta):
    alma, ture, *rest = ersta["children"]
    entries = [
        ParticipantAttendanceEntry(participant=alma, present=False, absence_reason="ill", note="Feber"),
        *[ParticipantAttendanceEntry(participant=child, present=True) for child in [ture, *rest]],
    ]
    participant_attendance_record(meeting=ersta["meeting"], entries=entries, by=ersta["leader"])
    records = ParticipantAttendance.objects.filter(meeting=ersta["meeting"])
    assert records.filter(present=True).count() == 4
    absent = records.get(participant=alma)
    assert (absent.present, absent.absence_reason, absent.note, absent.recorded_by) == (
        False,
        "ill",
        "Feber",
        ersta["leader"],
    )
    ersta["meeting"].refresh_from_db()
    assert ersta["meeting"].held_confirmed_by == ersta["leader"]
    # Recording again corrects the row, never a second one.
    participant_attendance_record(
        meeting=ersta["meeting"],
        entries=[ParticipantAttendanceEntry(participant=alma, present=True)],
        by=ersta["leader"],
    )
    absent.refresh_from_db()
    assert (absent.present, absent.absence_reason) == (True, "")
    assert records.count() == 5


def test_an_absence_without_reason_saves_nothing_of_the_meeting(ersta):
    alma, ture, *_rest = ersta["children"]
    entries = [
        ParticipantAttendanceEntry(participant=ture, present=True),
        ParticipantAttendanceEntry(participant=alma, present=False),
    ]
    with pytest.raises(ValidationError) as refusal:
        participant_attendance_record(meeting=ersta["meeting"], entries=entries, by=ersta["leader"])
    assert f"c{alma.pk}-absence_reason" in refusal.value.message_dict
    assert not ParticipantAttendance.objects.exists()  # Ture's row went back with the refusal
    ersta["meeting"].refresh_from_db()
    assert ersta["meeting"].held_confirmed_at is None


def test_a_meeting_ahead_or_a_group_not_running_is_refused(ersta):
    alma = ersta["children"][0]
    entry = [ParticipantAttendanceEntry(participant=alma, present=True)]
    ahead = ersta["group"].meetings.order_by("-starts_at").first()
    ahead.starts_at = timezone.now() + datetime.timedelta(days=3)
    ahead.ends_at = ahead.starts_at + datetime.timedelta(hours=2)
    ahead.save(update_fields=["starts_at", "ends_at"])
    with pytest.raises(ValidationError, match="inte ägt rum"):
        participant_attendance_record(meeting=ahead, entries=entry, by=ersta["leader"])
    planned = make_group(
        agreement=ersta["agreement"],
        leaders=[ersta["leader"]],
        manager=ersta["manager"],
        name="Vårgruppen",
        earliest=timezone.localdate() - datetime.timedelta(days=70),
        weekday=2,
    )
    with pytest.raises(ValidationError, match="status"):
        participant_attendance_record(meeting=planned.meetings.first(), entries=entry, by=ersta["leader"])
    assert not ParticipantAttendance.objects.exists()


def test_someone_of_another_group_or_removed_or_purged_is_refused(ersta):
    other = make_group(
        agreement=ersta["agreement"], leaders=[ersta["leader"]], manager=ersta["manager"], name="Annan", weekday=3
    )
    stranger = _take_in(other, ersta["manager"], names=["Nils"])[0]
    alma, ture, *_rest = ersta["children"]
    type(ture).objects.filter(pk=ture.pk).update(removed_at=timezone.now())
    ture.refresh_from_db()
    for person in (stranger, ture):
        with pytest.raises(ValidationError, match="finns inte i gruppen"):
            participant_attendance_record(
                meeting=ersta["meeting"],
                entries=[
                    ParticipantAttendanceEntry(participant=alma, present=True),
                    ParticipantAttendanceEntry(participant=person, present=True),
                ],
                by=ersta["leader"],
            )
    assert not ParticipantAttendance.objects.exists()
    with pytest.raises(ValidationError, match="barn eller en förälder"):
        participant_attendance_record(
            meeting=ersta["meeting"], entries=[ParticipantAttendanceEntry(present=True)], by=ersta["leader"]
        )


def test_a_parents_groups_parents_have_attendance_too(ersta):
    parents = make_group(
        agreement=ersta["agreement"],
        leaders=[ersta["leader"]],
        manager=ersta["manager"],
        name="CAP föräldrar",
        weekday=3,
        earliest=timezone.localdate() - datetime.timedelta(days=70),
    )
    publish(parents, audience="parents", parallel_to=ersta["group"])
    registered = [
        parent_register(
            group=parents,
            name=name,
            contact="070",
            accompanies=None,
            consent_on=timezone.localdate() - datetime.timedelta(days=80),
            by=ersta["leader"],
        )
        for name in ["Petra", "Pelle", "Paula", "Per", "Pia"]
    ]
    parents = group_services.group_start(group=parents, by=ersta["manager"])
    meeting = parents.meetings.order_by("starts_at").first()
    participant_attendance_record(
        meeting=meeting,
        entries=[ParticipantAttendanceEntry(parent=parent, present=True) for parent in registered],
        by=ersta["leader"],
    )
    assert ParticipantAttendance.objects.filter(meeting=meeting, parent__isnull=False, present=True).count() == 5


# --- The pages -----------------------------------------------------------------------------------


def test_the_leader_finds_the_page_from_the_group_and_records_attendance(ersta, make_signed_in_client):
    http = make_signed_in_client(ersta["leader"])
    url = _url(ersta["group"], ersta["meeting"])
    group_page = http.get(reverse("groups:detail", kwargs={"public_id": ersta["group"].public_id})).content.decode()
    assert f'href="{url}"' in group_page
    # The IOP placements' attendance page would list nobody here: not linked.
    placements_url = reverse(
        "groups:attendance", kwargs={"public_id": ersta["group"].public_id, "meeting_id": ersta["meeting"].pk}
    )
    assert f'href="{placements_url}"' not in group_page
    page = http.get(url).content.decode()
    assert all(name in page for name in NAMES)
    alma = ersta["children"][0]
    response = http.post(url, _all_present(ersta["children"], **{f"c{alma.pk}-present": "0"}))
    assert response.status_code == 200  # an absence needs a reason, beside the field
    assert "Ange orsak till frånvaron." in response.content.decode()
    assert not ParticipantAttendance.objects.exists()
    response = http.post(
        url,
        _all_present(
            ersta["children"],
            **{f"c{alma.pk}-present": "0", f"c{alma.pk}-absence_reason": "travel", f"c{alma.pk}-note": "Bussen"},
        ),
    )
    assert response.status_code == 302
    assert ParticipantAttendance.objects.filter(meeting=ersta["meeting"], present=True).count() == 4
    # The page shows what was recorded.
    page = http.get(url).content.decode()
    assert 'value="Bussen"' in page and 'value="travel" selected' in page


def test_who_may_open_the_page(ersta, make_signed_in_client):
    url = _url(ersta["group"], ersta["meeting"])
    assert make_signed_in_client(ersta["manager"]).get(url).status_code == 200
    # A leader of the provider who does not lead this group: refused (the group is theirs to see).
    other_leader = make_provider_user(Role.GROUP_LEADER, ersta["provider"])
    assert make_signed_in_client(other_leader).get(url).status_code == 403
    assert make_signed_in_client(other_leader).post(url, _all_present(ersta["children"])).status_code == 403
    # Another provider and Bris: the group does not exist for them.
    kallan = make_provider(name="Källan, Schizofreniförbundet", short_name="Källan")
    for user in (
        make_provider_user(Role.OPERATIONS_MANAGER, kallan),
        make_provider_user(Role.GROUP_LEADER, kallan),
        make_user(Role.OPERATIONS_MANAGER),
        make_user(Role.SOCIAL_WORKER),
        make_user(Role.COORDINATOR),
    ):
        http = make_signed_in_client(user)
        assert http.get(url).status_code == 404
        assert http.post(url, _all_present(ersta["children"])).status_code == 404
    assert not ParticipantAttendance.objects.exists()
    # A meeting of another group under this group's address: 404.
    other = make_group(
        agreement=ersta["agreement"], leaders=[ersta["leader"]], manager=ersta["manager"], name="Annan", weekday=3
    )
    wrong = _url(ersta["group"], other.meetings.first())
    assert make_signed_in_client(ersta["leader"]).get(wrong).status_code == 404
    assert Client().get(url).status_code == 302  # anonymous: to login
    assert make_signed_in_client(ersta["leader"]).put(url).status_code == 405


def test_an_iop_group_has_no_participants_attendance_page(make_signed_in_client):
    iop = make_agreement()
    manager = make_user(Role.OPERATIONS_MANAGER)
    group = make_group(agreement=iop, manager=manager)
    http = make_signed_in_client(manager)
    assert http.get(_url(group, group.meetings.first())).status_code == 403
    # The hook offers the group page no link for it (the IOP's children are placements).
    assert participant_attendance_page(manager, group) is None


def test_the_pages_run_a_bounded_number_of_queries(ersta, make_signed_in_client, django_assert_max_num_queries):
    http = make_signed_in_client(ersta["leader"])
    url = _url(ersta["group"], ersta["meeting"])
    group_url = reverse("groups:detail", kwargs={"public_id": ersta["group"].public_id})
    http.post(url, _all_present(ersta["children"]))

    def queries(page):
        with CaptureQueriesContext(connection) as captured:
            assert http.get(page).status_code == 200
        return len(captured)  # now: the next request resets the connection's query log

    # Session and user, membership, the group, the permission (leads the group), the meeting, the
    # children, the parents, the records; the rest is the base template's.
    few = queries(url)
    assert few <= 20
    # The group page links each meeting; its queries do not grow with the participants either.
    few_on_group_page = queries(group_url)
    more = _take_in(ersta["group"], ersta["manager"], names=["Nils", "Nora", "Noak"])
    http.post(url, _all_present([*ersta["children"], *more]))
    with django_assert_max_num_queries(few):  # eight people cost what five did
        assert http.get(url).status_code == 200
    with django_assert_max_num_queries(few_on_group_page):
        assert http.get(group_url).status_code == 200


def test_the_attendance_sheet_pdf_lists_the_participants_and_their_marks(ersta, make_signed_in_client):
    alma, *rest = ersta["children"]
    participant_attendance_record(
        meeting=ersta["meeting"],
        entries=[
            ParticipantAttendanceEntry(participant=alma, present=False, absence_reason="ill"),
            *[ParticipantAttendanceEntry(participant=child, present=True) for child in rest],
        ],
        by=ersta["leader"],
    )
    pdf_url = reverse("groups:attendance_pdf", kwargs={"public_id": ersta["group"].public_id})
    http = make_signed_in_client(ersta["leader"])
    assert (
        f'href="{pdf_url}"'
        in http.get(reverse("groups:detail", kwargs={"public_id": ersta["group"].public_id})).content.decode()
    )
    response = http.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert all(name in text for name in NAMES)
    assert "Vårdnadshavare" not in text  # the custodians are not the sheet's business
    # One row per child: the name, the age, then the first meeting's mark.
    assert re.search(r"Alma\s*9\s*–", text) and re.search(r"Ture\s*9\s*X", text)
    # Another provider's manager: the group does not exist.
    kallan = make_provider(name="Källan, Schizofreniförbundet", short_name="Källan")
    assert make_signed_in_client(make_provider_user(Role.OPERATIONS_MANAGER, kallan)).get(pdf_url).status_code == 404


# --- Purging -------------------------------------------------------------------------------------


def test_attendance_goes_with_the_participants_purge_and_only_counts_stay(ersta, settings):
    settings.PURGE_GRACE_DAYS = 30
    alma, *rest = ersta["children"]
    participant_attendance_record(
        meeting=ersta["meeting"],
        entries=[
            ParticipantAttendanceEntry(participant=alma, present=False, absence_reason="ill", note="Alma hade feber"),
            *[ParticipantAttendanceEntry(participant=child, present=True, note="Glad") for child in rest],
        ],
        by=ersta["leader"],
    )
    # Another group of the provider, still running: its attendance is not touched.
    other = make_group(
        agreement=ersta["agreement"],
        leaders=[ersta["leader"]],
        manager=ersta["manager"],
        name="Höstgruppen",
        weekday=2,
        earliest=timezone.localdate() - datetime.timedelta(days=70),
    )
    others = _take_in(other, ersta["manager"], names=["Nils", "Nora", "Noak", "Nea", "Nemo"])
    other = group_services.group_start(group=other, by=ersta["manager"])
    participant_attendance_record(
        meeting=other.meetings.order_by("starts_at").first(),
        entries=[ParticipantAttendanceEntry(participant=child, present=True, note="Kvar") for child in others],
        by=ersta["leader"],
    )
    group = ersta["group"]
    last = group.meetings.order_by("-starts_at").first()
    group.meetings.filter(pk=last.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=1),
        ends_at=timezone.now() - datetime.timedelta(days=1) + datetime.timedelta(hours=2),
    )
    group_services.group_close(group=group, by=ersta["leader"])
    assert coordination_purge_due(on=timezone.localdate())["participants"] == 0  # not yet
    assert ParticipantAttendance.objects.filter(meeting__group=group).exclude(note="").count() == 5
    counts = coordination_purge_due(on=timezone.localdate() + datetime.timedelta(days=31))
    assert counts["participants"] == 5
    records = ParticipantAttendance.objects.filter(meeting__group=group)
    assert set(records.values_list("note", flat=True)) == {""}
    # Who came and why not stays, as anonymous counts.
    assert records.filter(present=True).count() == 4
    assert records.filter(present=False, absence_reason="ill").count() == 1
    assert ParticipantAttendance.objects.filter(meeting__group=other, note="Kvar").count() == 5
