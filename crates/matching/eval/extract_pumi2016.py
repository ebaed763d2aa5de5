#!/usr/bin/env python3
"""Alternate spellings from the first data release of dwilkie/pumi (February 2016).

Usage (from the repo root):
    python3 crates/matching/eval/extract_pumi2016.py /work/.mirror/dwilkie+pumi/repo

The 2016 files (data/{districts,communes,villages}.yml at commit 4211e66, "Fix village
codes") were generated from the NCDD gazetteer as it stood then, before NCDD's later
romanisation revisions; they are not the current pumi YAML.  Linking: an entry is
linked by its code when its Khmer name matches NCDD 2025's for that code (after
folding spaces, RY forms, subscript DA/TA, digits); otherwise by an identical Khmer
name among the children of the same parent code, if exactly one; otherwise dropped.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import Writer, git_show, khmer_key, load_ncdd, strip_latin_type  # noqa: E402

COMMIT = "4211e66"


def parse(text):
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"\s+'?(\d{2,8})'?:\s*$", line)
        if m:
            cur = m.group(1)
            out[cur] = {}
            continue
        m = re.match(r"\s+(name_en|name_km):\s*(.*)$", line)
        if m and cur:
            out[cur][m.group(1)] = m.group(2).strip().strip('"').strip("'")
    return out


def link(code, km, ncdd, children):
    if code in ncdd and khmer_key(ncdd[code][1]) == khmer_key(km):
        return code, "code"
    same = [c for c in children.get(code[:-2], []) if khmer_key(ncdd[c][1]) == khmer_key(km)]
    if len(same) == 1:
        return same[0], "parent+khmer"
    return None, "khmer name not found under parent" if not same else "khmer name ambiguous under parent"


def main():
    git_dir = sys.argv[1]
    ncdd, children = load_ncdd()
    w = Writer(ncdd)
    for kind in ("districts", "communes", "villages"):
        for code, v in parse(git_show(git_dir, COMMIT, f"data/{kind}.yml")).items():
            latin, km = v.get("name_en", ""), v.get("name_km", "")
            target, how = link(code, km, ncdd, children)
            if target is None:
                w.drop(f"{kind}: {how}")
                continue
            if target != code:
                w.note(f"{kind}: linked by parent + Khmer name (code changed since 2016)")
            if kind != "villages":
                latin = strip_latin_type(latin)
            w.add(target, latin)
    w.write("pumi2016")


if __name__ == "__main__":
    main()
