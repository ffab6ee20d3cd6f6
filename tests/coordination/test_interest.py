"""The public interest form, routing, the provider's inbox, taking up, consent and placement,
parents, and purging."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from coordination.models import ParentParticipant, Participant, PublicInterest
from coordination.services import coordination_purge_due, parent_register, public_interest_submit
from groups.services import group_cancel
from partnership.models import District, Role, TargetGroup
from referrals.models import InterestRegistration
from referrals.tasks import purge_due_sweep
from tests.coordination.factories import make_provider, make_provider_user, make_provider_world, publish
from tests.factories import make_agreement, make_group, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ersta(db):
    make_agreement()  # Bris' IOP exists beside it, as in the city
    provider, grant, manager, leader = make_provider_world()
    group = make_group(agreement=grant, leaders=[leader], manager=manager, name="CAP-gruppen", min_age=7, max_age=12)
    publish(group, district=District.objects.get(name="Farsta"))
    return {"provider": provider, "agreement": grant, "manager": manager, "leader": leader, "group": group}


def _form(**overrides):
    data = {
        "sender_role": "custodian",
        "child_first_name": "Ida",
        "child_age": "9",
        "district": str(District.objects.get(name="Farsta").pk),
        "target_group": str(TargetGroup.objects.get(code="parental_substance_misuse").pk),
        "contact_name": "Anna Andersson",
        "contact": "070-111 22 33",
        "may_tell_social_services": "no",
        "webbplats": "",
    }
    data.update(overrides)
    return data


def test_an_interest_is_stored_encrypted_routed_and_answered_with_a_receipt(client, ersta):
    response = client.post(reverse("coordination:interest_create"), _form(), follow=True)
    page = response.content.decode()
    interest = PublicInterest.objects.get()
    assert interest.receipt_number in page
    assert "1 verksamhet som har en grupp som kan passa" in page
    assert list(interest.routed_to.all()) == [ersta["provider"]]
    assert interest.lapses_on == timezone.localdate() + datetime.timedelta(days=90)
    with connection.cursor() as cursor:
        cursor.execute("SELECT child_first_name, contact_name, contact FROM coordination_publicinterest")
        stored = cursor.fetchone()
    assert "Ida" not in stored[0] and "Anna" not in stored[1] and "070" not in stored[2]


def test_nothing_fits_and_the_receipt_says_so_honestly(client, ersta):
    response = client.post(reverse("coordination:interest_create"), _form(child_age="16"), follow=True)
    assert "Just nu finns ingen publicerad grupp som passar" in response.content.decode()
    assert not PublicInterest.objects.get().routed_to.exists()


def test_the_form_refuses_an_identity_number_and_does_not_echo_it(client, ersta):
    response = client.post(reverse("coordination:interest_create"), _form(child_first_name="20150101-1234"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Skriv bara barnets förnamn" in page and "20150101-1234" not in page
    assert "Anna Andersson" in page  # the rest is kept
    assert not PublicInterest.objects.exists()


def test_a_young_person_must_be_15(client, ersta):
    response = client.post(reverse("coordination:interest_create"), _form(sender_role="young_person", child_age="13"))
    assert "15 år eller äldre" in response.content.decode()
    assert not PublicInterest.objects.exists()


def test_the_honeypot_saves_nothing_and_looks_the_same(client, ersta):
    response = client.post(reverse("coordination:interest_create"), _form(webbplats="http://spam"), follow=True)
    assert response.status_code == 200 and "Tack för din intresseanmälan" in response.content.decode()
    assert not PublicInterest.objects.exists()


def test_a_rate_limit_per_address_and_a_size_limit(client, ersta, settings):
    settings.INTEREST_FORM_RATE_PER_HOUR = 2
    url = reverse("coordination:interest_create")
    assert client.post(url, _form()).status_code == 302
    assert client.post(url, _form()).status_code == 302
    refused = client.post(url, _form())
    assert refused.status_code == 429 and "För många anmälningar" in refused.content.decode()
    assert PublicInterest.objects.count() == 2
    assert client.post(url, _form(contact="x" * 9000)).status_code == 413


def _interest(ersta, **overrides):
    fields = {
        "sender_role": "custodian",
        "child_first_name": "Ida",
        "child_age": 9,
        "district": District.objects.get(name="Farsta"),
        "target_group": TargetGroup.objects.get(code="parental_substance_misuse"),
        "contact_name": "Anna Andersson",
        "contact": "070-111 22 33",
        "may_tell_social_services": False,
    }
    fields.update(overrides)
    return public_interest_submit(**fields)


def test_the_provider_takes_up_records_consent_and_places_the_child(make_signed_in_client, ersta):
    interest = _interest(ersta)
    http = make_signed_in_client(ersta["leader"])
    inbox = http.get(reverse("coordination:inbox")).content.decode()
    assert interest.receipt_number in inbox and "Ida" not in inbox  # the list names nobody
    detail_url = reverse("coordination:interest_detail", kwargs={"public_id": interest.public_id})
    assert "Anna Andersson" in http.get(detail_url).content.decode()
    http.post(reverse("coordination:take_up", kwargs={"public_id": interest.public_id}))
    interest.refresh_from_db()
    assert interest.status == "taken_up" and interest.taken_up_by == ersta["provider"]
    page = http.get(detail_url).content.decode()
    assert "Registrera samtycket och placera barnet" in page
    response = http.post(
        detail_url,
        {
            "group": ersta["group"].pk,
            "child_first_name": "Ida",
            "child_age": 9,
            "custodian_name": "Anna Andersson",
            "custodian_contact": "070-111 22 33",
            "consent_on": timezone.localdate().isoformat(),
            "consent_how": "written",
        },
    )
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert (participant.group, participant.interest, participant.child_first_name) == (ersta["group"], interest, "Ida")
    page = http.get(reverse("coordination:participants", kwargs={"public_id": ersta["group"].public_id}))
    assert "Ida" in page.content.decode()


def test_another_provider_never_sees_the_interest_or_the_child(make_signed_in_client, ersta):
    interest = _interest(ersta)
    other = make_provider(name="Källan, Schizofreniförbundet", short_name="Källan")
    for role in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER):
        http = make_signed_in_client(make_provider_user(role, other))
        assert interest.receipt_number not in http.get(reverse("coordination:inbox")).content.decode()
        for name in ("interest_detail", "take_up"):
            url = reverse(f"coordination:{name}", kwargs={"public_id": interest.public_id})
            assert http.get(url).status_code in (404, 405)
            assert http.post(url).status_code == 404
        participants = reverse("coordination:participants", kwargs={"public_id": ersta["group"].public_id})
        assert http.get(participants).status_code == 404
    bris = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    url = reverse("coordination:interest_detail", kwargs={"public_id": interest.public_id})
    assert bris.get(url).status_code == 404
    # The district sees it only where the family said yes.
    social_worker = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Farsta"))
    assert social_worker.get(url).status_code == 404
    told = _interest(ersta, may_tell_social_services=True)
    told_url = reverse("coordination:interest_detail", kwargs={"public_id": told.public_id})
    assert social_worker.get(told_url).status_code == 200
    bromma = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Bromma"))
    assert bromma.get(told_url).status_code == 404


def test_bris_taking_up_leads_into_todays_interest_registration(make_signed_in_client):
    iop = make_agreement()
    bris_manager = make_user(Role.OPERATIONS_MANAGER)
    group = make_group(agreement=iop, manager=bris_manager)
    publish(group)
    foster = {"target_group": TargetGroup.objects.get(code="foster_care"), "child_age": 10}
    interest = _interest(None, may_tell_social_services=True, **foster)
    assert iop.provider in interest.routed_to.all()
    http = make_signed_in_client(bris_manager)
    response = http.post(reverse("coordination:take_up", kwargs={"public_id": interest.public_id}))
    assert response["Location"] == reverse("referrals:interest_list")
    registration = InterestRegistration.objects.get()
    assert (registration.agreement, registration.child_first_name, registration.status) == (iop, "Ida", "pending")
    assert interest.receipt_number in registration.message
    # Without the family's yes to social services the IOP cannot take it.
    private = _interest(None, may_tell_social_services=False, **foster)
    http.post(reverse("coordination:take_up", kwargs={"public_id": private.public_id}))
    private.refresh_from_db()
    assert private.status == "new" and InterestRegistration.objects.count() == 1


def test_parents_are_registered_in_a_parents_group_only(ersta):
    parents = make_group(
        agreement=ersta["agreement"], leaders=[ersta["leader"]], manager=ersta["manager"], name="Föräldrar", weekday=3
    )
    publish(parents, audience="parents", parallel_to=ersta["group"])
    parent = parent_register(
        group=parents,
        name="Petra",
        contact="070",
        accompanies=None,
        consent_on=timezone.localdate(),
        by=ersta["leader"],
    )
    assert parent.accompanies == ersta["group"]  # the parallel children's group
    with pytest.raises(Exception, match="föräldragrupp"):
        parent_register(
            group=ersta["group"],
            name="X",
            contact="Y",
            accompanies=None,
            consent_on=timezone.localdate(),
            by=ersta["leader"],
        )


def test_lapsed_interests_and_an_ended_groups_people_are_purged_by_the_nightly_sweep(ersta, settings):
    settings.PURGE_GRACE_DAYS = 30
    lapsing = _interest(ersta)
    kept = _interest(ersta)
    PublicInterest.objects.filter(pk=lapsing.pk).update(lapses_on=timezone.localdate())
    parents = make_group(
        agreement=ersta["agreement"], leaders=[ersta["leader"]], manager=ersta["manager"], name="Föräldrar", weekday=3
    )
    publish(parents, audience="parents", parallel_to=ersta["group"])
    parent_register(
        group=parents,
        name="Petra",
        contact="070",
        accompanies=None,
        consent_on=timezone.localdate(),
        by=ersta["leader"],
    )
    group_cancel(group=parents, by=ersta["manager"], reason="För få anmälda")
    later = timezone.localdate() + datetime.timedelta(days=31)
    assert coordination_purge_due(on=timezone.localdate())["parents"] == 0  # not yet
    purge_due_sweep()  # the real sweep, through the signal
    assert not PublicInterest.objects.filter(pk=lapsing.pk).exists()
    assert PublicInterest.objects.filter(pk=kept.pk).exists()
    counts = coordination_purge_due(on=later)
    assert counts["parents"] == 1
    parent = ParentParticipant.objects.get()
    assert (parent.name, parent.contact, parent.purged_at is not None) == ("", "", True)
    assert ParentParticipant.objects.filter(group=parents).count() == 1  # counted, anonymously


def test_the_form_starts_from_a_group_and_ignores_a_broken_group_id(client, ersta):
    url = reverse("coordination:interest_create")
    page = client.get(url, {"grupp": str(ersta["group"].public_id)}).content.decode()
    assert "med utgångspunkt i gruppen CAP-gruppen" in page
    assert client.get(url, {"grupp": "inte-ett-id"}).status_code == 200
