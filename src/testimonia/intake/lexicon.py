"""The words intake's rules look for: kinship, event triggers, camp euphemisms, titles. English first.

Kept as data so that a reviewer can read what the rules know, and a new language adds a table.
"""

from __future__ import annotations

# Kinship nouns → (relation of the referent to the possessor, from the referent's side; sex of the referent).
# "her husband": the husband is the possessor's spouse; "my son": the possessor is the son's parent.
KIN: dict[str, tuple[str, str | None]] = {
    "husband": ("spouse", "male"), "wife": ("spouse", "female"), "spouse": ("spouse", None),
    "widow": ("spouse", "female"), "widower": ("spouse", "male"),
    "son": ("parent", "male"), "daughter": ("parent", "female"), "child": ("parent", None),
    "father": ("child", "male"), "mother": ("child", "female"), "dad": ("child", "male"), "mom": ("child", "female"),
    "brother": ("sibling", "male"), "sister": ("sibling", "female"), "sibling": ("sibling", None),
    "uncle": ("relative", "male"), "aunt": ("relative", "female"), "nephew": ("relative", "male"),
    "niece": ("relative", "female"), "cousin": ("relative", None), "grandson": ("relative", "male"),
    "granddaughter": ("relative", "female"), "grandfather": ("relative", "male"), "grandmother": ("relative", "female"),
    "relative": ("relative", None), "colleague": ("colleague", None),
}
# "her father-in-law" and the like: relatives, whatever the first word says.
IN_LAW = "relative"
# A plural kinship noun names a group ("their five children"): a note on the family, not a person.
KIN_PLURAL = {"children", "sons", "daughters", "brothers", "sisters", "siblings", "parents", "relatives", "kids",
              "grandchildren", "cousins", "colleagues", "families", "family"}
# A group whose members the text then names ("my parents, Tursunjan Ismail and Aynisa Tursunjan"): each
# member's relation to the possessor and sex, as KIN gives them for one.
KIN_OF_MEMBERS: dict[str, tuple[str, str | None]] = {
    "children": ("parent", None), "kids": ("parent", None), "sons": ("parent", "male"),
    "daughters": ("parent", "female"), "parents": ("child", None), "brothers": ("sibling", "male"),
    "sisters": ("sibling", "female"), "siblings": ("sibling", None), "relatives": ("relative", None),
    "cousins": ("relative", None), "grandchildren": ("relative", None), "colleagues": ("colleague", None),
}
# What a family fears or hopes is not an event: "we are afraid he will die in prison".
FEAR_WORDS = {"afraid", "fear", "worry", "worried", "fearful", "hope", "scared", "terrified", "concerned"}
KIN_ADJECTIVES = {"younger", "older", "elder", "eldest", "youngest", "little", "late", "only", "first", "second",
                  "third", "oldest", "baby", "adult", "teenage", "former", "own"}
POSSESSIVES = {"her", "his", "my", "their", "our", "whose", "your"}
INVERSE = {"spouse": "spouse", "parent": "child", "child": "parent", "sibling": "sibling", "relative": "relative",
           "colleague": "colleague"}
SEX_OF_PRONOUN = {"he": "male", "him": "male", "his": "male", "himself": "male",
                  "she": "female", "her": "female", "hers": "female", "herself": "female"}
FIRST_PERSON = {"i", "me", "my", "we", "us", "our", "myself"}
# Labels of the one who asks in an interview: the "you" of their question is the interviewee.
QUESTION_LABELS = {"q", "question", "interviewer", "host", "presenter", "anchor", "moderator", "reporter", "student"}
SPEECH_VERBS = {"say", "tell", "speak", "recall", "explain", "add", "write", "testify", "describe", "state", "ask",
                "plead", "urge", "recount", "remember", "cry", "report", "appeal", "call"}
