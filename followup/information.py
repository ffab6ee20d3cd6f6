"""Information work (IOP 3.1.2, 3.1.3; the coordination's proposal, issue 15): the city's contact
list (districts, schools, health care, the region, the providers), kept by the coordinator and
imported from CSV or Excel with a preview; and the information meetings: Bris' breakfast meetings,
three a year under the IOP, and the meetings the coordinator holds for the whole city or any
provider for its own work."""

import csv
import datetime
import io
from collections.abc import Collection
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
from partnership.models import Agreement, District, Organisation, Role
from partnership.selectors import agreement_in_force_check, agreement_to_view
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
# The first five are the district lists' columns from before the coordination: such a file still
# imports, every row a district contact. `typ` and `organisation` take any kind of contact.
IMPORT_COLUMNS = ["stadsdel", "namn", "funktion", "e-post", "telefon", "typ", "organisation"]
MAX_IMPORT_ROWS = 2000
# What the `typ` column may say, lower case: the word the export writes first, then other words
# people use, then the stored codes.
KIND_WORDS: dict[str, str] = {
    "stadsdel": ContactKind.DISTRICT,
    "skola": ContactKind.SCHOOL,
    "vård": ContactKind.HEALTH_CARE,
    "region": ContactKind.COUNTY,
    "verksamhet": ContactKind.PROVIDER,
    "annan": ContactKind.OTHER,
    "socialtjänst": ContactKind.DISTRICT,
    "förskola": ContactKind.SCHOOL,
    "elevhälsa": ContactKind.SCHOOL,
    "sjukvård": ContactKind.HEALTH_CARE,
    "hälso- och sjukvård": ContactKind.HEALTH_CARE,
    "ungdomsmottagning": ContactKind.HEALTH_CARE,
    "regionen": ContactKind.COUNTY,
    "bup": ContactKind.COUNTY,
    "utförare": ContactKind.PROVIDER,
    "övrig": ContactKind.OTHER,
    "övriga": ContactKind.OTHER,
    **{kind.value: kind.value for kind in ContactKind},
}
# The word the export writes for each kind (the first in KIND_WORDS), so an export imports again.
KIND_EXPORT_WORD = {kind: next(word for word, value in KIND_WORDS.items() if value == kind) for kind in ContactKind}
# The columns' lengths in the database: a longer value is a row error, not a failed import.
MAX_LENGTHS = {"name": 200, "role": 200, "phone": 50, "organisation": 200, "email": 254}


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
    # A file without `typ` is a district list as before: it needs the district column.
    required = ["namn", "funktion", "e-post"] + ([] if "typ" in header else ["stadsdel"])
    missing = [column for column in required if column not in header]
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
    return [
        _parse_row(number, dict(zip(header, row, strict=False)), districts, seen)
        for number, row in enumerate(rows[1:], start=2)
        if any(row)
    ]


