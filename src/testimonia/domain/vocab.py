"""The controlled vocabularies of shared/DESIGN.md, as string enums whose values are the data identifiers."""

from __future__ import annotations

from enum import Enum


class Vocabulary(str, Enum):
    """A string enum whose `parse` gives a readable error listing the allowed values."""

    @classmethod
    def parse(cls, value: str) -> Vocabulary:
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(f"{value!r} is not one of: {allowed}") from None

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]


class Sex(Vocabulary):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class Ethnicity(Vocabulary):
    KAZAKH = "kazakh"
    UYGHUR = "uyghur"
    KYRGYZ = "kyrgyz"
    HUI = "hui"
    UZBEK = "uzbek"
    TATAR = "tatar"
    MONGOL = "mongol"
    HAN = "han"
    OTHER = "other"
    UNKNOWN = "unknown"


class PersonRole(Vocabulary):
    """A person's role in a text (being a testifier is a link, not a role)."""

    DETAINED = "detained"
    RELATIVE = "relative"
    ADVOCATE = "advocate"
    OFFICIAL = "official"
    OTHER = "other"


class NamePart(Vocabulary):
    FULL = "full"
    GIVEN = "given"
    PATRONYMIC = "patronymic"
    SURNAME = "surname"
    ALIAS = "alias"


class RelationType(Vocabulary):
    """`A parent B` means B is A's parent; the symmetric ones read both ways."""

    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    RELATIVE = "relative"
    COLLEAGUE = "colleague"

    @property
    def inverse(self) -> RelationType:
        return {RelationType.PARENT: RelationType.CHILD, RelationType.CHILD: RelationType.PARENT}.get(self, self)


class SourceKind(Vocabulary):
    TESTIMONY = "testimony"
    NEWS_ARTICLE = "news_article"
    PRESS_RELEASE = "press_release"
    OFFICIAL_DOCUMENT = "official_document"
    LEAKED_LIST = "leaked_list"
    COURT_RECORD = "court_record"
    PETITION_REPLY = "petition_reply"

    @property
    def is_published(self) -> bool:
        """A published source already names the people in it, so may be cited publicly."""
        return self in (SourceKind.NEWS_ARTICLE, SourceKind.PRESS_RELEASE, SourceKind.COURT_RECORD)


class Medium(Vocabulary):
    VIDEO = "video"
    IN_PERSON = "in_person"
    PHONE = "phone"
    WRITTEN = "written"


class Consent(Vocabulary):
    NAMED = "named"
    ANONYMIZED = "anonymized"
    INTERNAL = "internal"
    WITHDRAWN = "withdrawn"

    @property
    def allows_publication(self) -> bool:
        return self in (Consent.NAMED, Consent.ANONYMIZED)


class EventType(Vocabulary):
    SUMMONED = "summoned"
    INTERROGATED = "interrogated"
    DETAINED = "detained"
    SENT_TO_CAMP = "sent_to_camp"
    TRANSFERRED = "transferred"
    SENTENCED = "sentenced"
    IMPRISONED = "imprisoned"
    HOUSE_ARREST = "house_arrest"
    PASSPORT_CONFISCATED = "passport_confiscated"
    EXIT_BAN = "exit_ban"
    FORCED_LABOR = "forced_labor"
    SURVEILLANCE = "surveillance"
    RELEASED = "released"
    DIED = "died"
    DISAPPEARED = "disappeared"
    RETURNED_TO_CHINA = "returned_to_china"
    EMIGRATED = "emigrated"


class Status(Vocabulary):
    CAMP = "camp"
    PRISON = "prison"
    DETENTION_CENTER = "detention_center"
    DETAINED = "detained"
    HOUSE_ARREST = "house_arrest"
    DOCUMENTS_CONFISCATED = "documents_confiscated"
    FORCED_LABOR = "forced_labor"
    RELEASED = "released"
    DIED = "died"
    DISAPPEARED = "disappeared"
    UNKNOWN = "unknown"


class FacilityType(Vocabulary):
    CAMP = "camp"
    DETENTION_CENTER = "detention_center"
    PRISON = "prison"
    UNKNOWN = "unknown"


class AnswerKind(Vocabulary):
    NONE = "none"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"
    REFUSED = "refused"


class Sensitivity(Vocabulary):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"

    @property
    def rank(self) -> int:
        return [Sensitivity.PUBLIC, Sensitivity.INTERNAL, Sensitivity.CONFIDENTIAL].index(self)


class UserRole(Vocabulary):
    ADMIN = "admin"
    EDITOR = "editor"
    VOLUNTEER = "volunteer"
    RESEARCHER = "researcher"
    VIEWER = "viewer"
