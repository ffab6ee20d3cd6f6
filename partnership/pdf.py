"""Every PDF of the app is made here, by WeasyPrint, from a template under templates/<app>/pdf/."""

from functools import cache
from importlib import import_module

from django.conf import settings
from django.template.loader import render_to_string


@cache
def _weasyprint():
    # Loaded on the first PDF, not at start-up: loading Pango is slow and most requests make none.
    return import_module("weasyprint")


def html_to_pdf(html: str) -> bytes:
    return _weasyprint().HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template_name, context))
