"""Panels of the groups app shown on other apps' pages (the home pages)."""

from django import template
from django.utils import timezone

from groups import schedule, selectors

register = template.Library()


@register.simple_tag
def annual_targets(agreement):
    """This year's groups held and children reached against the agreement's targets (counts only)."""
    return selectors.annual_targets(agreement=agreement)


@register.simple_tag
def upcoming_meetings(user, limit=5):
    """The leader's next meetings, for the leader's home page."""

    return list(
        selectors.meetings_for_leader(user)
        .filter(ends_at__gte=timezone.now())
        .filter(starts_at__gte=timezone.now() - schedule.LONGEST_MEETING)[:limit]
    )
