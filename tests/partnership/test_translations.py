import gettext
import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def po_messages() -> dict[str, str]:
    """msgid -> msgstr from the English .po file (enough of the format for our files)."""
    messages = {}
    for raw_block in PO.read_text().split("\n\n"):
        # Comments (#:, #,, #| previous msgid, #~ obsolete entries) are not messages.
        block = "\n".join(line for line in raw_block.splitlines() if not line.startswith("#"))
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgstr")[0].split("msgid", 1)[-1]))
        msgstr = "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[-1])) if "msgstr" in block else ""
        if "msgid" in block and msgid:
            messages[msgid] = msgstr
    return messages


def test_every_string_has_an_english_translation():
    untranslated = [msgid for msgid, msgstr in po_messages().items() if not msgstr]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = [
        msgid for msgid, msgstr in po_messages().items() if catalogue.gettext(_unescape(msgid)) != _unescape(msgstr)
    ]
    assert stale == [], "run `manage.py compilemessages` after editing the .po file"


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n")
