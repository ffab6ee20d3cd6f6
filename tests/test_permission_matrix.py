"""Every page of the app, for every role: who gets in, who is refused (403), and for whom the
object does not exist (404). The URL list comes from the resolver, so a new page cannot escape:
a URL without an entry here fails `test_every_url_is_in_the_matrix`.

Each entry: a function building the URL kwargs from the test world, and the expected GET status
per role. 302 for anonymous means "sent to login". A 405 entry means the URL only takes POST.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from composition.models import CompositionRequest, SuggestedGroup, SuggestedMember
from composition.services import child_relation_record
from consent.selectors import access_log_visible_to
from consent.services import log_review_start
from coordination.models import Participant
from coordination.services import public_interest_submit
from finance.models import AnnualReport, ExternalFee
from finance.services import budget_years_create, cost_record
from followup import cooperation
from followup.models import EvaluationInstrument
from groups import methods
from groups.services import calendar_token_get_or_create, group_place_child
from partnership.models import BackgroundJob, Reminder, Role
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
OTHER_PROVIDER_ROLES = {
    "other_provider_group_leader": "group_leader",
    "other_provider_operations_manager": "operations_manager",
}

# URL names that are not app pages: Django's admin (superusers only, tested in test_home_and_health)
# and the framework's own endpoints.
OUTSIDE_THE_MATRIX_PREFIXES = ("admin:",)
OUTSIDE_THE_MATRIX = {"set_language", "healthz", "login", "logout", "password_change_done"}


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
    # coordination: Ersta's published children's and parents' groups, a public interest routed to Ersta
    coordination: object = None
    # composition (issue 16): a suggestion for Bris' waiting list, a method with a manual, a
    # reference group with a meeting
    composition: object = None


def _ok(anonymous=302, **overrides):
    """Expected statuses: 200 for everyone signed in unless overridden. The second provider's
    staff get what Bris' staff in the same role get, unless overridden (see PROVIDER_WALL)."""
    expected = dict.fromkeys(ROLES, 200)
    expected["anonymous"] = anonymous
    expected.update({key: value for key, value in overrides.items() if key not in OTHER_PROVIDER_ROLES})
    for other, same in OTHER_PROVIDER_ROLES.items():
        expected[other] = overrides.get(other, expected[same])
    return expected


BRIS_AND_DISTRICT = {"coordinator": 403, "superuser": 403}
DISTRICT_ONLY_OBJECT = {
    "group_leader": 403,
    "operations_manager": 403,
    "other_district_social_worker": 404,
    "coordinator": 404,
    "superuser": 404,
}

# followup: social workers have no part in follow-up; the superuser has no domain access.
FOLLOWUP_NOT_DISTRICT = {"social_worker": 403, "other_district_social_worker": 403, "superuser": 403}
FOLLOWUP_CITY_AND_MANAGER = {"group_leader": 403, **FOLLOWUP_NOT_DISTRICT}
FOLLOWUP_LEADER_ONLY = {"operations_manager": 403, "coordinator": 403, **FOLLOWUP_NOT_DISTRICT}
FOLLOWUP_COORDINATOR_ONLY = {"group_leader": 403, "operations_manager": 403, **FOLLOWUP_NOT_DISTRICT}
# groups: Bris staff only; a group is invisible (404) outside Bris.
GROUPS_BRIS_ONLY = {"social_worker": 403, "other_district_social_worker": 403, "coordinator": 403, "superuser": 403}
GROUPS_OBJECT = {"social_worker": 404, "other_district_social_worker": 404, "coordinator": 404, "superuser": 404}

# composition: the operations managers of either provider ask for suggestions; a suggestion is
# Bris' (404 elsewhere, and 403 for Bris' group leader, who sees the provider's waiting list).
MANAGERS_200 = {"operations_manager": 200, "other_provider_operations_manager": 200}
BRIS_SUGGESTION = {
    "group_leader": 403,
    "social_worker": 404,
    "other_district_social_worker": 404,
    "coordinator": 404,
    "superuser": 404,
    "other_provider_group_leader": 404,
    "other_provider_operations_manager": 404,
}

