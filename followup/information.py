"""Information work (IOP 3.1.2, 3.1.3): the city's district contact lists, kept by the coordinator
and imported from CSV or Excel with a preview; and the breakfast meetings, three a year."""

import csv
import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from partnership.jobs import job_request
from partnership.models import Agreement, District
from partnership.text import clean_text, without_control_characters

from .cooperation import agreements_for
from .models import (
    ContactKind,
    DistrictContact,
    DistrictContactImport,
    InformationInvitation,
    InformationMeeting,
    InformationSignup,
)

MEETINGS_PER_YEAR = 3
INVITATIONS_JOB = "followup.invitations"
IMPORT_COLUMNS = ["stadsdel", "namn", "funktion", "e-post", "telefon"]
MAX_IMPORT_ROWS = 2000


# --- Contacts ------------------------------------------------------------------------------------


def contacts_list(*, district_id=None, kind: str = "") -> QuerySet[DistrictContact]:
    queryset = DistrictContact.objects.select_related("district").order_by("district__name", "name")
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.filter(district_id=district_id) if district_id else queryset


@transaction.atomic
def district_contact_save(
    *,
    district: District | None,
    name: str,
    role: str,
    email: str,
    phone: str = "",
    kind: str = ContactKind.DISTRICT,
    organisation: str = "",
    contact: DistrictContact | None = None,
) -> DistrictContact:
    email = email.strip().lower()
    clash = DistrictContact.objects.filter(email=email).exclude(pk=contact.pk if contact else None)  # type: ignore[misc]
    if clash.exists():
        raise ValidationError({"email": _("Det finns redan en kontaktperson med den e-postadressen.")})
    if kind == ContactKind.DISTRICT and district is None:
        raise ValidationError({"district": _("Välj stadsdel för en kontakt på en stadsdel.")})
    contact = contact or DistrictContact()
    contact.district, contact.name, contact.role, contact.email, contact.phone = (
        district,
        name.strip(),
        role.strip(),
        email,
        phone.strip(),
    )
    contact.kind, contact.organisation = kind, organisation.strip()
    contact.save()
    return contact


def _read_rows(file_name: str, content: bytes) -> list[list[str]]:
    """The file's rows as lists of strings, header first. CSV (UTF-8, ; or ,) or Excel .xlsx."""
    if file_name.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise ValidationError({"file": _("Filen kunde inte läsas som en Excel-fil (.xlsx).")}) from error
        return [
            ["" if cell is None else str(cell).strip() for cell in row] for row in sheet.iter_rows(values_only=True)
        ]
    if not file_name.lower().endswith(".csv"):
        raise ValidationError({"file": _("Välj en CSV-fil (.csv) eller en Excel-fil (.xlsx).")})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    dialect = csv.Sniffer().sniff(text[:2000], delimiters=";,\t") if text.strip() else csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def _parse(rows: list[list[str]]) -> list[dict]:
    if not rows:
        raise ValidationError({"file": _("Filen är tom.")})
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [column for column in IMPORT_COLUMNS[:4] if column not in header]
    if missing:
        raise ValidationError(
            {
                "file": _("Kolumner saknas i första raden: %(c)s. Förväntade kolumner: %(all)s.")
                % {"c": ", ".join(missing), "all": ", ".join(IMPORT_COLUMNS)}
            }
        )
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ValidationError({"file": _("Filen har fler än %(n)s rader.") % {"n": MAX_IMPORT_ROWS}})
    districts = {district.name.lower(): district for district in District.objects.filter(is_active=True)}
    seen: set[str] = set()
    parsed = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        values = {column: (row[header.index(column)] if header.index(column) < len(row) else "") for column in header}
        entry: dict[str, Any] = {
            "line": number,
            "district": values.get("stadsdel", ""),
            "name": values.get("namn", ""),
            "role": values.get("funktion", ""),
            "email": values.get("e-post", "").lower(),
            "phone": values.get("telefon", ""),
            "errors": [],
        }
        for key in ("district", "name", "role", "email", "phone"):
            try:
                entry[key] = clean_text(entry[key])
            except ValidationError as error:
                entry["errors"].extend(error.messages)
                entry[key] = without_control_characters(entry[key])
        district = districts.get(entry["district"].lower())
        if district is None:
            entry["errors"].append(_("Okänd stadsdel: ”%(d)s”.") % {"d": entry["district"]})
        else:
            entry["district"], entry["district_id"] = district.name, district.pk
        if not entry["name"]:
            entry["errors"].append(_("Namn saknas."))
        try:
            validate_email(entry["email"])
        except ValidationError:
            entry["errors"].append(_("Ogiltig e-postadress: ”%(e)s”.") % {"e": entry["email"]})
        else:
            if entry["email"] in seen:
                entry["errors"].append(_("E-postadressen finns redan på en tidigare rad i filen."))
            seen.add(entry["email"])
        parsed.append(entry)
    return parsed


