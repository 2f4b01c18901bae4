"""The generator: runs the stages in order and yields the tables, chunk by chunk.

geography -> households -> people -> registration -> sign-ups (donations, volunteers) -> field
programs and the experiment -> election history -> status -> messiness -> tables. Small presets are
one chunk; the state preset runs county by county (large counties in precinct blocks), so memory
is bounded by the chunk, not the state. Each chunk has its own seeded generator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa

from bootcamp.synth import messiness, weekly
from bootcamp.synth import reference as ref
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
from bootcamp.synth.signups import make_donations, make_volunteers

TRUTH_CHANGES_EMPTY = arrow_schema("truth_changes").empty_table()
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
    counters: dict = {}
    weeks = {w: weekly.week_counters(w) for w in range(1, config.snapshot + 1)}
    for ci, precincts in enumerate(chunks(geo, CHUNK_REGISTRANTS)):
        rng = np.random.default_rng([config.seed, 1, ci])
        state: dict = {}
        tables = _chunk(rng, config, geo, precincts, counters, state)
        tables["truth_changes"] = TRUTH_CHANGES_EMPTY
        for w in range(1, config.snapshot + 1):
            week_rng = np.random.default_rng([config.seed, 3, ci, w])
            tables = weekly.update(week_rng, config, geo, state, tables, w, weeks[w])
        if ci == 0:
            tables = first | tables
        yield tables
        if progress:
            progress(int(geo["target"][precincts].sum()))


def _chunk(
    rng: np.random.Generator,
    config: Config,
    geo: dict,
    precincts: np.ndarray,
    counters: dict,
    state: dict,
) -> dict[str, pa.Table]:
    hh = make_households(rng, config, geo, precincts, counters.get("household_id", 1))
    counters["household_id"] = (
        int(hh["household_id"][-1]) + 1
        if len(hh["household_id"])
        else counters.get("household_id", 1)
    )
    people = make_people(rng, config, geo, hh)
    reg = make_registration(rng, config, geo, people, counters)
    volunteers = make_volunteers(rng, people, reg, hh, counters)
    donations = make_donations(rng, people, reg, hh, counters)
    field = make_field(rng, config, geo, hh, people, reg, volunteers)
    history = make_history(rng, people, reg, geo, field)
    apply_inactivity(rng, reg, history)
    return _tables(
        rng, config, geo, hh, people, reg, volunteers, donations, field, history, counters, state
    )


def build_voters(
    rng: np.random.Generator,
    config: Config,
    geo: dict,
    hh: dict,
    people: dict,
    reg: dict,
    dups: dict | None,
    counters: dict,
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
            start = counters.setdefault(f"ncid{cid}", 100_000)
            dup_num[mine] = start + 1 + np.arange(len(mine))
            counters[f"ncid{cid}"] = start + len(mine)
            rstart = counters.setdefault(f"reg{cid}", 0)
            dup_reg_num[mine] = 7_000_000 + rstart + 1 + np.arange(len(mine))
            counters[f"reg{cid}"] = rstart + len(mine)
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
            "ethnic_code": labels(ethnic, ("HL", "NL", "UN")),
            "party_cd": labels(party, ref.PARTIES),
            "gender_code": labels(gender, ("F", "M", "U")),
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


def _tables(
    rng, config, geo, hh, people, reg, volunteers, donations, field, history, counters, state
) -> dict[str, pa.Table]:
    n = len(people["age"])
    messy = config.messy
    empty_dups = {"src": np.zeros(0, dtype=np.int64)}
    dups = messiness.pick_duplicates(rng, people, reg) if messy else empty_dups
    k = len(dups["src"])
    src = dups["src"]
    if k:
        moved = np.flatnonzero(dups["kind"] == 1)
        first_id = counters["household_id"]
        homes = new_addresses(rng, hh, geo, dups["new_precinct"][moved], first_id)
        counters["household_id"] = first_id + len(moved)
        dups["hh_idx"][moved] = len(hh["household_id"]) + np.arange(len(moved))
        hh = households_concat(hh, homes)
        dup_municipal = geo["municipal"][hh["precinct_idx"][dups["hh_idx"]]]
        messiness.split_history(history, dups, n, dup_municipal)
        removed = src[dups["old_removed"]]
        reg["status"][removed] = 2
        reg["reason"][removed] = list(ref.REASONS).index("RL")
        reg["removal_dt"][removed] = dups["registr_dt"][dups["old_removed"]]

    state["hh"] = hh
    voters, ncid, county_desc = build_voters(rng, config, geo, hh, people, reg, dups, counters)
    people_ncid = reg["ncid"]

    # ---- vote history
    method, repeat = messiness.method_labels(rng, history, messy)
    voter, election, ballot = history["voter"], history["election"], history["ballot"]
    if len(repeat):
        voter = np.r_[voter, voter[repeat]]
        election = np.r_[election, election[repeat]]
        ballot = np.r_[ballot, ballot[repeat]]
        method = np.r_[method, method[repeat] - len(ref.METHODS)]
    order = np.lexsort((voter, election))
    voter, election, ballot, method = voter[order], election[order], ballot[order], method[order]
    vtake = pa.array(voter)
    vote_history = to_table(
        "vote_history",
        {
            "ncid": ncid.take(vtake),
            "election_lbl": labels(election, ELECTION_LBL),
            "election_desc": labels(election, ELECTION_DESC),
            "voting_method": labels(method, ref.METHODS + ref.METHODS_LEGACY),
            "voted_party_cd": labels(np.maximum(ballot, 0), ref.PARTIES, mask=ballot < 0),
            "pct_label": voters.column("precinct_abbrv").take(vtake),
            "county_desc": county_desc.take(vtake),
        },
    )

    households = to_table("households", hh)

    # ---- contacts, survey answers, experiment
    c = field["contacts"]
    person = c["person"].astype(np.int64)
    m = len(person)
    corder = np.argsort(c["contact_dt"], kind="stable")
    first_id = counters.get("contact_id", 0)
    counters["contact_id"] = first_id + m
    contact_id = np.empty(m, dtype=np.int64)
    contact_id[corder] = first_id + 1 + np.arange(m)
    ctake = pa.array(corder)
    vol = c["volunteer_id"].astype(np.int64)
    turf = pa.array(list(c["turf_id"]), pa.string())
    contacts = to_table(
        "contacts",
        {
            "contact_id": contact_id[corder],
            "ncid": people_ncid.take(pa.array(person[corder])),
            "household_id": hh["household_id"][people["hh_idx"][person[corder]]],
            "channel": labels(c["channel"][corder], ref.CHANNELS),
            "contact_dt": c["contact_dt"][corder],
            "attempt_num": c["attempt_num"][corder],
            "volunteer_id": pa.array(vol[corder], pa.int32(), mask=vol[corder] < 0),
            "turf_id": turf.take(ctake),
            "list_id": pa.array(list(c["list_id"][corder]), pa.string()),
            "result_code": labels(c["result_code"][corder], ref.RESULT_CODES),
        },
    )
    s = field["survey"]
    canvassed_rows = np.flatnonzero(
        (c["list_id"] == "ID-2026") & (c["result_code"] == ref.RESULT_CODES.index("Canvassed"))
    )
    sid = contact_id[canvassed_rows]
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
    qorder = np.lexsort((q_question, q_sid))
    survey = to_table(
        "survey_responses",
        {
            "contact_id": q_sid[qorder],
            "ncid": people_ncid.take(pa.array(q_person[qorder].astype(np.int64))),
            "question": labels(q_question[qorder], ("support", "plan_to_vote", "top_issue")),
            "response": pa.array(list(q_response[qorder]), pa.string()),
        },
    )
    exp_id, exp_person, exp_arm = [], [], []
    for i, (_name, persons, arms) in enumerate(field["experiment"]):
        exp_id.append(np.full(len(persons), i))
        exp_person.append(persons)
        exp_arm.append(arms)
    exp_person = np.concatenate(exp_person).astype(np.int64)
    experiment = to_table(
        "experiment",
        {
            "experiment_id": labels(np.concatenate(exp_id), ("GOTV-2025", "PERSUADE-2026")),
            "household_id": hh["household_id"][people["hh_idx"][exp_person]],
            "ncid": people_ncid.take(pa.array(exp_person)),
            "arm": labels(np.concatenate(exp_arm), ref.GOTV_ARMS + ref.PERSUASION_ARMS),
        },
    )

    # ---- sign-ups and the truth about them
    don_person = donations.pop("person")
    vol_person = volunteers.pop("person")
    donations_t = to_table("donations", donations)
    volunteers_t = to_table("volunteers", volunteers)
    vol_ncid = null_where(vol_person < 0, people_ncid.take(pa.array(np.maximum(vol_person, 0))))
    link_ncid = pa.concat_arrays([people_ncid.take(pa.array(don_person)), vol_ncid])
    truth_links = to_table(
        "truth_links",
        {
            "source_table": labels(
                np.r_[np.zeros(len(don_person), int), np.ones(len(vol_person), int)],
                ("donations", "volunteers"),
            ),
            "source_id": np.r_[donations["sub_id"], volunteers["volunteer_id"]].astype(np.int64),
            "ncid": link_ncid,
        },
    )
    truth_voters = truth_voters_rows(people, reg, field, history)
    truth_duplicates = to_table(
        "truth_duplicates",
        {
            "ncid": people_ncid.take(pa.array(src)) if k else pa.array([], pa.string()),
            "dup_ncid": ncid.slice(n) if k else pa.array([], pa.string()),
            "kind": labels(dups.get("kind", np.zeros(0, int)), ("same_address", "moved")),
        },
    )
    return {
        "households": households,
        "voters": voters,
        "vote_history": vote_history,
        "contacts": contacts,
        "survey_responses": survey,
        "donations": donations_t,
        "volunteers": volunteers_t,
        "experiment": experiment,
        "truth_voters": truth_voters,
        "truth_duplicates": truth_duplicates,
        "truth_links": truth_links,
    }


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
