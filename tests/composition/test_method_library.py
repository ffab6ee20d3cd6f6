"""The method library: methods with manual versions, which groups follow which, areas without a manual."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from groups import methods
from groups.models import Method
from partnership.models import Role, TargetGroup
from tests.coordination.factories import make_provider_world
from tests.factories import make_agreement, make_group, make_user
from tests.history import changes_of

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


# --- Changing and retiring a method --------------------------------------------------------------


def _details(method, **changes):
    details = {
        "name": method.name,
        "target_group": method.target_group,
        "min_age": method.min_age,
        "max_age": method.max_age,
        "format": method.format,
        "description": method.description,
        "origin": method.origin,
    }
    return {**details, **changes}


def test_the_coordinator_changes_a_method_and_its_history_keeps_who_and_what(coordinator, cap):
    changed = methods.method_update(
        method=cap, by=coordinator, **_details(cap, name=" CAP ", max_age=13, description="Reviderad 2026.")
    )
    changed.refresh_from_db()
    assert (changed.name, changed.max_age, changed.description) == ("CAP", 13, "Reviderad 2026.")
    (rename,) = changes_of(changed, "name")[1:]  # after the creation
    assert (rename.old, rename.new, rename.by) == ("CAP – Children Are People too", "CAP", coordinator)
    assert [(c.old, c.new) for c in changes_of(changed, "max_age")][1:] == [(12, 13)]


def test_a_change_keeps_the_rules_of_a_new_method(coordinator, cap):
    other = methods.method_create(
        name="Trappan", target_group=cap.target_group, min_age=7, max_age=12, format="8 träffar", by=coordinator
    )
    with pytest.raises(ValidationError, match="redan en metod med det namnet"):
        methods.method_update(method=other, by=coordinator, **_details(other, name="cap – children are people too"))
    with pytest.raises(ValidationError, match="Högsta ålder"):
        methods.method_update(method=other, by=coordinator, **_details(other, min_age=13))
    # Its own name, differently written, is no clash.
    methods.method_update(method=other, by=coordinator, **_details(other, name="TRAPPAN"))


def test_a_methods_area_cannot_move_away_from_the_groups_that_follow_it(coordinator, cap):
    _provider, arrangement, manager, leader = make_provider_world()  # Ersta: substance misuse
    group = make_group(agreement=arrangement, leaders=[leader], manager=manager)
    methods.group_method_set(group=group, method=cap, by=manager)
    mental_illness = TargetGroup.objects.get(code="parental_mental_illness")
    with pytest.raises(ValidationError, match="Grupper i en annan målgrupp följer metoden"):
        methods.method_update(method=cap, by=coordinator, **_details(cap, target_group=mental_illness))
    cap.refresh_from_db()
    assert cap.target_group.code == "parental_substance_misuse"
    # A method no group follows may move to another area.
    unused = methods.method_create(
        name="Ny metod", target_group=cap.target_group, min_age=7, max_age=12, format="8 träffar", by=coordinator
    )
    moved = methods.method_update(method=unused, by=coordinator, **_details(unused, target_group=mental_illness))
    assert moved.target_group == mental_illness


def test_a_retired_method_stays_with_its_groups_and_no_other_group_can_choose_it(coordinator, cap):
    _provider, arrangement, manager, leader = make_provider_world()
    following = make_group(agreement=arrangement, leaders=[leader], manager=manager)
    other = make_group(agreement=arrangement, leaders=[leader], manager=manager, name="Andra gruppen", weekday=3)
    methods.group_method_set(group=following, method=cap, by=manager)
    manual(cap, coordinator)
    assert "parental_substance_misuse" not in {tg.code for tg in methods.target_groups_without_manual()}

    methods.method_retire(method=cap, by=coordinator)
    cap.refresh_from_db()
    assert cap.retired_on == timezone.localdate()
    assert [(c.old, c.new, c.by) for c in changes_of(cap, "retired_on")] == [
        (None, str(timezone.localdate()), coordinator)
    ]
    # Never deleted: the group that followed it still names it, and the database refuses a delete.
    following.refresh_from_db()
    assert following.method == cap and list(methods.groups_following(cap)) == [following]
    with pytest.raises(ProtectedError):
        cap.delete()
    # No other group may choose it; the one that names it may keep it.
    assert list(methods.methods_offered_to(other)) == []
    assert list(methods.methods_offered_to(following)) == [cap]
    with pytest.raises(ValidationError, match="avvecklad"):
        methods.group_method_set(group=other, method=cap, by=manager)
    methods.group_method_set(group=following, method=cap, by=manager)
    # A retired method's manual no longer covers its area.
    assert "parental_substance_misuse" in {tg.code for tg in methods.target_groups_without_manual()}
    with pytest.raises(ValidationError, match="redan avvecklad"):
        methods.method_retire(method=cap, by=coordinator)

    methods.method_reinstate(method=cap, by=coordinator)
    assert list(methods.methods_offered_to(other)) == [cap]


def test_the_coordinator_edits_and_retires_a_method_on_its_pages(make_signed_in_client, coordinator, cap):
    client = make_signed_in_client(coordinator)
    detail = client.get(reverse("methods:detail", args=[cap.public_id])).content.decode()
    assert reverse("methods:edit", args=[cap.public_id]) in detail and "Avveckla metoden" in detail
    edit = reverse("methods:edit", args=[cap.public_id])
    form = client.get(edit).content.decode()
    assert 'value="CAP – Children Are People too"' in form
    posted = {
        "name": "CAP",
        "target_group": cap.target_group.pk,
        "min_age": 7,
        "max_age": 12,
        "format": "10 träffar",
        "description": "Ny beskrivning",
    }
    refused = client.post(edit, {**posted, "min_age": 14})
    assert refused.status_code == 200 and "Högsta ålder kan inte vara lägre" in refused.content.decode()
    response = client.post(edit, posted)
    assert response.url == reverse("methods:detail", args=[cap.public_id])
    cap.refresh_from_db()
    assert (cap.name, cap.format, cap.description) == ("CAP", "10 träffar", "Ny beskrivning")

    response = client.post(reverse("methods:retire", args=[cap.public_id]))
    assert response.url == reverse("methods:detail", args=[cap.public_id])
    cap.refresh_from_db()
    assert cap.retired_on is not None
    library = client.get(reverse("methods:library")).content.decode()
    assert "Avvecklad" in library
    detail = client.get(reverse("methods:detail", args=[cap.public_id])).content.decode()
    assert "Ta i bruk igen" in detail
    client.post(reverse("methods:reinstate", args=[cap.public_id]))
    cap.refresh_from_db()
    assert cap.retired_on is None


def test_who_may_edit_and_retire_a_method(client, make_signed_in_client, coordinator, cap):
    edit, retire = reverse("methods:edit", args=[cap.public_id]), reverse("methods:retire", args=[cap.public_id])
    # Anonymous: to the login.
    assert reverse("login") in client.get(edit).url and reverse("login") in client.post(retire).url
    # Everyone else who reads the library: 403, and nothing on the detail page offers it.
    for role in (Role.OPERATIONS_MANAGER, Role.GROUP_LEADER, Role.SOCIAL_WORKER):
        other = make_signed_in_client(make_user(role))
        assert other.get(edit).status_code == 403
        assert other.post(edit, {"name": "x"}).status_code == 403
        assert other.post(retire).status_code == 403
        assert "Ändra metoden" not in other.get(reverse("methods:detail", args=[cap.public_id])).content.decode()
    cap.refresh_from_db()
    assert cap.retired_on is None and cap.name == "CAP – Children Are People too"
    signed_in = make_signed_in_client(coordinator)
    # A method that does not exist: 404; retiring takes only POST.
    assert signed_in.get(reverse("methods:edit", args=[uuid.uuid4()])).status_code == 404
    assert signed_in.post(reverse("methods:retire", args=[uuid.uuid4()])).status_code == 404
    assert signed_in.get(retire).status_code == 405


def test_a_group_is_offered_only_the_methods_in_use(make_signed_in_client, coordinator, cap):
    _provider, arrangement, manager, leader = make_provider_world()
    group = make_group(agreement=arrangement, leaders=[leader], manager=manager)
    retired = methods.method_create(
        name="Gammal metod", target_group=cap.target_group, min_age=7, max_age=12, format="8 träffar", by=coordinator
    )
    methods.method_retire(method=retired, by=coordinator)
    client = make_signed_in_client(manager)
    page = client.get(reverse("methods:group_method", args=[group.public_id])).content.decode()
    assert "CAP – Children Are People too" in page and "Gammal metod" not in page
    response = client.post(reverse("methods:group_method", args=[group.public_id]), {"method": retired.pk})
    assert response.status_code == 200
    group.refresh_from_db()
    assert group.method is None
