"""Files for others: the dashboard's table as CSV or Excel, and the national statistics as a
Frictionless tabular data package (a CSV file and datapackage.json, its JSON Table Schema) for
national follow-up and research.

Nothing here names a person. The national statistics are built from aggregates only (counts per
term, target group, district and age band, waiting-time percentiles, the share satisfied), with
the same small-number protection as every other figure: a count of 1–4 is left empty and marked
suppressed, and complementary suppression hides enough others that none can be worked out, from
the total or by differencing the district breakdown against the age bands (the rule across tables
in followup.report).
"""

import csv
import io
from collections import defaultdict
from typing import Any, NotRequired, TypedDict

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from openpyxl import Workbook

from coordination.models import Participant
from followup.evaluation import AGE_BANDS
from followup.models import EvaluationAnswer, EvaluationAudience, EvaluationMoment, EvaluationQuestion
from followup.report import Count_, breakdown_protected, with_complementary_suppression, with_cross_table_suppression
from groups.models import Audience, GroupStatus, Placement, SupportGroup
from partnership.models import District, TargetGroup
from partnership.statistics import SMALL_CELL

from .demand import TERM_VALUES, Dashboard, _term_key, _term_of
from .sql import DaysBetween, Percentile

# --- The dashboard's table -----------------------------------------------------------------------


def cell_text(count: Count_) -> str:
    """As the pages show it (followup's `cell` filter): a hidden count is never a number."""
    if count.complementary:
        return _("dold")
    if count.suppressed:
        return _("färre än %(n)s") % {"n": SMALL_CELL}
    return str(count.count)


# A line of the dashboard's table: the header's texts, then each row's texts and numbers.
TableRow = list[str | int]


def dashboard_rows(dashboard: Dashboard) -> list[TableRow]:
    header: TableRow = [
        _("Termin"),
        _("Målgrupp"),
        _("Stadsdel"),
        _("Intresseanmälningar"),
        _("Anmälningar"),
        _("Väntar nu"),
        _("Väntetid nu, median (dagar)"),
        _("Väntetid nu, 90:e percentilen (dagar)"),
        _("Placerade under terminen"),
        _("Väntetid till plats, median (dagar)"),
        _("Väntetid till plats, 90:e percentilen (dagar)"),
        _("Grupper"),
        _("Erbjudna platser"),
        _("Fyllda platser"),
        _("Prognos nästa termin"),
        _("Erbjudande i området"),
    ]
    rows: list[TableRow] = [header]
    for block in dashboard.blocks:
        for row in [*block.rows, block.total]:
            is_total = row is block.total
            rows.append(
                [
                    dashboard.term_label,
                    block.name,
                    _("Totalt") if is_total else row.name,
                    cell_text(row.interests),
                    cell_text(row.referrals),
                    cell_text(row.waiting),
                    row.waiting_median.display(),
                    row.waiting_p90.display(),
                    cell_text(row.placed),
                    row.placed_wait_median.display(),
                    row.placed_wait_p90.display(),
                    row.groups,
                    row.places_offered,
                    cell_text(row.places_filled),
                    cell_text(row.forecast),
                    "" if is_total else (_("ja") if row.has_offer else _("nej")),
                ]
            )
    return rows


def rows_to_csv(rows: list[TableRow], *, excel: bool = True) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n").writerows(rows)
    # A BOM so that Excel opens å, ä and ö correctly; the open-data file goes without.
    return (("\ufeff" if excel else "") + buffer.getvalue()).encode("utf-8")


