"""Word lists the recognisers share: months, titles, relations, street and organisation words, names that
are also ordinary words, countries. All lower case; compare with ``word.casefold()``.

These are general English and UK conventions, not tuned to any study's transcripts.
"""

from __future__ import annotations

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
"""Month names and their usual abbreviations, with the month's number."""

MONTH_NAMES: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July", "August",
                                "September", "October", "November", "December")

WEEKDAYS: frozenset[str] = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                      "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat",
                                      "sun"})

TITLES: frozenset[str] = frozenset({
    "dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "nurse", "sister", "prof", "professor", "pastor", "father",
    "rev", "revd", "reverend", "imam", "rabbi", "councillor", "cllr", "judge", "sir", "dame", "lord", "lady",
    "aunt", "auntie", "aunty", "uncle", "nan", "nana", "grandma", "grandad", "granddad", "grandpa", "cousin",
})
"""Words that, capitalised before a capitalised word, make that word a name ("Dr Patel", "Auntie May")."""

RELATIONS: frozenset[str] = frozenset({
    "mum", "mam", "mom", "mother", "dad", "father", "son", "daughter", "brother", "sister", "wife", "husband",
    "partner", "boyfriend", "girlfriend", "fiance", "fiancé", "fiancée", "friend", "mate", "pal", "neighbour",
    "grandson", "granddaughter", "grandchild", "grandma", "grandmother", "grandad", "grandfather", "nan", "nana",
    "gran", "uncle", "aunt", "auntie", "cousin", "nephew", "niece", "stepdad", "stepmum", "stepson",
    "stepdaughter", "colleague", "manager", "boss", "supervisor", "counsellor", "therapist", "psychiatrist",
    "psychologist", "nurse", "doctor", "gp", "keyworker", "key worker", "worker", "coordinator", "teacher",
    "tutor", "lecturer", "pastor", "vicar", "priest", "imam", "sponsor", "carer", "advocate", "officer",
})
"""Relation and role words: "my sister Karen", "my mum, Rose," make the capitalised word after them a name."""

NAME_INTRODUCERS: tuple[str, ...] = ("my name is", "my name's", "name's", "called", "named", "known as",
                                     "i'm called", "this is")
"""Phrases after which a capitalised word is a name."""

COMMON_WORD_NAMES: frozenset[str] = frozenset({
    "hope", "grace", "will", "may", "rose", "faith", "frank", "bill", "mark", "joy", "dawn", "sunny", "april",
    "june", "august", "summer", "autumn", "holly", "ivy", "daisy", "lily", "ruby", "amber", "pearl", "hazel",
    "iris", "violet", "heather", "jasmine", "poppy", "rosemary", "sky", "skye", "rocky", "chase", "hunter",
    "grant", "drew", "gene", "rob", "pat", "sue", "art", "jack", "ray", "bob", "penny", "robin", "miles",
    "lance", "dean", "guy", "cliff", "carol", "chance", "dale", "glen", "heath", "jay", "max", "brook", "reed",
    "rusty", "stone", "sterling", "harmony", "honor", "honour", "patience", "prudence", "charity", "constance",
    "destiny", "trinity", "crystal", "jewel", "star", "river", "ash", "rowan", "eve", "mercy", "noel",
    "christian", "page", "piper", "mason", "carter", "sandy", "earl", "angel", "sonny", "buddy", "dusty",
    "wade", "rich", "rod", "nick", "price", "booth", "marsh",
    "bishop", "cook", "baker", "smith", "wood", "hill", "green", "white", "black", "brown", "young", "king",
    "bell", "ward", "hall", "lane", "fisher", "walker", "parker", "turner", "butler", "bloom", "storm", "blaze",
    "lark", "wren", "finch", "sage", "clay", "sol", "bea", "ada", "kit", "di", "al", "ed", "mo", "viv",
})
"""First names and surnames that are also ordinary English words: they count as names only when written
like names (capitalised, not where any word would be capitalised) or when the study list says so."""

MONTH_LIKE_NAMES: frozenset[str] = frozenset({"april", "may", "june", "august"})
"""Names that are also months: after "in", "since", "until", ... they are months."""

DATE_PREPOSITIONS: frozenset[str] = frozenset({
    "in", "since", "until", "till", "til", "by", "from", "during", "before", "after", "around", "last", "next",
    "early", "mid", "late", "of", "this", "that", "every", "each", "end", "beginning", "start", "through",
    "throughout", "on", "between", "and", "to", "or",
})
"""Words that, before a month name, make it a month ("in May", "since June")."""

