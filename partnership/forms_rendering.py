"""The form renderer (settings.FORM_RENDERER): Django's own, with select boxes written in Python.

A list page's filter form renders a select box of every district (and one per status, basis,
target group), and Django renders each option through two included templates: on the referral
lists that was four tenths of the page's time (bench/pages.py). The same HTML, character for
character, is written here for the built-in select templates; anything else (a widget with
templates of its own) goes through the templates as before. tests/partnership/test_forms_rendering.py
renders every select of the app both ways and compares.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
SELECT_OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    html = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            html.append(format_html(" {}", name))
        else:
            html.append(format_html(' {}="{}"', name, "%s" % value))  # noqa: UP031 - the template's stringformat:'s'
    return "".join(html)


def _select(widget: dict) -> SafeString | None:
    """django/forms/widgets/select.html with its options (select_option.html), or None when an
    option has a template of its own."""
    html = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            html.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group_choices:
            if option["template_name"] != SELECT_OPTION:
                return None
            html.append(
                format_html('\n  <option value="{}"', "%s" % option["value"])  # noqa: UP031 - as above
                + _attrs(option["attrs"])
                + format_html(">{}</option>\n", option["label"])
            )
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    # Every value above went through format_html (escaped), the rest is this function's markup.
    return mark_safe("".join(html))  # noqa: S308 # nosec B308 B703


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            html = _select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)
