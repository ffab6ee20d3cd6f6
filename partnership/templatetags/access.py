from django import template

from partnership.access import can

register = template.Library()


@register.simple_tag
def has_perm(permission, user, obj=None):
    """{% has_perm "referrals.view_identity" user referral as allowed %} — same rules as the views."""
    return can(user, permission, obj)
