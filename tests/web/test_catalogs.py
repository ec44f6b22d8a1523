"""The message catalogs: up to date with the templates and code, and every message translated in every
language (translations awaiting a native speaker's review carry the fuzzy flag and are shown)."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from testimonia.web import i18n

WEB = Path(i18n.__file__).parent
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(WEB, METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_template_catalog_holds_every_message_of_the_templates_and_code():
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    missing = extracted() - catalog
    assert not missing, f"run the extraction of docs/web.md: {sorted(missing)[:5]}"


@pytest.mark.parametrize("code", [c for c in i18n.LANGUAGES if c != i18n.DEFAULT])
def test_every_message_is_translated_keeping_its_placeholders(code):
    with i18n.catalog_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    wanted = extracted()
    have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    assert wanted <= set(have), f"{code}: not in the catalog: {sorted(wanted - set(have))[:5]}"
    for message_id in wanted:
        message = have[message_id]
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(s.strip() for s in strings), f"{code}: untranslated: {message_id!r}"
        if "%(num)d" in message_id:
            assert all("%(num)d" in s for s in strings), f"{code}: placeholder lost in {message_id!r}"


def test_a_translated_page_is_served_in_the_readers_language(client):
    page = client.get("/sign-in", headers={"Accept-Language": "ru"})
    ru = i18n.translations("ru").gettext("Sign in")
    assert ru != "Sign in" and ru in page.text


def test_every_vocabulary_value_a_page_shows_has_a_label():
    from testimonia.web.labels import LABELS, SHOWN

    missing = {m.value for vocabulary in SHOWN for m in vocabulary} - set(LABELS)
    assert not missing, f"give these a label in web/labels.py: {sorted(missing)}"
