"""Showing follow-up figures: suppressed cells say so instead of showing a number."""

from django import template
from django.utils.translation import gettext as _

from followup.evaluation import SMALL_CELL

register = template.Library()


def _decimal(value, places=1) -> str:
    return f"{value:.{places}f}".replace(".", ",").replace("-", "−")


@register.filter
def percent(figure):
    """{{ outcome.satisfied|percent }} -> "83 %" or "färre än 5 svar"."""
    if figure is None or figure.count == 0 or (figure.value is None and not figure.suppressed):
        return "–"
    if figure.suppressed:
        return _("färre än %(n)s svar") % {"n": SMALL_CELL}
    return f"{figure.value} %"


@register.filter
def mean(value):
    return "–" if value is None else _decimal(value, 1)


@register.filter
def signed(value):
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + _decimal(value, 1)


@register.filter
def cell(count):
    """A count in a table: hidden when 1–4, as it could point at a child, or as its complement."""
    if count.complementary:
        return _("dold")
    if count.suppressed:
        return _("färre än %(n)s") % {"n": SMALL_CELL}
    return str(count.count)
