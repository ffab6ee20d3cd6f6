import csv
import datetime
import io
import statistics

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from citywide.charts import svg_demand_and_places as charts_svg
from citywide.demand import current_term, demand_dashboard, previous_term, term_code
from citywide.models import ReceivedInTerm
from followup.cooperation import term_bounds
from partnership.models import Role, TargetGroup
from referrals.models import InterestRegistration, InterestRegistrationPurge
from tests.citywide.factories import at, group, place, referrals
from tests.factories import district, make_user

pytestmark = pytest.mark.django_db

LAST_TERM = previous_term(current_term())
LAST_START, LAST_END = term_bounds(*LAST_TERM)
MID = LAST_START + datetime.timedelta(days=40)
NOW = at(LAST_END)


def _block(dashboard, code):
    return next(block for block in dashboard.blocks if block.target_group.code == code)


def _row(block, name):
    return next(row for row in block.rows if row.district and row.district.name == name)


def test_waiting_children_with_median_and_90th_percentile_from_the_database():
    # Seven children in Farsta ready on different days: the percentiles are PostgreSQL's
    # percentile_cont (linear interpolation), computed in the database.
    days = [10, 20, 30, 40, 50, 60, 200]
    for waited in days:
        referrals(1, created=LAST_START, ready=LAST_END - datetime.timedelta(days=waited))
    dashboard = demand_dashboard(term=LAST_TERM, now=NOW)
    farsta = _row(_block(dashboard, "foster_care"), "Farsta")
    assert farsta.waiting.count == 7
    # (an hour either way where a day crossed the change to or from summer time)
    assert farsta.waiting_median.value == pytest.approx(statistics.median(days), abs=0.05)
    # percentile_cont(0.9) over 7 values: position 5.4 between 60 and 200.
    assert farsta.waiting_p90.value == pytest.approx(60 + 0.4 * 140, abs=0.05)
    assert farsta.waiting_median.display() == "40"


def test_small_counts_are_suppressed_with_their_complement():
    # Farsta 6 and Bromma 2 of 8: Bromma is small, and Farsta is hidden too, since 8 − 6 = 2.
    referrals(6, district_name="Farsta", created=MID)
    referrals(2, district_name="Bromma", created=MID)
    block = _block(demand_dashboard(term=LAST_TERM, now=NOW), "foster_care")
    farsta, bromma = _row(block, "Farsta"), _row(block, "Bromma")
    assert bromma.referrals.small and bromma.referrals.suppressed
    assert farsta.referrals.complementary
    assert not block.total.referrals.suppressed and block.total.referrals.count == 8
    # The waiting times of two children are hidden as well.
    assert bromma.waiting_median.suppressed
    assert _row(block, "Skärholmen").referrals.count == 0 and not _row(block, "Skärholmen").referrals.suppressed


def test_interests_count_registrations_even_once_purged(coordinator):
    agreement = referrals(5, created=MID)[0].agreement
    registration = InterestRegistration.objects.create(
        agreement=agreement,
        district=district("Farsta"),
        child_first_name="Tindra",
        child_birth_year=2015,
        foster_contact_person="Gunvor",
        foster_phone="070-1",
        recorded_by=coordinator,
    )
    InterestRegistration.objects.filter(pk=registration.pk).update(created_at=at(MID))
    # A registration purged since leaves its anonymous record, which still counts as received.
    InterestRegistrationPurge.objects.create(
        agreement=agreement,
        district=district("Farsta"),
        status_at_purge="rejected",
        registered_on=MID,
        decided_on=MID,
        purged_at=NOW,
        rule="grace_period",
    )
    block = _block(demand_dashboard(term=LAST_TERM, now=NOW), "foster_care")
    farsta = _row(block, "Farsta")
    assert farsta.referrals.count == 5
    assert farsta.interests.count == 2 and farsta.interests.small


def test_districts_without_an_offer_in_an_area():
    group(target_code="parental_mental_illness", district_name="Farsta", starts_on=MID)
    block = _block(demand_dashboard(term=LAST_TERM, now=NOW), "parental_mental_illness")
    missing = {d.name for d in block.districts_without_offer}
    assert "Farsta" not in missing
    assert {"Bromma", "Skärholmen", "Östermalm"} <= missing
    # A group for the whole city is an offer in every district.
    group(target_code="parental_mental_illness", district_name=None, starts_on=MID)
    block = _block(demand_dashboard(term=LAST_TERM, now=NOW), "parental_mental_illness")
    assert block.districts_without_offer == []


