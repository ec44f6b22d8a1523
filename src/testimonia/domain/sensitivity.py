"""Who may see what: field sensitivity levels, the level each role may read, and what may be published."""

from __future__ import annotations

from .vocab import Consent, Sensitivity, UserRole

#: The most sensitive level each role may read (a volunteer also sees everything of their own testimonies).
ROLE_CLEARANCE: dict[UserRole, Sensitivity] = {
    UserRole.ADMIN: Sensitivity.CONFIDENTIAL,
    UserRole.EDITOR: Sensitivity.CONFIDENTIAL,
    UserRole.RESEARCHER: Sensitivity.INTERNAL,
    UserRole.VOLUNTEER: Sensitivity.PUBLIC,
    UserRole.VIEWER: Sensitivity.PUBLIC,
}

#: Fields of each entity and their level. Testifier identity depends on consent (see testifier_identity_level).
FIELD_LEVELS: dict[str, dict[str, Sensitivity]] = {
    "person": {
        "names": Sensitivity.PUBLIC,
        "sex": Sensitivity.PUBLIC,
        "ethnicity": Sensitivity.PUBLIC,
        "birth_date": Sensitivity.PUBLIC,
        "age": Sensitivity.PUBLIC,
        "hometown": Sensitivity.PUBLIC,
        "occupation": Sensitivity.PUBLIC,
        "citizenships": Sensitivity.PUBLIC,
        "status": Sensitivity.PUBLIC,
        "events": Sensitivity.PUBLIC,
        "health": Sensitivity.INTERNAL,
        "resident_id": Sensitivity.CONFIDENTIAL,
        "notes": Sensitivity.CONFIDENTIAL,
    },
    "testimony": {
        "relation": Sensitivity.INTERNAL,
        "medium": Sensitivity.INTERNAL,
        "consent": Sensitivity.INTERNAL,
        "recorded_by": Sensitivity.INTERNAL,
        "recorded_on": Sensitivity.INTERNAL,
        "summary": Sensitivity.INTERNAL,
        "testifier_contacts": Sensitivity.CONFIDENTIAL,
        "notes": Sensitivity.CONFIDENTIAL,
    },
}


def may_read(role: UserRole, level: Sensitivity) -> bool:
    return level.rank <= ROLE_CLEARANCE[role].rank


def testifier_identity_level(consent: Consent) -> Sensitivity:
    """A testifier's identity is public only under their own testimony's `named` consent."""
    return Sensitivity.PUBLIC if consent is Consent.NAMED else Sensitivity.CONFIDENTIAL


def person_publishable(testimony_consents: list[Consent], published_source: bool) -> bool:
    """A detained person may be shown publicly when at least one of their sources permits it."""
    return published_source or any(c.allows_publication for c in testimony_consents)
