"""Helpers shared by the follow-up pages."""

from django.http import Http404

from partnership.selectors import agreement_to_view

from ..cooperation import agreements_for

# The query parameter (and form field) that picks which agreement a follow-up page shows.
AGREEMENT_PARAM = "overenskommelse"


def _agreement_for(user, chosen: str | None = None):
    """The agreement a page shows, among those the user's organisation is a party to: the one
    chosen, else the one in force today, else the one that started most recently (never a later
    one silently taken as current: the report page lets the user pick any of them)."""
    agreement = agreement_to_view(agreements_for(user), chosen)
    if agreement is None:
        raise Http404
    return agreement


def _form_page(form, title, button, *, back=None, intro=""):
    return {"form": form, "title": title, "button": button, "back": back, "intro": intro}