TITLES = {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "miss", "madam", "sir", "prof", "prof.", "consul",
          "ambassador", "judge", "prosecutor", "director", "chair", "chairman", "chairwoman", "officer", "president",
          "minister", "senator", "professor", "lawyer", "attorney", "comrade", "general"}

# Words that make a person an official or an advocate when they describe the person.
OFFICIAL_WORDS = {"official", "officer", "policeman", "policewoman", "police", "secretary", "chief", "head",
                  "director", "spokesperson", "spokesman", "spokeswoman", "ambassador", "consul", "judge",
                  "prosecutor", "cadre", "governor", "mayor", "minister", "chairman", "deputy", "commissar",
                  "administrator", "warden", "guard", "diplomat", "representative", "attaché", "clerk", "assessor",
                  "inspector", "investigator", "interrogator", "parliament", "bundestag", "mazhilis", "senate",
                  "congress", "duma", "kenesh", "mp", "senator", "congressman", "congresswoman", "parliamentarian",
                  "general"}  # "the Consul General", "the Procurator General"
# Verbs by which a person leads a body ("who heads a Dungan rights group"): its words describe the person.
LEADING_VERBS = {"head", "lead", "chair", "run", "found", "direct", "coordinate"}
ADVOCATE_WORDS = {"activist", "volunteer", "lawyer", "advocate", "attorney", "campaigner", "founder", "coordinator",
                  "defender", "organizer", "organiser", "researcher", "journalist", "director", "member", "leader", "adviser",
                  "advisor", "counsel", "paralegal",
                  "chairwoman", "spokesperson"}

# Facility types written in reports. Euphemisms of the camps count as camps.
CAMP_PHRASES = ["political training center", "political training centre", "political education camp",
                "vocational education and training center", "vocational education and training centre",
                "vocational training center", "vocational training centre", "vocational skills training center",
                "education and training center", "re-education camp", "reeducation camp", "re-education center",
                "re-education school", "re-education facility", "transformation through education",
                "transformation-through-education", "internment camp", "concentration camp", "detention camp",
                "vocational skills education and training center", "vocational skills education and training centre",
                "political study center", "political study centre", "political education school", "study centre",
                "education center", "education centre", "training school", "study class", "study classes",
                "education and training", "training center", "training centre", "study center", "camp", "camps"]
PRISON_PHRASES = ["prison", "jail", "penitentiary", "labor camp", "labour camp"]
DETENTION_CENTER_PHRASES = ["detention center", "detention centre", "pretrial detention center", "police station",
                            "kanshousuo"]

