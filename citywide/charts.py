"""Server-rendered SVG charts of the city-wide figures, readable without colour: each series has
its own pattern (solid or hatched) named in a legend, every bar carries its value as text, and a
hidden figure is written out ("färre än 5") instead of drawn. The table beside each chart holds
the same figures (the text alternative)."""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from partnership.statistics import SMALL_CELL

INK, MUTED, DARK, LIGHT = "#1f2933", "#52606d", "#5b2a86", "#9aa5b1"

_PATTERNS = (
    '<defs><pattern id="{id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
    f'<line x1="0" y1="0" x2="0" y2="6" stroke="{DARK}" stroke-width="3"/></pattern></defs>'
)


def _legend(chart_id: str, x: int, labels: tuple[str, str]) -> str:
    solid, hatched = labels
    return (
        f'<rect x="{x}" y="4" width="14" height="14" fill="{LIGHT}" stroke="{INK}"/>'
        f'<text x="{x + 20}" y="16" font-size="12" fill="{INK}">{escape(solid)}</text>'
        f'<rect x="{x + 190}" y="4" width="14" height="14" fill="url(#{chart_id}-hatch)" stroke="{INK}"/>'
        f'<text x="{x + 210}" y="16" font-size="12" fill="{INK}">{escape(hatched)}</text>'
    )


def _hidden_note() -> str:
    return _("färre än %(n)s") % {"n": SMALL_CELL}


def svg_waiting_by_district(rows, *, chart_id: str = "waiting") -> str:
    """Median (solid) and 90th percentile (hatched) of the days children have waited, per district."""
    label_width, bar_width, row_height = 190, 330, 40
    shown = [row for row in rows if row[3].count]
    longest = max((figure.value or 0 for row in shown for figure in row[1:3] if not figure.suppressed), default=1)
    height = 34 + row_height * max(len(shown), 1)
    title = _("Väntetid i dagar per stadsdel: median och 90:e percentilen")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_width + bar_width + 90} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        _PATTERNS.format(id=chart_id),
        _legend(chart_id, label_width, (_("Median"), _("90:e percentilen"))),
    ]
    if not shown:
        parts.append(f'<text x="0" y="50" font-size="12" fill="{MUTED}">{escape(_("Inga barn väntar."))}</text>')
    for index, (name, median, p90, count) in enumerate(shown):
        y = 28 + index * row_height
        parts.append(f'<text x="0" y="{y + 20}" font-size="12" fill="{INK}">{escape(name)}</text>')
        if count.suppressed or median.suppressed:
            parts.append(
                f'<text x="{label_width}" y="{y + 20}" font-size="12" fill="{MUTED}">{escape(_hidden_note())}</text>'
            )
            continue
        for offset, (figure, fill) in enumerate(((median, LIGHT), (p90, f"url(#{chart_id}-hatch)"))):
            width = max(1, round(bar_width * (figure.value or 0) / longest))
            top = y + offset * 17
            parts.append(
                f'<rect x="{label_width}" y="{top}" width="{width}" height="15" fill="{fill}" stroke="{INK}"/>'
                f'<text x="{label_width + width + 4}" y="{top + 12}" font-size="11" fill="{INK}">'
                f"{round(figure.value or 0)}</text>"
            )
    parts.append("</svg>")
    # Every text part above is escaped before it joins the markup; the rest are numbers.
    return mark_safe("".join(parts))  # noqa: S308 # nosec B308 B703


def svg_demand_and_places(trend, *, chart_id: str = "trend") -> str:
    """Demand received (solid) and places offered (hatched) per term, side by side."""
    column, plot_height, top = 110, 180, 30
    # A hidden demand must not set the scale: the bars' heights would give it away.
    shown = [point["demand"].count for point in trend if not point["demand"].suppressed]
    longest = max([1, *(point["places"] for point in trend), *shown])
    width = 40 + column * len(trend)
    height = top + plot_height + 50
    title = _("Efterfrågan och erbjudna platser per termin")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        _PATTERNS.format(id=chart_id),
        _legend(chart_id, 10, (_("Efterfrågan (anmälningar och intresse)"), _("Erbjudna platser"))),
    ]
    base = top + plot_height
    parts.append(f'<line x1="20" y1="{base}" x2="{width}" y2="{base}" stroke="{INK}"/>')
    for index, point in enumerate(trend):
        x = 30 + index * column
        demand = point["demand"]
        for offset, (value, fill, hidden) in enumerate(
            (
                (demand.count, LIGHT, demand.suppressed),
                (point["places"], f"url(#{chart_id}-hatch)", False),
            )
        ):
            left = x + offset * 42
            if hidden:
                note = escape(_("< %(n)s") % {"n": SMALL_CELL})
                parts.append(f'<text x="{left}" y="{base - 6}" font-size="10" fill="{MUTED}">{note}</text>')
                continue
            bar = round(plot_height * value / longest)
            parts.append(
                f'<rect x="{left}" y="{base - bar}" width="38" height="{bar}" fill="{fill}" stroke="{INK}"/>'
                f'<text x="{left + 2}" y="{base - bar - 4}" font-size="11" fill="{INK}">{value}</text>'
            )
        parts.append(f'<text x="{x}" y="{base + 18}" font-size="11" fill="{INK}">{escape(point["label"])}</text>')
    parts.append("</svg>")
    # Every text part above is escaped before it joins the markup; the rest are numbers.
    return mark_safe("".join(parts))  # noqa: S308 # nosec B308 B703
