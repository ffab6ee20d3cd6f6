"""The one permission check for the domain.

Django's `user.has_perm` answers True for any superuser before asking a single rule. Here the
superuser administers reference data and must not pass the district wall or the consent gate, so
domain code asks the rule sets directly through `can`.
"""

import rules
from django.core.exceptions import PermissionDenied


def can(user, permission: str, obj=None) -> bool:
    return bool(user and user.is_authenticated and user.is_active and rules.has_perm(permission, user, obj))


def require_permission(user, permission: str, obj=None) -> None:
    """403 unless `can`; views call it after fetching the object through its scoped selector."""
    if not can(user, permission, obj):
        raise PermissionDenied
