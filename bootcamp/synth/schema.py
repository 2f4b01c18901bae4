"""The schema, defined once: tables, columns, types, allowed codes, descriptions and keys.

The SQLite DDL (:func:`sqlite_ddl`), the Arrow schemas the writers and checks use
(:func:`arrow_schema`, :func:`check_table`) and the codebook page (:func:`codebook_markdown`) are
all produced from the definitions below, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from bootcamp.synth import reference as ref

#: Schema dtype -> (Arrow type, SQLite type, words for the codebook)
DTYPES: dict[str, tuple[pa.DataType, str, str]] = {
    "string": (pa.string(), "TEXT", "text"),
    "int8": (pa.int8(), "INTEGER", "integer"),
    "int16": (pa.int16(), "INTEGER", "integer"),
    "int32": (pa.int32(), "INTEGER", "integer"),
    "int64": (pa.int64(), "INTEGER", "integer"),
    "float32": (pa.float32(), "REAL", "decimal"),
    "float64": (pa.float64(), "REAL", "decimal"),
    "date": (pa.date32(), "TEXT", "date (SQLite: text YYYY-MM-DD)"),
    "bool": (pa.bool_(), "INTEGER", "true/false (SQLite: 1/0)"),
}


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    description: str
    codes: dict[str, str] | tuple[str, ...] | None = None
    nullable: bool = False
    references: str | None = None  # "table.column"


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    truth: bool = False
    raw_file: str | None = None  # file name of the tab-delimited "state download"
    notes: str = ""
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def C(name, dtype, description, codes=None, nullable=False, references=None) -> Column:  # noqa: N802
    return Column(name, dtype, description, codes, nullable, references)


_STATUS = ref.STATUS
_REASON = {k: v[1] for k, v in ref.REASONS.items()}
_RACE = {
    "A": "Asian",
    "B": "Black or African American",
    "I": "American Indian or Alaska Native",
    "M": "Two or more races",
    "O": "Other",
    "P": "Native Hawaiian or Pacific Islander",
    "U": "Undesignated",
    "W": "White",
}
_ETHNIC = {"HL": "Hispanic or Latino", "NL": "Not Hispanic or Latino", "UN": "Undesignated"}
_PARTY = {
    "DEM": "Democratic",
    "REP": "Republican",
    "UNA": "Unaffiliated",
    "LIB": "Libertarian",
    "GRE": "Green",
}
_GENDER = {"F": "Female", "M": "Male", "U": "Undesignated"}
_COUNTY = {c.county_desc: f"county_id {c.county_id}, {c.urbanicity}" for c in ref.COUNTIES}
_URBAN = ("urban", "suburban", "rural")

_DISTRICTS = (
    C(
        "municipality_desc",
        "string",
        "Municipality (city or town); missing outside one",
        nullable=True,
    ),
    C("ward_abbrv", "string", "City ward (urban municipalities only)", nullable=True),
    C("cong_dist_abbrv", "string", "Congressional district"),
    C("lk_senate_abbrv", "string", "Lakeland state senate district"),
    C("lk_house_abbrv", "string", "Lakeland state house district"),
)

TABLES: tuple[Table, ...] = (
    Table(
        "precincts",
        "One row per voting precinct. Each precinct lies in one county and one set of districts.",
        (
            C(
                "precinct_abbrv",
                "string",
                "Precinct code, unique statewide (county prefix + number)",
            ),
            C("precinct_desc", "string", "Precinct name"),
            C("county_id", "int8", "County number (1-8)"),
            C("county_desc", "string", "County name", _COUNTY),
            C("urbanicity", "string", "Settlement type of the precinct", _URBAN),
            *_DISTRICTS,
        ),
        primary_key=("precinct_abbrv",),
        indexes=(("county_id",),),
        raw_file="lk_precincts.txt",
    ),
    Table(
        "households",
        "One row per residential address with at least one registrant (one household each; in a "
        "weekly snapshot also the earlier addresses of voters who moved).",
        (
            C("household_id", "int64", "Household (address) id"),
            C("house_num", "int32", "House number"),
            C(
                "street_dir",
                "string",
                "Street direction prefix",
                ref.STREET_DIRECTIONS,
                nullable=True,
            ),
            C("street_name", "string", "Street name"),
            C("street_type", "string", "Street type, USPS abbreviation (ST, AVE, ...)"),
            C("unit_num", "string", "Apartment / unit number", nullable=True),
            C("res_street_address", "string", "Full street line, as on the voter record"),
            C("res_city_desc", "string", "City"),
            C("zip_code", "string", "Five-digit zip code (text: keep the leading zeros)"),
            C("precinct_abbrv", "string", "Precinct", references="precincts.precinct_abbrv"),
            C("county_id", "int8", "County number"),
            C(
                "dwelling_type",
                "string",
                "Type of dwelling (group quarters: a dormitory or a care home)",
                ("single-family", "apartment", "group quarters"),
            ),
            C("household_size", "int8", "Residents, registered or not, children included"),
        ),
        primary_key=("household_id",),
        indexes=(("precinct_abbrv",),),
        raw_file="lk_households.txt",
    ),
    Table(
        "voters",
        "The voter file: one row per registration record (modelled on North Carolina's ncvoter).",
        (
            C("ncid", "string", "Statewide voter id (two letters + digits)"),
            C("county_id", "int8", "County number (1-8)"),
            C("county_desc", "string", "County name", _COUNTY),
            C("voter_reg_num", "int64", "Registration number within the county"),
            C("status_cd", "string", "Registration status code", _STATUS),
            C("voter_status_desc", "string", "Registration status", tuple(_STATUS.values())),
            C("reason_cd", "string", "Reason code for the status", _REASON),
            C(
                "voter_status_reason_desc",
                "string",
                "Reason for the status",
                tuple(dict.fromkeys(_REASON.values())),
            ),
            C("last_name", "string", "Last name (upper case)"),
            C("first_name", "string", "First name (upper case)"),
            C("middle_name", "string", "Middle name", nullable=True),
            C("name_suffix_lbl", "string", "Name suffix", tuple(ref.SUFFIX_P), nullable=True),
            C("res_street_address", "string", "Residential street address", references=None),
            C("res_city_desc", "string", "Residential city"),
            C("state_cd", "string", "State of residence", (ref.STATE_CD,)),
            C("zip_code", "string", "Residential zip code (text)"),
            C("mail_addr1", "string", "Mailing address line"),
            C("mail_city", "string", "Mailing city"),
            C("mail_state", "string", "Mailing state"),
            C("mail_zipcode", "string", "Mailing zip code (text)"),
            C(
                "full_phone_number",
                "string",
                "Phone, NXX-555-01XX (fictional range, many area codes)",
                nullable=True,
            ),
            C("email", "string", "E-mail (example.com / .org / .net only)", nullable=True),
            C(
                "registr_dt",
                "date",
                "Date of registration (missing where the state's file has "
                "the placeholder ##/##/####)",
                nullable=True,
            ),
            C("race_code", "string", "Race (self-reported)", _RACE),
            C("ethnic_code", "string", "Ethnicity (self-reported)", _ETHNIC),
            C("party_cd", "string", "Party of registration", _PARTY),
            C("gender_code", "string", "Gender (self-reported)", _GENDER),
            C("birth_year", "int16", "Year of birth (a few implausible values such as 1900)"),
            C("age_at_year_end", "int16", "Age on 31 December 2026"),
            C("birth_state", "string", "State or country of birth", nullable=True),
            C("precinct_abbrv", "string", "Precinct", references="precincts.precinct_abbrv"),
            C("precinct_desc", "string", "Precinct name"),
            *_DISTRICTS,
            C(
                "household_id",
                "int64",
                "Household (address); links voters living together",
                references="households.household_id",
            ),
        ),
        primary_key=("ncid",),
        indexes=(
            ("household_id",),
            ("precinct_abbrv",),
            ("county_id",),
            ("last_name", "first_name"),
        ),
        raw_file="lkvoter_statewide.txt",
        notes="Registrants of all statuses are included; most analyses keep status_cd in "
        "('A', 'I'). About 2% of people are registered twice (see truth_duplicates).",
    ),
    Table(
        "elections",
        "One row per election in the ten-year calendar.",
        (
            C("election_lbl", "string", "Election date as MM/DD/YYYY (the key used in history)"),
            C("election_desc", "string", "Description, e.g. 11/03/2026 GENERAL"),
            C("election_type", "string", "Kind of election", ref.ELECTION_TYPES),
            C("election_date", "date", "Election day"),
        ),
        primary_key=("election_lbl",),
        raw_file="lk_elections.txt",
    ),
    Table(
        "vote_history",
        "One row per voter per election voted (modelled on North Carolina's ncvhis).",
        (
            C("ncid", "string", "Voter", references="voters.ncid"),
            C(
                "election_lbl",
                "string",
                "Election (MM/DD/YYYY)",
                references="elections.election_lbl",
            ),
            C("election_desc", "string", "Election description"),
            C(
                "voting_method",
                "string",
                "How the ballot was cast; labels changed in 2020 (label drift)",
                tuple(dict.fromkeys(ref.METHODS + ref.METHODS_LEGACY)),
            ),
            C(
                "voted_party_cd",
                "string",
                "Party ballot chosen (primaries only)",
                ref.PARTIES,
                nullable=True,
            ),
            C("pct_label", "string", "Precinct voted in", references="precincts.precinct_abbrv"),
            C("county_desc", "string", "County voted in", _COUNTY),
        ),
        indexes=(("ncid",), ("election_lbl",)),
        raw_file="lkvhis_statewide.txt",
        notes="No primary key on purpose: label drift left a few (ncid, election_lbl) pairs twice.",
    ),
    Table(
        "contacts",
        "Field contact attempts: one row per attempt (door, phone, mail), VAN-style result codes.",
        (
            C("contact_id", "int64", "Contact attempt id"),
            C("ncid", "string", "Voter targeted", references="voters.ncid"),
            C("household_id", "int64", "Household", references="households.household_id"),
            C("channel", "string", "Channel", ref.CHANNELS),
            C("contact_dt", "date", "Date of the attempt"),
            C("attempt_num", "int8", "Attempt number for this voter in this program"),
            C(
                "volunteer_id",
                "int32",
                "Volunteer who made the attempt",
                nullable=True,
                references="volunteers.volunteer_id",
            ),
            C("turf_id", "string", "Canvass turf (door) or call list batch", nullable=True),
            C("list_id", "string", "Program / list the voter was on"),
            C("result_code", "string", "Result", ref.RESULT_CODES),
        ),
        primary_key=("contact_id",),
        indexes=(("ncid",), ("household_id",)),
        raw_file="lk_contacts.txt",
    ),
    Table(
        "survey_responses",
        "Answers given in canvassed contacts (long format: one row per question).",
        (
            C("contact_id", "int64", "Contact", references="contacts.contact_id"),
            C("ncid", "string", "Voter", references="voters.ncid"),
            C("question", "string", "Question", ("support", "plan_to_vote", "top_issue")),
            C(
                "response",
                "string",
                "Answer: support 1 (strong support) .. 5 (strong oppose); "
                "plan_to_vote Yes / Maybe / No; top_issue an issue name",
            ),
        ),
        primary_key=("contact_id", "question"),
        indexes=(("ncid",),),
        raw_file="lk_survey_responses.txt",
    ),
    Table(
        "donations",
        "Individual contributions in the style of the FEC bulk file. No voter id: linking donors "
        "to voters is a record-linkage exercise.",
        (
            C("sub_id", "int64", "Unique row id"),
            C("cmte_id", "string", "Receiving committee", ref.COMMITTEES),
            C("entity_tp", "string", "Contributor type", ("IND",)),
            C("name", "string", "Contributor name, LAST, FIRST [MIDDLE]"),
            C("city", "string", "City"),
            C("state", "string", "State"),
            C("zip_code", "string", "Zip code, five or nine digits"),
            C("employer", "string", "Employer", nullable=True),
            C("occupation", "string", "Occupation", nullable=True),
            C("transaction_dt", "date", "Date of the contribution"),
            C("transaction_amt", "float64", "Amount in dollars"),
        ),
        primary_key=("sub_id",),
        raw_file="lk_donations.txt",
    ),
    Table(
        "volunteers",
        "A volunteer sign-up sheet, typed in by the volunteers themselves (messy by nature).",
        (
            C("volunteer_id", "int32", "Sign-up id"),
            C("signup_dt", "date", "Date of sign-up"),
            C("name", "string", "Name as typed (nicknames, case, spaces)"),
            C("email", "string", "E-mail as typed", nullable=True),
            C("phone", "string", "Phone as typed (any format)", nullable=True),
            C("zip_code", "string", "Zip as typed", nullable=True),
            C(
                "source",
                "string",
                "Where they signed up",
                ("website", "event", "canvass", "referral"),
            ),
        ),
        primary_key=("volunteer_id",),
        raw_file="lk_volunteers.txt",
    ),
    Table(
        "experiment",
        "Random assignment of the field experiments (household-level): the GOTV experiment in the "
        "11/04/2025 municipal election and the 2026 persuasion-script test.",
        (
            C("experiment_id", "string", "Experiment", ("GOTV-2025", "PERSUADE-2026")),
            C(
                "household_id",
                "int64",
                "Household (unit of randomization)",
                references="households.household_id",
            ),
            C("ncid", "string", "Voter in the household", references="voters.ncid"),
            C("arm", "string", "Assigned arm", ref.GOTV_ARMS + ref.PERSUASION_ARMS),
        ),
        primary_key=("experiment_id", "ncid"),
        indexes=(("household_id",),),
        raw_file="lk_experiment.txt",
    ),
    Table(
        "truth_voters",
        "HIDDEN TRUTH, one row per person: the latent traits and effects the data were drawn from.",
        (
            C(
                "ncid",
                "string",
                "Voter (the person's first registration)",
                references="voters.ncid",
            ),
            C("birth_date", "date", "Exact date of birth"),
            C("civic_propensity", "float32", "Latent civic propensity (turnout, logit scale)"),
            C("ideology", "float32", "Latent ideology (+ conservative, - liberal)"),
            C("hispanic", "bool", "True Hispanic ethnicity (before undesignated answers)"),
            C("removal_dt", "date", "Date the registration was removed (status R)", nullable=True),
            C("persuadable", "bool", "In the hidden persuadable segment"),
            C("tau_persuasion", "float32", "Effect of the persuasion script on P(support 1-2)"),
            C("tau_door", "float32", "Effect of a door contact on P(vote), 2025 municipal"),
            C("tau_phone", "float32", "Effect of a phone contact on P(vote), 2025 municipal"),
            C("tau_mail", "float32", "Effect of the social-pressure mailer on P(vote)"),
            C(
                "exp_p_control",
                "float32",
                "P(vote) in 2025 if the household had been control (GOTV experiment universe only)",
                nullable=True,
            ),
            C(
                "exp_p_assigned",
                "float32",
                "P(vote) in 2025 under the assigned arm (universe "
                "only); the true ITT of an arm is the mean of exp_p_assigned - exp_p_control",
                nullable=True,
            ),
        ),
        primary_key=("ncid",),
        truth=True,
    ),
    Table(
        "truth_duplicates",
        "HIDDEN TRUTH: the key of injected duplicate registrations.",
        (
            C("ncid", "string", "Original record", references="voters.ncid"),
            C(
                "dup_ncid",
                "string",
                "Duplicate record of the same person",
                references="voters.ncid",
            ),
            C("kind", "string", "How the duplicate arose", ("same_address", "moved")),
        ),
        primary_key=("dup_ncid",),
        truth=True,
    ),
    Table(
        "truth_links",
        "HIDDEN TRUTH: which voter each donation and volunteer sign-up belongs to.",
        (
            C("source_table", "string", "Table", ("donations", "volunteers")),
            C("source_id", "int64", "sub_id or volunteer_id"),
            C(
                "ncid",
                "string",
                "The voter (missing: not registered)",
                nullable=True,
                references="voters.ncid",
            ),
        ),
        primary_key=("source_table", "source_id"),
        truth=True,
    ),
    Table(
        "truth_changes",
        "HIDDEN TRUTH of a weekly snapshot (`snapshot=1` ...): one row per voter record that "
        "changed since the previous week. Empty in snapshot 0.",
        (
            C("ncid", "string", "Voter record", references="voters.ncid"),
            C(
                "change",
                "string",
                "What happened",
                {
                    "new": "a new registration (new ncid)",
                    "moved": "a new residential address (household_id changes; county too for "
                    "some)",
                    "changed": "party, status or last name changed without a move",
                    "removed": "status became R (removed), with its reason",
                },
            ),
            C("change_dt", "date", "Day the county board processed the change"),
            C(
                "field",
                "string",
                "The voters column that changed (missing for new registrations)",
                ("res_street_address", "party_cd", "status_cd", "last_name"),
                nullable=True,
            ),
            C("old_value", "string", "Value in the previous week's file", nullable=True),
            C("new_value", "string", "Value in this week's file", nullable=True),
            C("from_county_id", "int8", "County moved from (moves only)", nullable=True),
            C("to_county_id", "int8", "County moved to (moves only)", nullable=True),
            C("snapshot", "int8", "Week of the change (this snapshot's number)"),
        ),
        primary_key=("ncid",),
        truth=True,
    ),
    Table(
        "truth_precincts",
        "HIDDEN TRUTH: latent precinct traits.",
        (
            C("precinct_abbrv", "string", "Precinct", references="precincts.precinct_abbrv"),
            C("lean", "float32", "Partisan lean (+ conservative)"),
            C("civic_mean", "float32", "Mean civic propensity of residents"),
            C("turnout_effect", "float32", "Precinct effect in the turnout model (logit)"),
        ),
        primary_key=("precinct_abbrv",),
        truth=True,
    ),
)

TABLE_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
PUBLIC_TABLES = tuple(t.name for t in TABLES if not t.truth)
TRUTH_TABLES = tuple(t.name for t in TABLES if t.truth)


def arrow_schema(name: str) -> pa.Schema:
    table = TABLE_BY_NAME[name]
    return pa.schema(
        [pa.field(c.name, DTYPES[c.dtype][0], nullable=c.nullable) for c in table.columns]
    )


def allowed_codes(column: Column) -> tuple[str, ...] | None:
    if column.codes is None:
        return None
    return tuple(column.codes)


def codes(table: str, column: str) -> tuple[str, ...]:
    """The allowed codes of a column, in the order the generator's integer codes index them."""
    return allowed_codes(TABLE_BY_NAME[table].column(column))