@transaction.atomic
def district_contact_import_upload(*, file_name: str, content: bytes, uploaded_by) -> DistrictContactImport:
    """Read an uploaded list and keep it for preview. Nothing reaches the contact list yet."""
    rows = _parse(_read_rows(file_name, content))
    return DistrictContactImport.objects.create(file_name=file_name[:200], rows=rows, uploaded_by=uploaded_by)


@transaction.atomic
def district_contact_import_confirm(*, contact_import: DistrictContactImport) -> DistrictContactImport:
    """Import the valid rows of a previewed list: new addresses are added, known ones updated.
    Rows with errors are left out, as the preview said."""
    contact_import = DistrictContactImport.objects.select_for_update().get(pk=contact_import.pk)
    if contact_import.confirmed_at:
        raise ValidationError(_("Listan är redan importerad."))
    rows = contact_import.valid_rows
    if not rows:
        raise ValidationError(_("Listan har inga giltiga rader att importera."))
    existing = {
        contact.email: contact for contact in DistrictContact.objects.filter(email__in=[r["email"] for r in rows])
    }
    created = updated = 0
    for row in rows:
        contact = existing.get(row["email"])
        if contact is None:
            DistrictContact.objects.create(
                district_id=row["district_id"],
                name=row["name"],
                role=row["role"],
                email=row["email"],
                phone=row["phone"],
            )
            created += 1
        else:
            contact.district_id, contact.name, contact.role, contact.phone, contact.is_active = (
                row["district_id"],
                row["name"],
                row["role"],
                row["phone"],
                True,
            )
            contact.save()
            updated += 1
    contact_import.confirmed_at = timezone.now()
    contact_import.created_count, contact_import.updated_count = created, updated
    contact_import.save(update_fields=["confirmed_at", "created_count", "updated_count", "updated_at"])
    return contact_import


