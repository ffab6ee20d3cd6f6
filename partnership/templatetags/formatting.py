from django import template
from django.utils.translation import gettext as _

from partnership.money import format_ore
from partnership.statistics import SMALL_CELL, is_small_count

register = template.Library()


@register.filter
def kr(amount_ore):
    """{{ line.annual_amount_ore|kr }} -> 678 833,00 kr"""
    if amount_ore is None or amount_ore == "":
        return ""
    return format_ore(amount_ore)


@register.filter
def children_count(count):
    """{{ targets.children_reached|children_count }} -> "12", or "färre än 5" for 1–4 children."""
    if is_small_count(count):
        return _("färre än %(n)s") % {"n": SMALL_CELL}
    return str(count)