def test_places_offered_and_filled_and_the_wait_until_a_place():
    held = group(district_name="Farsta", starts_on=MID)
    children = referrals(6, created=LAST_START)
    place(held, children, on=LAST_START + datetime.timedelta(days=30))
    block = _block(demand_dashboard(term=LAST_TERM, now=NOW), "foster_care")
    farsta = _row(block, "Farsta")
    assert farsta.groups == 1 and farsta.places_offered == 8
    assert farsta.places_filled.count == 6 and farsta.placed.count == 6
    assert farsta.placed_wait_median.value == pytest.approx(30)
    # A cancelled group offers nothing.
    group(district_name="Bromma", starts_on=MID, status="cancelled")
    assert _row(_block(demand_dashboard(term=LAST_TERM, now=NOW), "foster_care"), "Bromma").places_offered == 0


def test_forecast_is_the_mean_of_the_last_three_terms_rounded_up():
    two_back = previous_term(LAST_TERM)
    three_back = previous_term(two_back)
    referrals(9, created=term_bounds(*three_back)[0] + datetime.timedelta(days=10), status="completed")
    referrals(6, created=term_bounds(*two_back)[0] + datetime.timedelta(days=10), status="completed")
    referrals(6, created=MID, status="completed")
    # A term before the three does not count.
    referrals(30, created=term_bounds(*previous_term(three_back))[0], status="completed")
    dashboard = demand_dashboard(term=LAST_TERM, now=NOW)
    assert _row(_block(dashboard, "foster_care"), "Farsta").forecast.count == 7  # ceil(21 / 3)
    assert "medelvärdet" in str(dashboard.forecast_method)


def test_filtering_by_target_group_shows_only_it():
    dashboard = demand_dashboard(
        term=LAST_TERM, target_group=TargetGroup.objects.get(code="violence_in_family"), now=NOW
    )
    assert [block.target_group.code for block in dashboard.blocks] == ["violence_in_family"]


# --- The page ------------------------------------------------------------------------------------


