"""Referrals (anmälningar) of children to support groups.

What identifies a child lives in ChildIdentity and Guardian, apart from the Referral itself, so
that purging (gallring) deletes those rows and keeps the pseudonymous Referral for statistics.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from partnership import history
from partnership.encryption import EncryptedTextField
from partnership.models import Agreement, District, TimeStampedModel


class PlacementBasis(models.TextChoices):
    SOL = "sol", _("SoL (frivillig placering)")
    LVU = "lvu", _("LVU (vård utan samtycke)")


class Custody(models.TextChoices):
    JOINT = "joint", _("Gemensam vårdnad")
    SOLE = "sole", _("Ensam vårdnad")
    APPOINTED = "appointed", _("Särskilt förordnad vårdnadshavare")
    SOCIAL_WELFARE_BOARD = "board", _("Vårdnad hos socialnämnden")


# How many custodians (guardians with custody) each custody type implies: (at least, at most).
# For SoL every one of them must consent (IOP 2.3: "Vid gemensam vårdnad krävs samtycke från
# båda"). Joint custody is two or more; sole custody and custody with the social welfare board
# exactly one (for the board: the board itself, whose consent the district records like a
# guardian's); one or two specially appointed custodians (6 kap. 10 a § FB).
CUSTODIANS_IMPLIED: dict[str, tuple[int, int | None]] = {
    Custody.JOINT: (2, None),
    Custody.SOLE: (1, 1),
    Custody.APPOINTED: (1, 2),
    Custody.SOCIAL_WELFARE_BOARD: (1, 1),
}


class ReferralStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Inskickad")
    AWAITING_CONSENT = "awaiting_consent", _("Väntar på samtycke")
    READY = "ready", _("Klar")
    WAITING_LIST = "waiting_list", _("På väntelistan")
    PLACED = "placed", _("Placerad i grupp")
    COMPLETED = "completed", _("Avslutad")
    WITHDRAWN = "withdrawn", _("Återtagen")
    DECLINED = "declined", _("Avböjd")


# A child may have one referral in these states at a time (the duplicate check).
ACTIVE_STATUSES = [
    ReferralStatus.SUBMITTED,
    ReferralStatus.AWAITING_CONSENT,
    ReferralStatus.READY,
    ReferralStatus.WAITING_LIST,
    ReferralStatus.PLACED,
]
ENDED_STATUSES = [ReferralStatus.COMPLETED, ReferralStatus.WITHDRAWN, ReferralStatus.DECLINED]


class RetentionChoice(models.TextChoices):
    PURGE = "purge", _("Gallra")
    RETURN = "return", _("Återför till socialtjänsten")


PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


def new_pseudonym() -> str:
    return "B-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(6))


class Referral(TimeStampedModel):
    class Source(models.TextChoices):
        DISTRICT = "district", _("Anmälan från stadsdel")
        INTEREST = "interest", _("Intresseanmälan bekräftad av stadsdel")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The pseudonymous id: what Bris sees before the consent gate, and all the access log keeps.
    pseudonym = models.CharField(_("pseudonym"), max_length=12, unique=True, default=new_pseudonym, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="referrals")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("placerande stadsdel")
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.DISTRICT)
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices)
    status_changed_at = models.DateTimeField(_("status ändrad"))

    placement_basis = models.CharField(_("placeringsgrund"), max_length=3, choices=PlacementBasis.choices)
    lvu_legal_basis = models.CharField(
        _("lagrum för LVU-vården"),
        max_length=200,
        blank=True,
        help_text=_("Till exempel 2 § LVU (brister i hemmiljön) eller 3 § LVU (eget beteende)."),
    )
    custody = models.CharField(_("vårdnad"), max_length=20, choices=Custody.choices)

    planned_start = models.DateField(_("önskad start"))
    # Kept after purging, for statistics; the birth date itself goes with the identity.
    age_at_planned_start = models.PositiveSmallIntegerField(_("ålder vid önskad start"))
    # Written only before the target group became a hard limit (a child outside 7–18 is now refused);
    # kept so that older referrals keep their reason until they are purged.
    age_override_reason = models.TextField(_("motivering för avsteg från åldersgränsen"), blank=True)

    needs_language = models.CharField(_("språk och tolkbehov"), max_length=200, blank=True)
    needs_accessibility = models.CharField(_("tillgänglighet"), max_length=200, blank=True)
    needs_age_group = models.CharField(_("önskemål om åldersgrupp"), max_length=200, blank=True)
    needs_other = models.TextField(_("övrigt inför gruppen"), blank=True)

    is_external = models.BooleanField(_("barnet tillhör en annan kommun"), default=False)
    external_municipality = models.CharField(_("ansvarig kommun (betalar avgiften)"), max_length=100, blank=True)

    case_officer_name = models.CharField(_("ansvarig handläggare"), max_length=200)
    case_officer_phone = models.CharField(_("handläggarens telefon"), max_length=50, blank=True)
    case_officer_email = models.EmailField(_("handläggarens e-post"), blank=True)

    # Keyed hash of the identity number: finds a second active referral for the same child
    # without storing or comparing the number itself. Cleared when the data is purged.
    identity_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_referrals"
    )
    # IOP 3.1.2: social services must know of the registration before participation starts.
    district_acknowledged_at = models.DateTimeField(_("stadsdelen informerad"), null=True, blank=True)
    district_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ready_at = models.DateTimeField(_("klar sedan"), null=True, blank=True)
    # The district's last confirmation that a child on the waiting list still needs a place
    # (referrals/retention.py: the waiting-list rule).
    waiting_list_confirmed_at = models.DateTimeField(_("väntelistan bekräftad"), null=True, blank=True)
    waiting_list_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    purged_at = models.DateTimeField(_("gallrad"), null=True, blank=True)
    # The sum of the operations manager's moves up (+1) and down (−1) the waiting list
    # (each move and its reason are in the referral's history), kept here for the list's index.
    waiting_priority = models.SmallIntegerField(default=0, editable=False)
    # Bris' choice before purging (IOP 2.3): purge, or return to social services first.
    retention_choice = models.CharField(
        _("gallra eller återföra"), max_length=10, choices=RetentionChoice.choices, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("anmälan")
        verbose_name_plural = _("anmälningar")
        constraints = [
            models.UniqueConstraint(
                fields=["identity_hash"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="referral_one_active_per_child",
            ),
            models.CheckConstraint(
                condition=Q(is_external=False) | ~Q(external_municipality=""),
                name="referral_external_names_municipality",
            ),
            models.CheckConstraint(
                condition=Q(placement_basis="sol") | ~Q(lvu_legal_basis=""),
                name="referral_lvu_records_legal_basis",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "status"]),
            models.Index(fields=["status", "ready_at"]),
            # The lists' order (newest first, keyset pages), for a provider and for one district.
            models.Index(F("created_at").desc(), F("id").desc(), name="referral_newest"),
            models.Index(F("district"), F("created_at").desc(), F("id").desc(), name="referral_district_newest"),
            # The lists' district filter offers the districts with a referral the user may see: one
            # probe per district that stops at the first of the user's agreements (selectors).
            models.Index(fields=["district", "agreement"], name="referral_district_agreement"),
            # The waiting list's order (groups.selectors.waiting_list_queryset): Stockholm's children
            # first, then the manager's moves, then the waiting time; only children waiting.
            models.Index(
                F("is_external"),
                F("waiting_priority").desc(),
                Coalesce("ready_at", "created_at"),
                F("id"),
                condition=Q(status__in=["ready", "waiting_list"], purged_at__isnull=True),
                name="referral_waiting_list",
            ),
            # What awaits purging, soonest first: a few thousand among a municipality's years.
            models.Index(
                fields=["ended_at", "id"],
                condition=Q(purged_at__isnull=True, ended_at__isnull=False),
                name="referral_awaiting_purge",
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ChildIdentity(TimeStampedModel):
    """Everything that identifies the child. Deleted as a whole when the data is purged."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="child")
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    identity_number = EncryptedTextField(_("personnummer eller samordningsnummer"))
    birth_date = models.DateField(_("födelsedatum"))
    address = models.CharField(_("adress"), max_length=200, blank=True)
    phone = models.CharField(_("telefon"), max_length=50, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    foster_home_name = models.CharField(_("familjehem"), max_length=200)
    foster_contact_person = models.CharField(_("kontaktperson i familjehemmet"), max_length=200)
    foster_phone = models.CharField(_("familjehemmets telefon"), max_length=50)
    foster_email = models.EmailField(_("familjehemmets e-post"), blank=True)
    foster_address = models.CharField(_("familjehemmets adress"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("barnets identitet")
        verbose_name_plural = _("barnens identitet")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Guardian(TimeStampedModel):
    """A guardian (vårdnadshavare); for SoL every one with custody must consent (IOP 2.3)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("namn"), max_length=200)
    phone = models.CharField(_("telefon"), max_length=50, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    has_custody = models.BooleanField(_("har vårdnaden"), default=True)

    class Meta:
        ordering = ["referral", "created_at"]
        verbose_name = _("vårdnadshavare")
        verbose_name_plural = _("vårdnadshavare")

    def __str__(self) -> str:
        return self.name


class InterestRegistration(TimeStampedModel):
    """A foster family's intresseanmälan taken by Bris; counts only once the district confirms."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar på stadsdelen")
        CONFIRMED = "confirmed", _("Bekräftad")
        REJECTED = "rejected", _("Inte aktuell")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="interest_registrations")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="interest_registrations")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    child_first_name = models.CharField(_("barnets förnamn"), max_length=100)
    child_birth_year = models.PositiveSmallIntegerField(_("barnets födelseår"))
    foster_contact_person = models.CharField(_("kontaktperson i familjehemmet"), max_length=200)
    foster_phone = models.CharField(_("familjehemmets telefon"), max_length=50)
    foster_email = models.EmailField(_("familjehemmets e-post"), blank=True)
    message = models.TextField(_("meddelande"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("kommentar"), blank=True)
    referral = models.OneToOneField(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="interest_registration"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("intresseanmälan")
        verbose_name_plural = _("intresseanmälningar")
        indexes = [
            models.Index(F("created_at").desc(), F("id").desc(), name="interest_newest"),
            models.Index(F("district"), F("created_at").desc(), F("id").desc(), name="interest_district_newest"),
            # The purge rule's two clocks (referrals/retention.py), for registrations never confirmed.
            models.Index(
                fields=["status", "created_at"], condition=Q(referral__isnull=True), name="interest_unlinked_created"
            ),
            models.Index(
                fields=["status", "decided_at"], condition=Q(referral__isnull=True), name="interest_unlinked_decided"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_first_name} ({self.district})"


# --- Data lifecycle: purge (gallring) or return (återföring), IOP 2.3 -------------------------


class PurgeRule(models.TextChoices):
    # IOP 2.3: "Vid avslutad insats eller grupp ska dokumenterade uppgifter gallras eller återföras".
    GRACE_PERIOD = "grace_period", _("Avslutad insats, gallringsfristen har löpt ut")
    MANUAL = "manual", _("Gallrad i förtid av verksamhetsansvarig")
    # An interest registration the district never decided on (referrals/purge.py).
    LAPSED = "lapsed", _("Intresseanmälan utan beslut, tiden har löpt ut")


def return_dossier_path(instance, filename: str) -> str:
    # A random name: never the child's name, and not guessable from the referral.
    return f"dossiers/{uuid.uuid4().hex}.pdf"


class ReturnDossier(TimeStampedModel):
    """Återföring: what Bris documented about a child, as a PDF for the district to download.

    The file is deleted when the data is purged (the district holds its copy by then); the row
    stays as proof of what was returned, to whom and when it was received.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="return_dossier")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="return_dossiers")
    document = models.FileField(_("återföringsakt"), upload_to=return_dossier_path, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("mottagen"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("återföring")
        verbose_name_plural = _("återföringar")

    def __str__(self) -> str:
        return f"{self.referral}"


class PurgeRecord(TimeStampedModel):
    """Proof that a child's data was purged: when, by which rule, by whom and how much, never what.

    `counts` holds only numbers per kind of data. `pending_files` holds storage names (random,
    see consent_document_path) still to delete: files cannot be rolled back with the database,
    so they are deleted after the commit and a rerun finishes what a crash left.
    """

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="purge_record")
    pseudonym = models.CharField(max_length=12)
    rule = models.CharField(_("regel"), max_length=20, choices=PurgeRule.choices)
    grace_days = models.PositiveSmallIntegerField(_("gallringsfrist (dagar)"))
    purged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purged_at = models.DateTimeField(_("gallrad"))
    returned = models.BooleanField(_("återförd före gallring"), default=False)
    counts = models.JSONField(default=dict)
    pending_files = models.JSONField(default=list)
    files_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-purged_at"]
        indexes = [models.Index(F("purged_at").desc(), F("id").desc(), name="purge_record_newest")]
        verbose_name = _("gallringsbevis")
        verbose_name_plural = _("gallringsbevis")

    def __str__(self) -> str:
        return f"{self.pseudonym} {self.purged_at:%Y-%m-%d}"


class InterestRegistrationPurge(TimeStampedModel):
    """Proof that an interest registration which never became a referral was purged (IOP 2.3).

    Only what cannot identify the child or the family: the district, how far the registration got,
    the days it was registered and decided, and when, by which rule and by whom it was purged.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="interest_registration_purges")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="interest_registration_purges")
    status_at_purge = models.CharField(
        _("status vid gallring"), max_length=20, choices=InterestRegistration.Status.choices
    )
    registered_on = models.DateField(_("registrerad"))
    decided_on = models.DateField(_("beslutad"), null=True, blank=True)
    purged_at = models.DateTimeField(_("gallrad"))
    rule = models.CharField(_("regel"), max_length=20, choices=PurgeRule.choices)
    purged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-purged_at"]
        verbose_name = _("gallrad intresseanmälan")
        verbose_name_plural = _("gallrade intresseanmälningar")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status_at_purge=InterestRegistration.Status.PENDING) | Q(decided_on__isnull=True),
                name="interest_registration_purge_pending_undecided",
            )
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.purged_at:%Y-%m-%d}"


# A referral's history (partnership/history.py): each status change and each move on the waiting
# list, with who, when and why. Nothing else: the rest of the referral is the child's data.
history.register(Referral, fields=["status", "waiting_priority"])