def rows_to_xlsx(rows: list[TableRow], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The national statistics ---------------------------------------------------------------------


class SchemaField(TypedDict):
    """A field descriptor of the Table Schema (https://specs.frictionlessdata.io/table-schema/)."""

    name: str
    type: str
    title: str
    description: str
    constraints: NotRequired[dict[str, Any]]


NATIONAL_FIELDS: list[SchemaField] = [
    {
        "name": "year",
        "type": "integer",
        "title": "Year",
        "description": "The calendar year of the term.",
        "constraints": {"required": True},
    },
    {
        "name": "term",
        "type": "string",
        "title": "Term",
        "description": "spring (January–June) or autumn (July–December). Groups count in the term they "
        "started, children in the term their group started, answers in their group's term.",
        "constraints": {"required": True, "enum": ["spring", "autumn"]},
    },
    {
        "name": "target_group",
        "type": "string",
        "title": "Target group",
        "description": "The target group's stable code (e.g. foster_care, parental_substance_misuse, "
        "parental_mental_illness, violence_in_family).",
        "constraints": {"required": True},
    },
    {
        "name": "district",
        "type": "string",
        "title": "District",
        "description": "The district (stadsdel): the child's placing district, or the group's area. "
        "Empty: every district (a total), or a group for the whole city.",
    },
    {
        "name": "age_band",
        "type": "string",
        "title": "Age band",
        "description": "The child's age band at the planned start (7-9, 10-12, 13-15, 16-18). Empty: every age.",
    },
    {
        "name": "measure",
        "type": "string",
        "title": "Measure",
        "description": "groups: groups started; children_reached: children placed in those groups; "
        "waiting_median_days and waiting_p90_days: days from referral to place (median, 90th percentile); "
        "satisfied_percent: the share of children and young people satisfied with their group (after the "
        "last meeting); evaluation_answers: the answers that share is made from.",
        "constraints": {
            "required": True,
            "enum": [
                "groups",
                "children_reached",
                "waiting_median_days",
                "waiting_p90_days",
                "satisfied_percent",
                "evaluation_answers",
            ],
        },
    },
    {
        "name": "value",
        "type": "number",
        "title": "Value",
        "description": "The figure; empty when suppressed.",
    },
    {
        "name": "suppressed",
        "type": "string",
        "title": "Suppressed",
        "description": f"Why the value is empty: small (fewer than {SMALL_CELL} children or answers) or "
        "complementary (hidden so that a small one cannot be worked out from the total). Empty: shown.",
        "constraints": {"enum": ["", "small", "complementary"]},
    },
]
NATIONAL_COLUMNS = [field["name"] for field in NATIONAL_FIELDS]


def _age_band_case(expression):
    return Case(
        *[When(**{f"{expression}__range": (low, high)}, then=Value(name)) for name, low, high in AGE_BANDS],
        When(**{f"{expression}__lt": AGE_BANDS[0][1]}, then=Value(AGE_BANDS[0][0])),
        default=Value(AGE_BANDS[-1][0]),
        output_field=CharField(),
    )


_GROUP_TARGET = Coalesce(
    "group__parent__target_group_id", "group__target_group_id", "group__agreement__target_group_id"
)
_GROUP_START = Coalesce("group__parent__starts_on", "group__starts_on")


def _reached_groups():
    return (
        SupportGroup.objects.filter(status__in=[GroupStatus.RUNNING, GroupStatus.CLOSED], starts_on__isnull=False)
        .exclude(audience=Audience.PARENTS)
        .order_by()
    )


def national_statistics_rows() -> list[dict]:
    """Every row of the national statistics, in seven queries whatever the years of data."""
    codes = dict(TargetGroup.objects.values_list("pk", "code"))
    districts = dict(District.objects.values_list("pk", "name"))
    rows: list[dict] = []

    def row(term, target, measure, value, *, district="", age_band="", suppressed=""):
        return {
            "year": term[0],
            "term": term[1],
            "target_group": codes.get(target, ""),
            "district": district,
            "age_band": age_band,
            "measure": measure,
            "value": "" if suppressed else value,
            "suppressed": suppressed,
        }

    # Groups started (not about children: never suppressed).
    groups = (
        _reached_groups()
        .filter(parent__isnull=True)
        .annotate(tg=Coalesce("target_group_id", "agreement__target_group_id"), **_term_of("starts_on"))
        .values("district_id", "tg", *TERM_VALUES)
        .annotate(n=Count("pk"))
    )
    group_counts: dict[tuple, int] = defaultdict(int)
    for item in groups:
        group_counts[(_term_key(item), item["tg"], districts.get(item["district_id"], ""))] += item["n"]
    for (term, target, district), n in sorted(group_counts.items()):
        rows.append(row(term, target, "groups", n, district=district))

    # Children reached: by district and by age band, with their total, protected together.
    reached = _reached_groups().values("pk")
    holders = SupportGroup.objects.filter(Q(pk__in=reached) | Q(parent__in=reached)).values("pk")
    by_district: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_age: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # The children per district and age band together: the two breakdowns are differenced against
    # each other in the check across tables (followup.report.with_cross_table_suppression).
    by_both: dict[tuple, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for model, district_field, age_field in (
        (Placement, "referral__district_id", "referral__age_at_planned_start"),
        (Participant, "group__district_id", "child_age"),
    ):
        for item in (
            model.objects.filter(group__in=holders, removed_at__isnull=True)
            .order_by()
            .annotate(d=F(district_field), band=_age_band_case(age_field), tg=_GROUP_TARGET, **_term_of(_GROUP_START))
            .values("d", "band", "tg", *TERM_VALUES)
            .annotate(n=Count("pk"))
        ):
            key = (_term_key(item), item["tg"])
            by_district[key][districts.get(item["d"], "")] += item["n"]
            by_age[key][item["band"]] += item["n"]
            by_both[key][(districts.get(item["d"], ""), item["band"])] += item["n"]
    for key in sorted(by_district):
        term, target = key
        total = sum(by_district[key].values())
        district_cells = with_complementary_suppression(
            [Count_(name, n) for name, n in sorted(by_district[key].items())], total=total
        )
        age_cells = with_complementary_suppression(
            [Count_(name, by_age[key].get(name, 0)) for name, _low, _high in AGE_BANDS], total=total
        )
        total_hidden = 0 < total < SMALL_CELL
        together = None
        if breakdown_protected(district_cells, total=total) and breakdown_protected(age_cells, total=total):
            atoms = [(combination, n) for combination, n in by_both[key].items() if n]
            together = with_cross_table_suppression([district_cells, age_cells], atoms=atoms)
        if together is not None and not total_hidden:
            district_cells, age_cells = together
        else:
            total_hidden = True
            district_cells = [Count_(cell.label, cell.count, complementary=True) for cell in district_cells]
            age_cells = [Count_(cell.label, cell.count, complementary=True) for cell in age_cells]
        rows.append(
            row(
                term,
                target,
                "children_reached",
                total,
                suppressed=("small" if 0 < total < SMALL_CELL else "complementary") if total_hidden else "",
            )
        )
        for cell in district_cells:
            rows.append(row(term, target, "children_reached", cell.count, district=cell.label, suppressed=_why(cell)))
        for cell in age_cells:
            rows.append(row(term, target, "children_reached", cell.count, age_band=cell.label, suppressed=_why(cell)))

    # Waiting times, per district: days from referral to place.
    waited = DaysBetween(F("created_at"), F("referral__created_at"))
    for item in (
        Placement.objects.filter(group__in=holders, removed_at__isnull=True)
        .order_by()
        .annotate(d=F("referral__district_id"), tg=_GROUP_TARGET, **_term_of(_GROUP_START))
        .values("d", "tg", *TERM_VALUES)
        .annotate(n=Count("pk"), median=Percentile(waited, 0.5), p90=Percentile(waited, 0.9))
        .order_by("term_year", "term_month", "tg", "d")
    ):
        small = "small" if item["n"] < SMALL_CELL else ""
        for measure, value in (("waiting_median_days", item["median"]), ("waiting_p90_days", item["p90"])):
            rows.append(
                row(
                    _term_key(item),
                    item["tg"],
                    measure,
                    round(value, 1),
                    district=districts.get(item["d"], ""),
                    suppressed=small,
                )
            )

    # Outcomes: the share of children and young people satisfied with the group.
    satisfied: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for item in (
        EvaluationAnswer.objects.filter(
            answer_set__moment=EvaluationMoment.AFTER,
            answer_set__instrument__audience__in=[EvaluationAudience.CHILD, EvaluationAudience.YOUTH],
            question__measures_satisfaction=True,
            question__kind=EvaluationQuestion.Kind.LIKERT,
            value__isnull=False,
        )
        .order_by()
        .annotate(
            tg=Coalesce(
                "answer_set__group__parent__target_group_id",
                "answer_set__group__target_group_id",
                "answer_set__group__agreement__target_group_id",
            ),
            **_term_of(Coalesce("answer_set__group__parent__starts_on", "answer_set__group__starts_on")),
        )
        .filter(term_year__isnull=False)
        .values("tg", *TERM_VALUES)
        .annotate(n=Count("pk"), yes=Count("pk", filter=Q(value__gte=F("question__satisfied_from"))))
    ):
        counts = satisfied[(_term_key(item), item["tg"])]
        counts[0] += item["n"]
        counts[1] += item["yes"]
    for (term, target), (n, yes) in sorted(satisfied.items()):
        small = "small" if n < SMALL_CELL else ""
        rows.append(row(term, target, "evaluation_answers", n, suppressed=small))
        rows.append(row(term, target, "satisfied_percent", round(100 * yes / n), suppressed=small))
    return rows


def _why(cell: Count_) -> str:
    if cell.complementary:
        return "complementary"
    return "small" if cell.suppressed else ""


def national_statistics_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=NATIONAL_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(national_statistics_rows())
    return buffer.getvalue().encode("utf-8")


def national_datapackage(*, csv_url: str) -> dict:
    """The Frictionless data package describing the CSV (Table Schema, https://specs.frictionlessdata.io/)."""
    return {
        "profile": "tabular-data-package",
        "name": "gruppstod-anonymous-statistics",
        "title": "Gruppstöd: anonymous statistics of support groups for children",
        "description": (
            "Groups, children reached by target group, district and age band, waiting times and outcomes "
            "of the support groups coordinated by the city. Aggregates only: no person can be identified; "
            f"counts of 1–{SMALL_CELL - 1} and the counts that would reveal them are left empty (see suppressed)."
        ),
        "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
        "resources": [
            {
                "name": "statistics",
                "path": csv_url,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "schema": {"fields": NATIONAL_FIELDS, "missingValues": [""]},
            }
        ],
    }
