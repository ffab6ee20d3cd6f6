"""The follow-up report: the right figures in the PDF, small cells suppressed, no child named."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from finance.models import Cost
from followup.cooperation import cooperation_meeting_plan
from followup.evaluation import evaluation_answer_set_record
from followup.models import FollowUpReport, InformationMeeting
from followup.report import (
    Count_,
    breakdown_protected,
    followup_report_data,
    render_report_pdf,
    with_complementary_suppression,
)
from partnership.jobs import job_run
from partnership.models import BackgroundJob, Role
from tests.factories import SEED_AGREEMENT_PERIOD, make_agreement, make_user
from tests.finance.helpers import agreement_with_years
from tests.followup.factories import instrument, make_group, place_children
from tests.history import changes_of

pytestmark = pytest.mark.django_db

ITEMS = ["forstar", "prata", "klara", "framat", "viktigt", "inte-ensam"]
NAMES = ["Ronja", "Birk", "Mattis", "Lovis", "Skalle", "Pelle"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def coordinator():
    return make_user(Role.COORDINATOR)


@pytest.fixture
def agreement():
    today = timezone.localdate()
    return make_agreement(starts_on=datetime.date(today.year, 1, 1), ends_on=datetime.date(today.year + 1, 12, 31))


@pytest.fixture
def closed_group(agreement):
    """Six children from Farsta plus two from Bromma (a small cell), before and after answered."""
    leader = make_user(Role.GROUP_LEADER)
    group = make_group(agreement=agreement, leader=leader, name="Vårgruppen")
    children = place_children(group, count=6, first_names=NAMES, age=10)
    place_children(group, count=2, district_name="Bromma", age=14, first_names=["Rumpnisse", "Borka"])
    for index, referral in enumerate(children):
        for moment, value in (("before", 2), ("after", 3 + index % 2)):
            evaluation_answer_set_record(
                group=group,
                instrument=instrument("hur-jag-har-det-barn"),
                moment=moment,
                referral=referral,
                answers=dict.fromkeys(ITEMS, value),
            )
        evaluation_answer_set_record(
            group=group,
            instrument=instrument("gruppen-barn"),
            moment="after",
            referral=referral,
            answers={"trivdes": 5 if index < 5 else 2, "basta": f"Att {NAMES[index]} var med"},
        )
    InformationMeeting.objects.create(
        agreement=agreement,
        starts_at=timezone.now().replace(month=2, day=1),
        held_at=timezone.now().replace(month=2, day=1),
        location="Bris",
        created_by=leader,
    )
    return group


def pdf_text(report) -> str:
    with report.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_report_figures(agreement, closed_group):
    data = followup_report_data(agreement=agreement, year=timezone.localdate().year)

    assert (data.groups_total, data.groups_target, data.children_total, data.children_target) == (1, 4, 8, 40)
    assert {row.label: (row.count, row.suppressed) for row in data.by_district} == {
        "Bromma": (2, True),
        "Farsta": (6, True),  # else Bromma = 8 − 6
    }
    assert [row.complementary for row in data.by_district] == [False, True]
    assert {row.label: row.suppressed for row in data.by_age_band}["13–15"] is True
    assert data.outcomes.children_satisfied.shown == 83
    assert data.information["held"] == 1


def test_the_coordinator_generates_the_pdf_which_holds_the_figures_and_no_child_names(
    client, make_signed_in_client, coordinator, agreement, closed_group, django_capture_on_commit_callbacks
):
    meeting = cooperation_meeting_plan(
        agreement=agreement, meeting_date=timezone.localdate() + datetime.timedelta(days=10), created_by=coordinator
    )
    http = make_signed_in_client(coordinator)
    year = timezone.localdate().year

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("followup:report_generate"), {"year": year, "term": ""})
    report = FollowUpReport.objects.get()
    assert response["Location"] == reverse("followup:report_status", kwargs={"public_id": report.public_id})
    assert report.job.state == BackgroundJob.State.DONE, report.job.error

    text = pdf_text(report)
    assert f"Uppföljningsrapport {year}" in text
    assert "8 barn deltog, mot målet om cirka 40" in text
    assert "1 av målet 4" in text
    assert "Andel nöjda barn och unga 83 %" in text
    assert "+1,5" in text  # mean change per item, six pairs
    assert "Bromma färre än 5" in text  # two children from Bromma: suppressed
    assert "Farsta dold" in text  # and the six from Farsta with them, or 8 − 6 would tell
    assert "Frukostmöten: 1 hållna" in text
    for name in [*NAMES, "Rumpnisse", "Borka"]:
        assert name not in text

    # Attached to the next cooperation meeting's agenda, by the coordinator who asked for it: the
    # background job records the actor in the history as a request would.
    item = meeting.agenda_items.get(report=report)
    assert [change.by for change in changes_of(item, "title")] == [coordinator]

    status_page = http.get(reverse("followup:report_status", kwargs={"public_id": report.public_id}))
    assert "Ladda ner PDF" in status_page.content.decode()
    download = http.get(reverse("followup:report_download", kwargs={"public_id": report.public_id}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_pending_report_polls_and_a_second_run_of_the_job_does_nothing(
    make_signed_in_client, coordinator, agreement, django_capture_on_commit_callbacks
):
    job = BackgroundJob.objects.create(kind="followup.report", key="followup.report:test", requested_by=coordinator)
    report = FollowUpReport.objects.create(
        agreement=agreement, year=agreement.starts_on.year, requested_by=coordinator, job=job
    )
    page = make_signed_in_client(coordinator).get(
        reverse("followup:report_status", kwargs={"public_id": report.public_id}), HTTP_HX_REQUEST="true"
    )
    assert 'data-hx-trigger="every 1s"' in page.content.decode()
    assert "<html" not in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert job_run(job.pk) is not None
    first = BackgroundJob.objects.get(pk=job.pk)
    assert job_run(job.pk) is None
    assert BackgroundJob.objects.get(pk=job.pk).finished_at == first.finished_at
    assert first.state == BackgroundJob.State.DONE


def test_the_report_page_stays_within_a_fixed_number_of_queries(
    make_signed_in_client, coordinator, agreement, closed_group, django_assert_max_num_queries
):
    http = make_signed_in_client(coordinator)
    with django_assert_max_num_queries(30):
        response = http.get(reverse("followup:report"))
    assert response.status_code == 200
    assert "Ronja" not in response.content.decode()


def test_a_term_report_halves_the_yearly_targets_and_counts_only_that_terms_groups(agreement, closed_group):
    year = timezone.localdate().year
    spring = followup_report_data(agreement=agreement, year=year, term="spring")
    autumn = followup_report_data(agreement=agreement, year=year, term="autumn")

    assert (spring.label, spring.groups_total, spring.groups_target, spring.children_target) == (
        f"Vårtermin {year}",
        1,
        2,
        20,
    )
    assert (autumn.groups_total, autumn.children_total, autumn.outcomes.answer_sets) == (0, 0, 0)


def hidden(counts, total=None):
    total = sum(counts) if total is None else total
    cells = with_complementary_suppression([Count_(str(n), count) for n, count in enumerate(counts)], total=total)
    return [cell.suppressed for cell in cells]


def test_a_single_hidden_cell_takes_the_smallest_non_zero_other_with_it():
    assert hidden([3, 9, 6]) == [True, False, True]
    assert hidden([3, 0, 6]) == [True, False, True]  # a hidden 0 would give the 3 away: total − 0
    assert hidden([3, 2, 6]) == [True, True, False]  # 3 + 2 = 5 can be split many ways
    assert hidden([9, 6, 0]) == [False, False, False]


def test_a_total_under_five_is_hidden_with_its_whole_breakdown():
    # One non-zero cell beside zeros: that cell is the total.
    assert hidden([3, 0, 0]) == [True, True, True]
    assert hidden([4]) == [True]
    assert hidden([1, 1, 1, 1, 0]) == [True] * 5  # four 1s of a total under 5 would each be exact
    assert hidden([0, 0]) == [False, False]


def test_no_hidden_cell_can_be_worked_out_from_the_total_and_what_is_shown():
    # Two hidden 4s of a hidden sum of 8 are both 4: a third cell must go too.
    assert hidden([4, 4, 7]) == [True, True, True]
    # "färre än 5" + "dold" summing to 6: a 1 and a 5 is the only way (a hidden cell is 1–4 or ≥ 5).
    assert hidden([1, 5, 10]) == [True, True, True]
    assert hidden([1, 5, 10, 20]) == [True, True, True, False]
    assert hidden([1, 1, 12]) == [True, True, True]  # two hidden 1s summing to 2 are exact


@settings(deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=8))
def test_suppression_never_lets_a_small_count_be_pinned(counts):
    total = sum(counts)
    cells = with_complementary_suppression([Count_(str(n), c) for n, c in enumerate(counts)], total=total)
    assert all(cell.suppressed for cell in cells if 0 < cell.count < 5)
    if not (0 < total < 5) and breakdown_protected(cells, total=total):
        # Brute force over every filling of the hidden cells the reader cannot tell apart.
        hidden_cells = [cell for cell in cells if cell.suppressed]
        remainder = total - sum(cell.count for cell in cells if not cell.suppressed)
        for index, cell in enumerate(hidden_cells):
            if not cell.small:
                continue
            values = {
                value
                for value in range(1, 5)
                if _fillable(remainder - value, [c for i, c in enumerate(hidden_cells) if i != index])
            }
            assert len(values) > 1, (counts, cell)


def _fillable(remainder: int, cells) -> bool:
    """Can these hidden cells (small: 1–4, complementary: ≥ 5) add up to `remainder`?"""
    if not cells:
        return remainder == 0
    first, rest = cells[0], cells[1:]
    options = range(1, 5) if first.small else range(5, remainder + 1)
    return any(_fillable(remainder - value, rest) for value in options if value <= remainder)


def test_a_total_under_five_is_hidden_on_screen_and_in_the_pdf(make_signed_in_client, coordinator, agreement):
    group = make_group(agreement=agreement, leader=make_user(Role.GROUP_LEADER), name="Lillgruppen")
    place_children(group, count=3, first_names=["Ronja", "Birk", "Mattis"], age=10)
    data = followup_report_data(agreement=agreement, year=timezone.localdate().year)

    html = make_signed_in_client(coordinator).get(reverse("followup:report")).content.decode()
    text = " ".join(render_report_pdf_text(data).split())
    for shown in (html, text):
        assert "3 barn deltog" not in shown
        assert "Antalet barn som deltog visas inte" in " ".join(shown.split())
        assert "Farsta 3" not in " ".join(shown.split()) and ">3<" not in shown
    assert data.children_total == 3 and data.children_total_hidden
    # One district, one age band, one basis: each breakdown's single non-zero cell is the total.
    for cells in (data.by_age_band, data.by_district, data.by_basis):
        assert all(cell.suppressed for cell in cells)


def render_report_pdf_text(data) -> str:
    reader = PdfReader(io.BytesIO(render_report_pdf(data)))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_reports_finance_comes_from_the_finance_selector_in_whole_ore():
    """Budget against costs in integer öre (finance.selectors.budget_against_costs): a term gets
    half the annual budget rounded down to the öre, and only that term's costs count."""
    agreement, years = agreement_with_years()
    line = agreement.budget_lines.first()
    line.annual_amount_ore += 1  # an odd annual total: half of it is not whole öre
    line.save()
    coordinator = make_user(Role.COORDINATOR)
    for spent_on, amount_ore in [(datetime.date(2017, 3, 1), 123_45), (datetime.date(2017, 9, 1), 1_00)]:
        Cost.objects.create(
            budget_year=years[0], budget_line=line, spent_on=spent_on, amount_ore=amount_ore, description="x",
            recorded_by=coordinator,
        )  # fmt: skip
    spring = followup_report_data(agreement=agreement, year=2017, term="spring").finance
    assert (spring.budget_ore, spring.actual_ore, spring.difference_ore) == (35_591_650, 123_45, 35_579_305)
    assert all(type(value) is int for value in (spring.budget_ore, spring.actual_ore, spring.difference_ore))


def test_with_a_renewal_the_user_picks_the_agreement_and_every_year_of_each_stays_reachable(
    make_signed_in_client, coordinator, agreement
):
    """Never only the newest agreement's years: the first agreement's 2017 and 2018 are offered
    once it is picked, and the page says which agreement it shows."""
    first = make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    client = make_signed_in_client(coordinator)
    page = client.get(reverse("followup:report"))
    form = page.context["form"]
    assert {value for value, _label in form.fields["overenskommelse"].choices} == {
        str(first.public_id),
        str(agreement.public_id),
    }
    assert page.context["agreement"] == agreement  # in force today by default
    page = client.get(reverse("followup:report"), {"overenskommelse": str(first.public_id), "year": "2017"})
    assert page.context["agreement"] == first
    assert [value for value, _label in page.context["form"].fields["year"].choices] == ["2017", "2018"]
    assert page.context["year"] == 2017
