"""City-wide information work: contacts of every kind, and the "planned groups" mailing built from
the public page's data, sent through the background-job pipeline."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from coordination.models import PlannedGroupsMail
from followup.information import district_contact_save
from partnership.models import BackgroundJob, Role
from tests.coordination.factories import make_provider_world, publish
from tests.factories import district, make_agreement, make_group, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_contacts_of_every_kind_and_the_planned_groups_mailing(
    make_signed_in_client, django_capture_on_commit_callbacks
):
    make_agreement()
    _provider, grant, manager, leader = make_provider_world()
    group = make_group(agreement=grant, leaders=[leader], manager=manager, name="CAP-gruppen", min_age=7, max_age=12)
    publish(group, how_to_join="Ring oss.")
    make_group(agreement=grant, leaders=[leader], manager=manager, name="Opublicerad", weekday=2)
    district_contact_save(district=district("Farsta"), name="Sara Stadsdel", role="Enhetschef", email="sara@farsta.se")
    district_contact_save(
        district=None,
        kind="school",
        organisation="Farsta skola",
        name="Olle Kurator",
        role="Kurator",
        email="olle@skola.se",
    )
    district_contact_save(
        district=None, kind="county", organisation="BUP", name="Rita Region", role="Psykolog", email="rita@region.se"
    )
    coordinator = make_user(Role.COORDINATOR)
    http = make_signed_in_client(coordinator)
    contacts = http.get(reverse("followup:contacts")).content.decode()
    assert "Farsta skola" in contacts and "Skola, förskola, elevhälsa" in contacts
    page = http.get(reverse("coordination:mailing")).content.decode()
    assert "CAP-gruppen" in page and "Opublicerad" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("coordination:mailing"),
            {"subject": "Planerade grupper", "intro": "Hej!", "contact_kind": ""},
        )
    assert response.status_code == 302
    assert PlannedGroupsMail.objects.count() == 3
    assert BackgroundJob.objects.filter(kind="coordination.planned_groups_mail", state="done").count() == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["olle@skola.se", "rita@region.se", "sara@farsta.se"]
    body = mail.outbox[0].body
    assert "CAP-gruppen – Ersta diakoni, Vändpunkten" in body and "Ring oss." in body and "Hej!" in body
    assert "Opublicerad" not in body and leader.last_name not in body
    assert "/stodgrupper/" in body
    # Only the schools, this time.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        http.post(reverse("coordination:mailing"), {"subject": "Till skolorna", "intro": "", "contact_kind": "school"})
    assert [message.to for message in mail.outbox] == [["olle@skola.se"]]


def test_a_district_contact_still_needs_its_district(db):
    with pytest.raises(Exception, match="Välj stadsdel"):
        district_contact_save(district=None, name="X", role="Y", email="x@example.se")


def test_only_the_coordinator_mails(make_signed_in_client):
    make_agreement()
    for role in (Role.OPERATIONS_MANAGER, Role.GROUP_LEADER, Role.SOCIAL_WORKER):
        assert make_signed_in_client(make_user(role)).get(reverse("coordination:mailing")).status_code == 403
