"""Combine indicator evidence into one score per staff member, transparently.

score = sum over persons of concern, strongest first, of (pair evidence / position)
        + staff-level evidence (trawling, apps, complaints, undeclared association)

Pair evidence is the sum, for one (staff member, person record) pair, of the nats of every
look-up and contact indicator that points at that person: several kinds of evidence about the
same person add up fully, while each further person adds less (1/2, 1/3, ...: diminishing
returns, so that a long tail of weak hits cannot outrank one strong, coherent pattern).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from probity.analytics.internals.engine import INDICATORS
from probity.analytics.internals.params import ScanParams

__all__ = ["score_staff", "REVIEW_NOTICE"]

REVIEW_NOTICE = ("The score only orders human review: it is not a finding about anyone, and no "
                 "decision may rest on it alone (DPA 2018 s49-50).")

_REASON_LABELS = {
    "unlinked_lookup": "looked up {p} vulnerable person(s) with no operational link ({n} look-ups)",
    "post_link_lookup": "looked up {p} person(s) met through work after the assignment or case "
                        "ended ({n} look-ups)",
    "off_duty_lookup": "{n} unexplained look-ups of {p} person(s) outside rostered duty",
    "concentration": "repeated look-ups of {p} person(s) on up to {mx} different days",
    "comms_to_victim": "{n} calls/texts from a force device to {p} victim(s) or vulnerable "
                       "person(s) outside an on-duty case role",
    "persistence": "returned to {p} person(s) met through work on up to {mx} days after the "
                   "link ended (look-ups and contact)",
    "off_duty_pursuit": "off duty on up to {mx} different days, looked up or phoned {p} "
                        "person(s) met through work after the link ended",
    "quick_da_closure": "closed {p} domestic abuse case(s) within days as the person in charge, "
                        "then looked up or contacted the victim",
    "trawling": "trawling: {n} distinct vulnerable or young people looked up with no link, far "
                "above peers",
    "encrypted_app": "{apps} on a force device",
    "complaint_history": "{n} sexual conduct or abuse of position complaint(s)",
    "undeclared_association": "matched to {p} person record(s) as suspect or associate with no "
                              "declaration",
}


def score_staff(*, staff: pd.DataFrame, evidence: pd.DataFrame, extra_persons: pd.DataFrame,
                params: ScanParams) -> pd.DataFrame:
    """One row per staff member: rank, staff_id, score, persons_of_concern, reasons."""
    pair_ev = evidence[evidence["scope"] == "pair"]
    pairs = pd.DataFrame(pair_ev.groupby(["staff_id", "nominal_id"], as_index=False)
                         .agg(weight=("weight", "sum"), candidates=("candidate_pairs", "max")))
    pairs = pairs.sort_values(["staff_id", "weight", "nominal_id"],
                              ascending=[True, False, True])
    pairs["k"] = pairs.groupby("staff_id").cumcount() + 1
    correction = params.multiple_comparison * np.log(pairs["candidates"].fillna(1).clip(lower=1))
    pairs["contribution"] = ((pairs["weight"] - correction).clip(lower=0.0) / pairs["k"]).where(
        pairs["k"] <= params.pairs_counted, 0.0)
    pair_total = pairs.groupby("staff_id")["contribution"].sum()
    staff_ev = evidence[evidence["scope"] == "staff"]
    staff_total = staff_ev.groupby("staff_id")["weight"].sum()
    # an encrypted or ephemeral app weighs more when the same person contacts a victim
    contacts = set(evidence.loc[evidence["indicator"] == "comms_to_victim", "staff_id"])
    app_bonus = (staff_ev[(staff_ev["indicator"] == "encrypted_app")
                          & staff_ev["staff_id"].isin(contacts)]
                 .groupby("staff_id")["weight"].sum() * (params.apps_with_contact_factor - 1))

    out = staff[["staff_id", "peer_group"]].copy()
    out["raw"] = (out["staff_id"].map(pair_total).fillna(0.0)
                  + out["staff_id"].map(staff_total).fillna(0.0)
                  + out["staff_id"].map(app_bonus).fillna(0.0))
    # evidence above what is typical of the peer group (same unit function and staff type)
    out["score"] = (out["raw"] - out.groupby("peer_group")["raw"].transform("median")).clip(
        lower=0.0)

    # persons of concern: the persons the strongest evidence points at (look-ups and contact,
    # complainants, victims of incidents where the staff member is a suspect), strongest first
    people = pd.concat([pairs[pairs["k"] <= params.max_persons_of_concern]
                        [["staff_id", "nominal_id", "weight"]],
                        extra_persons[["staff_id", "nominal_id", "weight"]]], ignore_index=True)
    people = pd.DataFrame(people.groupby(["staff_id", "nominal_id"], as_index=False)["weight"]
                          .sum())
    people = people.sort_values(["staff_id", "weight", "nominal_id"],
                                ascending=[True, False, True])
    top = people.groupby("staff_id")["weight"].transform("max")
    people = people[(people["weight"] >= params.persons_min_weight)
                    & (people["weight"] >= params.persons_min_share * top)]
    people = people[people.groupby("staff_id", sort=False).cumcount()
                    < params.max_persons_of_concern]
    persons = people.groupby("staff_id", sort=False)["nominal_id"].agg(
        lambda ids: ";".join(ids.astype(str)))
    out["persons_of_concern"] = out["staff_id"].map(persons).fillna("")
    out["reasons"] = out["staff_id"].map(_reasons(evidence)).fillna("")
    out.loc[out["reasons"] == "", "reasons"] = "no indicator above peers"
    out["score"] = out["score"].round(4)
    out = out.sort_values(["score", "raw", "staff_id"], ascending=[False, False, True],
                          kind="mergesort")
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.reset_index(drop=True)


def _reasons(evidence: pd.DataFrame) -> dict[str, str]:
    if evidence.empty:
        return {}
    agg = (evidence.groupby(["staff_id", "indicator"])
           .agg(weight=("weight", "sum"), p=("nominal_id", "nunique"), n=("count", "sum"),
                mx=("count", "max"))
           .reset_index())
    app_rows = evidence[evidence["indicator"] == "encrypted_app"]
    apps: dict[str, str] = {}
    for sid, detail in zip(app_rows["staff_id"], app_rows["detail"], strict=True):
        name = str(detail).split(" on a force device")[0]
        apps[str(sid)] = ", ".join(sorted({*apps.get(str(sid), "").split(", "), name} - {""}))
    agg = agg.sort_values(["staff_id", "weight"], ascending=[True, False])
    top = agg[agg.groupby("staff_id", sort=False).cumcount() < 3]
    texts = [
        _REASON_LABELS.get(indicator, INDICATORS[indicator][0]).format(
            p=int(p), n=round(float(n)), mx=round(float(mx)),
            apps=apps.get(str(sid), "messaging app")) + f" [{float(weight):.1f}]"
        for sid, indicator, p, n, mx, weight in zip(
            top["staff_id"], top["indicator"], top["p"], top["n"], top["mx"], top["weight"],
            strict=True)
    ]
    joined = pd.Series(texts, index=top.index).groupby(top["staff_id"], sort=False).agg("; ".join)
    result: dict[str, str] = {str(k): str(v) for k, v in joined.items()}
    return result
