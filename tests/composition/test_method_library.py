"""The method library: methods with manual versions, which groups follow which, areas without a manual."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groups import methods
from groups.models import Method
from partnership.models import Role, TargetGroup
from tests.coordination.factories import make_provider_world
from tests.factories import make_agreement, make_group, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 manual"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cap(coordinator):
    make_agreement()  # the reference data
    return methods.method_create(
        name="CAP – Children Are People too",
        target_group=TargetGroup.objects.get(code="parental_substance_misuse"),
        min_age=7,
        max_age=12,
        format="10 träffar om 1,5 timmar",
        origin="USA; svensk version 1989",
        by=coordinator,
    )


def manual(method, by, version="1.0"):
    return methods.method_manual_add(
        method=method,
        version=version,
        published_on=datetime.date(2026, 1, 15),
        document=SimpleUploadedFile("cap.pdf", PDF, content_type="application/pdf"),
        by=by,
    )


def test_areas_without_a_manual_are_the_ones_whose_methods_have_none(coordinator, cap):
    assert "parental_substance_misuse" in {tg.code for tg in methods.target_groups_without_manual()}
    manual(cap, coordinator)
    codes = {tg.code for tg in methods.target_groups_without_manual()}
    assert "parental_substance_misuse" not in codes
    assert {"parental_mental_illness", "violence_in_family", "foster_care"} <= codes


def test_a_version_is_added_once_and_the_old_ones_stay(coordinator, cap):
    manual(cap, coordinator, "1.0")
    manual(cap, coordinator, "2.0")
    with pytest.raises(Exception, match="versionen finns redan"):
        manual(cap, coordinator, "2.0")
    assert list(cap.manuals.values_list("version", flat=True)) == ["2.0", "1.0"]


def test_a_group_follows_a_method_of_its_own_target_group_only(coordinator, cap):
    _provider, arrangement, manager, leader = make_provider_world()  # Ersta: substance misuse
    group = make_group(agreement=arrangement, leaders=[leader], manager=manager)
    methods.group_method_set(group=group, method=cap, by=manager)
    group.refresh_from_db()
    assert group.method == cap
    assert list(methods.groups_following(cap)) == [group]
    iop_group = make_group()
    with pytest.raises(Exception, match="annan målgrupp"):
        methods.group_method_set(group=iop_group, method=cap, by=manager)


def test_the_library_page_flags_areas_without_a_manual_and_lists_versions(make_signed_in_client, coordinator, cap):
    manual(cap, coordinator)
    client = make_signed_in_client(make_user(Role.SOCIAL_WORKER))
    page = client.get(reverse("methods:library")).content.decode()
    assert "Områden utan manual" in page
    assert "Barn till föräldrar med psykisk ohälsa" in page
    assert "Version 1.0" in page and "CAP – Children Are People too" in page
    assert "Ny metod" not in page  # the coordinator keeps the library
    download = client.get(reverse("methods:manual_download", args=[cap.manuals.get().public_id]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_coordinator_adds_a_method_and_uploads_a_manual(make_signed_in_client, coordinator):
    make_agreement()
    target = TargetGroup.objects.get(code="parental_mental_illness")
    client = make_signed_in_client(coordinator)
    response = client.post(
        reverse("methods:library"),
        {"name": "Stödgrupp Källan", "target_group": target.pk, "min_age": 7, "max_age": 12, "format": "8 träffar"},
    )
    method = Method.objects.get()
    assert response.url == reverse("methods:detail", args=[method.public_id])
    refused = client.post(
        reverse("methods:detail", args=[method.public_id]),
        {"version": "1", "published_on": "2026-02-01", "document": SimpleUploadedFile("m.exe", b"MZ...")},
    )
    assert refused.status_code == 200 and not method.manuals.exists()
    assert "PDF" in refused.content.decode()
    client.post(
        reverse("methods:detail", args=[method.public_id]),
        {"version": "1", "published_on": "2026-02-01", "document": SimpleUploadedFile("m.pdf", PDF)},
    )
    assert method.manuals.get().version == "1"
    page = client.get(reverse("methods:library")).content.decode()
    assert "Barn till föräldrar med psykisk ohälsa" not in page.split("Områden utan manual")[1].split("</ul>")[0]


def test_the_operations_manager_sets_a_groups_method_and_others_cannot(make_signed_in_client, coordinator, cap):
    _provider, arrangement, manager, leader = make_provider_world()
    group = make_group(agreement=arrangement, leaders=[leader], manager=manager)
    client = make_signed_in_client(manager)
    assert "Välj metod" in client.get(reverse("groups:detail", args=[group.public_id])).content.decode()
    response = client.post(reverse("methods:group_method", args=[group.public_id]), {"method": cap.pk})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.method == cap
    # Bris' manager: another provider's group is a 404; a group leader: 403; a coordinator may
    # not post a new method.
    client = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    assert client.get(reverse("methods:group_method", args=[group.public_id])).status_code == 404
    client = make_signed_in_client(leader)
    assert client.get(reverse("methods:group_method", args=[group.public_id])).status_code == 403
    client = make_signed_in_client(make_user(Role.GROUP_LEADER))
    assert client.post(reverse("methods:library"), {"name": "x"}).status_code == 403


def test_anonymous_goes_to_login(client):
    response = client.get(reverse("methods:library"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_the_library_page_costs_the_same_however_many_methods(
    make_signed_in_client, coordinator, cap, django_assert_max_num_queries
):
    for n in range(5):
        method = methods.method_create(
            name=f"Metod {n}", target_group=cap.target_group, min_age=7, max_age=12, format="8 träffar", by=coordinator
        )
        manual(method, coordinator)
    client = make_signed_in_client(coordinator)
    # session, user and membership, the OTP device, the methods' count and page, their manuals,
    # the areas without a manual: none of them per method.
    with django_assert_max_num_queries(12):
        assert client.get(reverse("methods:library")).status_code == 200
