"""The weekly update: the same state one week (or a few weeks) after the snapshot.

Snapshot 0 is the file as downloaded on ``ref.SNAPSHOT_DATE``. Snapshot ``w`` applies ``w`` weekly
updates to it, chunk by chunk, each with its own seeded generator (``[seed, 3, chunk, week]``), so
snapshot 0 never depends on this module and the same seed always gives the same snapshots. A week
brings new registrants (some turning 18 in a registered household, most at a new address), moves
(whole households, to a new address in the same or another county), changes without a move
(party, status, last name) and removals (deceased, moved away, ...). Vote history changes only if
an election falls in the week; none does in the calendar after the 2026 general.

Rows keep their places: changed records are updated in place and new ones are appended to their
chunk, so the raw download of an unchanged record is the same text every week.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bootcamp.synth import reference as ref
from bootcamp.synth import schema
from bootcamp.synth.chunk import REG_NUM_BASE, Ids
from bootcamp.synth.columns import choice, day, labels, to_date32, to_table
from bootcamp.synth.config import Config
from bootcamp.synth.households import concat as households_concat
from bootcamp.synth.households import new_addresses
from bootcamp.synth.people import make_people
from bootcamp.synth.registration import add_years, fewer_weekends, make_registration

CHANGES = schema.codes("truth_changes", "change")
#: Columns a move rewrites (from the new household / precinct); county columns only across counties.
_ADDRESS = ("res_street_address", "res_city_desc", "zip_code", "mail_city", "mail_zipcode")
_PRECINCT = (
    "precinct_abbrv",
    "precinct_desc",
    "municipality_desc",
    "ward_abbrv",
    "cong_dist_abbrv",
    "lk_senate_abbrv",
    "lk_house_abbrv",
)


def snapshot_date(week: int) -> dt.date:
    return ref.SNAPSHOT_DATE + dt.timedelta(days=7 * week)


def _scatter(col: pa.Array, rows: np.ndarray, values) -> pa.Array:
    """``col`` with ``col[rows] = values`` (rows distinct)."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    values = values if isinstance(values, pa.Array) else pa.array(values, col.type)
    index = np.arange(len(col))
    index[rows] = len(col) + np.arange(len(rows))
    return pa.concat_arrays([col, values.cast(col.type)]).take(pa.array(index))


def _pick(rng, candidates: np.ndarray, rate: float, n_ref: int) -> np.ndarray:
    k = min(len(candidates), int(rng.poisson(rate * n_ref)))
    return np.sort(rng.choice(candidates, k, replace=False)) if k else np.zeros(0, np.int64)