STREET_SUFFIXES: tuple[str, ...] = (
    "Street", "Road", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Grove", "Terrace", "Place",
    "Gardens", "Court", "Square", "Hill", "Row", "Walk", "Mews", "View", "Rise", "Parade", "Vale", "Green",
    "Mount", "Fold", "Gate", "Croft", "Park", "Wharf", "Yard", "Approach", "Boulevard", "Broadway", "Circus",
    "Crest", "Dale", "Embankment", "Garth", "Glade", "Grange", "Heights", "Hollow", "Lea", "Meadow", "Meadows",
    "Passage", "Quay", "Ridge", "Side", "Street", "Villas", "Wynd", "Rd", "St", "Ave", "Ln", "Cres", "Gdns",
    "Ct", "Sq", "Tce", "Pl",
)
"""Last words of a UK street name after a house number ("14 Mill Lane", "3 Carr Gdns")."""

STREET_SUFFIXES_WITHOUT_NUMBER: tuple[str, ...] = (
    "Street", "Road", "Lane", "Avenue", "Close", "Drive", "Crescent", "Grove", "Terrace", "Gardens", "Mews",
    "Parade", "Boulevard",
)
"""Street words specific enough to mark a street name without a house number ("on Harehills Lane")."""

GENERIC_STREET_NAMES: frozenset[str] = frozenset({"high", "main", "the", "a", "this", "that", "our", "my",
                                                  "back", "side", "same", "next", "main road"})
"""Words that, alone before a street word, do not make a particular street ("the High Street")."""

ORGANISATION_KEYWORDS: frozenset[str] = frozenset({
    "hospital", "infirmary", "surgery", "practice", "clinic", "centre", "center", "trust", "school", "college",
    "university", "academy", "council", "church", "chapel", "mosque", "temple", "gurdwara", "synagogue",
    "club", "library", "foundation", "charity", "society", "association", "services", "service", "partnership",
    "institute", "ltd", "limited", "plc", "logistics", "group", "project", "network", "hub", "house",
    "housing", "unit", "ward", "team", "cafe", "café", "bank", "pharmacy", "hospice", "home", "nursery",
    "company", "co", "industries", "solutions", "consultancy", "agency", "board", "authority", "department",
})
"""Words that end an organisation's name ("Harehills Health Centre", "Kirkstall Logistics")."""

GENERIC_ORGANISATION_WORDS: frozenset[str] = frozenset({
    "health", "medical", "community", "mental", "day", "job", "primary", "care", "general", "royal", "district",
    "city", "county", "local", "national", "regional", "children's", "childrens", "women's", "womens", "family",
    "crisis", "recovery", "support", "peer", "the", "a", "an", "of", "and", "&", "for", "at", "nhs", "st",
    "saint", "new", "old", "central", "university", "college", "school", "hospital", "infirmary", "surgery",
    "practice", "clinic", "centre", "center", "trust", "council", "church", "club", "library", "foundation",
    "services", "service", "partnership", "unit", "ward", "team", "group", "project", "house", "housing",
    "home", "bank", "food", "drop-in", "sports", "leisure", "youth", "citizens", "advice", "social", "high",
    "secondary", "junior", "infant", "infants", "sixth", "form", "further", "education", "my", "our", "your",
    "his", "her", "their", "this", "that", "drug", "alcohol", "addiction", "wellbeing",
    "well-being", "resource", "outpatients", "outpatient", "inpatient", "acute", "mother", "baby", "pharmacy",
})
"""Words that alone do not name a particular organisation ("the Health Centre", "the Job Centre")."""

GENERIC_IDENTIFIERS: frozenset[str] = frozenset({
    "nhs", "gp", "gps", "a&e", "a & e", "cmht", "cpn", "iapt", "cbt", "dbt", "emdr", "dwp", "pip", "esa", "uc",
    "universal credit", "job centre", "jobcentre", "jobcentre plus", "the job centre", "social services",
    "crisis team", "home treatment team", "community mental health team", "the nhs", "nhs england", "covid",
    "covid-19", "coronavirus", "zoom", "teams", "microsoft teams", "whatsapp", "facebook", "instagram",
    "google", "youtube", "tiktok", "twitter", "snapchat", "netflix", "samaritans", "mind", "rethink", "aa", "na",
    "mental health act", "section", "ptsd", "adhd", "ocd", "bpd", "eupd", "the council", "council", "police",
    "the police", "ambulance", "paramedics", "fire brigade", "ofsted", "cqc", "nice", "gmc", "nmc", "hcpc",
    "english", "british", "god", "jesus", "christmas", "easter", "ramadan", "eid", "diwali", "lockdown",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "interviewer", "participant",
    "researcher", "facilitator", "peer worker", "peer support worker", "supported person", "service user",
})
"""Names too general to identify anyone (national services, platforms, conditions): never flagged."""

