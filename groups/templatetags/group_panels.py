"""Panels of the groups app shown on other apps' pages (the home pages)."""

from django import template

from groups import selectors

register = template.Library()


@register.simple_tag
def annual_targets(agreement):
    """This year's groups held and children reached against the agreement's targets (counts only)."""
    return selectors.annual_targets(agreement=agreement)