# Event triggers: spaCy Matcher patterns on lemmas, per event type. A detention verb near a facility
# phrase takes the facility's type (see extract.py).
_DETENTION_VERBS = ["detain", "arrest", "seize", "abduct", "hold", "jail", "intern", "apprehend"]
EVENT_PATTERNS: dict[str, list[list[dict]]] = {
    "detained": [[{"LEMMA": {"IN": _DETENTION_VERBS}}],
                 [{"LEMMA": "take"}, {"OP": "?"}, {"LOWER": "away"}],
                 [{"LEMMA": "take"}, {"LOWER": "into"}, {"LOWER": "custody"}],
                 [{"LEMMA": "take", "TAG": "VBN"}],  # "he was taken in April 2018": passive only (extract.py)
                 [{"LEMMA": "take", "POS": "VERB"}, {"DEP": "dobj", "LOWER": {"IN": ["him", "her", "them"]}}],  # "took him"
                 [{"LEMMA": "come"}, {"LOWER": "for"}, {"LOWER": {"IN": ["him", "her", "them"]}}],  # "they came for him"
                 [{"LEMMA": {"IN": ["lock", "pick", "round"]}}, {"OP": "?"}, {"LOWER": "up"}],
                 [{"LOWER": {"IN": ["detention", "arrest"]}, "POS": "NOUN"}]],
    "sent_to_camp": [[{"LEMMA": {"IN": ["send", "take", "place", "put", "force", "keep", "transfer", "move"]},
                       "POS": "VERB"}],
                     [{"LEMMA": {"IN": ["be", "remain", "stay", "spend"]}, "POS": {"IN": ["AUX", "VERB"]}}]],
    "sentenced": [[{"LEMMA": "sentence", "POS": "VERB"}], [{"LEMMA": "sentence", "POS": "NOUN"}],
                  [{"LEMMA": "convict"}],
                  [{"LEMMA": {"IN": ["give", "receive", "get"]}}, {"OP": "?"}, {"LIKE_NUM": True},
                   {"LOWER": {"IN": ["years", "year"]}}],
                  [{"LIKE_NUM": True}, {"TEXT": "-", "OP": "?"}, {"LOWER": "year"}, {"TEXT": "-", "OP": "?"},
                   {"LOWER": {"IN": ["sentence", "term", "prison"]}}],
                  [{"LIKE_NUM": True}, {"LOWER": {"IN": ["years", "year"]}}, {"TEXT": {"IN": ["'", "’", "'s", "’s"]}},
                   {"LOWER": {"IN": ["imprisonment", "prison", "jail"]}}]],  # "14 years' imprisonment"
    "imprisoned": [[{"LEMMA": {"IN": ["imprison", "incarcerate", "jail"]}}]],
    "house_arrest": [[{"LOWER": "house"}, {"LOWER": "arrest"}],
                     [{"LEMMA": "confine"}, {"LOWER": "to"}],  # to a home (extract.py): "confined to her flat"
                     [{"LOWER": {"IN": ["cannot", "can't"]}}, {"LOWER": "go"}, {"LOWER": "out"}, {"LOWER": "without"}]],
    "passport_confiscated": [[{"LOWER": {"IN": ["passport", "passports", "documents", "document", "id"]}}]],
    "exit_ban": [[{"LOWER": "exit"}, {"LOWER": "ban"}],
                 [{"LEMMA": {"IN": ["bar", "ban", "prevent", "forbid", "stop"]}}, {"LOWER": "from"},
                  {"LOWER": {"IN": ["leaving", "travelling", "traveling"]}}],
                 [{"LOWER": {"IN": ["not", "never", "n't"]}}, {"LEMMA": {"IN": ["allow", "permit"]}}, {"LOWER": "to"},
                  {"LEMMA": {"IN": ["leave", "travel"]}}],
                 [{"LOWER": {"IN": ["cannot", "can't"]}}, {"LEMMA": "leave"}],
                 [{"LOWER": {"IN": ["may", "must"]}}, {"LOWER": "not"}, {"LEMMA": "leave"}],
                 [{"LEMMA": "refuse"}, {"LOWER": "to"}, {"LEMMA": "let"}, {"OP": "?"}, {"LEMMA": "leave"}]],
    "forced_labor": [[{"LOWER": "forced"}, {"LOWER": {"IN": ["labor", "labour"]}}],  # and the places of it:
                     [{"LOWER": {"IN": ["factory", "factories", "workshop", "plant", "mill", "mills"]}}]],
    "surveillance": [[{"LOWER": "surveillance"}], [{"LEMMA": {"IN": ["monitor", "surveil", "watch"]}, "POS": "VERB"}],
                     [{"LOWER": {"IN": ["camera", "cameras"]}}],
                     [{"LEMMA": {"IN": ["come", "visit", "check"]}}, {"LOWER": "to", "OP": "?"},
                      {"LOWER": {"IN": ["his", "her", "their", "my", "our"]}},
                      {"LOWER": {"IN": ["home", "house", "door", "gate", "apartment", "flat"]}}]],
    "released": [[{"LEMMA": {"IN": ["release", "free"]}}], [{"LEMMA": "graduate"}],  # the camps' word for release [{"LEMMA": "let"}, {"OP": "?"}, {"LOWER": {"IN": ["go", "out"]}}],
                 [{"LEMMA": {"IN": ["allow", "permit"]}}, {"LOWER": "to"}, {"LEMMA": {"IN": ["go", "return"]}},
                  {"LOWER": "home"}]],
    "died": [[{"LEMMA": "die"}], [{"LOWER": "death"}], [{"LEMMA": "pass"}, {"LOWER": "away"}]],
    "disappeared": [[{"LEMMA": "disappear"}], [{"LEMMA": "lose"}, {"LOWER": "contact"}],
                    [{"LOWER": "whereabouts"}], [{"LEMMA": "vanish"}], [{"LOWER": "missing"}],
                    [{"LOWER": "no"}, {"LOWER": {"IN": ["contact", "news", "word"]}}],
                    [{"LEMMA": "hear"}, {"LOWER": "from"}]],  # only denied: "has not been heard from since 2018"
    "returned_to_china": [[{"LEMMA": {"IN": ["return", "travel", "go", "come", "fly", "cross"]}, "POS": "VERB"}]],
    "emigrated": [[{"LEMMA": {"IN": ["immigrate", "emigrate", "move", "settle", "flee", "relocate", "come"]}}]],
    "interrogated": [[{"LEMMA": {"IN": ["interrogate", "question"]}, "POS": "VERB"}],
                     [{"LOWER": "interrogation"}]],
    "summoned": [[{"LEMMA": "summon"}]],
    "transferred": [[{"LEMMA": "transfer", "POS": "VERB"}]],
}
# Verbs whose grammatical subject undergoes the event in the active voice ("he died", "she returned").
# Also "he received ten years" and "she was in a camp" (extract.py).
SUBJECT_UNDERGOES = {"died", "disappeared", "returned_to_china", "emigrated"}
CONFISCATION_VERBS = {"confiscate", "take", "seize", "hold", "revoke", "cancel", "keep", "withhold", "collect"}