def get_contact_import_for(user, public_id) -> DistrictContactImport:
    try:
        return DistrictContactImport.objects.get(public_id=public_id, uploaded_by=user)
    except (DistrictContactImport.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


def contacts_export_rows() -> list[list[str]]:
    rows = [IMPORT_COLUMNS]
    for contact in contacts_list().filter(is_active=True):
        rows.append(
            [
                contact.district.name if contact.district else "",
                contact.name,
                contact.role,
                contact.email,
                contact.phone,
            ]
        )
    return rows


def contacts_export_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(contacts_export_rows())
    # BOM so that Excel opens å, ä and ö correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def contacts_export_xlsx() -> bytes:

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kontaktlista"
    for row in contacts_export_rows():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Breakfast information meetings --------------------------------------------------------------


def information_meetings_for(user) -> QuerySet[InformationMeeting]:

    return (
        InformationMeeting.objects.filter(agreement__in=agreements_for(user))
        .annotate(
            signup_count=Count("signups", distinct=True),
            attended_count=Count("signups", filter=Q(signups__attended=True), distinct=True),
            invited_count=Count("invitations", filter=Q(invitations__sent_at__isnull=False), distinct=True),
        )
        .order_by("-starts_at")
    )


def get_information_meeting_for(user, public_id) -> InformationMeeting:
    try:
        return information_meetings_for(user).get(public_id=public_id)
    except (InformationMeeting.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


@dataclass(frozen=True)
class YearStatus:
    year: int
    held: int
    planned: int
    expected_by_now: int

    @property
    def is_behind(self) -> bool:
        # Behind when fewer are held than the year's elapsed thirds ask for, or when held and
        # planned together cannot reach three.
        return self.held < self.expected_by_now or self.held + self.planned < MEETINGS_PER_YEAR


def expected_by(day: datetime.date, year: int) -> int:
    """Three a year, spread out: one by the end of April, two by the end of August, three by New Year."""
    if day.year > year:
        return MEETINGS_PER_YEAR
    if day.year < year:
        return 0
    return (day.month - 1) // 4


def information_year_status(agreement: Agreement, year: int, *, today: datetime.date | None = None) -> YearStatus:
    today = today or timezone.localdate()
    meetings = list(agreement.information_meetings.filter(starts_at__year=year).values_list("starts_at", "held_at"))
    held = sum(1 for _starts, held_at in meetings if held_at)
    planned = sum(1 for starts, held_at in meetings if not held_at and starts.date() >= today)
    return YearStatus(year=year, held=held, planned=planned, expected_by_now=expected_by(today, year))


def information_years(agreement: Agreement, *, today: datetime.date | None = None) -> list[YearStatus]:
    today = today or timezone.localdate()
    last = min(agreement.ends_on.year, today.year)
    return [information_year_status(agreement, year, today=today) for year in range(agreement.starts_on.year, last + 1)]


@transaction.atomic
def information_meeting_plan(
    *, agreement: Agreement, starts_at: datetime.datetime, location: str, topic: str = "", created_by
) -> InformationMeeting:
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": _("Tiden har redan passerat. Planera mötet framåt i tiden.")})
    return InformationMeeting.objects.create(
        agreement=agreement, starts_at=starts_at, location=location.strip(), topic=topic.strip(), created_by=created_by
    )


@transaction.atomic
def information_meeting_send_invitations(*, meeting: InformationMeeting, by) -> int:
    """Queue an invitation to every active contact not yet invited; the mails go after commit."""

    if meeting.held_at or meeting.starts_at < timezone.now():
        raise ValidationError(_("Mötet har redan ägt rum; inbjudningar skickas inte."))
    contacts = DistrictContact.objects.filter(is_active=True).exclude(invitations__meeting=meeting)
    created = InformationInvitation.objects.bulk_create(
        [InformationInvitation(meeting=meeting, contact=contact) for contact in contacts], ignore_conflicts=True
    )
    if not created and not meeting.invitations.filter(sent_at__isnull=True).exists():
        raise ValidationError(_("Alla aktiva kontaktpersoner är redan inbjudna."))
    InformationMeeting.objects.filter(pk=meeting.pk).update(invitations_sent_at=timezone.now())
    job_request(
        kind=INVITATIONS_JOB,
        key=f"{INVITATIONS_JOB}:{meeting.pk}",
        arguments={"meeting_id": meeting.pk},
        requested_by=by,
    )
    return len(created)


@transaction.atomic
def information_signup_add(
    *, meeting: InformationMeeting, name: str, email: str, district: District | None = None
) -> InformationSignup:
    email = email.strip().lower()
    if meeting.signups.filter(email=email).exists():
        raise ValidationError({"email": _("%(e)s är redan anmäld till mötet.") % {"e": email}})
    contact = DistrictContact.objects.filter(email=email).first()
    return InformationSignup.objects.create(
        meeting=meeting,
        contact=contact,
        name=name.strip(),
        email=email,
        district=district or (contact.district if contact else None),
    )


@transaction.atomic
def information_attendance_record(*, meeting: InformationMeeting, attended_ids: set[int]) -> InformationMeeting:
    """Mark who came; the meeting counts as held from then on."""
    if meeting.starts_at.date() > timezone.localdate():
        raise ValidationError(_("Närvaro kan registreras först när mötet har ägt rum."))
    for signup in meeting.signups.all():
        signup.attended = signup.pk in attended_ids
        signup.save(update_fields=["attended", "updated_at"])
    InformationMeeting.objects.filter(pk=meeting.pk, held_at__isnull=True).update(held_at=timezone.now())
    meeting.refresh_from_db()
    return meeting
