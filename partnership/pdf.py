"""Every PDF of the app is made here, by WeasyPrint, from a template under templates/<app>/pdf/.

Fonts and print stylesheets are loaded once per process and shared by every render: finding the
fonts and parsing a stylesheet cost as much as laying out a short document. A document names its
stylesheet (static/pdf/<name>.css) rather than carrying a <style> block of its own.
"""

from functools import cache
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

STYLESHEETS = Path(settings.BASE_DIR) / "static" / "pdf"


@cache
def _weasyprint():
    # Loaded on the first PDF, not at start-up: loading Pango is slow and most requests make none.
    return import_module("weasyprint")


@cache
def font_configuration():
    """One font configuration per process: fontconfig's font list and the @font-face rules."""
    return import_module("weasyprint.text.fonts").FontConfiguration()


@cache
def stylesheet(name: str):
    """A print stylesheet of static/pdf/, parsed once per process."""
    return _weasyprint().CSS(filename=str(STYLESHEETS / name), font_config=font_configuration())


def html_to_pdf(html: str, *, stylesheets: tuple[str, ...] = ()) -> bytes:
    document = _weasyprint().HTML(string=html, base_url=str(settings.BASE_DIR))
    return document.write_pdf(stylesheets=[stylesheet(name) for name in stylesheets], font_config=font_configuration())


def render_pdf(template_name: str, context: dict, *, stylesheets: tuple[str, ...] = ()) -> bytes:
    return html_to_pdf(render_to_string(template_name, context), stylesheets=stylesheets)
