"""Helpers shared by the follow-up pages."""

from django.http import Http404

from partnership.selectors import agreement_current_for

from ..cooperation import agreements_for


def _agreement_for(user):
    """The agreement in force, if the user's organisation is a party to it."""
    agreement = agreement_current_for(user)
    if agreement is None or not agreements_for(user).filter(pk=agreement.pk).exists():
        raise Http404
    return agreement


def _form_page(form, title, button, *, back=None, intro=""):
    return {"form": form, "title": title, "button": button, "back": back, "intro": intro}
