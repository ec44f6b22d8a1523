"""The web application's languages: Babel message catalogs, the reader's choice, the text direction.

Catalogs are gettext .po files in web/locale/<language>/LC_MESSAGES/messages.po (extracted from the
templates and code by `pybabel extract`, see docs/web.md), read at start-up. A translation still
awaiting a native speaker's review carries the `fuzzy` flag: it is shown (better than English for a
reader who has no English) and listed by `testimonia web-catalogs` / docs/web.md. The reader's
language comes from the picker's cookie, else the browser's Accept-Language, else English.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from ..names import detect_script

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_COOKIE = "tm_lang"
DEFAULT = "en"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, for the picker
    rtl: bool
    scripts: tuple[str, ...]  # the scripts its readers read first, for ordering a person's names


LANGUAGES = {
    "en": Language("en", "English", False, ("Latn",)),
    "ru": Language("ru", "Русский", False, ("Cyrl", "Latn")),
    "kk": Language("kk", "Қазақша", False, ("Cyrl", "Latn", "Arab")),
    "ug": Language("ug", "ئۇيغۇرچە", True, ("Arab", "Latn", "Cyrl")),
    "zh": Language("zh", "中文", False, ("Hani", "Latn")),
}

current: ContextVar[Language] = ContextVar("language", default=LANGUAGES[DEFAULT])


def catalog_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"


@cache
def translations(code: str) -> Translations | None:
    """The compiled catalog of a language (None for English, the source language)."""
    path = catalog_path(code)
    if code == DEFAULT or not path.exists():
        return None
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=True)
    compiled.seek(0)
    return Translations(compiled)


def gettext(message: str) -> str:
    found = translations(current.get().code)
    return found.gettext(message) if found else message


def ngettext(singular: str, plural: str, n: int) -> str:
    found = translations(current.get().code)
    return found.ngettext(singular, plural, n) if found else (singular if n == 1 else plural)


def choose(cookie: str | None, accept_language: str | None) -> Language:
    """The picker's choice, else the first supported language the browser asks for, else English."""
    if cookie in LANGUAGES:
        return LANGUAGES[cookie]
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().replace("_", "-")
        if not tag:
            continue
        try:
            language = Locale.parse(tag, sep="-").language
        except (ValueError, TypeError):
            continue
        if language in LANGUAGES:
            return LANGUAGES[language]
    return LANGUAGES[DEFAULT]


def names_in_reading_order(names: list, language: Language) -> list:
    """A person's names (texts, or records with a "script"), those in the scripts the reader reads first
    leading, in their order otherwise."""
    rank = {script: k for k, script in enumerate(language.scripts)}

    def script(name) -> str:  # noqa: ANN001
        return (name.get("script") or "") if isinstance(name, dict) else detect_script(name)
    return sorted(names, key=lambda n: rank.get(script(n), len(rank)))
