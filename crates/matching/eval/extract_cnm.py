#!/usr/bin/env python3
"""Alternate spellings from a malaria-programme village list (jturtler/TTC, a DHIS2
"Tabular Tracker Capture" app built for Cambodia; the sheet is headed "TRAN - DO NOT
IMPORT AS ORG UNIT - Quick & Dirty for demo").

Usage (from the repo root):
    python3 crates/matching/eval/extract_cnm.py /work/.mirror/jturtler+TTC/repo

Source: "Import Excel Orgunit/Book1.xlsx", sheet Sheet1, at commit 57ab1e2 (branch
history; the file is absent from the default branch tip).  Columns Code_Prov_T,
Name_Prov_E, Code_Dist_T, Name_Dist_E, Code_Comm_T, Name_Comm_E, Code_Vill_T,
Name_Vill_E.  Codes are NCDD codes without the leading zero; village codes carry
two more digits: 00 for the village itself, 01.. for sub-villages and mobile or
plantation sites ("(M)"), which are dropped.

There is no Khmer name to check a link with, so:
  * by code: the NCDD 2025 place with that code, when no sibling under the same
    parent has a closer Latin name (otherwise the code is taken to have drifted);
  * by parent + name similarity, only for codes absent from NCDD 2025 or drifted:
    the best sibling scores >= 0.8 and beats the runner-up by >= 0.15;
  * every kept row then passes the shared sanity score (>= 0.5, see _common.py).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (Writer, git_show, load_ncdd, plausible, read_xlsx,  # noqa: E402
                     squash, strip_latin_type)

COMMIT = "57ab1e2"
PATH = "Import Excel Orgunit/Book1.xlsx"


def link(code, parent, name, ncdd, children, w, level):
    sibs = children.get(parent, [])
    scored = sorted(((plausible(name, ncdd[c][2]), c) for c in sibs), reverse=True)
    if code in ncdd and code[:-2] == parent:
        own = plausible(name, ncdd[code][2])
        if not scored or scored[0][1] == code or own >= scored[0][0]:
            w.note(f"{level}: linked by code")
            return code
    if scored and scored[0][0] >= 0.8 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 0.15):
        w.note(f"{level}: code absent or drifted, linked by parent + name similarity")
        return scored[0][1]
    w.drop(f"{level}: code absent or drifted and no unambiguous sibling by name")
    return None


def main():
    git_dir = sys.argv[1]
    ncdd, children = load_ncdd()
    w = Writer(ncdd)
    rows = read_xlsx(git_show(git_dir, COMMIT, PATH, text=False))["Sheet1"]
    header = rows[1]
    col = {h: i for i, h in enumerate(header)}
    seen = set()
    for r in rows[2:]:
        if len(r) <= col["Name_Vill_E"]:
            continue
        get = lambda k: squash(r[col[k]])  # noqa: E731
        prov = get("Code_Prov_T").zfill(2)
        dist = get("Code_Dist_T").zfill(4)
        comm = get("Code_Comm_T").zfill(6)
        vill = get("Code_Vill_T")
        for level, code, parent, name in (("district", dist, prov, get("Name_Dist_E")),
                                          ("commune", comm, dist, get("Name_Comm_E"))):
            if (level, code, name) in seen:
                continue
            seen.add((level, code, name))
            target = link(code, parent, name, ncdd, children, w, level)
            if target:
                w.add(target, strip_latin_type(name))
        if not vill.isdigit() or len(vill) < 8:
            w.drop("village: no usable code")
            continue
        if not vill.endswith("00"):
            w.drop("village: sub-village / mobile or plantation site (code suffix not 00)")
            continue
        name = get("Name_Vill_E")
        if "(M)" in name.replace(" ", "").upper():
            w.drop("village: mobile site (M)")
            continue
        target = link(vill[:-2].zfill(8), comm, name, ncdd, children, w, "village")
        if target:
            w.add(target, name)
    w.write("cnm")


if __name__ == "__main__":
    main()
