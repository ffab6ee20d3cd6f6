"""Identity numbers never reach a URL or a log: the district searches by personnummer with a POST
form, within its own district, and the GET name search neither carries nor echoes one."""

import datetime
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from partnership.logging import ScrubIdentityNumbersFilter
from partnership.models import AccessLogEntry, Role
from referrals.models import ReferralStatus
from referrals.services import referral_transition
from tests.factories import make_agreement, make_referral, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(db):
    today = timezone.localdate()
    return make_agreement(starts_on=today - datetime.timedelta(days=200), ends_on=today + datetime.timedelta(days=500))


def no_log_entry_holds(number: str) -> bool:
    digits = number.replace("-", "")
    return not any(
        digits in value.replace("-", "")
        for entry in AccessLogEntry.objects.all()
        for value in (entry.username, entry.what, entry.legal_basis, entry.child_pseudonym)
    )


def test_the_district_finds_a_child_by_personnummer_without_it_reaching_a_url_or_a_log(
    agreement, make_signed_in_client, caplog
):
    referral = make_referral(agreement=agreement)
    number = referral.child.identity_number
    client = make_signed_in_client(referral.submitted_by)
    list_page = client.get(reverse("referrals:list")).content.decode()
    assert f'action="{reverse("referrals:identity_search")}"' in list_page
    assert 'method="post"' in list_page

    with caplog.at_level(logging.DEBUG):
        response = client.post(reverse("referrals:identity_search"), {"identity_number": number.replace("-", "")})

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", kwargs={"public_id": referral.public_id})
    assert number not in response["Location"] and number.replace("-", "") not in response["Location"]
    assert AccessLogEntry.objects.filter(
        user=referral.submitted_by, child_pseudonym=referral.pseudonym, what="Sökning på personnummer"
    ).exists()
    assert no_log_entry_holds(number)
    assert not any(number[:8] in record.getMessage() for record in caplog.records)


def test_the_search_stays_inside_the_district_wall(agreement, make_signed_in_client):
    bromma = make_referral(agreement=agreement, district_name="Bromma")
    farsta = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Farsta"))
    response = farsta.post(reverse("referrals:identity_search"), {"identity_number": bromma.child.identity_number})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ingen anmälan i din stadsdel har det personnumret." in html
    assert bromma.pseudonym not in html
    assert bromma.child.identity_number not in html  # never echoed back into the page
    assert AccessLogEntry.objects.filter(what="Sökning på personnummer utan träff", child_pseudonym="").exists()


def test_several_referrals_of_the_child_are_listed_on_the_response(agreement, make_signed_in_client):
    first = make_referral(agreement=agreement)
    referral_transition(referral=first, to_status=ReferralStatus.WITHDRAWN, by=first.submitted_by, reason="Flyttar.")
    number = first.child.identity_number
    client = make_signed_in_client(first.submitted_by)
    second = make_referral(agreement=agreement, submitted_by=first.submitted_by)
    second.child.identity_number = number
    second.child.save()
    second.identity_hash = first.identity_hash
    second.save(update_fields=["identity_hash"])

    response = client.post(reverse("referrals:identity_search"), {"identity_number": number})

    assert response.status_code == 200
    html = response.content.decode()
    assert first.child.full_name in html and second.child.full_name in html
    assert number not in html


def test_an_invalid_number_is_refused_without_being_echoed(agreement, make_signed_in_client):
    client = make_signed_in_client(make_user(Role.SOCIAL_WORKER))
    response = client.post(reverse("referrals:identity_search"), {"identity_number": "20150314-1238"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "kontrollsiffran" in html
    assert "20150314-1238" not in html


@pytest.mark.parametrize("role", [Role.OPERATIONS_MANAGER, Role.GROUP_LEADER, Role.COORDINATOR])
def test_only_the_district_may_search_by_personnummer(agreement, make_signed_in_client, role):
    referral = make_referral(agreement=agreement)
    client = make_signed_in_client(make_user(role))
    response = client.post(reverse("referrals:identity_search"), {"identity_number": referral.child.identity_number})
    assert response.status_code == 403


def test_the_search_takes_no_get(agreement, make_signed_in_client):
    client = make_signed_in_client(make_user(Role.SOCIAL_WORKER))
    assert client.get(reverse("referrals:identity_search")).status_code == 405


def test_a_personnummer_in_the_name_search_is_neither_searched_nor_echoed(agreement, make_signed_in_client):
    referral = make_referral(agreement=agreement)
    number = referral.child.identity_number
    client = make_signed_in_client(referral.submitted_by)
    response = client.get(reverse("referrals:list"), {"q": number, "status": "ready"})
    html = response.content.decode()
    assert number not in html and number.replace("-", "") not in html
    assert "Sök inte personnummer i namnfältet" in html
    assert "status=ready" in response.context["query"] and "q=" not in response.context["query"]


def test_the_name_search_field_refuses_a_personnummer_in_the_browser(agreement, make_signed_in_client):
    client = make_signed_in_client(make_user(Role.SOCIAL_WORKER))
    html = client.get(reverse("referrals:list")).content.decode()
    assert 'pattern="(B-[A-Za-z2-9]{6})|([^0-9]*([0-9][^0-9]*){0,5})"' in html


def test_the_development_servers_request_log_goes_through_the_scrubbing_handler(settings):
    server = settings.LOGGING["loggers"]["django.server"]
    assert server["propagate"] is False
    for name in server["handlers"]:
        assert "scrub_identity_numbers" in settings.LOGGING["handlers"][name]["filters"]
    assert settings.LOGGING["filters"]["scrub_identity_numbers"]["()"] is not None
    record = logging.LogRecord(
        "django.server", logging.INFO, "", 0, '"GET /?q=%s HTTP/1.1" 200', ("20150314-1234",), None
    )
    ScrubIdentityNumbersFilter().filter(record)
    assert "20150314-1234" not in record.getMessage()
