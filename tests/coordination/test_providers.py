"""The coordinator sets up a provider in the app (issue 15): the organisation and its target
groups, its arrangement on finance's agreement page, and its first account, the operations
manager, who chooses a password through a mailed link and enrols an authenticator with the
one-time code the coordinator passed on."""

import re

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.jobs import staff_invitation_mail_send
from coordination.models import StaffInvitation
from coordination.services import (
    STAFF_INVITATION_JOB,
    provider_create,
    provider_update,
    staff_invitation_enrolment_code_issue,
    staff_invitation_resend,
    staff_invite,
)
from partnership.models import (
    AccessLogEntry,
    BackgroundJob,
    District,
    Membership,
    Organisation,
    Role,
    TargetGroup,
    TwoFactorEnrolmentCode,
)
from partnership.services import two_factor_enrolment_code_valid
from tests.coordination.factories import make_arrangement, make_provider, make_provider_user, publish
from tests.factories import city, confirmed_totp_device, make_group, make_user

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/konto/valj-losenord/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def coordinator():
    city()
    return make_user(Role.COORDINATOR, username="samordnaren", first_name="Sara", last_name="Samordnare")


def _violence():
    return TargetGroup.objects.filter(code="violence_in_family")


def _humlan(coordinator, **overrides):
    values = {
        "name": "Svenska kyrkan, Humlan",
        "short_name": "Humlan",
        "organisation_type": "ngo",
        "district": None,
        "target_groups": _violence(),
        "by": coordinator,
    }
    values.update(overrides)
    return provider_create(**values)


def _invite(coordinator, organisation, **overrides):
    values = {
        "organisation": organisation,
        "first_name": "Hugo",
        "last_name": "Humla",
        "email": "Hugo.Humla@example.se",
        "username": "hugo.humla",
        "base_url": "http://testserver/",
        "by": coordinator,
    }
    values.update(overrides)
    return staff_invite(**values)


# --- Services -------------------------------------------------------------------------------


def test_a_provider_is_set_up_with_its_type_and_target_groups_in_the_history(coordinator):
    humlan = _humlan(coordinator, website="https://example.se/humlan")
    assert (humlan.kind, humlan.organisation_type, humlan.short_name) == ("nonprofit", "ngo", "Humlan")
    assert list(humlan.target_groups.values_list("code", flat=True)) == ["violence_in_family"]
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Organisation), object_id=humlan.pk)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == coordinator
    assert entry.changes["name"] == [None, "Svenska kyrkan, Humlan"]


def test_a_district_administration_needs_its_district_and_a_district_has_one_organisation(coordinator):
    with pytest.raises(ValidationError) as refused:
        _humlan(coordinator, name="Spånga-Tensta stadsdelsförvaltning", organisation_type="district")
    assert "Välj vilken stadsdel" in refused.value.message_dict["district"][0]
    spanga = District.objects.get(name="Spånga-Tensta")
    district_office = _humlan(
        coordinator, name="Spånga-Tensta stadsdelsförvaltning", organisation_type="district", district=spanga
    )
    assert district_office.kind == "public"
    with pytest.raises(ValidationError) as refused:
        _humlan(coordinator, name="Spånga-Tensta igen", organisation_type="district", district=spanga)
    assert "har redan en organisation" in refused.value.message_dict["district"][0]
    with pytest.raises(ValidationError) as refused:
        _humlan(coordinator, district=spanga)  # an NGO belongs to no district
    assert "bara för en stadsdelsförvaltning" in refused.value.message_dict["district"][0]


def test_a_taken_name_no_target_group_or_the_citys_own_type_is_refused(coordinator):
    _humlan(coordinator)
    for overrides, field in (
        ({"name": "svenska kyrkan, humlan"}, "name"),
        ({"name": "Annan", "target_groups": []}, "target_groups"),
        ({"name": "Annan", "organisation_type": "city"}, "organisation_type"),
    ):
        with pytest.raises(ValidationError) as refused:
            _humlan(coordinator, **overrides)
        assert field in refused.value.message_dict
    assert Organisation.objects.filter(name__icontains="humlan").count() == 1
    assert not Organisation.objects.filter(name="Annan").exists()