def sqlite_ddl(name: str, tables: tuple[str, ...] | None = None) -> str:
    """CREATE TABLE for one table: types, NOT NULL, primary key and foreign keys.

    Allowed codes are checked when the data are generated (:func:`check_table`), not by CHECK
    constraints: those made loading the county database four times slower.

    ``tables`` limits foreign keys to tables that exist in the database.
    """
    table = TABLE_BY_NAME[name]
    lines = []
    for c in table.columns:
        sql = f"    {c.name} {DTYPES[c.dtype][1]}"
        if not c.nullable:
            sql += " NOT NULL"
        lines.append(sql)
    if table.primary_key:
        lines.append(f"    PRIMARY KEY ({', '.join(table.primary_key)})")
    for c in table.columns:
        if c.references:
            ref_table, ref_col = c.references.split(".")
            if tables is None or ref_table in tables:
                lines.append(f"    FOREIGN KEY ({c.name}) REFERENCES {ref_table} ({ref_col})")
    return f"CREATE TABLE {name} (\n" + ",\n".join(lines) + "\n);"


def sqlite_indexes(name: str) -> list[str]:
    table = TABLE_BY_NAME[name]
    return [
        f"CREATE INDEX idx_{name}_{'_'.join(cols)} ON {name} ({', '.join(cols)});"
        for cols in table.indexes
    ]


