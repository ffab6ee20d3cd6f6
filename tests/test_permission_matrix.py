"""Every page of the app, for every role: who gets in, who is refused (403), and for whom the
object does not exist (404). The URL list comes from the resolver, so a new page cannot escape:
a URL without an entry here fails `test_every_url_is_in_the_matrix`.

Each entry: a function building the URL kwargs from the test world, and the expected GET status
per role. 302 for anonymous means "sent to login". A 405 entry means the URL only takes POST.
"""

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from followup.models import EvaluationInstrument
from tests.conftest import sign_in_with_second_factor
from tests.matrix_worlds import OTHER_PROVIDER_ROLES, ROLES, world_for_module

# URL names that are not app pages: Django's admin (superusers only, tested in test_home_and_health)
# and the framework's own endpoints.
OUTSIDE_THE_MATRIX_PREFIXES = ("admin:",)
OUTSIDE_THE_MATRIX = {"set_language", "healthz", "login", "logout", "password_change_done"}


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
    # The mailed link of an invitation: the token is the key, no login. A made-up token shows the
    # page that says the link no longer works.
    "password_choose": (lambda w: {"uidb64": "MQ", "token": "fel-token"}, _ok(anonymous=200)),
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
    "finance:fee_void": (
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
    # The attendance of Ersta's own participants, per meeting: Ersta's manager and the group's leader.
    "coordination:participant_attendance": (
        lambda w: {"public_id": w.coordination.group.public_id, "meeting_id": w.coordination.group.meetings.first().pk},
        _ok(
            **GROUPS_OBJECT,
            group_leader=404,
            operations_manager=404,
            other_provider_group_leader=200,
            other_provider_operations_manager=200,
        ),
    ),
    "coordination:participant_visit": (
        lambda w: {"public_id": w.coordination.group.public_id, "participant_id": w.coordination.participant.public_id},
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
    # Setting up providers is the coordinator's: everyone else is refused by role (403) before any
    # provider is looked up, the second provider's staff too (for their own provider as well).
    "coordination:provider_list": (lambda w: {}, _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200})),
    "coordination:provider_create": (lambda w: {}, _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200})),
    "coordination:provider_detail": (
        lambda w: {"public_id": w.coordination.new_provider.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    "coordination:provider_edit": (
        lambda w: {"public_id": w.coordination.new_provider.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    # A provider nobody works for yet: its first account is the coordinator's to invite.
    "coordination:staff_invite": (
        lambda w: {"public_id": w.coordination.new_provider.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    "coordination:invitation_enrolment_code": (
        lambda w: {"public_id": w.coordination.invitation.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
    "coordination:invitation_resend": (
        lambda w: {"public_id": w.coordination.invitation.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
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
    # Who adds methods (the coordinator) changes and retires them; a provider's staff of either
    # provider, the districts and the superuser are refused by role.
    "methods:edit": (
        lambda w: {"public_id": w.composition.method.public_id},
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    "methods:retire": (lambda w: {"public_id": w.composition.method.public_id}, _ok(**dict.fromkeys(ROLES[1:], 405))),
    "methods:reinstate": (
        lambda w: {"public_id": w.composition.method.public_id},
        _ok(**dict.fromkeys(ROLES[1:], 405)),
    ),
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
    # A member's page (details, end of membership): the coordinator's alone, Bris' and the second
    # provider's staff alike refused by role before the group is looked up.
    "followup:reference_member": (
        lambda w: {
            "public_id": w.composition.reference_group.public_id,
            "member_id": w.composition.reference_member.public_id,
        },
        _ok(**{**dict.fromkeys(ROLES[1:], 403), "coordinator": 200}),
    ),
    "followup:reference_member_end": (
        lambda w: {
            "public_id": w.composition.reference_group.public_id,
            "member_id": w.composition.reference_member.public_id,
        },
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
    "finance:fee_void": MANAGER_404,
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
    with world_for_module(django_db_blocker, tmp_path_factory.mktemp("matrix-media")) as built:
        yield built


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_permission_matrix(url_name, role, world, db, settings, client, make_signed_in_client):
    objects, existing = world
    settings.MEDIA_ROOT = objects.media_root
    kwargs_for, expected = MATRIX[url_name]
    user = existing.get(role)
    http = make_signed_in_client(user) if user else client
    response = http.get(reverse(url_name, kwargs=kwargs_for(objects)))
    assert response.status_code == expected[role], f"{url_name} as {role}"
    if role == "anonymous" and expected[role] == 302 and url_name not in PUBLIC_REDIRECTS:
        assert response["Location"].startswith(reverse("login"))


# --- The POST pass --------------------------------------------------------------------------
# Every URL, every visitor for whom the URL's object (or the URL itself) is outside their scope,
# POSTed with a valid CSRF token of the visitor's own session: refused (403, 404; 302 to login
# for anonymous; 405 only when the URL takes no POST at all) and not one row changed.

# URLs that take only POST: the visitors for whom the world's object is outside their scope.
# The others may act on it, so they are not part of a refusal pass. The second provider's staff
# are refused wherever the object is Bris' (PROVIDER_WALL) or Bris' staff in the same role are.
OTHER_PROVIDER = set(OTHER_PROVIDER_ROLES)
ONLY_SOCIAL_WORKERS = {"group_leader", "operations_manager", "coordinator", "superuser", *OTHER_PROVIDER}
BRIS_MANAGER_AND_COORDINATOR = {
    "group_leader",
    "social_worker",
    "other_district_social_worker",
    "superuser",
    *OTHER_PROVIDER,
}
POST_ONLY_REFUSED = {
    "referrals:waiting_list_confirm": {
        "group_leader",
        "other_district_social_worker",
        "coordinator",
        "superuser",
        *OTHER_PROVIDER,
    },
    "referrals:identity_search": ONLY_SOCIAL_WORKERS,
    "referrals:transition": {
        "group_leader",
        "other_district_social_worker",
        "coordinator",
        "superuser",
        *OTHER_PROVIDER,
    },
    # Any operations manager reviews the access log (consent.review_access_log), the second
    # provider's too; group leaders do not.
    "consent:log_review_create": {
        "group_leader",
        "social_worker",
        "other_district_social_worker",
        "superuser",
        "other_provider_group_leader",
    },
    "referrals:return": {
        "group_leader",
        "social_worker",
        "other_district_social_worker",
        "coordinator",
        "superuser",
        *OTHER_PROVIDER,
    },
    # The reminder belongs to another social worker: nobody of the matrix may tick it off.
    "reminder_done": set(ROLES[1:]),
    # Bris' budget year and cooperation group: Bris' manager and the coordinator only.
    "finance:schedule_create": BRIS_MANAGER_AND_COORDINATOR,
    "finance:year_close": BRIS_MANAGER_AND_COORDINATOR,
    "finance:report_generate": BRIS_MANAGER_AND_COORDINATOR,
    "followup:agenda_item_create": BRIS_MANAGER_AND_COORDINATOR,
    "followup:meeting_minutes": BRIS_MANAGER_AND_COORDINATOR,
    "followup:decision_create": BRIS_MANAGER_AND_COORDINATOR,
    "followup:decision_done": BRIS_MANAGER_AND_COORDINATOR,
    "followup:information_invite": BRIS_MANAGER_AND_COORDINATOR,
    "followup:information_signup": BRIS_MANAGER_AND_COORDINATOR,
    "followup:information_attendance": BRIS_MANAGER_AND_COORDINATOR,
    "followup:report_generate": {*BRIS_MANAGER_AND_COORDINATOR, "operations_manager"},
    # Everyone's own calendar token: the second provider's staff renew theirs.
    "groups:calendar_token_renew": {"social_worker", "other_district_social_worker", "coordinator", "superuser"},
    # Bris' group: its own leader and manager only.
    "groups:action": {
        "social_worker",
        "other_district_social_worker",
        "coordinator",
        "superuser",
        "other_group_leader",
        *OTHER_PROVIDER,
    },
    # The interest is routed to Ersta: only Ersta's staff may take it up.
    "coordination:take_up": set(ROLES[1:]) - OTHER_PROVIDER,
    # The method library and the reference groups are the coordinator's to keep.
    "methods:retire": set(ROLES[1:]) - {"coordinator"},
    "methods:reinstate": set(ROLES[1:]) - {"coordinator"},
    "followup:reference_member_end": set(ROLES[1:]) - {"coordinator"},
    # A provider's invited manager: only the coordinator follows the invitation up.
    "coordination:invitation_enrolment_code": set(ROLES[1:]) - {"coordinator"},
    "coordination:invitation_resend": set(ROLES[1:]) - {"coordinator"},
}

# Extra visitors for the POST pass: a group leader who leads none of the world's groups.
POST_VISITORS = [*ROLES, "other_group_leader"]
GROUP_OBJECT_URLS = {name for name in MATRIX if name.startswith("groups:") and name != "groups:action"}
# The domain's tables, the users and their devices: a refused request writes none of their rows
# (the session table is not among them: signing in is the visitor's own doing).
SNAPSHOT_APPS = {
    "auth",
    "partnership",
    "referrals",
    "consent",
    "groups",
    "finance",
    "followup",
    "coordination",
    "otp_totp",
}


def _post_refusals():
    for url_name in sorted(MATRIX):
        _kwargs_for, expected = MATRIX[url_name]
        for role in POST_VISITORS:
            if url_name in POST_ONLY_REFUSED:
                refused = role == "anonymous" or role in POST_ONLY_REFUSED[url_name]
            elif role == "other_group_leader":
                # Outside their scope: the world's group and its pages, which another leader leads.
                refused = url_name in GROUP_OBJECT_URLS and expected["group_leader"] in (200, 403, 404)
            elif role == "anonymous":
                # sent to login; the token pages are public, and a public redirect goes elsewhere
                refused = expected[role] == 302 and url_name not in PUBLIC_REDIRECTS
            else:
                refused = expected[role] in (403, 404)
            if refused:
                yield url_name, role


def database_snapshot():
    """Every row of the domain's tables, as stored (raw SQL: nothing decrypted), by model label:
    equal snapshots mean nothing was written."""
    rows = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.app_label in SNAPSHOT_APPS:
                table, pk = (connection.ops.quote_name(name) for name in (model._meta.db_table, model._meta.pk.column))
                cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")  # noqa: S608 - names from the models
                rows[model._meta.label] = [tuple(str(value) for value in row) for row in cursor.fetchall()]
    return rows


def _changed_tables(before, after):
    return sorted(label for label in before if before[label] != after[label])


@pytest.mark.parametrize(("url_name", "role"), list(_post_refusals()))
def test_post_outside_scope_is_refused_and_changes_nothing(url_name, role, world, db, settings):
    objects, existing = world
    settings.MEDIA_ROOT = objects.media_root
    kwargs_for, _expected = MATRIX[url_name]
    http = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        sign_in_with_second_factor(http, existing[role])
    http.get(reverse("login" if role == "anonymous" else "home"))  # the visitor's own session and CSRF token
    token = http.cookies["csrftoken"].value
    url = reverse(url_name, kwargs=kwargs_for(objects))
    before = database_snapshot()
    response = http.post(url, {"csrfmiddlewaretoken": token}, HTTP_X_CSRFTOKEN=token)
    after = database_snapshot()
    if role == "anonymous":
        assert response.status_code == 302, f"{url_name} as {role}"
        assert response["Location"].startswith(reverse("login"))
    elif response.status_code == 405:
        assert "POST" not in response["Allow"], f"{url_name} as {role}: 405 but the URL takes POST"
    else:
        assert response.status_code in (403, 404), f"{url_name} as {role}: {response.status_code}"
    assert _changed_tables(before, after) == [], f"{url_name} as {role} changed rows"


def test_the_snapshot_sees_a_write(world, db):
    """The POST pass would notice a write: an allowed POST changes the snapshot."""
    _objects, existing = world
    http = Client(enforce_csrf_checks=True)
    sign_in_with_second_factor(http, existing["group_leader"])
    http.get(reverse("home"))
    token = http.cookies["csrftoken"].value
    before = database_snapshot()
    response = http.post(reverse("groups:calendar_token_renew"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert _changed_tables(before, database_snapshot()) == ["groups.CalendarToken"]


# --- Information meetings of every holder (issue 15) ------------------------------------------
# MATRIX covers Bris' breakfast meeting under its IOP. The world also has one Ersta holds itself
# and one the coordinator holds for the whole city: a provider's manager reaches only its own
# provider's (404 for the others), the coordinator every one; the other roles are refused by role.
INFORMATION_HOLDERS = {
    "ersta": {"operations_manager": 404, "other_provider_operations_manager": 200},
    "city": {"operations_manager": 404, "other_provider_operations_manager": 404},
}
INFORMATION_POSTS = ["followup:information_invite", "followup:information_signup", "followup:information_attendance"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("holder", sorted(INFORMATION_HOLDERS))
def test_information_meetings_of_every_holder(holder, role, world, db, client, make_signed_in_client):
    objects, existing = world
    expected = _ok(**FOLLOWUP_CITY_AND_MANAGER, **INFORMATION_HOLDERS[holder])
    meeting = objects.coordination.information_meetings[holder]
    user = existing.get(role)
    http = make_signed_in_client(user) if user else client
    response = http.get(reverse("followup:information_detail", kwargs={"public_id": meeting.public_id}))
    assert response.status_code == expected[role], f"{holder}'s meeting as {role}"


def _information_refusals():
    for holder, overrides in sorted(INFORMATION_HOLDERS.items()):
        expected = _ok(**FOLLOWUP_CITY_AND_MANAGER, **overrides)
        for role in ROLES[1:]:
            if expected[role] in (403, 404):
                yield from ((url_name, holder, role, expected[role]) for url_name in INFORMATION_POSTS)


@pytest.mark.parametrize(("url_name", "holder", "role", "status"), list(_information_refusals()))
def test_information_meeting_posts_outside_scope_change_nothing(url_name, holder, role, status, world, db):
    objects, existing = world
    http = Client(enforce_csrf_checks=True)
    sign_in_with_second_factor(http, existing[role])
    http.get(reverse("home"))
    token = http.cookies["csrftoken"].value
    meeting = objects.coordination.information_meetings[holder]
    before = database_snapshot()
    response = http.post(
        reverse(url_name, kwargs={"public_id": meeting.public_id}),
        {"csrfmiddlewaretoken": token, "contact_kinds": ["school"], "name": "X", "email": "x@example.se"},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == status, f"{url_name} on {holder}'s meeting as {role}"
    assert _changed_tables(before, database_snapshot()) == []