def update(
    rng: np.random.Generator,
    config: Config,
    geo: dict,
    state: dict,
    tables: dict[str, pa.Table],
    week: int,
    ids: Ids,
) -> dict[str, pa.Table]:
    """One week of changes to a chunk's tables; adds ``truth_changes`` (this week's changes)."""
    voters = tables["voters"]
    n = voters.num_rows
    start = day(snapshot_date(week - 1))
    change_dt = start + 1 + rng.integers(0, 7, n)  # the day each change would be processed
    col = {name: voters.column(name).combine_chunks() for name in voters.column_names}
    status = np.asarray(col["status_cd"].to_numpy(zero_copy_only=False), dtype=object)
    dup = tables["truth_duplicates"]
    in_pair = pc.is_in(
        col["ncid"], value_set=pa.concat_arrays([c.combine_chunks() for c in dup.columns[:2]])
    )
    in_pair = np.asarray(in_pair.to_numpy(zero_copy_only=False))
    open_ = np.isin(status, ("A", "I", "S")) & ~in_pair
    truth = tables["truth_voters"]
    truth_row = pc.index_in(col["ncid"], value_set=truth.column("ncid")).fill_null(-1).to_numpy()
    ideology = truth.column("ideology").to_numpy()
    age = ref.YEAR_END - np.asarray(col["birth_year"].to_numpy(zero_copy_only=False))

    detail = {k: [] for k in ("row", "change", "field", "old", "new", "from", "to")}

    def record(rows, change, field, old, new, from_c=None, to_c=None):
        m = len(rows)
        detail["row"].append(np.asarray(rows))
        detail["change"].append(np.full(m, CHANGES.index(change)))
        detail["field"].append(np.full(m, field, dtype=object))
        detail["old"].append(np.asarray(old, dtype=object))
        detail["new"].append(np.asarray(new, dtype=object))
        detail["from"].append(np.full(m, -1) if from_c is None else np.asarray(from_c))
        detail["to"].append(np.full(m, -1) if to_c is None else np.asarray(to_c))

    # ---- removals: deceased (older), moved out of state, request, felony
    candidates = np.flatnonzero(open_)
    removed = _pick(rng, candidates, ref.WEEKLY_REMOVED, n)
    reasons = np.array(["RS", "RQ", "RF"], dtype=object)[
        choice(rng, len(removed), [0.8, 0.15, 0.05])
    ]
    reasons = np.where(
        rng.random(len(removed)) < np.clip((age[removed] - 40) / 60, 0, 0.9), "RD", reasons
    )
    record(removed, "removed", "status_cd", status[removed], np.full(len(removed), "R"))
    taken = np.zeros(n, bool)
    taken[removed] = True

    # ---- moves: whole households (their open records) to a new address
    hh_id = col["household_id"].to_numpy()
    hh = state["hh"]
    gq_ids = hh["household_id"][hh["group_quarters"] > 0]
    movable_hh = np.unique(hh_id[open_ & ~taken & ~np.isin(hh_id, gq_ids)])
    n_hh = len(np.unique(hh_id))
    moving_hh = _pick(rng, movable_hh, ref.WEEKLY_MOVED_HOUSEHOLDS, n_hh)
    movers = np.flatnonzero(np.isin(hh_id, moving_hh) & open_ & ~taken)
    hh = state["hh"]
    hh_index = {int(h): i for i, h in enumerate(hh["household_id"])}
    old_pos = np.array([hh_index[int(h)] for h in moving_hh], dtype=np.int64)
    old_county = hh["county_id"][old_pos].astype(int)
    same = rng.random(len(moving_hh)) < ref.WEEKLY_MOVE_WITHIN_COUNTY
    target_prec = _destination(rng, hh, old_county, same)
    homes = new_addresses(rng, hh, geo, target_prec, ids.last["household_id"] + 1)
    ids.take("household_id", len(moving_hh))
    homes["household_size"] = np.maximum(
        homes["household_size"],
        np.bincount(np.searchsorted(moving_hh, hh_id[movers]), minlength=len(moving_hh)),
    ).astype(np.int8)
    first_new = len(hh["household_id"])
    hh = households_concat(hh, homes)
    dest = first_new + np.searchsorted(moving_hh, hh_id[movers])  # position in hh
    prec = hh["precinct_idx"][dest]
    new_county = geo["county_id"][prec].astype(int)
    mover_old_county = np.asarray(col["county_id"].to_numpy(zero_copy_only=False))[movers]
    record(
        movers,
        "moved",
        "res_street_address",
        col["res_street_address"].take(pa.array(movers)).to_numpy(zero_copy_only=False),
        hh["res_street_address"].take(pa.array(dest)).to_numpy(zero_copy_only=False),
        mover_old_county,
        new_county,
    )
    taken[movers] = True
    # a household moves on one day
    move_day = start + 1 + rng.integers(0, 7, len(moving_hh))
    change_dt[movers] = move_day[np.searchsorted(moving_hh, hh_id[movers])]
    hh_take = pa.array(dest)
    for name in _ADDRESS:
        source = {"mail_city": "res_city_desc", "mail_zipcode": "zip_code"}.get(name, name)
        col[name] = _scatter(col[name], movers, hh[source].take(hh_take))
    po_box = pc.starts_with(col["mail_addr1"].take(pa.array(movers)), "PO BOX")
    col["mail_addr1"] = _scatter(
        col["mail_addr1"],
        movers,
        pc.if_else(
            po_box, col["mail_addr1"].take(pa.array(movers)), hh["res_street_address"].take(hh_take)
        ),
    )
    for name in _PRECINCT:
        col[name] = _scatter(col[name], movers, pa.array(list(geo[name][prec]), pa.string()))
    col["household_id"] = _scatter(col["household_id"], movers, hh["household_id"][dest])
    across = np.flatnonzero(new_county != mover_old_county)
    if len(across):
        rows = movers[across]
        cid = new_county[across]
        reg_num = np.zeros(len(rows), np.int64)
        for c in np.unique(cid):
            mine = np.flatnonzero(cid == c)
            reg_num[mine] = REG_NUM_BASE + ids.take(f"reg{c}", len(mine))
        col["county_id"] = _scatter(col["county_id"], rows, cid.astype(np.int8))
        col["county_desc"] = _scatter(
            col["county_desc"], rows, labels(cid - 1, [c.county_desc for c in ref.COUNTIES])
        )
        col["voter_reg_num"] = _scatter(col["voter_reg_num"], rows, reg_num)

    # ---- changes without a move: party, status (inactive <-> active), last name
    candidates = np.flatnonzero(open_ & ~taken & np.isin(status, ("A", "I")))
    changed = _pick(rng, candidates, ref.WEEKLY_CHANGED, n)
    kind = choice(rng, len(changed), list(ref.WEEKLY_CHANGE_KINDS.values()))
    names = list(ref.WEEKLY_CHANGE_KINDS)
    female = (
        np.asarray(col["gender_code"].take(pa.array(changed)).to_numpy(zero_copy_only=False)) == "F"
    )
    kind = np.where((kind == names.index("last_name")) & ~female, names.index("party_cd"), kind)
    party_rows = changed[kind == names.index("party_cd")]
    old_party = np.asarray(
        col["party_cd"].take(pa.array(party_rows)).to_numpy(zero_copy_only=False), dtype=object
    )
    lean = ideology[np.maximum(truth_row[party_rows], 0)]
    partisan = np.where(lean < 0, "DEM", "REP")
    new_party = np.where(
        old_party == "UNA",
        partisan,
        np.where(
            rng.random(len(party_rows)) < 0.7, "UNA", np.where(old_party == "DEM", "REP", "DEM")
        ),
    )
    new_party = np.where(np.isin(old_party, ("LIB", "GRE")), "UNA", new_party)
    col["party_cd"] = _scatter(col["party_cd"], party_rows, pa.array(list(new_party), pa.string()))
    record(party_rows, "changed", "party_cd", old_party, new_party)
    status_rows = changed[kind == names.index("status_cd")]
    old_status = status[status_rows]
    new_status = np.where(old_status == "A", "I", "A")
    record(status_rows, "changed", "status_cd", old_status, new_status)
    name_rows = changed[kind == names.index("last_name")]
    old_last = col["last_name"].take(pa.array(name_rows))
    last_names = ref.names()["last"]
    new_last = labels(choice(rng, len(name_rows), last_names.p), last_names.names)
    col["last_name"] = _scatter(col["last_name"], name_rows, new_last)
    record(
        name_rows,
        "changed",
        "last_name",
        old_last.to_numpy(zero_copy_only=False),
        new_last.to_numpy(zero_copy_only=False),
    )

    # ---- the status columns of removals and status changes
    codes = list(ref.REASONS)
    status_code = list(ref.STATUS)
    rows = np.r_[removed, status_rows].astype(np.int64)
    new_s = np.r_[np.full(len(removed), "R", dtype=object), new_status.astype(object)]
    new_r = np.r_[
        reasons.astype(object),
        np.where(new_status == "I", "IN", "AV").astype(object),
    ]
    s_idx = np.array([status_code.index(s) for s in new_s], dtype=np.int32)
    r_idx = np.array([codes.index(r) for r in new_r], dtype=np.int32)
    col["status_cd"] = _scatter(col["status_cd"], rows, labels(s_idx, status_code))
    col["voter_status_desc"] = _scatter(
        col["voter_status_desc"], rows, labels(s_idx, [ref.STATUS[s] for s in status_code])
    )
    col["reason_cd"] = _scatter(col["reason_cd"], rows, labels(r_idx, codes))
    col["voter_status_reason_desc"] = _scatter(
        col["voter_status_reason_desc"], rows, labels(r_idx, [ref.REASONS[c][1] for c in codes])
    )

    # ---- new registrants
    # (households of duplicate records take in nobody: their truth stays simple)
    closed = np.unique(col["household_id"].to_numpy()[in_pair])
    new_tables = _new_registrants(rng, config, geo, hh, col, ids, start, n, closed)
    hh = new_tables.pop("hh")
    state["hh"] = hh

    voters_t = to_table("voters", col)
    voters_t = pa.concat_tables([voters_t, new_tables["voters"]])
    households = to_table("households", hh)

    # ---- truth: this week's changes, removal dates, the new people
    new_ncid = new_tables["voters"].column("ncid").combine_chunks()
    record(
        np.arange(n, n + len(new_ncid)),
        "new",
        None,
        np.full(len(new_ncid), None),
        np.full(len(new_ncid), None),
    )
    row = np.concatenate(detail["row"]).astype(np.int64)
    order = np.argsort(row, kind="stable")
    row = row[order]
    all_ncid = voters_t.column("ncid").combine_chunks()
    change_all = np.r_[change_dt, start + 1 + rng.integers(0, 7, len(new_ncid))]
    field = np.concatenate(detail["field"])[order]
    old = np.concatenate(detail["old"])[order]
    new = np.concatenate(detail["new"])[order]
    from_c = np.concatenate(detail["from"])[order]
    to_c = np.concatenate(detail["to"])[order]
    truth_changes = to_table(
        "truth_changes",
        {
            "ncid": all_ncid.take(pa.array(row)),
            "change": labels(np.concatenate(detail["change"])[order], CHANGES),
            "change_dt": to_date32(change_all[row]),
            "field": pa.array(list(field), pa.string()),
            "old_value": pa.array(list(old), pa.string()),
            "new_value": pa.array(list(new), pa.string()),
            "from_county_id": pa.array(from_c, pa.int8(), mask=from_c < 0),
            "to_county_id": pa.array(to_c, pa.int8(), mask=to_c < 0),
            "snapshot": np.full(len(row), week, dtype=np.int8),
        },
    )
    removal = truth.column("removal_dt").combine_chunks()
    removed_truth = truth_row[removed]
    removal = _scatter(removal, removed_truth, to_date32(change_dt[removed]))
    truth_t = truth.set_column(truth.column_names.index("removal_dt"), "removal_dt", removal)
    truth_t = pa.concat_tables([truth_t, new_tables["truth_voters"]])
    return tables | {
        "voters": voters_t,
        "households": households,
        "truth_voters": truth_t,
        "truth_changes": truth_changes,
    }