def check_table(name: str, data: pa.Table) -> list[str]:
    """Problems with ``data`` against the schema (empty list: it conforms)."""
    import pyarrow.compute as pc

    table = TABLE_BY_NAME[name]
    problems = []
    if tuple(data.column_names) != table.column_names:
        return [f"{name}: columns {data.column_names} != schema {list(table.column_names)}"]
    for c in table.columns:
        col = data.column(c.name)
        if col.type != DTYPES[c.dtype][0]:
            problems.append(f"{name}.{c.name}: type {col.type} != {c.dtype}")
        if not c.nullable and col.null_count:
            problems.append(f"{name}.{c.name}: {col.null_count} missing values")
        codes = allowed_codes(c)
        if codes and c.dtype == "string":
            bad = pc.unique(pc.filter(col, pc.invert(pc.is_in(col, pa.array(codes))))).to_pylist()
            bad = [b for b in bad if b is not None]
            if bad:
                problems.append(f"{name}.{c.name}: values outside the codes {bad[:5]}")
    return problems


DGP_SUMMARY = """\
## How the data were generated

Everything is drawn with a seeded random generator, so the same preset and seed always give the
same files. The stages run once, in this order; each is a function of the random generator, the
configuration and the tables made before it.

1. **Geography.** Lakeland (state code `LK`, fictional) has eight counties: two urban, three
   suburban, three rural. Each county is cut into precincts (about 2,250 registrants each at the
   `state` preset, fewer at smaller presets), and precincts are assigned, in order, to
   congressional, state senate and state house districts. Precincts carry hidden traits
   (`truth_precincts`): a partisan lean, a civic mean and a turnout effect. City names are built
   from Faker's city-name parts; zip codes start with 001-004, prefixes the U.S. Postal Service
   does not use, so no address is real.
2. **Households.** Each household is one address (house number, street, unit for apartments) with
   a number of residents (Census-like: mean about 2.5) of whom adults are registered with
   probability about 0.83. Street names combine Faker names with Faker street suffixes; houses
   take consecutive numbers (both sides of the street), apartment buildings numbers from 200 on.
   Some precincts have group quarters: a college dormitory (20-60 registered students aged
   18-22) or a care home (15-50 registered residents aged 75 and over), unrelated people at one
   address (`dwelling_type` `group quarters`; left out of the field experiments).
   Precinct sizes vary as in real files (lognormal, coefficient of variation about 0.6).
3. **People.** Age, sex, race and ethnicity depend on the county; housemates mostly share a last
   name and race. First names follow the birth decade (the Social Security Administration's
   national baby-name counts for each decade's commonest names, Faker's en_US list for the rest;
   six in ten Hispanic registrants get a name from Faker's es_MX list); surnames follow race and
   Hispanic origin as in the Census Bureau's 2010 surname table (a WASHINGTON is mostly Black, a
   GARCIA mostly Hispanic, but not always). Sources are cited in `reference.py`. Ideology
   depends on the precinct lean. Race, ethnicity and gender are *undesignated* (`U`, `UN`, `U`)
   for a share of registrants, as people may decline to answer; these are real values, not
   missing ones. Phones and e-mails: see *Synthetic only* below.
4. **Registration.** The registration date follows the time at the current address and the 18th
   birthday, with surges in the six weeks before the deadline of presidential years (about three
   times the spring rate) and few weekend dates (most are moved to the nearest weekday).
   Lakeland allows **pre-registration from age 16**: about 15% of those registering on
   coming of age did so at 16 or 17, so `registr_dt` may precede the 18th birthday (never the
   16th); nobody votes before turning 18. Party depends on age (unaffiliated falls, Republican
   rises with age), race (Black registrants mostly Democratic), ideology and precinct lean.
   Some records are removed (moved, deceased; history stops at removal), denied or temporary.
5. **Sign-ups.** About 2% of registrants give money (lognormal amounts, median about $50) and about
   0.6% sign up as volunteers; neither table carries a voter id.
6. **Field programs and the experiment.** In the 11/04/2025 municipal election a GOTV experiment
   randomly assigned households in HARBOR county to control (40%), door (20%), phone (20%) or
   social-pressure mail (20%). Doors open about 30% of the time, phones are answered about 13%.
   Among those contacted turnout rises by about 7 (door), 3 (phone) and 6 (mail) points, most for
   mid-propensity voters, with some spillover to housemates. In 2026 an ID canvass in three
   suburban counties randomly used a persuasion script for half the households: the average
   persuasion effect is about zero, but a hidden persuadable segment moves about 3.5 points.
   Canvassed voters answer support (1-5, with noise), plan-to-vote and top-issue questions.
7. **Election history.** For each election in order, logit P(vote) = election intercept + smooth
   age effect + 1.1 x civic propensity + party term (+ unaffiliated penalty in primaries) + race
   term + precinct effect + 1.3 x (voted in the last election of the same kind). Only registrants
   who were registered 25 days before, 18 or older and not removed can vote; municipal elections
   are held only inside municipalities. The voting method depends on the year and on age.
8. **Status.** Registrants who missed both the 2024 and 2026 general elections were moved to
   INACTIVE when their confirmation mailing was not returned.
9. **Messiness** (on by default; `bootcamp data --clean` switches it off): about 2% duplicate
   registrations of the same person (same address with typos, or a later move to a new address of
   their own, in the same county six times in ten; the new record votes from 25 days after it was
   made, the old one until then unless it was removed; key in `truth_duplicates`), voting-method
   labels that changed in 2020 (`ABSENTEE ONESTOP` before, `EARLY VOTING IN-PERSON` after) with
   a few rows repeated under both labels, missing registration dates (the raw file shows the
   placeholder `##/##/####`), birth year 1900 for a few records, mailing addresses spelling out
   `STREET`, and, in the raw tab-delimited download only, padded fields and inconsistent case.
10. **Weekly updates** (`data.load(..., snapshot=1)`, `data.connect(snapshot=1)`,
   `bootcamp data --snapshot 1`; up to 4 weeks). The same state one week after the download
   (12/01/2026), as the next week's file would show it: about 0.15% new registrations (a third
   of them young people turning 18 in a household already on file, the rest newcomers at a new
   address), about 0.25% of households moving to a new address (seven in ten within their
   county; a move across counties changes `county_id` and `voter_reg_num`, never `ncid`), about
   0.2% changes without a move (party, active/inactive status, a married name) and about 0.1%
   removals (status `R`: deceased, moved out of state, ...). Records keep their row, new ones
   come at the end, and ids of new records and addresses come from ranges of their own
   (`ncid` numbers from 8,000,000). No election falls in those weeks, so vote history does not
   change. `truth_changes` lists each changed record once with its kind (`new`, `moved`,
   `changed`, `removed`) and the field, old and new value. At the `state` preset a chunk is one
   county, so there moves stay inside the county.

**Clean files and raw files.** The Parquet files and the SQLite database are typed and trimmed:
dates are dates, numbers are numbers, missing is missing (`NA` / `NULL`). The raw download
(`raw/*.txt`, tab-delimited, every field text) is the same data as a state would publish it, with
the raw-format problems the cleaning lessons are about.

**Synthetic only.** Phone numbers use only the reserved fictional range NXX-555-0100..0199, over
every valid area code NXX (N 2-9; not N11, not 555): about 79,000 numbers, drawn without
replacement, so at the `county` preset a number identifies one household (housemates may share
one) and only at the `state` preset do numbers repeat; e-mail addresses use only example.com,
example.org and example.net. Names are drawn at random from Faker's lists and combined with
fictional streets, so no record describes a real person.
"""