def _parse_row(number: int, values: dict[str, str], districts: dict[str, District], seen: set[str]) -> dict:
    """One row with its errors, in Swedish, for the preview; a row with errors is never imported."""
    entry: dict[str, Any] = {
        "line": number,
        "kind": values.get("typ", ""),
        "organisation": values.get("organisation", ""),
        "district": values.get("stadsdel", ""),
        "name": values.get("namn", ""),
        "role": values.get("funktion", ""),
        "email": values.get("e-post", "").lower(),
        "phone": values.get("telefon", ""),
        "errors": [],
    }
    for key in ("kind", "organisation", "district", "name", "role", "email", "phone"):
        try:
            entry[key] = clean_text(entry[key])
        except ValidationError as error:
            entry["errors"].extend(error.messages)
            entry[key] = without_control_characters(entry[key])
    # An empty type is a district contact, as every row of the lists before the coordination.
    kind = KIND_WORDS.get(entry["kind"].lower()) if entry["kind"] else ContactKind.DISTRICT
    if kind is None:
        entry["errors"].append(
            _("Okänd typ av kontakt: ”%(t)s”. Använd en av: %(words)s.")
            % {"t": entry["kind"], "words": ", ".join(KIND_EXPORT_WORD.values())}
        )
    else:
        entry["kind"], entry["kind_label"] = kind, str(ContactKind(kind).label)
    entry["district_id"] = None
    if entry["district"]:
        district = districts.get(entry["district"].lower())
        if district is None:
            entry["errors"].append(_("Okänd stadsdel: ”%(d)s”.") % {"d": entry["district"]})
        else:
            entry["district"], entry["district_id"] = district.name, district.pk
    elif kind == ContactKind.DISTRICT:
        entry["errors"].append(_("Stadsdel saknas: en kontakt på en stadsdel behöver sin stadsdel."))
    if not entry["name"]:
        entry["errors"].append(_("Namn saknas."))
    for key, column in (("name", "namn"), ("role", "funktion"), ("phone", "telefon"), ("organisation", "organisation")):
        if len(entry[key]) > MAX_LENGTHS[key]:
            entry["errors"].append(
                _("För lång text i kolumnen %(column)s: högst %(n)s tecken.")
                % {"column": column, "n": MAX_LENGTHS[key]}
            )
    try:
        validate_email(entry["email"])
        if len(entry["email"]) > MAX_LENGTHS["email"]:
            raise ValidationError("too long")
    except ValidationError:
        entry["errors"].append(_("Ogiltig e-postadress: ”%(e)s”.") % {"e": entry["email"]})
    else:
        if entry["email"] in seen:
            entry["errors"].append(_("E-postadressen finns redan på en tidigare rad i filen."))
        seen.add(entry["email"])
    return entry


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
    # Checked again now: a district may have been closed since the preview. Then nothing is
    # imported (the whole list is one transaction) and the coordinator previews the file again.
    district_ids = {row["district_id"] for row in rows if row.get("district_id")}
    if len(district_ids) != District.objects.filter(pk__in=district_ids, is_active=True).count():
        raise ValidationError(_("En stadsdel i listan finns inte längre. Förhandsgranska filen igen."))
    existing = {
        contact.email: contact for contact in DistrictContact.objects.filter(email__in=[r["email"] for r in rows])
    }
    created = updated = 0
    for row in rows:
        contact = existing.get(row["email"]) or DistrictContact(email=row["email"])
        is_new = contact.pk is None
        # A list made before the coordination has no kind in its rows: those are district contacts.
        contact.kind = row.get("kind", ContactKind.DISTRICT)
        contact.organisation = row.get("organisation", "")
        contact.district_id = row.get("district_id")
        contact.name, contact.role, contact.phone, contact.is_active = row["name"], row["role"], row["phone"], True
        contact.save()
        created, updated = (created + 1, updated) if is_new else (created, updated + 1)
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
                KIND_EXPORT_WORD[ContactKind(contact.kind)],
                contact.organisation,
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


# --- Information meetings ------------------------------------------------------------------------


def information_meetings_for(user) -> QuerySet[InformationMeeting]:
    """The meetings a user sees: every one in the city for the coordinator; a provider's operations
    manager its provider's own, under its agreements or outside them; nobody else any."""
    membership = getattr(user, "membership", None)
    meetings = InformationMeeting.objects.select_related("agreement__provider", "organiser")
    if membership is None or membership.role not in (Role.COORDINATOR, Role.OPERATIONS_MANAGER):
        return meetings.none()
    if membership.role == Role.OPERATIONS_MANAGER:
        organisation_id = membership.organisation_id
        meetings = meetings.filter(Q(organiser_id=organisation_id) | Q(agreement__provider_id=organisation_id))
    return meetings.annotate(
        signup_count=Count("signups", distinct=True),
        attended_count=Count("signups", filter=Q(signups__attended=True), distinct=True),
        invited_count=Count("invitations", filter=Q(invitations__sent_at__isnull=False), distinct=True),
    ).order_by("-starts_at", "-pk")


