"""The Chinese catalog is complete and the compiled one matches it (the UI is Chinese first)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def read_po(path: Path) -> dict[str, str]:
    """msgid (or 'singular\\x00plural') → msgstr (or msgstr[0]) of a .po file, header left out."""
    entries: dict[str, str] = {}
    current: dict[str, str] = {}
    key = ""
    fuzzy = False

    def flush() -> None:
        if current.get("msgid"):
            msgid = current["msgid"]
            if "msgid_plural" in current:
                msgid = f"{msgid}\x00{current['msgid_plural']}"
            # A fuzzy translation is a guess that msgfmt leaves out: as good as none.
            msgstr = current.get("msgstr", current.get("msgstr[0]", ""))
            entries[msgid] = "" if fuzzy else msgstr

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            if current and not line.startswith("#"):
                flush()
                current = {}
                fuzzy = False
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith('"'):
            current[key] += ast.literal_eval(line)
            continue
        key, _, value = line.partition(" ")
        current[key] = ast.literal_eval(value)
    flush()
    return entries


def test_every_message_has_a_chinese_translation():
    untranslated = [msgid for msgid, msgstr in read_po(CATALOG / "django.po").items() if not msgstr]
    assert untranslated == []


def test_the_compiled_catalog_matches_the_source():
    with (CATALOG / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    translated = {k: v for k, v in read_po(CATALOG / "django.po").items() if v}
    assert translated
    for msgid, msgstr in translated.items():
        key = (msgid.split("\x00")[0], 0) if "\x00" in msgid else msgid
        assert catalog.get(key) == msgstr, f"recompile: make messages ({msgid!r})"
