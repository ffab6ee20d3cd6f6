import csv
import datetime
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from citywide.exports import NATIONAL_COLUMNS
from coordination.models import Participant, PublicInterest
from partnership.models import Role, TargetGroup
from referrals.models import ChildIdentity, Guardian, Referral
from tests.citywide.factories import group, place, referrals
from tests.factories import district, make_referral, make_user

pytestmark = pytest.mark.django_db

CSV_URL = reverse("citywide:national_csv")
PACKAGE_URL = reverse("citywide:national_datapackage")


def _seed_people():
    """Children with names, identity numbers, foster homes, guardians and case officers (through
    the real referral service), placed in running groups; a provider's participants and a public
    interest with names and contacts."""
    start = timezone.localdate() - datetime.timedelta(days=20)
    held = group(district_name="Farsta", starts_on=start)
    children = [
        make_referral(first_name=name, district_name="Farsta", age=age)
        for name, age in (("Alva", 8), ("Bosse", 9), ("Cilla", 11), ("Dante", 12), ("Elsa", 14), ("Filip", 15))
    ]
    place(held, children, on=start - datetime.timedelta(days=10))
    other = group(target_code="parental_mental_illness", district_name="Bromma", starts_on=start)
    recorder = make_user(Role.OPERATIONS_MANAGER)
    for index in range(3):
        Participant.objects.create(
            group=other,
            child_first_name=f"Greta{index}",
            child_age=10,
            custodian_name=f"Vårdnadshavare Gretason{index}",
            custodian_contact=f"greta{index}@example.se",
            consent_on=start,
            consent_how="written",
            recorded_by=recorder,
        )
    PublicInterest.objects.create(
        sender_role="custodian",
        child_first_name="Hugo",
        child_age=9,
        district=district("Bromma"),
        target_group=TargetGroup.objects.get(code="parental_mental_illness"),
        contact_name="Ingrid Hugomamma",
        contact="073-999 88 77",
        lapses_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    return children


def _personal_strings() -> set[str]:
    strings = set()
    for identity in ChildIdentity.objects.all():
        strings |= {
            identity.first_name,
            identity.last_name,
            identity.identity_number,
            identity.identity_number.replace("-", ""),
            identity.identity_number.replace("-", "")[2:],  # the ten-digit form
            identity.foster_home_name,
            identity.foster_contact_person,
            identity.foster_phone,
        }
    for guardian in Guardian.objects.all():
        strings |= {guardian.name, guardian.phone}
    for referral in Referral.objects.all():
        strings |= {
            referral.case_officer_name,
            referral.case_officer_phone,
            referral.case_officer_email,
            referral.pseudonym,
        }
    for participant in Participant.objects.all():
        strings |= {participant.child_first_name, participant.custodian_name, participant.custodian_contact}
    for interest in PublicInterest.objects.all():
        strings |= {interest.child_first_name, interest.contact_name, interest.contact, interest.receipt_number}
    for user in get_user_model().objects.all():
        strings |= {user.username, user.email, user.first_name, user.last_name, user.get_full_name()}
    return {value for value in strings if value and len(value) >= 3}


def test_the_national_statistics_hold_no_personal_data(make_signed_in_client, coordinator):
    _seed_people()
    response = make_signed_in_client(coordinator).get(CSV_URL)
    assert response.status_code == 200
    content = response.content.decode("utf-8")
    personal = _personal_strings()
    assert len(personal) > 30  # the check has something to find
    leaks = sorted(value for value in personal if value.lower() in content.lower())
    assert leaks == []
    # Not even a child's birth date in any form.
    for identity in ChildIdentity.objects.all():
        assert identity.birth_date.isoformat() not in content


def test_the_schema_describes_the_csv_and_every_value_fits_it(make_signed_in_client, coordinator):
    _seed_people()
    signed_in = make_signed_in_client(coordinator)
    package = json.loads(signed_in.get(PACKAGE_URL).content)
    assert package["profile"] == "tabular-data-package"
    resource = package["resources"][0]
    assert resource["path"].endswith(CSV_URL)
    fields = resource["schema"]["fields"]
    rows = list(csv.reader(io.StringIO(signed_in.get(CSV_URL).content.decode("utf-8"))))
    assert rows[0] == [field["name"] for field in fields] == NATIONAL_COLUMNS
    assert len(rows) > 5
    for values in rows[1:]:
        for field, value in zip(fields, values, strict=True):
            if value in resource["schema"]["missingValues"]:
                assert not field.get("constraints", {}).get("required"), field["name"]
                continue
            if field["type"] == "integer":
                int(value)
            elif field["type"] == "number":
                float(value)
            if "enum" in field.get("constraints", {}):
                assert value in field["constraints"]["enum"], (field["name"], value)
    records = [dict(zip(rows[0], values, strict=True)) for values in rows[1:]]
    # Six children of foster care in Farsta this term: the total, the district and the age bands.
    reached = [r for r in records if r["measure"] == "children_reached" and r["target_group"] == "foster_care"]
    total = next(r for r in reached if not r["district"] and not r["age_band"])
    assert total["value"] == "6" and total["suppressed"] == ""
    # Three children in parental mental illness: small, so empty and marked.
    small = [
        r for r in records if r["measure"] == "children_reached" and r["target_group"] == "parental_mental_illness"
    ]
    assert small and all(r["value"] == "" and r["suppressed"] for r in small if r["suppressed"] != "")
    assert any(r["suppressed"] == "small" for r in small)
    # Every suppressed row is empty.
    assert all(r["value"] == "" for r in records if r["suppressed"])
    assert any(r["measure"] == "waiting_median_days" and r["district"] == "Farsta" and r["value"] for r in records)


def test_only_the_coordinator_exports_the_national_statistics(client, make_signed_in_client, coordinator):
    urls = (reverse("citywide:national"), CSV_URL, PACKAGE_URL)
    for url in urls:
        assert client.get(url).status_code == 302
    manager = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    for url in urls:
        assert manager.get(url).status_code == 403
    signed_in = make_signed_in_client(coordinator)
    for url in urls:
        assert signed_in.post(url).status_code == 405
        assert signed_in.get(url).status_code == 200


def test_the_export_query_count_does_not_grow(make_signed_in_client, coordinator, django_assert_max_num_queries):
    signed_in = make_signed_in_client(coordinator)
    signed_in.get(CSV_URL)
    with django_assert_max_num_queries(14) as few:
        signed_in.get(CSV_URL)
    start = timezone.localdate() - datetime.timedelta(days=20)
    for name in ("Farsta", "Bromma", "Skärholmen"):
        place(group(district_name=name, starts_on=start), referrals(6, district_name=name, created=start), on=start)
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(CSV_URL)


def test_districts_and_age_bands_cannot_be_differenced_against_each_other(make_signed_in_client, coordinator):
    """Farsta's 15 children are all of the city's 12 aged 10–12 and 3 younger; Bromma's 10 are
    younger. Each breakdown is safe alone, but Farsta − "10–12" = 3 children (as soon as a reader
    knows that Farsta's group is the one for the older children): the age bands are hidden."""
    start = timezone.localdate() - datetime.timedelta(days=20)
    farsta = group(district_name="Farsta", starts_on=start)
    place(farsta, referrals(12, district_name="Farsta", created=start, age=11), on=start)
    place(farsta, referrals(3, district_name="Farsta", created=start, age=8), on=start)
    place(
        group(district_name="Bromma", starts_on=start),
        referrals(10, district_name="Bromma", created=start, age=8),
        on=start,
    )
    content = make_signed_in_client(coordinator).get(CSV_URL).content.decode("utf-8")
    reached = [
        r
        for r in csv.DictReader(io.StringIO(content))
        if r["measure"] == "children_reached" and r["target_group"] == "foster_care"
    ]
    by_district = {r["district"]: (r["value"], r["suppressed"]) for r in reached if r["district"]}
    assert by_district == {"Farsta": ("15", ""), "Bromma": ("10", "")}
    by_band = {r["age_band"]: (r["value"], r["suppressed"]) for r in reached if r["age_band"]}
    assert by_band["7-9"] == ("", "complementary") and by_band["10-12"] == ("", "complementary")
    total = next(r for r in reached if not r["district"] and not r["age_band"])
    assert total["value"] == "25"
