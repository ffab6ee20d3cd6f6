from django import template

from partnership.money import format_ore

register = template.Library()


@register.filter
def kr(amount_ore):
    """{{ line.annual_amount_ore|kr }} -> 678 833,00 kr"""
    if amount_ore is None or amount_ore == "":
        return ""
    return format_ore(amount_ore)