ROLE_LABEL_WORDS: frozenset[str] = frozenset({
    "interviewer", "interviewee", "int", "iv", "i", "r", "p", "q", "a", "researcher", "research", "facilitator",
    "moderator", "participant", "respondent", "speaker", "peer", "worker", "support", "supported", "person",
    "service", "user", "carer", "staff", "member", "nurse", "clinician", "manager", "lead", "team", "leader",
    "coordinator", "co-ordinator", "volunteer", "student", "parent", "client", "patient", "group", "all",
    "unknown", "unidentified", "male", "female", "man", "woman", "voice", "other", "note", "notes", "transcriber",
    "pw", "sp", "pt", "pp", "fg", "and",
})
"""Words a speaker label is made of when it names a role, not a person ("Interviewer", "Peer worker 2")."""

COUNTRIES: frozenset[str] = frozenset({
    "afghanistan", "albania", "algeria", "angola", "argentina", "armenia", "australia", "austria", "azerbaijan",
    "bahamas", "bangladesh", "barbados", "belarus", "belgium", "belize", "benin", "bhutan", "bolivia", "bosnia",
    "botswana", "brazil", "bulgaria", "burundi", "cambodia", "cameroon", "canada", "chad", "chile", "china",
    "colombia", "congo", "croatia", "cuba", "cyprus", "czechia", "czech republic", "denmark", "dominica",
    "ecuador", "egypt", "england", "eritrea", "estonia", "eswatini", "ethiopia", "fiji", "finland", "france",
    "gabon", "gambia", "georgia", "germany", "ghana", "greece", "grenada", "guatemala", "guinea", "guyana",
    "haiti", "honduras", "hong kong", "hungary", "iceland", "india", "indonesia", "iran", "iraq", "ireland",
    "israel", "italy", "jamaica", "japan", "jordan", "kazakhstan", "kenya", "korea", "kosovo", "kuwait",
    "latvia", "lebanon", "lesotho", "liberia", "libya", "lithuania", "luxembourg", "madagascar", "malawi",
    "malaysia", "maldives", "mali", "malta", "mauritius", "mexico", "moldova", "mongolia", "montenegro",
    "morocco", "mozambique", "myanmar", "namibia", "nepal", "netherlands", "holland", "new zealand",
    "nicaragua", "niger", "nigeria", "northern ireland", "norway", "oman", "pakistan", "palestine", "panama",
    "paraguay", "peru", "philippines", "poland", "portugal", "qatar", "romania", "russia", "rwanda",
    "saudi arabia", "scotland", "senegal", "serbia", "sierra leone", "singapore", "slovakia", "slovenia",
    "somalia", "somaliland", "south africa", "spain", "sri lanka", "sudan", "south sudan", "sweden",
    "switzerland", "syria", "taiwan", "tanzania", "thailand", "togo", "trinidad", "tunisia", "turkey",
    "uganda", "ukraine", "united arab emirates", "uae", "united kingdom", "uk", "united states", "usa",
    "america", "uruguay", "uzbekistan", "venezuela", "vietnam", "wales", "yemen", "zambia", "zimbabwe",
})
"""Country names (lower case): a place that is one becomes "[Country A]" rather than "[Town A]"."""

NATIONALITIES_AND_FAITHS: frozenset[str] = frozenset({
    "english", "british", "scottish", "welsh", "irish", "northern", "european", "american", "african", "asian",
    "caribbean", "black", "white", "polish", "romanian", "indian", "pakistani", "bangladeshi", "chinese",
    "nigerian", "somali", "kurdish", "arab", "arabic", "urdu", "punjabi", "french", "german", "spanish",
    "italian", "portuguese", "muslim", "muslims", "christian", "christians", "catholic", "protestant", "jewish",
    "hindu", "sikh", "buddhist", "islam", "islamic", "quran", "koran", "bible", "ramadan", "eid", "diwali",
    "christmas", "easter", "hanukkah", "lent", "sabbath", "lgbt", "lgbtq", "lgbtq+", "gay", "trans",
})
"""Words for nationality, ethnicity, language, faith and festivals: written with a capital, not names."""