def get_information_meeting_for(user, public_id) -> InformationMeeting:
    try:
        return information_meetings_for(user).get(public_id=public_id)
    except (InformationMeeting.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


def information_agreements_for(user) -> QuerySet[Agreement]:
    """The agreements a user may hold a meeting under: a provider's own (it is the provider's
    information work, IOP 3.1.2); any for the coordinator, who follows and helps every provider."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return Agreement.objects.none()
    agreements = Agreement.objects.select_related("provider").order_by("provider__name", "-starts_on")
    if membership.role == Role.COORDINATOR:
        return agreements
    if membership.role == Role.OPERATIONS_MANAGER:
        return agreements.filter(provider_id=membership.organisation_id)
    return Agreement.objects.none()


def information_iop_for(user) -> Agreement | None:
    """The IOP whose breakfast meetings the list counts against three a year (IOP 3.1.2): the one
    the user's organisation is a party to, in force today or else the latest; none outside it."""
    return agreement_to_view(agreements_for(user).filter(kind=Agreement.Kind.IOP))


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    contacts: int
    invited: int


def information_invitation_counts(meeting: InformationMeeting) -> list[KindCount]:
    """Per kind of contact: the active contacts on the list and the invitations sent. Two queries."""
    contacts = dict(
        DistrictContact.objects.filter(is_active=True).values_list("kind").annotate(n=Count("pk")).order_by()
    )
    invited = dict(
        meeting.invitations.filter(sent_at__isnull=False)
        .values_list("contact__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        KindCount(kind.value, str(kind.label), contacts.get(kind.value, 0), invited.get(kind.value, 0))
        for kind in ContactKind
    ]


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
    *,
    starts_at: datetime.datetime,
    location: str,
    topic: str = "",
    agreement: Agreement | None = None,
    organiser: Organisation | None = None,
    created_by,
) -> InformationMeeting:
    """Plan a meeting under a provider's agreement (it counts toward the agreement's three a year
    when that is an IOP) or held by `organiser` itself (the city, or a provider outside its
    agreements). Who may choose which agreement is the caller's (information_agreements_for)."""
    if (agreement is None) == (organiser is None):
        raise ValueError("an information meeting is held under an agreement or by an organisation, not both")
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": _("Tiden har redan passerat. Planera mötet framåt i tiden.")})
    if agreement is not None:
        agreement_in_force_check(agreement=agreement, on=timezone.localdate(starts_at), field="starts_at")
    return InformationMeeting.objects.create(
        agreement=agreement,
        organiser=organiser,
        starts_at=starts_at,
        location=location.strip(),
        topic=topic.strip(),
        created_by=created_by,
    )


@transaction.atomic
def information_meeting_send_invitations(
    *, meeting: InformationMeeting, contact_kinds: Collection[str] = tuple(ContactKind.values), by
) -> int:
    """Queue an invitation to every active contact of the chosen kinds not yet invited; the mails
    go after commit. One invitation row per contact and meeting (a unique constraint), so sending
    again, or to more kinds later, never mails anyone twice."""
    kinds = set(contact_kinds)
    if not kinds or not kinds <= set(ContactKind.values):
        raise ValidationError({"contact_kinds": _("Välj minst en typ av kontakt.")})
    if meeting.held_at or meeting.starts_at < timezone.now():
        raise ValidationError(_("Mötet har redan ägt rum; inbjudningar skickas inte."))
    chosen = DistrictContact.objects.filter(is_active=True, kind__in=kinds)
    contacts = chosen.exclude(invitations__meeting=meeting)
    created = InformationInvitation.objects.bulk_create(
        [InformationInvitation(meeting=meeting, contact=contact) for contact in contacts], ignore_conflicts=True
    )
    if not created and not meeting.invitations.filter(sent_at__isnull=True).exists():
        if not chosen.exists():
            raise ValidationError(_("Det finns inga aktiva kontaktpersoner av de valda typerna."))
        raise ValidationError(_("Alla aktiva kontaktpersoner av de valda typerna är redan inbjudna."))
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
