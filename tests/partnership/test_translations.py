import gettext
import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _quoted(text: str) -> str:
    return "".join(re.findall(r'"(.*)"', text))


def po_messages() -> dict[str, tuple[str, str, str]]:
    """msgid -> (msgid_plural, msgstr or msgstr[0], msgstr[1]) from the English .po file
    (enough of the format for our files)."""
    messages = {}
    for raw_block in PO.read_text().split("\n\n"):
        # Comments (#:, #,, #| previous msgid, #~ obsolete entries) are not messages.
        block = "\n".join(line for line in raw_block.splitlines() if not line.startswith("#"))
        if "msgid" not in block:
            continue
        head, _, translations = block.partition("msgstr")
        translations = "msgstr" + translations
        msgid_part, _, plural_part = head.partition("msgid_plural")
        msgid = _quoted(msgid_part.split("msgid", 1)[-1])
        if not msgid:
            continue
        if plural_part:
            one, _, many = translations.partition("msgstr[1]")
            messages[msgid] = (_quoted(plural_part), _quoted(one.replace("msgstr[0]", "")), _quoted(many))
        else:
            messages[msgid] = ("", _quoted(translations.replace("msgstr", "", 1)), "")
    return messages


def test_every_string_has_an_english_translation():
    untranslated = [msgid for msgid, (plural, one, many) in po_messages().items() if not one or (plural and not many)]
    assert untranslated == []


def test_no_translation_is_a_fuzzy_guess():
    # makemessages guesses from similar strings and marks them fuzzy; gettext ignores them.
    fuzzy_entries = [block for block in PO.read_text().split("\n\n")[1:] if "#, fuzzy" in block or ", fuzzy" in block]
    assert fuzzy_entries == []


def test_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for msgid, (plural, one, many) in po_messages().items():
        if plural:
            compiled = (
                catalogue.ngettext(_unescape(msgid), _unescape(plural), 1),
                catalogue.ngettext(_unescape(msgid), _unescape(plural), 2),
            )
            if compiled != (_unescape(one), _unescape(many)):
                stale.append(msgid)
        elif catalogue.gettext(_unescape(msgid)) != _unescape(one):
            stale.append(msgid)
    assert stale == [], "run `make messages` (compilemessages) after editing the .po file"


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n")