MATRIX = {
    "home": (lambda w: {}, _ok()),
    "password_change": (lambda w: {}, _ok()),
    # Signed-in test users have passed TOTP already, so the verify page sends them on.
    "two_factor_verify": (lambda w: {}, _ok(**dict.fromkeys(ROLES[1:], 302))),
    "two_factor_setup": (lambda w: {}, _ok()),
    "referrals:list": (lambda w: {}, _ok(**BRIS_AND_DISTRICT)),
    "referrals:create": (
        lambda w: {},
        _ok(group_leader=403, operations_manager=403, coordinator=403, superuser=403),
    ),
    "referrals:waiting_list_confirm": (
        lambda w: {"public_id": w.referral.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "referrals:identity_search": (lambda w: {}, _ok(**dict.fromkeys(ROLES[1:], 405))),
    "referrals:detail": (
        lambda w: {"public_id": w.referral.public_id},
        _ok(other_district_social_worker=404, coordinator=404, superuser=404),
    ),
    "referrals:transition": (
        lambda w: {"public_id": w.referral.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "referrals:guardian_add": (lambda w: {"public_id": w.referral.public_id}, _ok(**DISTRICT_ONLY_OBJECT)),
    "referrals:guardian_change": (
        lambda w: {"public_id": w.referral.public_id, "guardian_id": w.consent.guardian_id},
        _ok(**DISTRICT_ONLY_OBJECT),
    ),
    "consent:concern": (
        lambda w: {"public_id": w.referral.public_id},
        _ok(social_worker=403, other_district_social_worker=404, coordinator=404, superuser=404),
    ),
    "consent:consent_create": (
        lambda w: {"public_id": w.referral.public_id, "guardian_id": w.consent.guardian_id},
        _ok(**DISTRICT_ONLY_OBJECT),
    ),
    "consent:consent_withdraw": (
        lambda w: {"public_id": w.referral.public_id, "consent_id": w.consent.pk},
        _ok(**DISTRICT_ONLY_OBJECT),
    ),
    "consent:consent_document": (
        lambda w: {"public_id": w.referral.public_id, "consent_id": w.consent.pk},
        # No document was uploaded: the district gets 404 too (tested with a file elsewhere).
        _ok(**{**DISTRICT_ONLY_OBJECT, "social_worker": 404}),
    ),
    "referrals:interest_list": (lambda w: {}, _ok(**BRIS_AND_DISTRICT)),
    "referrals:interest_create": (
        lambda w: {},
        _ok(social_worker=403, other_district_social_worker=403, coordinator=403, superuser=403),
    ),
    "referrals:interest_confirm": (
        lambda w: {"public_id": w.registration.public_id},
        _ok(group_leader=403, operations_manager=403, other_district_social_worker=404, coordinator=404, superuser=404),
    ),
    "referrals:interest_reject": (
        lambda w: {"public_id": w.registration.public_id},
        _ok(group_leader=403, operations_manager=403, other_district_social_worker=404, coordinator=404, superuser=404),
    ),
    "consent:access_log": (
        lambda w: {},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "consent:log_review_create": (lambda w: {}, _ok(**dict.fromkeys(ROLES[1:], 405))),
    "consent:log_review": (
        lambda w: {"review_id": w.review.pk},
        # Only the reviewer's own review exists for them.
        _ok(
            group_leader=403,
            operations_manager=404,
            social_worker=403,
            other_district_social_worker=403,
            superuser=403,
        ),
    ),
    # --- lifecycle: purge or return (referrals), reminders (partnership) ---
    "referrals:purge_due": (
        lambda w: {},
        _ok(
            group_leader=403,
            social_worker=403,
            other_district_social_worker=403,
            coordinator=403,
            superuser=403,
        ),
    ),
    # The confirmation page; purging itself is a POST with the confirmation.
    "referrals:purge": (
        lambda w: {"public_id": w.dossier.referral.public_id},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=404, coordinator=404, superuser=404),
    ),
    "referrals:return": (lambda w: {"public_id": w.dossier.referral.public_id}, _ok(**dict.fromkeys(ROLES[1:], 405))),
    "referrals:return_dossiers": (
        lambda w: {},
        _ok(group_leader=403, operations_manager=403, coordinator=403, superuser=403),
    ),
    "referrals:return_dossier_download": (
        lambda w: {"public_id": w.dossier.public_id},
        _ok(group_leader=403, operations_manager=403, other_district_social_worker=404, coordinator=404, superuser=404),
    ),
    # Everyone has their own reminders; one that is not theirs does not exist for them.
    "reminders": (lambda w: {}, _ok()),
    "reminder_done": (lambda w: {"public_id": w.reminder.public_id}, _ok(**dict.fromkeys(ROLES[1:], 405))),
    # --- finance: group leaders, social workers and the superuser have no finance pages (403) ---
    "finance:overview": (
        lambda w: {},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    # Setting up an agreement is the public party's coordinator's.
    "finance:agreement_create": (lambda w: {}, _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200})),
    "finance:agreement_change": (
        lambda w: {"public_id": w.agreement.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    "finance:schedule_create": (lambda w: {"public_id": w.agreement.public_id}, _ok(**dict.fromkeys(ROLES[1:], 405))),
    "finance:settlement": (
        lambda w: {"public_id": w.agreement.public_id},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    # Without a termination date there is nothing to print.
    "finance:settlement_pdf": (
        lambda w: {"public_id": w.agreement.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "operations_manager": 404, "coordinator": 404}),
    ),
    "finance:year": (
        lambda w: {"public_id": w.budget_year.public_id},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "finance:year_close": (lambda w: {"public_id": w.budget_year.public_id}, _ok(**dict.fromkeys(ROLES[1:], 405))),
    "finance:year_reopen": (
        lambda w: {"public_id": w.budget_year.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    "finance:payments": (
        lambda w: {"public_id": w.budget_year.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    "finance:cost_create": (
        lambda w: {"public_id": w.budget_year.public_id},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "finance:report": (
        lambda w: {"public_id": w.budget_year.public_id},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "finance:report_generate": (
        lambda w: {"public_id": w.budget_year.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "finance:payment_mark_paid": (
        lambda w: {"public_id": w.payment.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    "finance:payment_reopen": (
        lambda w: {"public_id": w.payment.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    # The world's cost has no receipt to download (tested with a file in tests/finance).
    "finance:cost_receipt": (
        lambda w: {"public_id": w.cost.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "operations_manager": 404, "coordinator": 404}),
    ),
    "finance:cost_change": (
        lambda w: {"public_id": w.cost.public_id},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "finance:cost_remove": (
        lambda w: {"public_id": w.cost.public_id},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "finance:fees": (
        lambda w: {},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "finance:fee_invoice": (
        lambda w: {"public_id": w.fee.public_id},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "finance:fee_mark_paid": (
        lambda w: {"public_id": w.fee.public_id},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "finance:travel": (
        lambda w: {},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "finance:travel_district_pdf": (
        lambda w: {"district_id": w.referral.district_id},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "finance:travel_create": (
        lambda w: {},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    "finance:report_status": (
        lambda w: {"public_id": w.annual_report.public_id},
        _ok(group_leader=403, social_worker=403, other_district_social_worker=403, superuser=403),
    ),
    # The world's report is still pending: nothing to download yet.
    "finance:report_download": (
        lambda w: {"public_id": w.annual_report.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "operations_manager": 404, "coordinator": 404}),
    ),
    "finance:audit_log": (lambda w: {}, _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200})),
    # --- followup (issue 6): evaluation, cooperation group, contacts, breakfast meetings, report ---
    "followup:evaluations": (lambda w: {}, _ok(**FOLLOWUP_NOT_DISTRICT)),
    "followup:outcomes": (lambda w: {}, _ok(group_leader=403, **FOLLOWUP_NOT_DISTRICT)),
    "followup:group_evaluation": (lambda w: {"public_id": w.followup.group.public_id}, _ok(**FOLLOWUP_NOT_DISTRICT)),
    "followup:answer_create": (
        lambda w: {"public_id": w.followup.group.public_id, "instrument_id": w.followup.instrument.public_id},
        _ok(**FOLLOWUP_LEADER_ONLY),
    ),
    "followup:link_create": (lambda w: {"public_id": w.followup.group.public_id}, _ok(**FOLLOWUP_LEADER_ONLY)),
    # The foster family's one-time link: the token is the only key, no login.
    "followup:public_answer": (lambda w: {"token": w.followup.token}, _ok(anonymous=200)),
    "followup:public_answer_done": (lambda w: {}, _ok(anonymous=200)),
    "followup:cooperation": (lambda w: {}, _ok(**FOLLOWUP_CITY_AND_MANAGER)),
    "followup:meeting_create": (lambda w: {}, _ok(operations_manager=403, **FOLLOWUP_CITY_AND_MANAGER)),
    "followup:meeting_detail": (
        lambda w: {"public_id": w.followup.meeting.public_id},
        _ok(**FOLLOWUP_CITY_AND_MANAGER),
    ),
    "followup:agenda_item_create": (
        lambda w: {"public_id": w.followup.meeting.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "followup:meeting_minutes": (
        lambda w: {"public_id": w.followup.meeting.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "followup:decision_create": (
        lambda w: {"public_id": w.followup.meeting.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "followup:decision_done": (
        lambda w: {"public_id": w.followup.meeting.public_id, "decision_id": 1},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "followup:amendment_create": (lambda w: {}, _ok(operations_manager=403, **FOLLOWUP_CITY_AND_MANAGER)),
    "followup:amendment_detail": (
        lambda w: {"public_id": w.followup.amendment.public_id},
        _ok(**FOLLOWUP_CITY_AND_MANAGER),
    ),
    "followup:contacts": (lambda w: {}, _ok(**FOLLOWUP_CITY_AND_MANAGER)),
    "followup:contact_create": (lambda w: {}, _ok(operations_manager=403, **FOLLOWUP_CITY_AND_MANAGER)),
    "followup:contact_edit": (
        lambda w: {"public_id": w.followup.contact.public_id},
        _ok(operations_manager=403, **FOLLOWUP_CITY_AND_MANAGER),
    ),
    "followup:contact_import": (lambda w: {}, _ok(operations_manager=403, **FOLLOWUP_CITY_AND_MANAGER)),
    "followup:contact_import_preview": (
        lambda w: {"public_id": w.followup.contact_import.public_id},
        _ok(operations_manager=403, **FOLLOWUP_CITY_AND_MANAGER),
    ),
    "followup:contact_export": (
        lambda w: {"file_format": "csv"},
        _ok(operations_manager=403, **FOLLOWUP_CITY_AND_MANAGER),
    ),
    "followup:information": (lambda w: {}, _ok(**FOLLOWUP_CITY_AND_MANAGER)),
    "followup:information_create": (lambda w: {}, _ok(**FOLLOWUP_CITY_AND_MANAGER)),
    "followup:information_detail": (
        lambda w: {"public_id": w.followup.information_meeting.public_id},
        _ok(**FOLLOWUP_CITY_AND_MANAGER),
    ),
    "followup:information_invite": (
        lambda w: {"public_id": w.followup.information_meeting.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "followup:information_signup": (
        lambda w: {"public_id": w.followup.information_meeting.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "followup:information_attendance": (
        lambda w: {"public_id": w.followup.information_meeting.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "followup:report": (lambda w: {}, _ok(**FOLLOWUP_COORDINATOR_ONLY)),
    "followup:report_generate": (lambda w: {}, _ok(**dict.fromkeys(ROLES[1:], 405))),
    "followup:report_status": (
        lambda w: {"public_id": w.followup.report.public_id},
        _ok(**FOLLOWUP_COORDINATOR_ONLY),
    ),
    # The report's PDF is not made yet: the coordinator gets 404 too (downloads are tested with a file).
    "followup:report_download": (
        lambda w: {"public_id": w.followup.report.public_id},
        _ok(**{**FOLLOWUP_COORDINATOR_ONLY, "coordinator": 404}),
    ),
    # --- groups ---
    "groups:list": (lambda w: {}, _ok(**GROUPS_BRIS_ONLY)),
    "groups:create": (lambda w: {}, _ok(group_leader=403, **GROUPS_BRIS_ONLY)),
    "groups:waiting_list": (lambda w: {}, _ok(**GROUPS_BRIS_ONLY)),
    "groups:waiting_list_move": (
        lambda w: {"public_id": w.referral.public_id},
        _ok(group_leader=403, **GROUPS_BRIS_ONLY),
    ),
    "groups:calendar": (lambda w: {}, _ok(**GROUPS_BRIS_ONLY)),
    "groups:calendar_token_renew": (lambda w: {}, _ok(**dict.fromkeys(ROLES[1:], 405))),
    # The secret token is the credential (calendar apps cannot sign in): anyone holding it gets the feed.
    "groups:calendar_feed": (lambda w: {"token": w.calendar_token.token}, _ok(anonymous=200)),
    "groups:detail": (lambda w: {"public_id": w.group.public_id}, _ok(**GROUPS_OBJECT)),
    "groups:action": (lambda w: {"public_id": w.group.public_id}, _ok(**dict.fromkeys(ROLES[1:], 405))),
    "groups:cancel": (lambda w: {"public_id": w.group.public_id}, _ok(group_leader=403, **GROUPS_OBJECT)),
    "groups:close": (lambda w: {"public_id": w.group.public_id}, _ok(**GROUPS_OBJECT)),
    "groups:place": (lambda w: {"public_id": w.group.public_id}, _ok(group_leader=403, **GROUPS_OBJECT)),
    "groups:split": (lambda w: {"public_id": w.weekend.public_id}, _ok(group_leader=403, **GROUPS_OBJECT)),
    "groups:attendance_pdf": (lambda w: {"public_id": w.group.public_id}, _ok(**GROUPS_OBJECT)),
    "groups:placement_remove": (
        lambda w: {"public_id": w.group.public_id, "placement_id": w.placement.pk},
        _ok(group_leader=403, **GROUPS_OBJECT),
    ),
    "groups:visit": (
        lambda w: {"public_id": w.group.public_id, "placement_id": w.placement.pk},
        _ok(**GROUPS_OBJECT),
    ),
    "groups:family_reminders": (
        lambda w: {"public_id": w.group.public_id, "placement_id": w.placement.pk},
        _ok(**GROUPS_OBJECT),
    ),
    "groups:meeting_move": (
        lambda w: {"public_id": w.group.public_id, "meeting_id": w.group.meetings.first().pk},
        _ok(**GROUPS_OBJECT),
    ),
    "groups:attendance": (
        lambda w: {"public_id": w.group.public_id, "meeting_id": w.group.meetings.first().pk},
        _ok(**GROUPS_OBJECT),
    ),
    # --- coordination (issue 15): the public page, its feeds and form need no login ---
    "coordination:public_list": (lambda w: {}, _ok(anonymous=200)),
    "coordination:hsds": (lambda w: {}, _ok(anonymous=200)),
    "coordination:group_ical": (lambda w: {"public_id": w.coordination.group.public_id}, _ok(anonymous=200)),
    "coordination:interest_create": (lambda w: {}, _ok(anonymous=200)),
    # Without a submission in the session the receipt sends everyone back to the form.
    "coordination:interest_receipt": (lambda w: {}, _ok(**dict.fromkeys(ROLES, 302))),
    "coordination:inbox": (lambda w: {}, _ok(coordinator=403, superuser=403)),
    # The interest is routed to Ersta; the family said no to social services, so no district sees it.
    "coordination:interest_detail": (
        lambda w: {"public_id": w.coordination.interest.public_id},
        _ok(
            **dict.fromkeys(
                ["group_leader", "operations_manager", "social_worker", "other_district_social_worker"], 404
            ),
            coordinator=404,
            superuser=404,
            other_provider_group_leader=200,
            other_provider_operations_manager=200,
        ),
    ),
    "coordination:take_up": (
        lambda w: {"public_id": w.coordination.interest.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "coordination:participants": (
        lambda w: {"public_id": w.coordination.parents.public_id},
        _ok(
            **GROUPS_OBJECT,
            group_leader=404,
            operations_manager=404,
            other_provider_group_leader=200,
            other_provider_operations_manager=200,
        ),
    ),
    "coordination:publication": (
        lambda w: {"public_id": w.coordination.group.public_id},
        _ok(
            **GROUPS_OBJECT,
            group_leader=404,
            operations_manager=404,
            other_provider_group_leader=403,
            other_provider_operations_manager=200,
        ),
    ),
    "coordination:city_overview": (lambda w: {}, _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200})),
    "coordination:mailing": (lambda w: {}, _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200})),
    # --- citywide: the coordinator's view of the whole city; a provider's own evaluation ---
    **{
        name: (lambda w: {}, _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}))
        for name in (
            "citywide:demand",
            "citywide:national",
            "citywide:national_csv",
            "citywide:national_datapackage",
            "citywide:evaluation_comparison",
        )
    },
    "citywide:demand_export": (
        lambda w: {"file_format": "xlsx"},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    "citywide:participant_evaluations": (
        lambda w: {},
        _ok(social_worker=403, other_district_social_worker=403, coordinator=403, superuser=403),
    ),
    # Ersta's child: Bris' staff and everyone outside Ersta get 404 (the selector's scope).
    "citywide:participant_answer": (
        lambda w: {
            "public_id": w.coordination.participant.public_id,
            "instrument_id": EvaluationInstrument.objects.filter(is_active=True, audience="child").first().public_id,
        },
        _ok(
            **{
                **dict.fromkeys(ROLES[1:], 404),
                "other_provider_group_leader": 200,
                "other_provider_operations_manager": 200,
            }
        ),
    ),
    "citywide:evaluation_own": (
        lambda w: {},
        _ok(social_worker=403, other_district_social_worker=403, coordinator=403, superuser=403),
    ),
    # --- composition, reference groups and the method library (issue 16) ---
    "composition:suggest": (lambda w: {}, _ok(**{**dict.fromkeys(ROLES[1:], 403), **MANAGERS_200})),
    "composition:detail": (lambda w: {"public_id": w.composition.request.public_id}, _ok(**BRIS_SUGGESTION)),
    "composition:accept": (lambda w: {"public_id": w.composition.suggested.public_id}, _ok(**BRIS_SUGGESTION)),
    "composition:reject": (
        lambda w: {"public_id": w.composition.suggested.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "composition:child_relations": (
        lambda w: {},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "social_worker": 200, "other_district_social_worker": 200}),
    ),
    "composition:child_relation_delete": (
        lambda w: {"public_id": w.composition.relation.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "methods:library": (lambda w: {}, _ok(superuser=403)),
    "methods:detail": (lambda w: {"public_id": w.composition.method.public_id}, _ok(superuser=403)),
    "methods:manual_download": (lambda w: {"public_id": w.composition.manual.public_id}, _ok(superuser=403)),
    "methods:group_method": (
        lambda w: {"public_id": w.group.public_id},
        _ok(group_leader=403, other_provider_group_leader=404, other_provider_operations_manager=404, **GROUPS_OBJECT),
    ),
    "followup:reference_groups": (lambda w: {}, _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200})),
    "followup:reference_group": (
        lambda w: {"public_id": w.composition.reference_group.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    "followup:reference_member_add": (
        lambda w: {"public_id": w.composition.reference_group.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "followup:reference_meeting_create": (
        lambda w: {"public_id": w.composition.reference_group.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
}

MANAGER_404 = {"other_provider_operations_manager": 404}
# Bris' objects do not exist for the second provider's staff (404), whatever Bris' own staff get;
# a 405 (POST only) and a refusal by role before the object is looked up stay as they are.
PROVIDER_WALL = {
    # Another provider's manager may set up agreements of their own, but not see Bris' (404).
    "finance:agreement_change": {"other_provider_operations_manager": 404},
    "referrals:detail": 404,
    "consent:concern": 404,
    "referrals:purge": 404,
    "referrals:guardian_add": 404,
    "referrals:guardian_change": 404,
    "referrals:interest_confirm": 404,
    "referrals:interest_reject": 404,
    "referrals:return_dossier_download": 404,
    "consent:consent_create": 404,
    "consent:consent_document": 404,
    "consent:consent_withdraw": 404,
    "groups:detail": 404,
    "groups:cancel": {"other_provider_operations_manager": 404, "other_provider_group_leader": 404},
    "groups:close": 404,
    "groups:place": 404,
    "groups:split": 404,
    "groups:attendance_pdf": 404,
    "groups:placement_remove": 404,
    "groups:visit": 404,
    "groups:family_reminders": 404,
    "groups:meeting_move": 404,
    "groups:attendance": 404,
    "followup:group_evaluation": 404,
    "followup:answer_create": 404,
    "followup:link_create": 404,
    # Bris' agreement, its money, its cooperation group and its waiting list: the other provider's
    # group leader is refused by role (403) before anything is looked up, as Bris' own is.
    "finance:cost_change": MANAGER_404,
    "finance:cost_create": MANAGER_404,
    "finance:cost_receipt": MANAGER_404,
    "finance:cost_remove": MANAGER_404,
    "finance:fee_invoice": MANAGER_404,
    "finance:fee_mark_paid": MANAGER_404,
    "finance:payment_mark_paid": MANAGER_404,
    "finance:payment_reopen": MANAGER_404,
    "finance:payments": MANAGER_404,
    "finance:report": MANAGER_404,
    "finance:report_download": MANAGER_404,
    "finance:report_status": MANAGER_404,
    "finance:settlement": MANAGER_404,
    "finance:settlement_pdf": MANAGER_404,
    "finance:year": MANAGER_404,
    "finance:year_reopen": MANAGER_404,
    "followup:amendment_detail": MANAGER_404,
    "followup:information_detail": MANAGER_404,
    "followup:meeting_detail": MANAGER_404,
    "groups:waiting_list_move": MANAGER_404,
}
for _name, _wall in PROVIDER_WALL.items():
    _statuses = _wall if isinstance(_wall, dict) else dict.fromkeys(OTHER_PROVIDER_ROLES, _wall)
    MATRIX[_name][1].update(_statuses)
# Public pages that redirect an anonymous visitor elsewhere than to the login.
PUBLIC_REDIRECTS = {"coordination:interest_receipt"}


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_matrix():
    names = {
        name
        for name in _url_names()
        if not name.startswith(OUTSIDE_THE_MATRIX_PREFIXES) and name not in OUTSIDE_THE_MATRIX
    }
    assert names - set(MATRIX) == set(), "add the new pages to MATRIX with the expected status per role"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix's world, built once for the module inside a transaction that is rolled back at
    its end; each test runs in a savepoint inside it, so what a request changes goes with the test."""
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
    ):
        objects, existing = _build_world()
        yield objects, existing
        transaction.set_rollback(True)


def _build_world():
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
    # followup
    existing.setdefault("group_leader", make_user(Role.GROUP_LEADER, username="matrix_followup_leader"))
    objects.followup = make_followup_world(referral=referral, leader=existing["group_leader"], coordinator=coordinator)
    _coordination_world(objects, existing)
    _composition_world(objects, existing)
    for role in ROLES:
        if role not in existing:
            existing[role] = _new_user(role)
    return objects, existing


def _coordination_world(world, existing):
    """Ersta Vändpunkten on an operating grant: a published children's group, a parallel parents'
    group, and a public interest routed to Ersta (the family said no to social services)."""
    _provider, agreement, manager, leader = make_provider_world()
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
    world.coordination = SimpleNamespace(group=children, parents=parents, interest=interest, participant=participant)
    existing["other_provider_group_leader"] = leader
    existing["other_provider_operations_manager"] = manager


def _composition_world(world, existing):
    """A suggestion for Bris' waiting list (stored as the solver would), a must-not-meet pair in
    Farsta, a method with a manual, and a reference group with one meeting."""
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
    world.composition = SimpleNamespace(
        request=request,
        suggested=suggested,
        relation=relation,
        method=method,
        manual=manual,
        reference_group=reference_group,
    )


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


def _new_user(role):
    if role == "anonymous":
        return None
    if role == "superuser":
        user = make_user(None, username="matrix_superuser")
        user.is_superuser = user.is_staff = True
        user.save()
        return user
    if role == "other_district_social_worker":
        return make_user(Role.SOCIAL_WORKER, district_name="Bromma")
    return make_user(Role(role), district_name="Farsta")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_permission_matrix(url_name, role, world, db, client, make_signed_in_client):
    objects, existing = world
    kwargs_for, expected = MATRIX[url_name]
    user = existing[role]
    http = make_signed_in_client(user) if user else client
    response = http.get(reverse(url_name, kwargs=kwargs_for(objects)))
    assert response.status_code == expected[role], f"{url_name} as {role}"
    if role == "anonymous" and expected[role] == 302 and url_name not in PUBLIC_REDIRECTS:
        assert response["Location"].startswith(reverse("login"))


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
