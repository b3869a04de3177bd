"""Small synthetic forces for the link tests (no real people; names are common words).

`make_force(seed)` returns a dict of pandas DataFrames shaped as Force Extract v1 tables plus the
true (staff_id, nominal_id) pairs and the namesake pairs; `write_extract(tables, directory)`
writes them as an extract directory (CSV + manifest.json).
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

FORENAMES = [
    ("Katherine", "Kate", "female"), ("William", "Bill", "male"), ("Robert", "Bob", "male"),
    ("Elizabeth", "Liz", "female"), ("Margaret", "Maggie", "female"), ("James", "Jim", "male"),
    ("Rebecca", "Becky", "female"), ("Thomas", "Tom", "male"), ("Daniel", "Dan", "male"),
    ("Jennifer", "Jenny", "female"), ("Michael", "Mike", "male"), ("Susan", "Sue", "female"),
    ("Andrew", "Andy", "male"), ("Victoria", "Vicky", "female"), ("Richard", "Rick", "male"),
    ("Samantha", "Sam", "female"), ("Anthony", "Tony", "male"), ("Deborah", "Debbie", "female"),
    ("Joseph", "Joe", "male"), ("Nicola", "Nicky", "female"), ("Gary", "Gaz", "male"),
    ("Helen", "Nell", "female"), ("Peter", "Pete", "male"), ("Patricia", "Trish", "female"),
]
SURNAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Patel", "Khan", "Lewis", "Harrison", "Ashworth", "Butterfield",
    "Kowalski", "Okafor", "Fairbrother", "Lindqvist", "Pemberton", "Ramsbottom", "Whitworth",
    "Heywood", "Entwistle", "Greenhalgh", "Sutcliffe", "Holroyd", "Crabtree", "Duckworth",
]
STREETS = ["High Street", "Church Road", "Mill Lane", "Victoria Road", "Park Avenue",
           "Station Road", "Moor Lane", "Chapel Street", "Oak Drive", "Bury New Road"]
DISTRICTS = ["M1", "M4", "M8", "M14", "M20", "OL1", "OL4", "BL1", "BL9", "SK1", "SK4", "WN1"]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "sub"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeioulnrst") + word[i + 1:]


def _phone(rng: random.Random) -> str:
    return f"07700 9{rng.randrange(0, 100000):05d}"


def _postcode(rng: random.Random) -> str:
    return f"{rng.choice(DISTRICTS)} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"


def _person(rng: random.Random) -> dict[str, object]:
    formal, _nick, gender = rng.choice(FORENAMES)
    dob = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
    return {
        "forename": formal, "surname": rng.choice(SURNAMES), "gender": gender,
        "date_of_birth": dob.isoformat(), "phone": _phone(rng), "postcode": _postcode(rng),
        "address": f"{rng.randrange(1, 200)} {rng.choice(STREETS)}",
    }


def make_force(seed: int = 1, *, n_staff: int = 120, n_background: int = 1500,
               n_links: int = 40, n_namesakes: int = 8) -> dict[str, object]:
    rng = random.Random(seed)
    staff_rows, nominal_rows, truth, namesakes = [], [], [], []
    people = [_person(rng) for _ in range(n_staff)]
    for i, p in enumerate(people):
        staff_rows.append({
            "staff_id": f"S{i:05d}", "forename": p["forename"], "surname": p["surname"],
            "date_of_birth": p["date_of_birth"], "gender": p["gender"],
            "staff_type": "officer", "unit_id": "U1",
            "start_date": (date(2005, 1, 1) + timedelta(days=rng.randrange(0, 6000))).isoformat(),
            "personal_phone": p["phone"], "work_phone": f"0161 496 {rng.randrange(0, 10000):04d}",
            "home_address": p["address"], "home_postcode": p["postcode"],
            "email": f"{str(p['forename']).lower()}.{str(p['surname']).lower()}{i}@mail.example",
        })
    n = 0
    for i in range(n_links):  # the same person, recorded with the usual errors
        p = people[i]
        fore, surname, dob = str(p["forename"]), str(p["surname"]), str(p["date_of_birth"])
        nick = next(nk for f, nk, _g in FORENAMES if f == fore)
        case = i % 8
        phone: object = p["phone"] if rng.random() < 0.5 else None
        postcode: object = p["postcode"]
        address: object = p["address"]
        if case == 0:
            fore = nick
        elif case == 1:
            surname = _typo(rng, surname)
        elif case == 2:
            fore, surname = surname, fore
        elif case == 3:
            y, m, d = dob.split("-")
            if int(d) <= 12 and d != m:
                dob = f"{y}-{d}-{m}"
            else:
                dob = f"{y[:2]}{y[3]}{y[2]}-{m}-{d}"
        elif case == 4:
            dob = None  # type: ignore[assignment]
            phone = p["phone"]
        elif case == 5:
            fore = _typo(rng, fore)
            postcode, address = _postcode(rng), f"{rng.randrange(1, 200)} {rng.choice(STREETS)}"
            phone = p["phone"]
        elif case == 6:
            fore = nick
            surname = _typo(rng, surname)
        nominal_rows.append({
            "nominal_id": f"N{n:06d}", "forename": fore, "surname": surname,
            "date_of_birth": dob, "gender": p["gender"], "address": address,
            "postcode": postcode, "phone": phone, "email": None,
        })
        truth.append((f"S{i:05d}", f"N{n:06d}"))
        n += 1
    for j in range(n_namesakes):  # same name, another person
        p = people[n_links + j]
        other = _person(rng)
        nominal_rows.append({
            "nominal_id": f"N{n:06d}", "forename": p["forename"], "surname": p["surname"],
            "date_of_birth": other["date_of_birth"], "gender": p["gender"],
            "address": other["address"], "postcode": other["postcode"],
            "phone": other["phone"], "email": None,
        })
        namesakes.append((f"S{n_links + j:05d}", f"N{n:06d}"))
        n += 1
    for _ in range(n_background):
        p = _person(rng)
        nominal_rows.append({
            "nominal_id": f"N{n:06d}", "forename": p["forename"], "surname": p["surname"],
            "date_of_birth": p["date_of_birth"] if rng.random() < 0.9 else None,
            "gender": p["gender"], "address": p["address"], "postcode": p["postcode"],
            "phone": p["phone"] if rng.random() < 0.6 else None, "email": None,
        })
        n += 1
    nominals = pd.DataFrame(nominal_rows)
    categories = ["domestic_abuse", "sexual_offence", "theft", "violence", "public_order"]
    roles = ["victim", "suspect", "offender", "witness", "associate"]
    incidents, inc_noms = [], []
    for k, nid in enumerate(nominals["nominal_id"]):
        iid = f"I{k:06d}"
        incidents.append({"incident_id": iid,
                          "opened_at": f"20{10 + k % 14:02d}-0{1 + k % 9}-15T10:00:00Z",
                          "category": categories[k % len(categories)], "postcode": None})
        inc_noms.append({"incident_id": iid, "nominal_id": nid, "role": roles[k % len(roles)]})
    # staff S00000 declared their association with their own record; S00001's phone is on
    # a victim's record (not their own)
    declarations = pd.DataFrame([{"staff_id": "S00000", "declared_on": "2020-01-01",
                                  "kind": "association", "nominal_id": truth[0][1],
                                  "phone": None}])
    victim_idx = n_links + n_namesakes + 3
    nominals.loc[victim_idx, "phone"] = staff_rows[1]["personal_phone"]
    inc_noms[victim_idx]["role"] = "victim"
    incidents[victim_idx]["category"] = "domestic_abuse"
    tables = {
        "units": pd.DataFrame([{"unit_id": "U1", "name": "Response", "function": "response"}]),
        "staff": pd.DataFrame(staff_rows),
        "nominals": nominals,
        "incidents": pd.DataFrame(incidents),
        "incident_nominals": pd.DataFrame(inc_noms),
        "assignments": pd.DataFrame(columns=["incident_id", "staff_id", "role", "start", "end"]),
        "audit_events": pd.DataFrame(columns=["event_id", "ts", "staff_id", "system", "action",
                                              "object_type", "object_id"]),
        "declarations": declarations,
        "nominal_flags": pd.DataFrame([{"nominal_id": nominals.loc[victim_idx, "nominal_id"],
                                        "flag": "domestic_abuse_victim"}]),
    }
    return {"tables": tables, "truth": truth, "namesakes": namesakes,
            "contact": ("S00001", str(nominals.loc[victim_idx, "nominal_id"]))}


def write_extract(tables: dict[str, pd.DataFrame], directory: Path,
                  force_code: str = "TST") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(directory / f"{name}.csv", index=False)
    (directory / "manifest.json").write_text(json.dumps({
        "format": "force-extract", "version": 1, "force_code": force_code,
        "force_name": "Test Force", "period_start": "2010-01-01", "period_end": "2024-12-31",
        "extracted_at": "2025-01-01T00:00:00Z"}), encoding="utf-8")
    return directory


def write_truth(force: dict[str, object], path: Path) -> Path:
    path.write_text(json.dumps({
        "format": "probity-synth-truth", "version": 1, "seed": 0, "force_code": "TST",
        "perpetrators": [], "lookalikes": [],
        "staff_nominal_links": [{"staff_id": s, "nominal_id": n, "roles": [], "declared": False}
                                for s, n in force["truth"]],  # type: ignore[attr-defined]
        "namesakes": [{"staff_id": s, "nominal_id": n}
                      for s, n in force["namesakes"]],  # type: ignore[attr-defined]
    }), encoding="utf-8")
    return path