def _codes_text(column: Column) -> str:
    if column.codes is None:
        return ""
    if isinstance(column.codes, dict):
        return "; ".join(f"`{k}` {v}" for k, v in column.codes.items())
    return ", ".join(f"`{v}`" for v in column.codes)


def codebook_markdown() -> str:
    """The codebook page: one section per table (columns, types, codes, keys) and the process."""
    out = [
        "Tables are listed in the order the generator makes them. *Truth* tables hold the hidden "
        "values the data were drawn from; `data.load` gives them only when asked by name.\n"
    ]
    for table in TABLES:
        title = f"## `{table.name}`" + (" (truth)" if table.truth else "")
        out.append(title + "\n")
        out.append(table.description + "\n")
        keys = []
        if table.primary_key:
            keys.append(f"Primary key: `{', '.join(table.primary_key)}`.")
        fks = [f"`{c.name}` -> `{c.references}`" for c in table.columns if c.references]
        if fks:
            keys.append("Foreign keys: " + ", ".join(fks) + ".")
        if table.raw_file:
            keys.append(f"Raw download: `raw/{table.raw_file}`.")
        if table.notes:
            keys.append(table.notes)
        if keys:
            out.append(" ".join(keys) + "\n")
        out.append("| column | type | missing allowed | codes | description |")
        out.append("| --- | --- | --- | --- | --- |")
        for c in table.columns:
            cells = [
                f"`{c.name}`",
                DTYPES[c.dtype][2],
                "yes" if c.nullable else "no",
                _codes_text(c),
                c.description,
            ]
            out.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
        out.append("")
    out.append(DGP_SUMMARY)
    return "\n".join(out)
