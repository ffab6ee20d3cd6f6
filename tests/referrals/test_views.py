"""The referral pages: the district wall, the pseudonymised record Bris sees before the consent
gate, lists that never show an identity number, transitions from the page, and bounded queries."""

import pytest
from django.urls import reverse

from consent.services import consent_withdraw
from partnership.models import Role
from referrals.models import Referral, ReferralStatus
from tests.factories import make_referral, make_user

pytestmark = pytest.mark.django_db


def detail_url(referral):
    return reverse("referrals:detail", kwargs={"public_id": referral.public_id})


def main_html(response) -> str:
    """The page's <main>, without the menu and footer."""
    html = response.content.decode()
    return html.split('id="main"', 1)[1]


@pytest.fixture
def bris(make_signed_in_client, operations_manager):
    return make_signed_in_client(operations_manager)


# --- District wall ---------------------------------------------------------------------------


def test_a_farsta_social_worker_gets_404_on_a_bromma_referral_by_url(make_signed_in_client):
    bromma = make_referral(district_name="Bromma")
    farsta = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Farsta"))
    assert farsta.get(detail_url(bromma)).status_code == 404
    # nor can they act on it through any of its URLs
    assert (
        farsta.post(
            reverse("referrals:transition", kwargs={"public_id": bromma.public_id}),
            {"to_status": ReferralStatus.WITHDRAWN, "reason": "x"},
        ).status_code
        == 404
    )
    guardian = bromma.guardians.first()
    consent_url = reverse("consent:consent_create", kwargs={"public_id": bromma.public_id, "guardian_id": guardian.pk})
    assert farsta.get(consent_url).status_code == 404


def test_a_social_worker_sees_their_own_districts_child_with_identity_number(make_signed_in_client):
    referral = make_referral(district_name="Farsta", first_name="Alma", last_name="Björk")
    response = make_signed_in_client(referral.submitted_by).get(detail_url(referral))
    html = main_html(response)
    assert "Alma Björk" in html
    assert referral.child.identity_number in html
    assert referral.child.identity_number not in response.content.decode().split("<main")[0]  # not in <title>


def test_the_coordinator_sees_no_individual_child(make_signed_in_client, coordinator):
    referral = make_referral()
    client = make_signed_in_client(coordinator)
    assert client.get(detail_url(referral)).status_code == 404
    assert client.get(reverse("referrals:list")).status_code == 403


# --- The consent gate on the page ------------------------------------------------------------


def test_before_the_gate_bris_sees_only_a_pseudonymised_record(bris):
    referral = make_referral(consents=1, first_name="Nora", last_name="Sjöberg", needs_language="Tolk på somaliska")
    assert referral.status == ReferralStatus.AWAITING_CONSENT
    response = bris.get(detail_url(referral))
    assert response.status_code == 200
    html = main_html(response)
    assert referral.pseudonym in html
    assert "Farsta" in html and "Tolk på somaliska" in html  # district and needs are for planning
    for secret in (
        "Nora",
        "Sjöberg",
        referral.child.identity_number,
        "Familjen Ek",
        "070-123 45 67",
        "Vårdnadshavare 1",
    ):
        assert secret not in html, secret


def test_after_the_gate_bris_sees_the_child_and_contacts_but_never_the_identity_number(bris):
    referral = make_referral(first_name="Nora", last_name="Sjöberg")
    html = main_html(bris.get(detail_url(referral)))
    assert "Nora Sjöberg" in html
    assert "Familjen Ek" in html
    assert referral.child.identity_number not in html


def test_withdrawn_consent_hides_the_child_from_bris_again(bris):

    referral = make_referral(first_name="Nora", last_name="Sjöberg")
    consent = referral.consents.first()
    consent_withdraw(consent=consent, by=referral.submitted_by, reason="Vårdnadshavaren ångrade sig.")
    response = bris.get(detail_url(referral))
    assert response.status_code == 200
    assert "Sjöberg" not in main_html(response)
    assert "Sjöberg" not in main_html(bris.get(reverse("referrals:list")))


# --- Lists -----------------------------------------------------------------------------------


def test_a_social_worker_lists_only_their_districts_referrals(make_signed_in_client):
    own = make_referral(district_name="Farsta", first_name="Egen")
    make_referral(district_name="Bromma", first_name="Annan")
    response = make_signed_in_client(own.submitted_by).get(reverse("referrals:list"))
    assert [row.referral for row in response.context["rows"]] == [own]
    assert "Annan" not in main_html(response)


def test_bris_lists_every_referral_but_names_only_those_past_the_gate(bris):
    make_referral(first_name="Klara", last_name="Ek")
    waiting = make_referral(consents=0, first_name="Dold", last_name="Person")
    html = main_html(bris.get(reverse("referrals:list")))
    assert "Klara Ek" in html
    assert waiting.pseudonym in html
    assert "Dold" not in html


