"""The generator: runs the stages in order and yields the tables, chunk by chunk.

geography -> households -> people -> registration -> sign-ups (donations, volunteers) -> field
programs and the experiment -> election history -> status -> messiness (``STAGES``), then one
builder per table (``BUILDERS``), then the weekly updates of a later snapshot (``weekly.py``).
Stages and builders take one typed :class:`~bootcamp.synth.chunk.Chunk`; every id comes from its
:class:`~bootcamp.synth.chunk.Ids`. Small presets are one chunk; the state preset runs county by
county (large counties in precinct blocks), so memory is bounded by the chunk, not the state.
Each chunk has its own seeded generator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa

from bootcamp.synth import messiness, weekly
from bootcamp.synth import reference as ref
from bootcamp.synth.chunk import REG_NUM_BASE, Chunk, Ids
from bootcamp.synth.columns import (
    constant,
    day,
    digits,
    join,
    labels,
    null_where,
    to_date32,
    to_table,
    where,
)
from bootcamp.synth.config import CHUNK_REGISTRANTS, Config
from bootcamp.synth.field import make_field
from bootcamp.synth.geography import chunks, make_geography
from bootcamp.synth.history import apply_inactivity, make_history
from bootcamp.synth.households import concat as households_concat
from bootcamp.synth.households import make_households, new_addresses
from bootcamp.synth.people import make_people
from bootcamp.synth.registration import make_registration
from bootcamp.synth.schema import TABLE_BY_NAME, arrow_schema
from bootcamp.synth.schema import codes as schema_codes
from bootcamp.synth.signups import make_donations, make_volunteers

ELECTION_LBL = [e.date.strftime("%m/%d/%Y") for e in ref.ELECTIONS]
ELECTION_DESC = [f"{lbl} {e.kind}" for lbl, e in zip(ELECTION_LBL, ref.ELECTIONS, strict=True)]


def global_tables(geo: dict) -> dict[str, pa.Table]:
    precincts = to_table(
        "precincts",
        {
            k: pa.array(list(geo[k]), pa.string()) if geo[k].dtype == object else geo[k]
            for k in TABLE_BY_NAME["precincts"].column_names
        },
    )
    elections = to_table(
        "elections",
        {
            "election_lbl": ELECTION_LBL,
            "election_desc": ELECTION_DESC,
            "election_type": [e.election_type for e in ref.ELECTIONS],
            "election_date": np.array([day(e.date) for e in ref.ELECTIONS]),
        },
    )
    truth = to_table(
        "truth_precincts",
        {
            "precinct_abbrv": pa.array(list(geo["precinct_abbrv"])),
            "lean": geo["lean"].astype(np.float32),
            "civic_mean": geo["civic_mean"].astype(np.float32),
            "turnout_effect": geo["turnout_effect"].astype(np.float32),
        },
    )
    return {"precincts": precincts, "elections": elections, "truth_precincts": truth}


def generate(
    config: Config, progress: Callable[[int], None] | None = None
) -> Iterator[dict[str, pa.Table]]:
    """Yield dicts of table name -> Arrow table; the first also holds the statewide tables."""
    geo = make_geography(np.random.default_rng([config.seed, 0]), config)
    geo["municipal"] = np.array([m is not None for m in geo["municipality_desc"]])
    first = global_tables(geo)
    ids = Ids.for_download()
    week_ids = {w: Ids.for_week(w) for w in range(1, config.snapshot + 1)}
    for ci, precincts in enumerate(chunks(geo, CHUNK_REGISTRANTS)):
        rng = np.random.default_rng([config.seed, 1, ci])
        chunk = Chunk(ci, config, geo, precincts, rng, ids)
        for stage in STAGES:
            stage(chunk)
        for name, builder in BUILDERS.items():
            chunk.tables[name] = builder(chunk)
        tables = chunk.tables
        state = {"hh": chunk.hh}
        for w in range(1, config.snapshot + 1):
            week_rng = np.random.default_rng([config.seed, 3, ci, w])
            tables = weekly.update(week_rng, config, geo, state, tables, w, week_ids[w])
        if ci == 0:
            tables = first | tables
        yield tables
        if progress:
            progress(int(geo["target"][precincts].sum()))


# ---------------------------------------------------------------- stages (chunk -> None)
def _households(c: Chunk) -> None:
    c.hh = make_households(c.rng, c.config, c.geo, c.precincts, c.ids.last["household_id"] + 1)
    c.ids.take("household_id", len(c.hh["household_id"]))


def _people(c: Chunk) -> None:
    c.people = make_people(c.rng, c.config, c.geo, c.hh)


def _registration(c: Chunk) -> None:
    c.reg = make_registration(c.rng, c.config, c.geo, c.people, c.ids)


def _signups(c: Chunk) -> None:
    c.volunteers = make_volunteers(c.rng, c.people, c.reg, c.hh, c.ids)
    c.donations = make_donations(c.rng, c.people, c.reg, c.hh, c.ids)


def _field(c: Chunk) -> None:
    c.field = make_field(c.rng, c.config, c.geo, c.hh, c.people, c.reg, c.volunteers)


def _history(c: Chunk) -> None:
    c.history = make_history(c.rng, c.people, c.reg, c.geo, c.field)
    apply_inactivity(c.rng, c.reg, c.history)


def _duplicates(c: Chunk) -> None:
    """Messiness: second registrations (moved ones get a new home), their history and status."""
    n, reg = len(c.people["age"]), c.reg
    if not c.config.messy:
        c.dups = {"src": np.zeros(0, dtype=np.int64)}
        return
    dups = c.dups = messiness.pick_duplicates(c.rng, c.people, reg)
    if not len(dups["src"]):
        return
    moved = np.flatnonzero(dups["kind"] == 1)
    homes = new_addresses(
        c.rng, c.hh, c.geo, dups["new_precinct"][moved], c.ids.last["household_id"] + 1
    )
    c.ids.take("household_id", len(moved))
    dups["hh_idx"][moved] = len(c.hh["household_id"]) + np.arange(len(moved))
    c.hh = households_concat(c.hh, homes)
    dup_municipal = c.geo["municipal"][c.hh["precinct_idx"][dups["hh_idx"]]]
    messiness.split_history(c.history, dups, n, dup_municipal)
    removed = dups["src"][dups["old_removed"]]
    reg["status"][removed] = 2
    reg["reason"][removed] = list(ref.REASONS).index("RL")
    reg["removal_dt"][removed] = dups["registr_dt"][dups["old_removed"]]


STAGES: tuple[Callable[[Chunk], None], ...] = (
    _households,
    _people,
    _registration,
    _signups,
    _field,
    _history,
    _duplicates,
)


# ---------------------------------------------------------------- table builders (chunk -> table)
def _households_table(c: Chunk) -> pa.Table:
    return to_table("households", c.hh)


def _voters_table(c: Chunk) -> pa.Table:
    voters, c.ncid, c.county_desc = build_voters(
        c.rng, c.config, c.geo, c.hh, c.people, c.reg, c.dups, c.ids
    )
    return voters


def _vote_history_table(c: Chunk) -> pa.Table:
    method, repeat = messiness.method_labels(c.rng, c.history, c.config.messy)
    h = c.history
    voter, election, ballot = h["voter"], h["election"], h["ballot"]
    if len(repeat):
        voter = np.r_[voter, voter[repeat]]
        election = np.r_[election, election[repeat]]
        ballot = np.r_[ballot, ballot[repeat]]
        method = np.r_[method, method[repeat] - len(ref.METHODS)]
    order = np.lexsort((voter, election))
    voter, election, ballot, method = voter[order], election[order], ballot[order], method[order]
    vtake = pa.array(voter)
    return to_table(
        "vote_history",
        {
            "ncid": c.ncid.take(vtake),
            "election_lbl": labels(election, ELECTION_LBL),
            "election_desc": labels(election, ELECTION_DESC),
            "voting_method": labels(method, ref.METHODS + ref.METHODS_LEGACY),
            "voted_party_cd": labels(np.maximum(ballot, 0), ref.PARTIES, mask=ballot < 0),
            "pct_label": c.tables["voters"].column("precinct_abbrv").take(vtake),
            "county_desc": c.county_desc.take(vtake),
        },
    )


def _contacts_table(c: Chunk) -> pa.Table:
    f = c.field["contacts"]
    person = f["person"].astype(np.int64)
    m = len(person)
    order = np.argsort(f["contact_dt"], kind="stable")
    c.contact_id = np.empty(m, dtype=np.int64)
    c.contact_id[order] = c.ids.take("contact_id", m)
    vol = f["volunteer_id"].astype(np.int64)[order]
    turf = pa.array(list(f["turf_id"]), pa.string())
    return to_table(
        "contacts",
        {
            "contact_id": c.contact_id[order],
            "ncid": c.reg["ncid"].take(pa.array(person[order])),
            "household_id": c.hh["household_id"][c.people["hh_idx"][person[order]]],
            "channel": labels(f["channel"][order], ref.CHANNELS),
            "contact_dt": f["contact_dt"][order],
            "attempt_num": f["attempt_num"][order],
            "volunteer_id": pa.array(vol, pa.int32(), mask=vol < 0),
            "turf_id": turf.take(pa.array(order)),
            "list_id": pa.array(list(f["list_id"][order]), pa.string()),
            "result_code": labels(f["result_code"][order], ref.RESULT_CODES),
        },
    )


def _survey_table(c: Chunk) -> pa.Table:
    f, s = c.field["contacts"], c.field["survey"]
    canvassed_rows = np.flatnonzero(
        (f["list_id"] == "ID-2026") & (f["result_code"] == ref.RESULT_CODES.index("Canvassed"))
    )
    sid = c.contact_id[canvassed_rows]
    q_sid, q_person, q_question, q_response = [], [], [], []
    plan_txt = np.array(["Yes", "Maybe", "No"], dtype=object)
    for qi, (mask, values) in enumerate(
        (
            (np.ones(len(sid), bool), s["support"].astype(str)),
            (s["has_plan"], plan_txt[s["plan"]]),
            (s["has_issue"], np.array(ref.ISSUES, dtype=object)[s["issue"]]),
        )
    ):
        q_sid.append(sid[mask])
        q_person.append(s["person"][mask])
        q_question.append(np.full(int(mask.sum()), qi))
        q_response.append(np.asarray(values, dtype=object)[mask])
    q_sid, q_person, q_question = (np.concatenate(x) for x in (q_sid, q_person, q_question))
    q_response = np.concatenate(q_response)
    order = np.lexsort((q_question, q_sid))
    return to_table(
        "survey_responses",
        {
            "contact_id": q_sid[order],
            "ncid": c.reg["ncid"].take(pa.array(q_person[order].astype(np.int64))),
            "question": labels(q_question[order], schema_codes("survey_responses", "question")),
            "response": pa.array(list(q_response[order]), pa.string()),
        },
    )


def _donations_table(c: Chunk) -> pa.Table:
    return to_table("donations", {k: v for k, v in c.donations.items() if k != "person"})


def _volunteers_table(c: Chunk) -> pa.Table:
    return to_table("volunteers", {k: v for k, v in c.volunteers.items() if k != "person"})


def _experiment_table(c: Chunk) -> pa.Table:
    exp_id, exp_person, exp_arm = [], [], []
    for i, (_name, persons, arms) in enumerate(c.field["experiment"]):
        exp_id.append(np.full(len(persons), i))
        exp_person.append(persons)
        exp_arm.append(arms)
    person = np.concatenate(exp_person).astype(np.int64)
    return to_table(
        "experiment",
        {
            "experiment_id": labels(
                np.concatenate(exp_id), schema_codes("experiment", "experiment_id")
            ),
            "household_id": c.hh["household_id"][c.people["hh_idx"][person]],
            "ncid": c.reg["ncid"].take(pa.array(person)),
            "arm": labels(np.concatenate(exp_arm), schema_codes("experiment", "arm")),
        },
    )


def _truth_voters_table(c: Chunk) -> pa.Table:
    return truth_voters_rows(c.people, c.reg, c.field, c.history)


def _truth_duplicates_table(c: Chunk) -> pa.Table:
    src = c.dups["src"]
    n, k = len(c.people["age"]), len(src)
    return to_table(
        "truth_duplicates",
        {
            "ncid": c.reg["ncid"].take(pa.array(src)) if k else pa.array([], pa.string()),
            "dup_ncid": c.ncid.slice(n) if k else pa.array([], pa.string()),
            "kind": labels(
                c.dups.get("kind", np.zeros(0, int)), schema_codes("truth_duplicates", "kind")
            ),
        },
    )


def _truth_links_table(c: Chunk) -> pa.Table:
    ncid = c.reg["ncid"]
    don_person, vol_person = c.donations["person"], c.volunteers["person"]
    vol_ncid = null_where(vol_person < 0, ncid.take(pa.array(np.maximum(vol_person, 0))))
    return to_table(
        "truth_links",
        {
            "source_table": labels(
                np.r_[np.zeros(len(don_person), int), np.ones(len(vol_person), int)],
                schema_codes("truth_links", "source_table"),
            ),
            "source_id": np.r_[c.donations["sub_id"], c.volunteers["volunteer_id"]].astype(
                np.int64
            ),
            "ncid": pa.concat_arrays([ncid.take(pa.array(don_person)), vol_ncid]),
        },
    )


def _truth_changes_table(c: Chunk) -> pa.Table:
    """Empty in snapshot 0; weekly.update fills it in later snapshots."""
    return arrow_schema("truth_changes").empty_table()


#: One builder per table, in the order the writers receive them (builders that draw random
#: numbers, voters and vote_history, keep their order).
BUILDERS: dict[str, Callable[[Chunk], pa.Table]] = {
    "households": _households_table,
    "voters": _voters_table,
    "vote_history": _vote_history_table,
    "contacts": _contacts_table,
    "survey_responses": _survey_table,
    "donations": _donations_table,
    "volunteers": _volunteers_table,
    "experiment": _experiment_table,
    "truth_voters": _truth_voters_table,
    "truth_duplicates": _truth_duplicates_table,
    "truth_links": _truth_links_table,
    "truth_changes": _truth_changes_table,
}


def build_voters(
    rng: np.random.Generator,
    config: Config,
    geo: dict,
    hh: dict,
    people: dict,
    reg: dict,
    dups: dict | None,
    ids: Ids,
) -> tuple[pa.Table, pa.Array, pa.Array]:
    """The voter records of ``people`` (and their duplicate records): table, ncid, county name."""
    n = len(people["age"])
    messy = config.messy
    dups = dups if dups is not None else {"src": np.zeros(0, dtype=np.int64)}
    src = dups["src"]
    k = len(src)
    # ---- people of the chunk plus their duplicate records (index n + j)
    ext = np.r_[np.arange(n), src]  # the person behind each record
    hh_ext = np.r_[people["hh_idx"], dups.get("hh_idx", np.zeros(0, dtype=np.int64))]
    prec_ext = hh["precinct_idx"][hh_ext]
    county_ext = geo["county_id"][prec_ext].astype(int)
    ncid = people_ncid = reg["ncid"]
    reg_num = reg["voter_reg_num"]
    if k:
        dup_num = np.zeros(k, dtype=np.int64)
        dup_reg_num = np.zeros(k, dtype=np.int64)
        for cid in np.unique(county_ext[n:]):
            mine = np.flatnonzero(county_ext[n:] == cid)
            dup_num[mine] = ids.take(f"ncid{cid}", len(mine))
            dup_reg_num[mine] = REG_NUM_BASE + ids.take(f"reg{cid}", len(mine))
        dup_ncid = join(
            labels(county_ext[n:] - 1, [c.ncid_prefix for c in ref.COUNTIES]), digits(dup_num, 7)
        )
        ncid = pa.concat_arrays([people_ncid, dup_ncid])
        reg_num = np.r_[reg_num, dup_reg_num]

    status = np.r_[reg["status"], np.zeros(k, dtype=np.int8)]
    codes = list(ref.REASONS)
    dup_reason = np.where(
        dups.get("registr_dt", np.zeros(0)) > day(ref.SNAPSHOT_DATE) - 45,
        codes.index("AP"),
        codes.index("AV"),
    )
    reason = np.r_[reg["reason"], dup_reason].astype(np.int32)
    status_cd = list(ref.STATUS)
    take = pa.array(ext)

    def person_col(name):
        return people[name].take(take) if k else people[name]

    first_name, last_name, middle_name = (
        person_col(c) for c in ("first_name", "last_name", "middle_name")
    )
    if k:
        first_name = pa.concat_arrays([people["first_name"], dups["first_name"]])
        last_name = pa.concat_arrays([people["last_name"], dups["last_name"]])
        middle_name = pa.concat_arrays([people["middle_name"], dups["middle_name"]])
    hh_take = pa.array(hh_ext)
    res = hh["res_street_address"].take(hh_take)
    moved_dup = np.r_[np.zeros(n, bool), dups.get("kind", np.zeros(0)) == 1]
    mail = people["mail_addr1"].take(take) if k else people["mail_addr1"]
    mail = where(moved_dup, res, mail)
    if messy:
        mail = where(
            messiness.spelled_out(rng, n + k) & ~np.r_[people["po_box"], np.zeros(k, bool)],
            hh["res_street_address_long"].take(hh_take),
            mail,
        )
    phone = person_col("full_phone_number")
    phone = where(moved_dup & (rng.random(n + k) < 0.5), pa.nulls(n + k, pa.string()), phone)
    registr = np.r_[reg["registr_dt"], dups.get("registr_dt", np.zeros(0, dtype=np.int64))]
    reg_missing = messiness.placeholder_dates(rng, n + k) if messy else None

    race = people["race"][ext]
    race_code = np.where(rng.random(n + k) < ref.P_RACE_UNDESIGNATED, len(ref.RACES), race)
    hisp = people["hispanic"][ext]
    ethnic = np.where(rng.random(n + k) < ref.P_ETHNIC_UNDESIGNATED, 2, np.where(hisp, 0, 1))
    gender = np.where(
        rng.random(n + k) < ref.P_GENDER_UNDESIGNATED, 2, np.where(people["female"][ext], 0, 1)
    )
    birth_year = (
        people["birth_year"][ext]
        + np.r_[np.zeros(n, int), dups.get("birth_shift", np.zeros(0, int))]
    )
    if messy:
        birth_year = np.where(
            messiness.implausible_birth_years(rng, n + k), ref.IMPLAUSIBLE_BIRTH_YEAR, birth_year
        )
    party = reg["party"][ext]

    def geo_col(name):
        values = geo[name][prec_ext]
        return pa.array(list(values), pa.string())

    county_desc = labels(county_ext - 1, [c.county_desc for c in ref.COUNTIES])
    voters = to_table(
        "voters",
        {
            "ncid": ncid,
            "county_id": county_ext.astype(np.int8),
            "county_desc": county_desc,
            "voter_reg_num": reg_num,
            "status_cd": labels(status, status_cd),
            "voter_status_desc": labels(status, [ref.STATUS[s] for s in status_cd]),
            "reason_cd": labels(reason, codes),
            "voter_status_reason_desc": labels(reason, [ref.REASONS[c][1] for c in codes]),
            "last_name": last_name,
            "first_name": first_name,
            "middle_name": middle_name,
            "name_suffix_lbl": person_col("name_suffix_lbl"),
            "res_street_address": res,
            "res_city_desc": hh["res_city_desc"].take(hh_take),
            "state_cd": constant(ref.STATE_CD, n + k),
            "zip_code": hh["zip_code"].take(hh_take),
            "mail_addr1": mail,
            "mail_city": hh["res_city_desc"].take(hh_take),
            "mail_state": constant(ref.STATE_CD, n + k),
            "mail_zipcode": hh["zip_code"].take(hh_take),
            "full_phone_number": phone,
            "email": person_col("email"),
            "registr_dt": to_date32(registr, mask=reg_missing),
            "race_code": labels(race_code, ref.RACES + ("U",)),
            "ethnic_code": labels(ethnic, schema_codes("voters", "ethnic_code")),
            "party_cd": labels(party, ref.PARTIES),
            "gender_code": labels(gender, schema_codes("voters", "gender_code")),
            "birth_year": birth_year.astype(np.int16),
            "age_at_year_end": (ref.YEAR_END - birth_year).astype(np.int16),
            "birth_state": person_col("birth_state"),
            "precinct_abbrv": geo_col("precinct_abbrv"),
            "precinct_desc": geo_col("precinct_desc"),
            "municipality_desc": geo_col("municipality_desc"),
            "ward_abbrv": geo_col("ward_abbrv"),
            "cong_dist_abbrv": geo_col("cong_dist_abbrv"),
            "lk_senate_abbrv": geo_col("lk_senate_abbrv"),
            "lk_house_abbrv": geo_col("lk_house_abbrv"),
            "household_id": hh["household_id"][hh_ext],
        },
    )

    return voters, ncid, county_desc


def truth_voters_rows(
    people: dict, reg: dict, field: dict | None = None, history: dict | None = None
) -> pa.Table:
    """One truth row per person; without ``field`` / ``history`` (registrants added by a weekly
    update) the person was in no program: effects 0, not persuadable, no experiment values."""
    n = len(people["age"])
    zero = np.zeros(n, dtype=np.float32)
    nan = np.full(n, np.nan, dtype=np.float32)
    field = field or {
        "persuadable": np.zeros(n, bool),
        "tau_persuasion": zero,
        "tau": np.zeros((n, 3)),
    }
    history = history or {"exp_p_control": nan, "exp_p_assigned": nan}
    removal = reg["removal_dt"]
    return to_table(
        "truth_voters",
        {
            "ncid": reg["ncid"],
            "birth_date": people["birth_date"],
            "civic_propensity": people["civic"].astype(np.float32),
            "ideology": people["ideology"].astype(np.float32),
            "hispanic": people["hispanic"],
            "removal_dt": to_date32(np.maximum(removal, 0), mask=removal < 0),
            "persuadable": field["persuadable"],
            "tau_persuasion": field["tau_persuasion"].astype(np.float32),
            "tau_door": field["tau"][:, 0].astype(np.float32),
            "tau_phone": field["tau"][:, 1].astype(np.float32),
            "tau_mail": field["tau"][:, 2].astype(np.float32),
            "exp_p_control": pa.array(
                history["exp_p_control"], mask=np.isnan(history["exp_p_control"])
            ),
            "exp_p_assigned": pa.array(
                history["exp_p_assigned"], mask=np.isnan(history["exp_p_assigned"])
            ),
        },
    )
