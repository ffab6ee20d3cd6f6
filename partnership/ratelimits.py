"""Rate limits on the pages a stranger can reach or guess at (issue 14), with django-ratelimit.

The counts live in the shared cache (Redis in production, settings.CACHES), so every worker
counts the same requests. A visitor over a limit meets the 429 page (partnership/errors.py via
RATELIMIT_VIEW). The rates are settings (RATE_LIMITS), read per request so tests can change them.

- login: per client address, on POST. django-axes still locks an account after repeated
  failures; this limit slows one address guessing many usernames. Generous, because a whole
  district office may share one proxy address.
- two_factor: per signed-in account, on POST (the TOTP and the enrolment-code forms).
- public_token: per client address, every method, on the links that carry a secret token in the
  address (the foster family's answer link, the calendar feed): guessing tokens is slow.
"""

from django.conf import settings
from django_ratelimit.decorators import ratelimit


def _rate(name: str):
    def rate(group, request):
        return settings.RATE_LIMITS[name]

    return rate


login_rate_limit = ratelimit(group="login", key="ip", rate=_rate("login"), method="POST", block=True)
two_factor_rate_limit = ratelimit(
    group="two_factor", key="user_or_ip", rate=_rate("two_factor"), method="POST", block=True
)
public_token_rate_limit = ratelimit(
    group="public_token", key="ip", rate=_rate("public_token"), method=ratelimit.ALL, block=True
)
