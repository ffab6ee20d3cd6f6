"""The coordinator sets up an agreement in the app: period, parties, budget lines typed in kronor
(kept in öre), targets and fee. Periods of the same parties never overlap, so every dated record
has exactly one agreement in force."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import urlencode

from finance.models import FinanceAuditEntry
from finance.services import agreement_save, budget_years_create
from partnership.models import Agreement, BudgetLine, Role, TargetGroup
from tests.coordination.factories import make_provider
from tests.factories import SEED_AGREEMENT_PERIOD, bris, make_agreement, make_user

pytestmark = pytest.mark.django_db


def _post(**overrides):
    data = {
        "name": "Stödgrupper 2019–2020",
        "provider": bris().pk,
        "target_group": "",
        "starts_on": "2019-01-01",
        "ends_on": "2020-12-31",
        "target_groups_per_year": "4",
        "target_children_per_year": "40",
        "min_group_size": "5",
        "max_group_size": "8",
        "external_child_fee": "5 000",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "20",
        "lines-0-name": "Personal",
        "lines-0-amount": "678 833",
        "lines-1-name": "Material",
        "lines-1-amount": "8000",
        "lines-2-name": "Mat och dryck",
        "lines-2-amount": "15 000,00",
        "lines-3-name": "Resekostnader",
        "lines-3-amount": "10000",
        "lines-4-name": "",
        "lines-4-amount": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def coordinator():
    make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])  # the reference data too
    return make_user(Role.COORDINATOR)


def _target_group():
    return Agreement.objects.first().target_group_id


def test_the_coordinator_sets_up_an_agreement_with_budget_lines_in_kronor(coordinator, make_signed_in_client):
    client = make_signed_in_client(coordinator)
    page = client.get(reverse("finance:agreement_create")).content.decode()
    assert "Personal" in page and "678" in page  # the current agreement's lines are offered
    response = client.post(reverse("finance:agreement_create"), _post(target_group=_target_group()))
    assert response.status_code == 302
    agreement = Agreement.objects.get(name="Stödgrupper 2019–2020")
    assert (agreement.starts_on, agreement.ends_on) == (datetime.date(2019, 1, 1), datetime.date(2020, 12, 31))
    assert agreement.public_party == coordinator.membership.organisation and agreement.provider == bris()
    assert [(line.name, line.annual_amount_ore) for line in agreement.budget_lines.order_by("position")] == [
        ("Personal", 678_833_00),
        ("Material", 8_000_00),
        ("Mat och dryck", 15_000_00),
        ("Resekostnader", 10_000_00),
    ]
    assert agreement.annual_budget_ore == 711_833_00
    assert agreement.external_child_fee_ore == 5_000_00
    assert FinanceAuditEntry.objects.filter(agreement=agreement, action="agreement_saved").exists()


def test_an_overlapping_period_is_refused_beside_the_date_and_nothing_is_saved(coordinator, make_signed_in_client):
    client = make_signed_in_client(coordinator)
    response = client.post(
        reverse("finance:agreement_create"), _post(target_group=_target_group(), starts_on="2018-07-01")
    )
    assert response.status_code == 200
    assert "överlappar" in response.context["form"].errors["starts_on"][0]
    assert response.context["form"]["name"].value() == "Stödgrupper 2019–2020"
    assert not Agreement.objects.filter(name="Stödgrupper 2019–2020").exists()
    assert BudgetLine.objects.count() == 4  # only the first agreement's


def test_a_bad_amount_is_refused_beside_the_line(coordinator, make_signed_in_client):
    client = make_signed_in_client(coordinator)
    response = client.post(
        reverse("finance:agreement_create"), _post(target_group=_target_group(), **{"lines-1-amount": "8 000,555"})
    )
    assert response.status_code == 200
    assert "decimaler" in str(response.context["lines"].forms[1].errors["amount"])
    assert not Agreement.objects.filter(name="Stödgrupper 2019–2020").exists()


def test_once_the_years_exist_the_period_is_fixed(coordinator, make_signed_in_client):
    agreement = Agreement.objects.first()
    budget_years_create(agreement=agreement, by=coordinator)
    client = make_signed_in_client(coordinator)
    url = reverse("finance:agreement_change", kwargs={"public_id": agreement.public_id})
    response = client.post(
        url,
        _post(
            target_group=_target_group(),
            name=agreement.name,
            starts_on="2017-01-01",
            ends_on="2019-12-31",
        ),
    )
    assert "perioden kan inte ändras" in response.context["form"].errors["starts_on"][0]
    agreement.refresh_from_db()
    assert agreement.ends_on == datetime.date(2018, 12, 31)
    # The targets can still be corrected.
    response = client.post(
        url,
        _post(
            target_group=_target_group(),
            name=agreement.name,
            starts_on="2017-01-01",
            ends_on="2018-12-31",
            target_groups_per_year="5",
        ),
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.target_groups_per_year == 5


def test_only_the_coordinator_sets_up_agreements(coordinator, make_signed_in_client):
    manager = make_user(Role.OPERATIONS_MANAGER)
    assert make_signed_in_client(manager).get(reverse("finance:agreement_create")).status_code == 403


# --- The other kinds of arrangement (issue 15): an operating grant, a district's own groups -----


def _provider(**overrides):
    return make_provider(**overrides)


def _kind_post(**overrides):
    data = {
        "name": "Humlan: Verksamhetsstöd",
        "provider": "",
        "target_group": str(TargetGroup.objects.get(code="violence_in_family").pk),
        "starts_on": "2019-01-01",
        "ends_on": "2020-12-31",
        "grant_amount": "300 000",
        "grant_report_due_on": "2021-03-31",
        "min_group_size": "4",
        "max_group_size": "8",
    }
    data.update(overrides)
    return data


def test_an_operating_grant_has_an_amount_and_no_budget_lines(coordinator, make_signed_in_client):
    humlan = _provider(name="Svenska kyrkan, Humlan", short_name="Humlan")
    client = make_signed_in_client(coordinator)
    url = reverse("finance:agreement_create") + "?samverkansform=operating_grant"
    page = client.get(url).content.decode()
    assert "Verksamhetsstöd per år (kr)" in page and "Personal" not in page  # no IOP budget lines
    response = client.post(url, _kind_post(provider=humlan.pk))
    assert response.status_code == 302
    agreement = Agreement.objects.get(provider=humlan)
    assert agreement.kind == "operating_grant"
    assert (agreement.grant_amount_ore, agreement.grant_report_due_on) == (300_000_00, datetime.date(2021, 3, 31))
    assert not agreement.budget_lines.exists()
    assert agreement.max_group_size == 8 and agreement.external_child_fee_ore == 5_000_00  # the model's default
    entry = FinanceAuditEntry.objects.get(agreement=agreement, action="agreement_saved")
    assert entry.amount_ore == 300_000_00 and "Verksamhetsstöd" in entry.subject


def test_an_operating_grant_without_an_amount_is_refused_beside_the_field(coordinator, make_signed_in_client):
    humlan = _provider(name="Svenska kyrkan, Humlan", short_name="Humlan")
    client = make_signed_in_client(coordinator)
    url = reverse("finance:agreement_create") + "?samverkansform=operating_grant"
    response = client.post(url, _kind_post(provider=humlan.pk, grant_amount=""))
    assert response.status_code == 200
    assert response.context["form"].errors["grant_amount"]
    assert response.context["form"]["name"].value() == "Humlan: Verksamhetsstöd"
    assert not Agreement.objects.filter(provider=humlan).exists()


def test_a_districts_own_groups_have_no_money_and_only_a_district_runs_them(coordinator, make_signed_in_client):
    hagersten = _provider(
        name="Hägersten-Älvsjö stadsdelsförvaltning",
        short_name="Hägersten",
        organisation_type="district",
        district_name="Hägersten-Älvsjö",
    )
    humlan = _provider(name="Svenska kyrkan, Humlan", short_name="Humlan")
    client = make_signed_in_client(coordinator)
    url = reverse("finance:agreement_create") + "?samverkansform=district_own"
    form = client.get(url).context["form"]
    assert "grant_amount" not in form.fields and list(form.fields["provider"].queryset) == [hagersten]
    # Offered only districts; the service says the same if another provider is posted anyway.
    refused = client.post(url, _kind_post(provider=humlan.pk, name="Egna grupper"))
    assert refused.status_code == 200 and refused.context["form"].errors["provider"]
    with pytest.raises(ValidationError, match="drivs av en stadsdelsförvaltning"):
        agreement_save(**_service_values(coordinator, humlan, kind="district_own"))
    response = client.post(url, _kind_post(provider=hagersten.pk, name="Egna grupper"))
    assert response.status_code == 302
    agreement = Agreement.objects.get(provider=hagersten)
    assert (agreement.kind, agreement.grant_amount_ore) == ("district_own", None)
    # Its page says no money moves, and it can be corrected from there.
    overview = client.get(reverse("finance:overview")).content.decode()
    assert "Inga pengar går mellan parterna." in overview
    assert reverse("finance:agreement_change", kwargs={"public_id": agreement.public_id}) in overview


def _service_values(coordinator, provider, **overrides):
    values = {
        "public_party": coordinator.membership.organisation,
        "provider": provider,
        "target_group": TargetGroup.objects.get(code="violence_in_family"),
        "name": "Humlan",
        "starts_on": datetime.date(2019, 1, 1),
        "ends_on": datetime.date(2020, 12, 31),
        "target_groups_per_year": 4,
        "target_children_per_year": 40,
        "min_group_size": 5,
        "max_group_size": 8,
        "external_child_fee_ore": 500_000,
        "budget_lines": [],
        "by": coordinator,
    }
    values.update(overrides)
    return values


def test_an_iop_is_made_with_a_non_profit_and_a_kind_is_kept_for_good(coordinator):
    hagersten = _provider(
        name="Hägersten-Älvsjö stadsdelsförvaltning",
        short_name="Hägersten",
        organisation_type="district",
        district_name="Hägersten-Älvsjö",
    )
    with pytest.raises(ValidationError, match="bara med en idéburen organisation"):
        agreement_save(**_service_values(coordinator, hagersten, budget_lines=[("Personal", 100)]))
    humlan = _provider(name="Svenska kyrkan, Humlan", short_name="Humlan")
    with pytest.raises(ValidationError, match="finns bara i ett IOP"):
        agreement_save(
            **_service_values(
                coordinator, humlan, kind="operating_grant", grant_amount_ore=100, budget_lines=[("Personal", 100)]
            )
        )
    with pytest.raises(ValidationError, match="Bara ett verksamhetsstöd har ett belopp"):
        agreement_save(**_service_values(coordinator, hagersten, kind="district_own", grant_amount_ore=100))
    grant = agreement_save(**_service_values(coordinator, humlan, kind="operating_grant", grant_amount_ore=100))
    with pytest.raises(ValidationError, match="Samverkansformen kan inte ändras"):
        agreement_save(**_service_values(coordinator, humlan, agreement=grant, budget_lines=[("Personal", 100)]))


def test_the_agreement_page_goes_back_only_to_a_page_of_this_site(coordinator, make_signed_in_client):
    humlan = _provider(name="Svenska kyrkan, Humlan", short_name="Humlan")
    client = make_signed_in_client(coordinator)

    def save(year, target):
        query = urlencode({"samverkansform": "operating_grant", "nasta": target})
        data = _kind_post(
            provider=humlan.pk, starts_on=f"{year}-01-01", ends_on=f"{year}-12-31", grant_report_due_on=""
        )
        return client.post(f"{reverse('finance:agreement_create')}?{query}", data)

    assert save(2019, "/samordning/utforare/")["Location"] == "/samordning/utforare/"
    elsewhere = save(2020, "https://evil.example/")["Location"]
    assert elsewhere.startswith(reverse("finance:overview") + "?overenskommelse=")
    assert save(2021, "//evil.example/")["Location"].startswith(reverse("finance:overview"))
