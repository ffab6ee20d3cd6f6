"""District contact lists: import from CSV or Excel with a preview and per-row errors, export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from openpyxl import Workbook, load_workbook

from followup.models import DistrictContact
from partnership.models import District, Role
from tests.factories import confirmed_totp_device, district, make_user

pytestmark = pytest.mark.django_db

CSV_WITH_BAD_ROWS = (
    "stadsdel;namn;funktion;e-post;telefon\n"
    "Farsta;Anna Andersson;Enhetschef;anna@example.se;08-111\n"
    "Gotham;Bruce Wayne;Socialsekreterare;bruce@example.se;\n"
    "Bromma;Cecilia Berg;Handläggare;inte-en-adress;\n"
    "bromma;David Dahl;Handläggare;david@example.se;\n"
)


@pytest.fixture
def coordinator_client(make_signed_in_client):
    return make_signed_in_client(make_user(Role.COORDINATOR))


def upload(client, name, content):
    return client.post(reverse("followup:contact_import"), {"file": SimpleUploadedFile(name, content)})


def test_bad_rows_are_reported_per_row_and_nothing_is_imported_before_confirming(coordinator_client):
    response = upload(coordinator_client, "lista.csv", CSV_WITH_BAD_ROWS.encode())
    assert response.status_code == 302

    preview = coordinator_client.get(response["Location"]).content.decode()
    assert "Okänd stadsdel: ”Gotham”." in preview
    assert "Ogiltig e-postadress: ”inte-en-adress”." in preview
    assert "Importera 2 giltiga rader" in preview
    assert not DistrictContact.objects.exists()

    done = coordinator_client.post(response["Location"])
    assert done.status_code == 302
    assert sorted(DistrictContact.objects.values_list("email", "district__name")) == [
        ("anna@example.se", "Farsta"),
        ("david@example.se", "Bromma"),
    ]
    # Confirming twice imports nothing more.
    again = coordinator_client.post(response["Location"])
    assert "redan importerad" in again.content.decode()
    assert DistrictContact.objects.count() == 2


def test_a_known_address_is_updated_rather_than_duplicated(coordinator_client):
    DistrictContact.objects.create(district=district("Farsta"), name="Anna A", role="Chef", email="anna@example.se")
    response = upload(coordinator_client, "lista.csv", CSV_WITH_BAD_ROWS.encode())
    coordinator_client.post(response["Location"])
    contact = DistrictContact.objects.get(email="anna@example.se")
    assert (contact.name, contact.role) == ("Anna Andersson", "Enhetschef")


def test_an_excel_file_is_read_the_same_way(coordinator_client):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Stadsdel", "Namn", "Funktion", "E-post", "Telefon"])
    sheet.append(["Södermalm", "Eva Ek", "Handläggare", "eva@example.se", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(coordinator_client, "lista.xlsx", buffer.getvalue())
    coordinator_client.post(response["Location"])
    assert DistrictContact.objects.get().district.name == "Södermalm"


def test_a_file_without_the_columns_is_refused_beside_the_field(coordinator_client):
    response = upload(coordinator_client, "lista.csv", b"a;b\n1;2\n")
    assert response.status_code == 200
    assert "Kolumner saknas i första raden" in response.content.decode()


def test_another_coordinators_import_is_not_found(coordinator_client):
    response = upload(coordinator_client, "lista.csv", CSV_WITH_BAD_ROWS.encode())
    # The same browser signed in as another coordinator: an import is only its uploader's.
    other = make_user(Role.COORDINATOR)
    coordinator_client.force_login(other)
    session = coordinator_client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_totp_device(other).persistent_id
    session.save()
    assert coordinator_client.get(response["Location"]).status_code == 404


def test_the_list_exports_as_csv_and_excel(coordinator_client):
    DistrictContact.objects.create(district=district("Farsta"), name="Åsa Öberg", role="Chef", email="asa@example.se")
    csv_response = coordinator_client.get(reverse("followup:contact_export", kwargs={"file_format": "csv"}))
    assert "Åsa Öberg" in csv_response.content.decode("utf-8-sig")
    xlsx_response = coordinator_client.get(reverse("followup:contact_export", kwargs={"file_format": "xlsx"}))
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert [cell.value for cell in sheet[2]][:2] == ["Farsta", "Åsa Öberg"]
    assert coordinator_client.get(reverse("followup:contact_export", kwargs={"file_format": "pdf"})).status_code == 404


# --- Every kind of contact (issue 15) --------------------------------------------------------------

CSV_ACROSS_THE_CITY = (
    "typ;organisation;stadsdel;namn;funktion;e-post;telefon\n"
    "skola;Farsta grundskola;Farsta;Sara Skog;Kurator;sara@example.se;\n"
    "vård;Ungdomsmottagningen Söder;;Hugo Holm;Barnmorska;hugo@example.se;08-222\n"
    "region;BUP Stockholm;;Rita Ros;Psykolog;rita@example.se;\n"
    "Verksamhet;Ersta Vändpunkten;;Vera Vik;Gruppledare;vera@example.se;\n"
    ";;Bromma;Dan Dal;Enhetschef;dan@example.se;\n"
    "kyrka;Församlingen;;Kim Kyrk;Diakon;kim@example.se;\n"
    "stadsdel;;;Sam Utan;Handläggare;sam@example.se;\n"
    f"annan;Föreningen;;{'N' * 201};Ordförande;lang@example.se;\n"
    "skola;Okänd skola;Gotham;Gus Gott;Rektor;gus@example.se;\n"
)


def test_every_kind_of_contact_is_imported_with_its_organisation(coordinator_client):
    response = upload(coordinator_client, "lista.csv", CSV_ACROSS_THE_CITY.encode())
    preview = coordinator_client.get(response["Location"]).content.decode()
    assert "Okänd typ av kontakt: ”kyrka”. Använd en av: stadsdel, skola, vård, region, verksamhet, annan." in preview
    assert "Stadsdel saknas: en kontakt på en stadsdel behöver sin stadsdel." in preview
    assert "För lång text i kolumnen namn: högst 200 tecken." in preview
    assert "Okänd stadsdel: ”Gotham”." in preview
    assert "Importera 5 giltiga rader" in preview
    assert not DistrictContact.objects.exists()

    coordinator_client.post(response["Location"])
    assert sorted(DistrictContact.objects.values_list("email", "kind", "organisation", "district__name")) == [
        ("dan@example.se", "district", "", "Bromma"),
        ("hugo@example.se", "health_care", "Ungdomsmottagningen Söder", None),
        ("rita@example.se", "county", "BUP Stockholm", None),
        ("sara@example.se", "school", "Farsta grundskola", "Farsta"),
        ("vera@example.se", "provider", "Ersta Vändpunkten", None),
    ]


def test_a_known_address_takes_its_new_kind(coordinator_client):
    DistrictContact.objects.create(district=district("Farsta"), name="Sara", role="Chef", email="sara@example.se")
    response = upload(coordinator_client, "lista.csv", CSV_ACROSS_THE_CITY.encode())
    coordinator_client.post(response["Location"])
    contact = DistrictContact.objects.get(email="sara@example.se")
    assert (contact.kind, contact.organisation, contact.role) == ("school", "Farsta grundskola", "Kurator")


def test_nothing_is_imported_when_a_district_closed_after_the_preview(coordinator_client):
    response = upload(coordinator_client, "lista.csv", CSV_ACROSS_THE_CITY.encode())
    District.objects.filter(name="Bromma").update(is_active=False)
    refused = coordinator_client.post(response["Location"])
    assert "En stadsdel i listan finns inte längre. Förhandsgranska filen igen." in refused.content.decode()
    # Not the other four valid rows either: the list is imported whole or not at all.
    assert not DistrictContact.objects.exists()


def test_a_file_without_kind_or_district_column_is_refused(coordinator_client):
    response = upload(coordinator_client, "lista.csv", b"namn;funktion;e-post\nA;B;a@example.se\n")
    assert response.status_code == 200
    assert "Kolumner saknas i första raden: stadsdel." in response.content.decode()


def test_an_exported_list_imports_again_as_it_was(coordinator_client):
    response = upload(coordinator_client, "lista.csv", CSV_ACROSS_THE_CITY.encode())
    coordinator_client.post(response["Location"])
    before = sorted(DistrictContact.objects.values_list("email", "kind", "organisation", "district_id", "name"))
    exported = coordinator_client.get(reverse("followup:contact_export", kwargs={"file_format": "xlsx"})).content
    DistrictContact.objects.all().delete()
    again = upload(coordinator_client, "lista.xlsx", exported)
    coordinator_client.post(again["Location"])
    assert sorted(DistrictContact.objects.values_list("email", "kind", "organisation", "district_id", "name")) == before
