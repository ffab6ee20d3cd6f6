"""The one permission check for the domain.

Django's `user.has_perm` answers True for any superuser before asking a single rule. Here the
superuser administers reference data and must not pass the district wall or the consent gate, so
domain code asks the rule sets directly through `can`.
"""

import rules


def can(user, permission: str, obj=None) -> bool:
    return bool(user and user.is_authenticated and user.is_active and rules.has_perm(permission, user, obj))