def _url(**query):
    base = reverse("citywide:demand")
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_only_the_coordinator_opens_the_dashboard(client, make_signed_in_client, coordinator):
    assert client.get(_url()).status_code == 302  # anonymous: to the login
    for role in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER, Role.SOCIAL_WORKER):
        user = make_user(role)
        assert make_signed_in_client(user).get(_url()).status_code == 403
        assert make_signed_in_client(user).get(reverse("citywide:demand_export", args=["csv"])).status_code == 403
    signed_in = make_signed_in_client(coordinator)
    assert signed_in.post(_url()).status_code == 405
    response = signed_in.get(_url(termin=term_code(LAST_TERM), malgrupp="parental_mental_illness"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Stadsdelar utan erbjudande" in page
    assert "<svg" in page and "pattern" in page  # the charts, patterned, not colour alone


def test_the_page_query_count_does_not_grow_with_the_data(
    make_signed_in_client, coordinator, django_assert_max_num_queries, settings
):
    settings.CITYWIDE_CACHE_SECONDS = 0  # computed on every request: the computation is measured
    signed_in = make_signed_in_client(coordinator)
    url = _url(termin=term_code(LAST_TERM))
    # One group with a child in the term: the places filled are counted only for a term's groups.
    place(group(district_name="Farsta", starts_on=MID), referrals(1, created=LAST_START), on=MID)
    signed_in.get(url)  # warm the session and the caches of content types, keep the closed terms
    # Session, user, membership and 13 queries of the dashboard, the form's target groups, the menu.
    with django_assert_max_num_queries(24) as small:
        assert signed_in.get(url).status_code == 200
    for name in ("Farsta", "Bromma", "Skärholmen", "Kungsholmen"):
        referrals(7, district_name=name, created=MID, ready=MID)
        held = group(district_name=name, starts_on=MID)
        place(held, referrals(5, district_name=name, created=LAST_START), on=MID)
        group(target_code="violence_in_family", district_name=name, starts_on=MID)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert signed_in.get(url).status_code == 200


def test_the_page_is_kept_a_while_and_says_when_its_figures_were_computed(
    make_signed_in_client, coordinator, django_assert_max_num_queries, settings
):
    settings.CITYWIDE_CACHE_SECONDS = 300
    signed_in = make_signed_in_client(coordinator)
    url = _url(termin=term_code(LAST_TERM))
    referrals(6, district_name="Farsta", created=MID, ready=MID)
    # Close to now (the session stays fresh) and within today (the terms offered stay the same).
    now = timezone.localtime().replace(second=0, microsecond=0)
    start = now if (now + datetime.timedelta(minutes=10)).date() == now.date() else now - datetime.timedelta(minutes=10)
    later_on = start + datetime.timedelta(minutes=6)
    with time_machine.travel(start, tick=False):
        first = signed_in.get(url).content.decode()
        assert f"Siffrorna räknades fram {start:%H:%M} och räknas om efter högst 5 minuter." in first
        referrals(7, district_name="Bromma", created=MID, ready=MID)
        # Kept: the session, the user, the membership, the form's target groups; none of the aggregates.
        with django_assert_max_num_queries(8):
            second = signed_in.get(url).content.decode()
        # Another term is its own page; an invalid choice is never kept.
        assert "räknades fram" in signed_in.get(_url(termin=term_code(current_term()))).content.decode()
        assert "is-invalid" in signed_in.get(_url(termin="1999-x")).content.decode()
    assert _main(second) == _main(first)  # base.html around it is the request's (its CSRF token)
    with time_machine.travel(later_on, tick=False):
        later = signed_in.get(url).content.decode()
    assert f"Siffrorna räknades fram {later_on:%H:%M}" in later and _main(later) != _main(first)


def _main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_dashboard_exports_as_csv_and_excel_with_the_same_suppression(make_signed_in_client, coordinator):
    referrals(6, district_name="Farsta", created=MID)
    referrals(2, district_name="Bromma", created=MID)
    signed_in = make_signed_in_client(coordinator)
    query = f"?termin={term_code(LAST_TERM)}&malgrupp=foster_care"
    response = signed_in.get(reverse("citywide:demand_export", args=["csv"]) + query)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    by_district = {row[2]: row for row in rows[1:]}
    assert by_district["Bromma"][4] == "färre än 5"
    assert by_district["Farsta"][4] == "dold"
    assert by_district["Totalt"][4] == "8"
    response = signed_in.get(reverse("citywide:demand_export", args=["xlsx"]) + query)
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][2] == "Stadsdel"
    assert any(row[2] == "Bromma" and row[4] == "färre än 5" for row in values)
    assert signed_in.get(reverse("citywide:demand_export", args=["pdf"]) + query).status_code == 404


def _received_figures(dashboard):
    rows = [
        (block.name, row.name, row.referrals.count, row.interests.count)
        for block in dashboard.blocks
        for row in block.rows
    ]
    return rows, [(point["label"], point["demand"].count) for point in dashboard.trend]


def test_a_closed_terms_demand_is_counted_once_and_kept_and_the_open_term_is_counted_live(coordinator):
    this_term = current_term()
    referrals(7, created=MID, status="completed")  # the last term: closed
    referrals(3, district_name="Bromma", created=term_bounds(*previous_term(LAST_TERM))[0], status="completed")
    referrals(2, created=timezone.localdate())  # this term: open
    live = _received_figures(demand_dashboard(term=this_term, now=NOW))

    kept = {(row.year, row.term) for row in ReceivedInTerm.objects.all()}
    assert LAST_TERM in kept and previous_term(LAST_TERM) in kept
    assert this_term not in kept  # still receiving
    assert _received_figures(demand_dashboard(term=this_term, now=NOW)) == live  # the same, from what was kept

    # What the open term receives shows at once; a kept term is not counted again.
    referrals(4, created=timezone.localdate())
    with CaptureQueriesContext(connection) as queries:
        dashboard = demand_dashboard(term=this_term, now=NOW)
    assert _row(_block(dashboard, "foster_care"), "Farsta").referrals.count == 6
    assert _row(_block(dashboard, "foster_care"), "Farsta").forecast.count == 5  # ceil((0 + 7 + 6) / 3)
    assert not any("INSERT" in query["sql"] for query in queries.captured_queries)


def test_kept_terms_are_filtered_by_target_group_as_live_ones():
    referrals(5, created=MID, status="completed")
    referrals(6, target_code="violence_in_family", created=MID, status="completed")
    demand_dashboard(term=LAST_TERM, now=NOW)  # counts and keeps the closed terms
    violence = TargetGroup.objects.get(code="violence_in_family")
    dashboard = demand_dashboard(term=LAST_TERM, target_group=violence, now=NOW)
    assert [block.target_group.code for block in dashboard.blocks] == ["violence_in_family"]
    assert _row(dashboard.blocks[0], "Farsta").referrals.count == 6
    assert dashboard.trend[-1]["demand"].count == 6  # the chart sums only the chosen target group


@pytest.mark.parametrize("half", ["spring", "autumn"])
def test_the_chosen_terms_demand_and_places_count_in_either_half_of_the_year(half):
    """The six terms were sorted as text ("autumn" before "spring"), so for an autumn term the
    window ended in June: its own referrals and groups were left out."""
    term = (timezone.localdate().year - 1, half)
    start, _end = term_bounds(*term)
    referrals(6, created=start + datetime.timedelta(days=20), status="completed")
    group(district_name="Farsta", starts_on=start + datetime.timedelta(days=30))
    dashboard = demand_dashboard(term=term, now=NOW)
    farsta = _row(_block(dashboard, "foster_care"), "Farsta")
    assert (farsta.referrals.count, farsta.groups) == (6, 1)
    assert dashboard.trend[-1]["demand"].count == 6 and dashboard.trend[-1]["places"] == 8


# --- Differencing between the page's tables ------------------------------------------------------


def _waiting(dashboard, name):
    return next(count for district, _median, _p90, count in dashboard.waiting_by_district if district == name)


def test_the_waiting_per_district_hides_what_the_blocks_hide():
    """Farsta 3 and Bromma 7 of foster care's 19 waiting are hidden in the block (Bromma as the
    complement). The waiting per district must not show Bromma's 7 (19 − 9 − 7 = Farsta's 3), nor
    Farsta's 3 + 10 of violence in the family (13 − 10 = 3) when every target group is shown."""
    referrals(3, district_name="Farsta", created=MID)
    referrals(7, district_name="Bromma", created=MID)
    referrals(9, district_name="Skärholmen", created=MID)
    referrals(10, district_name="Farsta", target_code="violence_in_family", created=MID)
    foster = TargetGroup.objects.get(code="foster_care")
    only_foster = demand_dashboard(term=LAST_TERM, target_group=foster, now=NOW)
    assert _row(only_foster.blocks[0], "Bromma").waiting.complementary
    assert _waiting(only_foster, "Bromma").suppressed and _waiting(only_foster, "Farsta").suppressed
    assert _waiting(only_foster, "Skärholmen").count == 9 and not _waiting(only_foster, "Skärholmen").suppressed
    every = demand_dashboard(term=LAST_TERM, now=NOW)
    assert _waiting(every, "Farsta").count == 13 and _waiting(every, "Farsta").complementary
    assert not _waiting(every, "Skärholmen").suppressed
    (farsta_median,) = [median for name, median, _p90, _count in every.waiting_by_district if name == "Farsta"]
    assert farsta_median.suppressed  # hidden with its count


def test_the_charts_demand_is_hidden_when_it_would_give_a_hidden_total_away():
    # Foster care received 3 (a small total, hidden), violence in the family 8: the chart's 11
    # less the 8 shown would be the 3.
    referrals(3, district_name="Farsta", created=MID)
    referrals(8, district_name="Farsta", target_code="violence_in_family", created=MID)
    group(district_name="Farsta", starts_on=MID)  # 8 places offered in the term
    trend = demand_dashboard(term=LAST_TERM, now=NOW).trend
    demand = trend[-1]["demand"]
    assert demand.count == 11 and demand.complementary and trend[-1]["places"] == 8
    # The hidden 11 does not set the chart's scale: the 8 places are the longest bar (180 high),
    # not 8/11 of it, from which the 11 could be read back.
    chart = charts_svg(trend)
    assert 'height="180"' in chart and ">11<" not in chart


def test_the_charts_demand_shows_when_it_is_the_sum_of_shown_totals():
    referrals(6, district_name="Farsta", created=MID)
    referrals(8, district_name="Farsta", target_code="violence_in_family", created=MID)
    demand = demand_dashboard(term=LAST_TERM, now=NOW).trend[-1]["demand"]
    assert demand.count == 14 and not demand.suppressed