# Capitalised words that NER sometimes reads as a name but never are one (headlines, nationalities).
NOT_NAMES = {"kazakh", "kazakhs", "uyghur", "uyghurs", "uighur", "kyrgyz", "chinese", "han", "hui", "muslim", "muslims",
             "uzbek", "uzbeks", "tatar", "tatars", "dungan", "dungans", "tajik", "tajiks", "mongol", "mongols",
             "prison", "camp", "term", "held", "herder", "county", "police", "court", "embassy", "consulate",
             "xinjiang", "china", "kazakhstan", "party", "communist", "dear", "subject", "urgent", "appeal",
             "testimony", "consent", "recorded", "language", "sentenced", "detained", "missing", "released",
             "update", "case", "family", "mother", "father", "allah", "god", "volunteer", "volunteers", "group",
             "organization", "organisation", "committee", "center", "centre", "foundation", "association", "union",
             "ministry", "bureau", "office", "university", "school", "radio", "news", "report", "project",
             "district", "prefecture", "autonomous", "region", "city", "township", "village", "province", "archive",
             "archives", "institute", "clinic", "network", "initiative", "coalition", "watch", "tribunal", "chamber",
             "immigration", "asylum", "ombudsman", "verdict", "advocacy", "confined", "street", "avenue",
             "jan", "feb", "mar", "apr", "jul", "aug", "sep", "sept", "oct", "nov", "dec",  # "2 Sep 2019" (not Jun: Ma Jun)
             "checked", "entered", "desk",  # "Checked by:", "Entered by:", "News Desk"
             "host", "presenter", "anchor", "reporter", "interviewer", "moderator", "caller", "interpreter",  # labels
             "forum", "staten", "generaal",  # the Dutch parliament's "Staten-Generaal"
             "lady", "films", "press", "media", "publishing", "studio", "studios", "journal", "cyrillic", "narrator",
             "reply",  # "A. Reply received from the Consulate" (a lettered heading)
             "copy",  # "Copy of the father's household registration booklet"
             "narrative"}  # "Narrative report to the Open Steppe Foundation"
