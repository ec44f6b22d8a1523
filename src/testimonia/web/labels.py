"""How the registry's vocabulary values (domain/vocab.py) read on a page, in the reader's language.

Forms keep the values themselves ("sent_to_camp"); what a reader sees is the label, translated through
the catalogs like every other message (`N_` only marks a string for extraction). Templates use the
`label` filter: {{ event.type | label }}.
"""

from __future__ import annotations

from ..domain import vocab
from . import i18n


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for "mark, translate later")
    return message


LABELS = {
    # events
    "summoned": N_("summoned"), "interrogated": N_("interrogated"), "detained": N_("detained"),
    "sent_to_camp": N_("sent to a camp"), "transferred": N_("transferred"), "sentenced": N_("sentenced"),
    "imprisoned": N_("imprisoned"), "house_arrest": N_("house arrest"),
    "passport_confiscated": N_("passport confiscated"), "exit_ban": N_("forbidden to leave"),
    "forced_labor": N_("forced labour"), "surveillance": N_("under surveillance"), "released": N_("released"),
    "died": N_("died"), "disappeared": N_("disappeared"), "returned_to_china": N_("returned to China"),
    "emigrated": N_("emigrated"),
    # statuses and facilities
    "camp": N_("in a camp"), "prison": N_("in prison"), "detention_center": N_("in a detention center"),
    "documents_confiscated": N_("documents confiscated"), "unknown": N_("unknown"),
    # consent and sensitivity
    "named": N_("named"), "anonymized": N_("anonymized"), "internal": N_("internal"), "withdrawn": N_("withdrawn"),
    # relations and roles in a report
    "spouse": N_("spouse"), "parent": N_("parent"), "child": N_("child"), "sibling": N_("sibling"),
    "relative": N_("relative"), "colleague": N_("colleague"), "advocate": N_("advocate"),
    "official": N_("official"), "other": N_("other"),
    # how a testimony was given
    "video": N_("video call"), "in_person": N_("in person"), "phone": N_("phone"), "written": N_("written"),
    # ethnicity and sex
    "kazakh": N_("Kazakh"), "uyghur": N_("Uyghur"), "kyrgyz": N_("Kyrgyz"), "hui": N_("Hui"), "uzbek": N_("Uzbek"),
    "tatar": N_("Tatar"), "mongol": N_("Mongol"), "han": N_("Han"), "male": N_("male"), "female": N_("female"),
    # answers to petitions
    "none": N_("no answer"), "acknowledged": N_("acknowledged"), "answered": N_("answered"), "refused": N_("refused"),
    # user roles
    "admin": N_("administrator"), "editor": N_("editor"), "volunteer": N_("volunteer"),
    "researcher": N_("researcher"), "viewer": N_("viewer"),
}

SHOWN = (vocab.AnswerKind, vocab.Consent, vocab.Ethnicity, vocab.EventType, vocab.Medium, vocab.RelationType,
         vocab.Sex, vocab.Status, vocab.UserRole, vocab.PersonRole)


def label(value: object) -> str:
    """The reader's label of a vocabulary value (a value without a label is shown as it is)."""
    text = getattr(value, "value", value)
    if not isinstance(text, str):
        return "" if text is None else str(text)
    return i18n.gettext(LABELS[text]) if text in LABELS else text
