#!/usr/bin/env python3
"""Alternate spellings from the Cambodia Post postal-code list as published in
seanghay/cambodia-postal-codes (MIT, per its package.json).

Usage (from the repo root):
    python3 crates/matching/eval/extract_postal.py /work/.mirror/seanghay+cambodia-postal-codes/repo

File cambodia-postal-codes.json: provinces (id = NCDD province code) -> districts
(location_kh, location_en) -> communes (km, en, code = postal code).  Postal codes
look like NCDD commune codes but are numbered differently in many districts, so
they are not used.  Linking is by Khmer name: a district by its Khmer name (type
word removed) among the NCDD districts of its province, a commune by its Khmer name
among the NCDD communes of the linked district; only a unique match links.  Latin
type words (Khan, Srok, Krong, Sangkat, Khum, "District", "Municipality") are removed.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (Writer, git_show, khmer_key, load_ncdd, strip_khmer_type,  # noqa: E402
                     strip_latin_type)

COMMIT = "HEAD"
PATH = "cambodia-postal-codes.json"


def by_khmer(parent, km, ncdd, children):
    key = khmer_key(strip_khmer_type(km))
    hits = [c for c in children.get(parent, []) if khmer_key(ncdd[c][1]) == key]
    return hits[0] if len(hits) == 1 else None, len(hits)


def main():
    git_dir = sys.argv[1]
    ncdd, children = load_ncdd()
    w = Writer(ncdd)
    data = json.loads(git_show(git_dir, COMMIT, PATH))
    for prov in data:
        pcode = str(prov["id"]).zfill(2)
        for d in prov["districts"]:
            dcode, n = by_khmer(pcode, d["location_kh"], ncdd, children)
            if not dcode:
                w.drop(f"district: Khmer name {'ambiguous' if n else 'not found'} in province"
                       " (its communes dropped too)")
                continue
            w.add(dcode, strip_latin_type(d["location_en"]))
            for c in d["codes"]:
                ccode, n = by_khmer(dcode, c["km"], ncdd, children)
                if not ccode:
                    w.drop(f"commune: Khmer name {'ambiguous' if n else 'not found'} in district")
                    continue
                w.add(ccode, strip_latin_type(c["en"]))
    w.write("postal")


if __name__ == "__main__":
    main()