def test_lists_show_name_and_age_and_never_an_identity_number(bris, make_signed_in_client):
    referrals = [make_referral(age=age) for age in (8, 12, 16)]
    for client in (bris, make_signed_in_client(referrals[0].submitted_by)):
        html = client.get(reverse("referrals:list")).content.decode()
        for referral in referrals:
            assert referral.child.identity_number not in html
            assert referral.child.identity_number[2:8] not in html  # not even the birth date part


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "awaiting_consent"}, {"väntar"}),
        ({"placement_basis": "lvu"}, {"lvu"}),
        ({"age_band": "13-15"}, {"tonåring"}),
        ({"q": "Tonåring"}, {"tonåring"}),
    ],
)
def test_the_list_filters_by_status_basis_age_band_and_name(bris, query, expected):
    by_name = {
        "väntar": make_referral(consents=0, first_name="Väntar", age=9),
        "lvu": make_referral(placement_basis="lvu", guardians=0, first_name="Lvu", age=9),
        "tonåring": make_referral(first_name="Tonåring", age=14),
    }
    rows = bris.get(reverse("referrals:list"), query).context["rows"]
    assert {row.referral for row in rows} == {by_name[name] for name in expected}


def test_the_list_filters_by_district(bris):
    bromma = make_referral(district_name="Bromma")
    make_referral(district_name="Farsta")
    rows = bris.get(reverse("referrals:list"), {"district": bromma.district_id}).context["rows"]
    assert [row.referral for row in rows] == [bromma]


def test_a_name_search_cannot_reveal_a_child_behind_a_pseudonym(bris):
    hidden = make_referral(consents=0, first_name="Hemlig")
    assert list(bris.get(reverse("referrals:list"), {"q": "Hemlig"}).context["rows"]) == []
    # but the pseudonym itself finds the record
    rows = bris.get(reverse("referrals:list"), {"q": hidden.pseudonym}).context["rows"]
    assert [row.referral for row in rows] == [hidden]


def test_the_list_runs_the_same_number_of_queries_for_many_referrals(bris, django_assert_max_num_queries):
    for _ in range(3):
        make_referral()
    with django_assert_max_num_queries(14) as few:
        bris.get(reverse("referrals:list"))
    for _ in range(12):
        make_referral(consents=0)
    with django_assert_max_num_queries(len(few.captured_queries)):
        bris.get(reverse("referrals:list"))


def test_the_detail_page_runs_a_bounded_number_of_queries(bris, django_assert_max_num_queries):
    referral = make_referral(guardians=4)
    with django_assert_max_num_queries(20):
        assert bris.get(detail_url(referral)).status_code == 200


# --- Transitions from the page ---------------------------------------------------------------


def transition(client, referral, to_status, reason=""):
    url = reverse("referrals:transition", kwargs={"public_id": referral.public_id})
    return client.post(url, {"to_status": to_status, "reason": reason}, follow=True)


def test_the_bris_manager_declines_a_referral_with_a_reason(bris):
    referral = make_referral()
    response = transition(bris, referral, ReferralStatus.DECLINED, "Barnet passar bättre i annan verksamhet.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert "Status ändrad till ”Avböjd”." in [str(m) for m in response.context["messages"]]


def test_a_decline_without_reason_is_refused_with_a_message_and_changes_nothing(bris):
    referral = make_referral()
    response = transition(bris, referral, ReferralStatus.DECLINED, "  ")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.READY
    assert "Ange en orsak." in [str(m) for m in response.context["messages"]]


def test_a_group_leader_may_not_decline(make_signed_in_client, group_leader):
    referral = make_referral()
    url = reverse("referrals:transition", kwargs={"public_id": referral.public_id})
    response = make_signed_in_client(group_leader).post(url, {"to_status": "declined", "reason": "x"})
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.READY


def test_the_district_withdraws_its_own_referral(make_signed_in_client):
    referral = make_referral()
    transition(make_signed_in_client(referral.submitted_by), referral, ReferralStatus.WITHDRAWN, "Barnet har flyttat.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.ended_at is not None


def test_the_transition_url_takes_only_post(bris):
    referral = make_referral()
    assert bris.get(reverse("referrals:transition", kwargs={"public_id": referral.public_id})).status_code == 405


def test_anonymous_visitors_are_sent_to_login(client):
    referral = make_referral()
    response = client.get(detail_url(referral))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert str(referral.public_id) not in response["Location"] or "next=" in response["Location"]


def test_unknown_and_malformed_ids_are_404(bris):
    assert bris.get("/anmalningar/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert bris.get("/anmalningar/inte-ett-id/").status_code == 404
    assert Referral.objects.count() == 0


def test_bris_is_offered_no_consent_actions_which_belong_to_the_district(bris, make_signed_in_client):
    referral = make_referral(consents=1)
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.READY)  # visible with guardians
    html = main_html(bris.get(detail_url(referral)))
    assert "/samtycke/" not in html
    district_html = main_html(make_signed_in_client(referral.submitted_by).get(detail_url(referral)))
    assert "aterkalla/" in district_html
    assert "Registrera samtycke från" in district_html