# Words that make a run of capitals opening a case-list entry a description, not a name ("2. RETIRED TEACHER").
DESCRIPTIONS = {"retired", "former", "teacher", "student", "farmer", "herder", "driver", "trader", "doctor", "imam",
                "engineer", "worker", "businessman", "businesswoman", "unknown", "unnamed", "anonymous", "man",
                "woman", "person", "male", "female", "elderly", "young", "old", "name", "withheld"}
# The commonest Chinese surnames: before them "Hui" and "Han" are given names ("Zhang Hui"), not peoples.
HAN_SURNAMES = {"wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu",
                "hu", "guo", "he", "lin", "gao", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng",
                "cao", "peng", "zeng", "xiao", "tian", "dong", "pan", "yuan", "cai", "jiang", "yu", "du", "ye", "cheng",
                "wei", "su", "lu", "ding", "ren", "shen", "yao", "jin", "bai", "cui", "qin", "kang", "shi", "fu"}
# Words before a place that tie it to a person as home or residence ("lives in Almaty", "a native of Ghulja").
HOME_WORDS = {"live", "reside", "settle", "bear", "born", "hail", "come", "resident", "native", "hometown", "home",
              "citizen", "from", "grow", "stay", "remain", "work", "study", "student"}
# What a place before a person's description does not make their home: "a Kazakhstan citizen".
NOT_HOMES = {"citizen", "national", "passport", "holder"}
# The documents of a court, whose date is the day of the sentences they pass.
VERDICT_WORDS = {"verdict", "judgment", "judgement", "ruling"}
# A factory is forced labour when someone is sent, assigned or made to work there.
LABOR_VERBS = {"send", "assign", "force", "make", "transfer", "work", "order", "place", "take", "move", "put", "bus"}
# Words that make repeated visits to a home surveillance rather than an arrest.
REPEATED = {"every", "regularly", "often", "daily", "weekly", "monthly", "each"}
# A home one may not leave: "may not leave her flat" is house arrest, "may not leave China" an exit ban.
HOME_PLACES = {"home", "house", "flat", "apartment", "village", "yard", "courtyard", "neighbourhood", "neighborhood"}
# Words that put a death in custody: in its sentence, or (the staff and inmates) in the sentences beside it.
CUSTODY_STAFF = {"guard", "warden", "inmate", "cellmate", "instructor"}
CUSTODY_WORDS = {"custody", "detention", "camp", "prison", "jail", "cell", "detain", "detained"} | CUSTODY_STAFF
# Organisations of the state: a person speaking for one is an official, for any other an advocate.
STATE_BODIES = {"ministry", "bureau", "police", "government", "consulate", "embassy", "court", "procuratorate",
                "party", "department", "office", "prison", "army", "security", "neighborhood", "neighbourhood",
                "village", "township", "county"}
# Words that make a span an organisation's name.
ORGANISATION_WORDS = {"group", "organization", "organisation", "committee", "initiative", "foundation", "association",
                      "union", "council", "center", "centre", "project", "network", "coalition", "society"}

# The words of a record's "Status:" field, per status, most restrictive first (DESIGN.md's tie order):
# "in custody (prison)" is prison, "died in detention" died, "released from the camp" released.
STATUS_FIELD_WORDS: dict[str, str] = {
    "died": r"died|dead|deceased|death",
    "prison": r"prison|imprisoned|sentenced|jailed|incarcerated",
    "camp": r"camp|re-?education|training cent(?:er|re)|transformation",
    "detention_center": r"detention cent(?:er|re)",
    "detained": r"detained|custody|arrested|held|detention",
    "forced_labor": r"forced lab(?:ou|o)r|factory|mill",
    "house_arrest": r"house arrest",
    "disappeared": r"disappeared|missing|whereabouts unknown|unknown whereabouts",
    "documents_confiscated": r"passports? (?:confiscated|taken)|documents? (?:confiscated|taken)|exit ban",
    "released": r"released|freed",
}