def _destination(rng, hh: dict, county: np.ndarray, same: np.ndarray) -> np.ndarray:
    """A precinct for each move: a random household's, of the same county or of another."""
    k = len(county)
    hh_county = hh["county_id"].astype(int)
    other = rng.integers(0, len(hh_county), k)
    by_county = np.argsort(hh_county, kind="stable")
    lo = np.searchsorted(hh_county[by_county], county, side="left")
    hi = np.searchsorted(hh_county[by_county], county, side="right")
    near = by_county[lo + (rng.random(k) * (hi - lo)).astype(np.int64)]
    return hh["precinct_idx"][np.where(same, near, other)]


def _new_registrants(rng, config, geo, hh, col, ids, start, n, closed):
    """New records: young people turning 18 in a registered household, and newcomers."""
    from bootcamp.synth.pipeline import build_voters, truth_voters_rows

    k = int(rng.poisson(ref.WEEKLY_NEW * n))
    if not k:
        return {
            "voters": schema.arrow_schema("voters").empty_table(),
            "truth_voters": schema.arrow_schema("truth_voters").empty_table(),
            "hh": hh,
        }
    joining = rng.random(k) < ref.WEEKLY_NEW_IN_HOUSEHOLD
    # households with room (fewer people on file than residents) take the young registrants
    hh_id = col["household_id"].to_numpy()
    hh_index = {int(h): i for i, h in enumerate(hh["household_id"])}
    on_file, counts = np.unique(hh_id, return_counts=True)
    pos = np.array([hh_index[int(h)] for h in on_file], dtype=np.int64)
    ok = (counts < hh["household_size"][pos]) & (hh["group_quarters"][pos] == 0)
    room = pos[ok & ~np.isin(on_file, closed)]
    n_join = min(int(joining.sum()), len(room))
    join_pos = np.sort(rng.choice(room, n_join, replace=False)) if n_join else np.zeros(0, np.int64)
    n_new = k - n_join
    anyone = rng.integers(0, len(hh["household_id"]), n_new)
    homes = new_addresses(rng, hh, geo, hh["precinct_idx"][anyone], ids.last["household_id"] + 1)
    ids.take("household_id", n_new)
    first_new = len(hh["household_id"])
    hh = households_concat(hh, homes)
    where_ = np.r_[join_pos, first_new + np.arange(n_new)].astype(np.int64)
    pseudo = {
        "household_id": hh["household_id"][where_],
        "registered": np.ones(k, dtype=np.int64),
        "precinct_idx": hh["precinct_idx"][where_],
        "res_street_address": hh["res_street_address"].take(pa.array(where_)),
    }
    young = np.arange(k) < n_join
    # the young ones are 18 (their first names follow their birth decade)
    people = make_people(rng, config, geo, pseudo, age=np.where(young, 18, -1))
    people["hh_idx"] = where_
    registered = np.minimum(fewer_weekends(rng, start + 1 + rng.integers(0, 7, k)), start + 7)
    eighteen = add_years(registered, -18) - rng.integers(0, 200, k)
    people["birth_date"] = np.where(young, eighteen, people["birth_date"])
    born_year = (
        np.asarray(people["birth_date"]).astype("datetime64[D]").astype("datetime64[Y]").astype(int)
        + 1970
    )
    people["birth_year"] = np.where(young, born_year, people["birth_year"])
    people["age"] = np.where(young, ref.YEAR_END - people["birth_year"], people["age"])
    if n_join:
        # the family name of someone already registered at the address
        first_member = {}
        for r, h in enumerate(hh_id):
            first_member.setdefault(int(h), r)
        rows = np.array(
            [first_member[int(h)] for h in hh["household_id"][join_pos]], dtype=np.int64
        )
        family = col["last_name"].take(pa.array(rows))
        people["last_name"] = pa.concat_arrays(
            [family.cast(pa.string()), people["last_name"].slice(n_join)]
        )
    reg = make_registration(rng, config, geo, people, ids)
    reg["registr_dt"] = registered
    reg["status"][:] = 0
    reg["reason"][:] = list(ref.REASONS).index("AP")
    reg["removal_dt"][:] = -1
    voters_new, _, _ = build_voters(rng, config, geo, hh, people, reg, None, ids)
    truth_new = truth_voters_rows(people, reg)
    return {"voters": voters_new, "truth_voters": truth_new, "hh": hh}