def test_the_first_account_has_no_password_and_its_link_is_mailed_after_commit(
    coordinator, django_capture_on_commit_callbacks
):
    humlan = _humlan(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        invited = _invite(coordinator, humlan)
    user = invited.invitation.user
    assert (user.username, user.email, user.get_full_name()) == ("hugo.humla", "hugo.humla@example.se", "Hugo Humla")
    assert not user.has_usable_password()
    assert (user.membership.organisation, user.membership.role) == (humlan, Role.OPERATIONS_MANAGER)
    # The job carries ids and the site's address, never the token or the person.
    job = BackgroundJob.objects.get(kind=STAFF_INVITATION_JOB)
    assert job.state == "done" and set(job.arguments) == {"invitation_id", "base_url"}
    (message,) = mail.outbox
    assert message.to == ["hugo.humla@example.se"]
    assert "hugo.humla" in message.body and "Sara Samordnare" in message.body
    path = LINK.search(message.body).group(1)
    assert path in message.alternatives[0][0]
    _uidb64, token = path.strip("/").split("/")[-2:]
    assert default_token_generator.check_token(user, token)
    # The enrolment code is not in the mail: it goes another way, from the coordinator.
    assert invited.enrolment_code.replace("-", "") not in message.body.replace("-", "")
    assert two_factor_enrolment_code_valid(user=user, code=invited.enrolment_code) is not None
    stored = TwoFactorEnrolmentCode.objects.get(user=user)
    assert invited.enrolment_code.replace("-", "") not in stored.code_hash and stored.issued_by == coordinator
    # Both account events are in the access log, done by the coordinator.
    logged = set(AccessLogEntry.objects.filter(user=coordinator).values_list("action", "what"))
    assert ("membership_changed", "hugo.humla: operations_manager, Humlan") in logged
    assert ("2fa_code_issued", "Engångskod för hugo.humla") in logged
    assert StaffInvitation.objects.get().mail_sent_at is not None


def test_the_invitation_mail_goes_once_even_when_its_job_runs_twice(coordinator):
    invitation = _invite(coordinator, _humlan(coordinator)).invitation
    assert staff_invitation_mail_send(invitation.pk, base_url="http://testserver/")
    assert not staff_invitation_mail_send(invitation.pk, base_url="http://testserver/")
    assert len(mail.outbox) == 1


def test_only_a_provider_nobody_works_for_gets_a_first_account_from_the_coordinator(coordinator):
    ersta = make_provider()
    make_provider_user(Role.GROUP_LEADER, ersta)
    with pytest.raises(ValidationError, match="har redan personal"):
        _invite(coordinator, ersta)
    with pytest.raises(ValidationError, match="bara in personal till utförare"):
        _invite(coordinator, city())
    assert not User.objects.filter(username="hugo.humla").exists()


def test_a_taken_username_or_email_is_refused_and_nothing_is_saved(coordinator):
    humlan = _humlan(coordinator)
    make_user(None, username="Hugo.Humla")
    make_user(None, username="annan", email="hugo.humla@EXAMPLE.se")
    with pytest.raises(ValidationError) as refused:
        _invite(coordinator, humlan)
    assert "upptaget" in refused.value.message_dict["username"][0]
    with pytest.raises(ValidationError) as refused:
        _invite(coordinator, humlan, username="hugo2")
    assert "e-postadressen" in refused.value.message_dict["email"][0]
    assert not humlan.memberships.exists()
    assert not StaffInvitation.objects.exists() and not BackgroundJob.objects.exists()


def test_the_link_can_be_sent_again_until_a_password_is_chosen(coordinator, django_capture_on_commit_callbacks):
    invitation = _invite(coordinator, _humlan(coordinator)).invitation
    staff_invitation_mail_send(invitation.pk, base_url="http://testserver/")
    with django_capture_on_commit_callbacks(execute=True):
        staff_invitation_resend(invitation=invitation, base_url="http://testserver/", by=coordinator)
    assert len(mail.outbox) == 2
    invitation.user.set_password("ett-eget-långt-lösenord")
    invitation.user.save()
    with pytest.raises(ValidationError, match="har redan valt lösenord"):
        staff_invitation_resend(invitation=invitation, base_url="http://testserver/", by=coordinator)


def test_a_new_enrolment_code_replaces_the_old_until_the_invitee_has_an_authenticator(coordinator):
    invited = _invite(coordinator, _humlan(coordinator))
    user = invited.invitation.user
    code = staff_invitation_enrolment_code_issue(invitation=invited.invitation, by=coordinator)
    assert two_factor_enrolment_code_valid(user=user, code=invited.enrolment_code) is None
    assert two_factor_enrolment_code_valid(user=user, code=code) is not None
    confirmed_totp_device(user)
    with pytest.raises(ValidationError, match="har redan en autentiseringsapp"):
        staff_invitation_enrolment_code_issue(invitation=invited.invitation, by=coordinator)


# --- The invitee's first sign-in -------------------------------------------------------------


def test_the_invitee_chooses_a_password_once_then_needs_the_code_to_enrol(
    client, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invited = _invite(coordinator, _humlan(coordinator))
    path = LINK.search(mail.outbox[0].body).group(1)
    # Django moves the token out of the address before showing the form.
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and "Välj ditt lösenord" in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]
    assert "set-password" in form_url
    too_short = client.post(form_url, {"new_password1": "kort", "new_password2": "kort"})
    assert too_short.status_code == 200 and too_short.context["form"].errors["new_password2"]
    done = client.post(
        form_url, {"new_password1": "humlor-i-farsta-2026", "new_password2": "humlor-i-farsta-2026"}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("login")
    assert "Ditt lösenord är sparat" in done.content.decode()
    user = invited.invitation.user
    user.refresh_from_db()
    assert user.check_password("humlor-i-farsta-2026")
    assert AccessLogEntry.objects.filter(user=user, action="password_chosen").count() == 1
    # Spent: the link no longer works.
    again = client.get(path, follow=True)
    assert "Länken fungerar inte längre" in again.content.decode()
    # Signed in with the password alone, the account reaches only the page asking for the code.
    client.post(reverse("login"), {"username": "hugo.humla", "password": "humlor-i-farsta-2026"})
    assert client.get(reverse("home")).url.startswith(reverse("two_factor_verify"))
    setup = client.get(reverse("two_factor_setup"))
    assert "Aktiveringskod" in setup.content.decode()
    enrolling = client.post(reverse("two_factor_setup"), {"code": invited.enrolment_code}, follow=True)
    assert "QR-kod" in enrolling.content.decode()


# --- Pages -----------------------------------------------------------------------------------


def test_only_the_coordinator_reaches_the_provider_pages(client, coordinator, make_signed_in_client):
    humlan = _humlan(coordinator)
    urls = [
        reverse("coordination:provider_list"),
        reverse("coordination:provider_create"),
        reverse("coordination:provider_detail", kwargs={"public_id": humlan.public_id}),
        reverse("coordination:staff_invite", kwargs={"public_id": humlan.public_id}),
    ]
    for url in urls:
        assert client.get(url).url.startswith(reverse("login"))
    ersta_manager = make_provider_user(Role.OPERATIONS_MANAGER, make_provider())
    for user in (make_user(Role.OPERATIONS_MANAGER), make_user(Role.SOCIAL_WORKER), ersta_manager):
        http = make_signed_in_client(user)
        assert [http.get(url).status_code for url in urls] == [403] * len(urls)
    http = make_signed_in_client(coordinator)
    assert [http.get(url).status_code for url in urls] == [200] * len(urls)
    # The city's own administration is no provider: for its page, nothing exists.
    own = reverse("coordination:provider_detail", kwargs={"public_id": city().public_id})
    assert http.get(own).status_code == 404
    assert http.post(reverse("coordination:provider_list")).status_code == 405
    assert http.post(urls[2]).status_code == 405


def test_the_coordinators_menu_leads_to_the_providers_and_on_to_setting_one_up(coordinator, make_signed_in_client):
    http = make_signed_in_client(coordinator)
    home = http.get(reverse("home")).content.decode()
    assert f'href="{reverse("coordination:provider_list")}"' in home
    listing = http.get(reverse("coordination:provider_list")).content.decode()
    assert f'href="{reverse("coordination:provider_create")}"' in listing


def test_the_provider_list_is_paginated_and_its_queries_do_not_grow(coordinator, make_signed_in_client):
    http = make_signed_in_client(coordinator)
    url = reverse("coordination:provider_list")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert http.get(url).status_code == 200
        return len(captured)

    for number in range(3):
        _humlan(coordinator, name=f"Förening {number:02}")
    few = queries()
    for number in range(3, 30):
        _humlan(coordinator, name=f"Förening {number:02}")
    # session, user, membership (the rules and the menu), the page's COUNT, the page's rows with
    # their counts, and the target groups of the page in one prefetch: the same for 3 and 30.
    assert queries() == few
    # 25 a page by name: Bris ("Barnens rätt i samhället") first, then Förening 00–23.
    first = http.get(url).content.decode()
    assert "Förening 00" in first and "Förening 23" in first and "Förening 24" not in first
    second = http.get(url, {"sida": 2}).content.decode()
    assert "Förening 24" in second and "Förening 29" in second and "Förening 00" not in second


def test_setting_up_a_provider_leads_to_its_arrangement_and_errors_keep_the_input(coordinator, make_signed_in_client):
    http = make_signed_in_client(coordinator)
    url = reverse("coordination:provider_create")
    data = {
        "name": "Hägersten-Älvsjö stadsdelsförvaltning",
        "short_name": "Hägersten",
        "organisation_type": "district",
        "district": "",
        "target_groups": [str(_violence().get().pk)],
        "arrangement": "iop",
        "website": "",
        "public_email": "",
        "public_phone": "",
    }
    refused = http.post(url, data)
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert "Välj vilken stadsdel förvaltningen hör till." in errors["district"]
    assert "Ett IOP ingås bara med en idéburen organisation." in errors["arrangement"]
    assert refused.context["form"]["name"].value() == "Hägersten-Älvsjö stadsdelsförvaltning"
    assert not Organisation.objects.filter(short_name="Hägersten").exists()
    hagersten = District.objects.get(name="Hägersten-Älvsjö")
    response = http.post(url, {**data, "district": str(hagersten.pk), "arrangement": "district_own"})
    organisation = Organisation.objects.get(short_name="Hägersten")
    assert organisation.district == hagersten
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse("finance:agreement_create") + "?")
    assert f"utforare={organisation.public_id}" in location and "samverkansform=district_own" in location
    # The agreement page offers that provider and its target group, and comes back here.
    page = http.get(location)
    assert page.context["form"].initial["provider"] == organisation.pk
    assert page.context["form"].initial["target_group"] == _violence().get().pk
    assert page.context["back"] == reverse("coordination:provider_detail", kwargs={"public_id": organisation.public_id})


def test_the_invite_page_shows_the_code_once_and_never_caches_it(
    coordinator, make_signed_in_client, django_capture_on_commit_callbacks
):
    humlan = _humlan(coordinator)
    http = make_signed_in_client(coordinator)
    url = reverse("coordination:staff_invite", kwargs={"public_id": humlan.public_id})
    data = {"first_name": "Hugo", "last_name": "Humla", "email": "hugo@example.se", "username": "hugo humla"}
    refused = http.post(url, data)
    assert refused.status_code == 200 and refused.context["form"].errors["username"]
    assert refused.context["form"]["email"].value() == "hugo@example.se"
    assert not User.objects.filter(email="hugo@example.se").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(url, {**data, "username": "hugo.humla"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = re.search(r'id="enrolment-code">([A-Z0-9-]+)<', response.content.decode()).group(1)
    user = User.objects.get(username="hugo.humla")
    assert two_factor_enrolment_code_valid(user=user, code=code) is not None
    assert len(mail.outbox) == 1
    # Now the provider has its manager: no second account from the coordinator, and the
    # provider's page follows the invitation up instead.
    assert http.get(url).status_code == 403
    assert http.post(url, {**data, "username": "hugo.tva", "email": "tva@example.se"}).status_code == 403
    detail = http.get(reverse("coordination:provider_detail", kwargs={"public_id": humlan.public_id})).content
    invitation = StaffInvitation.objects.get()
    assert reverse("coordination:invitation_resend", kwargs={"public_id": invitation.public_id}) in detail.decode()
    assert Membership.objects.filter(organisation=humlan).count() == 1


def test_a_new_code_and_a_new_link_are_the_coordinators_to_give(coordinator, make_signed_in_client):
    invitation = _invite(coordinator, _humlan(coordinator)).invitation
    code_url = reverse("coordination:invitation_enrolment_code", kwargs={"public_id": invitation.public_id})
    resend_url = reverse("coordination:invitation_resend", kwargs={"public_id": invitation.public_id})
    manager = make_user(Role.OPERATIONS_MANAGER)
    for url in (code_url, resend_url):
        assert make_signed_in_client(manager).post(url).status_code == 404
    http = make_signed_in_client(coordinator)
    assert http.get(code_url).status_code == 405
    response = http.post(code_url)
    assert response.status_code == 200 and "Ny aktiveringskod" in response.content.decode()
    assert http.post(resend_url).status_code == 302
    confirmed_totp_device(invitation.user)
    assert http.post(code_url).status_code == 403
    invitation.user.set_password("ett-eget-långt-lösenord")
    invitation.user.save()
    assert http.post(resend_url).status_code == 403


# --- Correcting a provider ------------------------------------------------------------------------


def test_the_coordinator_corrects_a_providers_name_target_groups_and_contacts(
    coordinator, make_signed_in_client, django_capture_on_commit_callbacks
):
    humlan = _humlan(coordinator)
    mental = TargetGroup.objects.get(code="parental_mental_illness")
    client = make_signed_in_client(coordinator)
    url = reverse("coordination:provider_edit", kwargs={"public_id": humlan.public_id})
    assert (
        url
        in client.get(reverse("coordination:provider_detail", kwargs={"public_id": humlan.public_id})).content.decode()
    )

    kept = client.post(url, {"name": "", "target_groups": [mental.pk], "public_email": "inte en adress"})
    assert kept.status_code == 200
    assert kept.context["form"].errors.keys() == {"name", "public_email"}
    assert kept.context["form"]["public_email"].value() == "inte en adress"
    humlan.refresh_from_db()
    assert humlan.name == "Svenska kyrkan, Humlan"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"name": "Svenska kyrkan, Humlan Farsta", "short_name": "Humlan", "target_groups": [mental.pk]},
        )
    assert response.status_code == 302
    humlan.refresh_from_db()
    assert humlan.name == "Svenska kyrkan, Humlan Farsta"
    assert list(humlan.target_groups.values_list("code", flat=True)) == ["parental_mental_illness"]
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation), object_id=humlan.pk
    ).latest("timestamp")
    assert entry.actor == coordinator and entry.changes["name"][1] == "Svenska kyrkan, Humlan Farsta"


def test_a_target_group_is_kept_while_a_published_group_shows_under_it(coordinator):
    humlan = _humlan(
        coordinator, target_groups=TargetGroup.objects.filter(code__in=["violence_in_family", "foster_care"])
    )
    agreement = make_arrangement(humlan, target_code="violence_in_family")
    manager = make_provider_user(Role.OPERATIONS_MANAGER, humlan)
    group = make_group(agreement=agreement, manager=manager, open_for_placement=False)
    publish(group, target_group=TargetGroup.objects.get(code="foster_care"))
    with pytest.raises(ValidationError) as refused:
        provider_update(provider=humlan, name=humlan.name, short_name="", target_groups=_violence(), by=coordinator)
    assert "ändra gruppen först" in refused.value.message_dict["target_groups"][0]
    # The agreement's own target group never needs to be listed to stay usable.
    publish(group, target_group=TargetGroup.objects.get(code="violence_in_family"))
    updated = provider_update(
        provider=humlan,
        name=humlan.name,
        short_name="",
        target_groups=TargetGroup.objects.filter(code="parental_mental_illness"),
        by=coordinator,
    )
    assert list(updated.target_groups.values_list("code", flat=True)) == ["parental_mental_illness"]
