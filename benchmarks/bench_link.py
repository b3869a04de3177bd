"""Benchmark `probity link`: 20,000 staff against 2,000,000 person (nominal) records.

    .venv/bin/python benchmarks/bench_link.py [--staff 20000] [--nominals 2000000]
        [--dir /tmp/probity-bench-link] [--seed 1]

1. Generates (vectorised, numpy) a Parquet Force Extract: names drawn with Zipf-like
   frequencies from probity.synth.names (common surnames plus compound toponymic ones),
   dates of birth, addresses, postcodes, phones, emails; 10% of staff also appear as a person
   record with the usual recording errors (nickname, typo, swapped names, transposed or
   missing date of birth, moved address, missing phone). Reused when already there.
2. In a child process (so that peak memory is the linkage's own): opens the extract
   (validation), then times, in the same run, the floor - exact matching as one DuckDB join
   on lower(forename), lower(surname), date of birth - and `probity.analytics.link` with
   training (u by random sampling, m by EM), prediction and findings; then a second run
   that reuses the saved model.
3. Prints one JSON object: times, peak RSS, pair counts, ratio link/exact, and precision and
   recall at p >= 0.9 against the generator's truth.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

NICKNAMES = {
    "Katherine": "Kate", "Elizabeth": "Liz", "Rebecca": "Becky", "Jennifer": "Jenny",
    "William": "Bill", "Robert": "Bob", "James": "Jim", "Richard": "Rick", "Thomas": "Tom",
    "Michael": "Mike", "Daniel": "Dan", "Samantha": "Sam", "Victoria": "Vicky",
    "Margaret": "Maggie", "Christopher": "Chris", "Matthew": "Matt", "Anthony": "Tony",
    "Joseph": "Joe", "David": "Dave", "Andrew": "Andy", "Stephen": "Steve", "Jonathan": "Jon",
    "Benjamin": "Ben", "Nicholas": "Nick", "Edward": "Ted", "Peter": "Pete", "Deborah": "Debbie",
    "Alexandra": "Alex", "Alexander": "Alex", "Nicola": "Nicky", "Jessica": "Jess",
}


def _zipf_choice(rng: np.random.Generator, values: np.ndarray, n: int, a: float = 1.0
                 ) -> np.ndarray:
    ranks = np.arange(1, len(values) + 1, dtype=float)
    weights = 1.0 / ranks**a
    return values[rng.choice(len(values), size=n, p=weights / weights.sum())]


def _typo(rng: np.random.Generator, words: np.ndarray) -> np.ndarray:
    out = words.copy()
    for i, w in enumerate(words):
        w = str(w)
        if len(w) < 4:
            continue
        k = int(rng.integers(1, len(w) - 1))
        kind = int(rng.integers(0, 3))
        if kind == 0:
            out[i] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
        elif kind == 1:
            out[i] = w[:k] + w[k + 1:]
        else:
            out[i] = w[:k] + "aeiou"[int(rng.integers(0, 5))] + w[k + 1:]
    return out


def generate(directory: Path, *, n_staff: int, n_nominals: int, seed: int) -> dict:
    from probity.synth.names import (
        COMMON_SURNAMES,
        FEMALE_FORENAMES,
        MALE_FORENAMES,
        STREET_KINDS,
        STREET_NAMES,
        SURNAME_HEADS,
        SURNAME_TAILS,
    )

    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    n = n_staff + n_nominals
    # Common surnames first, then compound toponymic ones (Ashworth, Ramsbottom...) and
    # their -s forms: about 2,400 surnames, the commonest ~1.5% of people (Smith in England
    # and Wales is about 1.3%); forenames: the commonest about 3%.
    compounds = [h + t for h in SURNAME_HEADS for t in SURNAME_TAILS]
    surnames = np.array(list(COMMON_SURNAMES) + compounds
                        + [c + "s" for c in compounds] + [c + "e" for c in compounds])
    female = rng.random(n) < 0.5
    forename = np.where(female, _zipf_choice(rng, np.array(FEMALE_FORENAMES), n, 0.4),
                        _zipf_choice(rng, np.array(MALE_FORENAMES), n, 0.4))
    surname = _zipf_choice(rng, surnames, n, 0.6)
    dob = (np.datetime64("1935-01-01") + rng.integers(0, 70 * 365, n).astype("timedelta64[D]"))
    streets = np.array([f"{s} {k}" for s in STREET_NAMES for k in STREET_KINDS])
    district = rng.integers(0, 400, n)
    areas = np.array(["M", "OL", "BL", "SK", "WN", "WA", "BB", "PR"])
    postcode = np.char.add(np.char.add(np.char.add(areas[district % 8], (district // 8 + 1).astype(str)),
                                       " "),
                           np.char.add(rng.integers(1, 10, n).astype(str),
                                       np.array(list("ABDEFGHJLNPQRSTUWXYZ"))[rng.integers(0, 20, (n,))]))
    postcode = np.char.add(postcode, np.array(list("ABDEFGHJLNPQRSTUWXYZ"))[rng.integers(0, 20, n)])
    address = np.char.add(np.char.add(rng.integers(1, 250, n).astype(str), " "),
                          streets[rng.integers(0, len(streets), n)])
    phone = np.char.add("07", rng.integers(100_000_000, 999_999_999, n).astype(str))
    email = np.char.add(np.char.add(np.char.lower(forename.astype(str)), "."),
                        np.char.add(np.char.lower(surname.astype(str)),
                                    np.char.add(rng.integers(1, 99999, n).astype(str),
                                                "@mail.example")))
    gender = np.where(female, "female", "male")

    s = slice(0, n_staff)
    staff = pa.table({
        "staff_id": [f"S{i:06d}" for i in range(n_staff)],
        "forename": forename[s], "surname": surname[s],
        "date_of_birth": pa.array(dob[s].astype("datetime64[D]"), pa.date32()),
        "gender": gender[s], "staff_type": np.full(n_staff, "officer"),
        "unit_id": np.full(n_staff, "U1"),
        "start_date": pa.array((np.datetime64("2000-01-01") + rng.integers(0, 9000, n_staff)
                                .astype("timedelta64[D]")), pa.date32()),
        "personal_phone": phone[s],
        "work_phone": np.char.add("0161496", rng.integers(1000, 9999, n_staff).astype(str)),
        "home_address": address[s], "home_postcode": postcode[s], "email": email[s],
    })
    nf = forename[n_staff:].astype(object)
    ns = surname[n_staff:].astype(object)
    nd = dob[n_staff:].astype("datetime64[D]").astype(object)
    nad = address[n_staff:].astype(object)
    npc = postcode[n_staff:].astype(object)
    nph = np.where(rng.random(n_nominals) < 0.6, phone[n_staff:], None).astype(object)
    nem = np.where(rng.random(n_nominals) < 0.2, email[n_staff:], None).astype(object)
    ngen = gender[n_staff:].astype(object)
    # 10% of staff are also on a person record, at random positions, with recording errors
    linked_staff = rng.choice(n_staff, size=n_staff // 10, replace=False)
    slots = rng.choice(n_nominals, size=len(linked_staff), replace=False)
    truth = []
    for st, slot in zip(linked_staff, slots, strict=True):
        f, sn, d = str(forename[st]), str(surname[st]), dob[st].astype("datetime64[D]").item()
        r = rng.random(6)
        if r[0] < 0.15 and f in NICKNAMES:
            f = NICKNAMES[f]
        if r[1] < 0.10:
            sn = str(_typo(rng, np.array([sn]))[0])
        elif r[1] < 0.13:
            f, sn = sn, f
        if r[2] < 0.10:
            d = None
        elif r[2] < 0.15 and d.day <= 12 and d.day != d.month:
            d = d.replace(month=d.day, day=d.month)
        nf[slot], ns[slot], nd[slot], ngen[slot] = f, sn, d, gender[st]
        moved = r[3] < 0.3
        nad[slot] = nad[slot] if moved else address[st]
        npc[slot] = npc[slot] if moved else postcode[st]
        nph[slot] = phone[st] if r[4] < 0.5 else None
        nem[slot] = email[st] if r[5] < 0.2 else None
        truth.append((f"S{st:06d}", f"N{slot:07d}"))
    nominal_ids = [f"N{i:07d}" for i in range(n_nominals)]
    nominals = pa.table({
        "nominal_id": nominal_ids, "forename": pa.array(nf, pa.string()),
        "surname": pa.array(ns, pa.string()), "date_of_birth": pa.array(nd, pa.date32()),
        "gender": pa.array(ngen, pa.string()), "address": pa.array(nad, pa.string()),
        "postcode": pa.array(npc, pa.string()), "phone": pa.array(nph, pa.string()),
        "email": pa.array(nem, pa.string()),
    })
    categories = np.array(["domestic_abuse", "sexual_offence", "theft", "violence",
                           "public_order", "burglary", "road_traffic", "other"])
    roles = np.array(["victim", "suspect", "offender", "witness", "associate"])
    opened = (np.datetime64("2015-01-01T00:00:00") + rng.integers(0, 3600 * 24 * 3600,
                                                                   n_nominals).astype("timedelta64[s]"))
    incident_ids = [f"I{i:07d}" for i in range(n_nominals)]
    incidents = pa.table({
        "incident_id": incident_ids,
        "opened_at": pa.array(opened, pa.timestamp("s", tz="UTC")),
        "category": categories[rng.integers(0, len(categories), n_nominals)],
    })
    incident_nominals = pa.table({
        "incident_id": incident_ids, "nominal_id": nominal_ids,
        "role": roles[rng.integers(0, len(roles), n_nominals)],
    })
    units = pa.table({"unit_id": ["U1"], "name": ["Response"], "function": ["response"]})
    empty_assign = pa.table({"incident_id": pa.array([], pa.string()),
                             "staff_id": pa.array([], pa.string()),
                             "role": pa.array([], pa.string()),
                             "start": pa.array([], pa.timestamp("s", tz="UTC"))})
    empty_audit = pa.table({"event_id": pa.array([], pa.string()),
                            "ts": pa.array([], pa.timestamp("s", tz="UTC")),
                            "staff_id": pa.array([], pa.string()),
                            "system": pa.array([], pa.string()),
                            "action": pa.array([], pa.string()),
                            "object_type": pa.array([], pa.string())})
    for name, table in {"staff": staff, "nominals": nominals, "incidents": incidents,
                        "incident_nominals": incident_nominals, "units": units,
                        "assignments": empty_assign, "audit_events": empty_audit}.items():
        pq.write_table(table, directory / f"{name}.parquet")
    (directory / "manifest.json").write_text(json.dumps({
        "format": "force-extract", "version": 1, "force_code": "BENCH",
        "force_name": "Benchmark Force", "period_start": "2015-01-01",
        "period_end": "2024-12-31", "extracted_at": "2025-01-01T00:00:00Z"}))
    (directory.parent / f"{directory.name}.truth.json").write_text(json.dumps({
        "format": "probity-synth-truth", "version": 1, "seed": seed, "force_code": "BENCH",
        "perpetrators": [], "lookalikes": [],
        "staff_nominal_links": [{"staff_id": a, "nominal_id": b, "roles": [], "declared": False}
                                for a, b in truth],
        "namesakes": []}))
    return {"staff": n_staff, "nominals": n_nominals, "true_pairs": len(truth)}


def run(directory: Path, model_dir: Path) -> dict:
    """The measured part (child process)."""
    from probity.analytics.internals.linkage.evaluate import load_truth, score_pairs
    from probity.analytics.link import link
    from probity.extract import open_extract

    out: dict = {}
    t0 = time.perf_counter()
    extract = open_extract(directory, use_cache=False)
    out["open_extract_s"] = round(time.perf_counter() - t0, 1)
    con = extract.con
    t0 = time.perf_counter()
    exact = con.execute("""
        SELECT count(*) FROM (SELECT DISTINCT s.staff_id, n.nominal_id
        FROM staff s JOIN nominals n
          ON lower(trim(s.forename)) = lower(trim(n.forename))
         AND lower(trim(s.surname)) = lower(trim(n.surname))
         AND s.date_of_birth = n.date_of_birth)""").fetchall()[0][0]
    out["exact_join_s"] = round(time.perf_counter() - t0, 2)
    out["exact_pairs"] = int(exact)
    model = model_dir / "link-model.json"
    t0 = time.perf_counter()
    result = link(extract, model_path=model, retrain=True)
    out["link_train_and_predict_s"] = round(time.perf_counter() - t0, 1)
    out["links"] = len(result.links)
    out["findings"] = len(result.findings)
    truth, namesakes = load_truth(directory.parent / f"{directory.name}.truth.json")
    predicted = {(s, n) for s, n, p in zip(result.links.staff_id, result.links.nominal_id,
                                           result.links.match_probability, strict=True)
                 if p >= 0.9}
    scores = score_pairs("link", predicted, truth, namesakes)
    out.update(precision=scores.precision, recall=scores.recall, f1=scores.f1)
    t0 = time.perf_counter()
    again = link(extract, model_path=model)
    out["link_saved_model_s"] = round(time.perf_counter() - t0, 1)
    assert not again.trained
    out["ratio_link_to_exact"] = round(out["link_train_and_predict_s"] / max(out["exact_join_s"],
                                                                              1e-3), 1)
    out["ratio_saved_model_to_exact"] = round(out["link_saved_model_s"]
                                              / max(out["exact_join_s"], 1e-3), 1)
    out["peak_rss_mb_self"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=20_000)
    parser.add_argument("--nominals", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    directory = args.dir or Path(f"/tmp/probity-bench-link-{args.staff}x{args.nominals}/force")
    model_dir = directory.parent / "models"
    if args.child:
        print(json.dumps(run(directory, model_dir)))
        return
    if not (directory / "manifest.json").exists():
        t0 = time.perf_counter()
        info = generate(directory, n_staff=args.staff, n_nominals=args.nominals, seed=args.seed)
        print(f"generated {info} in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    env = {**os.environ, "PROBITY_DATA_DIR": str(directory.parent / "data")}
    t0 = time.perf_counter()
    child = subprocess.run([sys.executable, __file__, "--child", "--dir", str(directory),
                            "--staff", str(args.staff), "--nominals", str(args.nominals)],
                           env=env, check=True, capture_output=True, text=True)
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result["child_wall_s"] = round(time.perf_counter() - t0, 1)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    result.update(staff=args.staff, nominals=args.nominals, cores=os.cpu_count())
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
