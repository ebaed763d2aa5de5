"""Shared helpers for the place-name evaluation extractors (Python 3, stdlib only).

Each extract_<source>.py reads a fetched git mirror of a public repository and
writes places-<source>.tsv: code<TAB>level<TAB>spelling, where code is the NCDD 2025
code (crates/store/data/gazetteer-ncdd-2025.tsv) and spelling is the source's Latin
spelling, kept only where it differs from the NCDD 2025 Latin name (ignoring case and
runs of whitespace).
"""
import difflib
import io
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
GAZETTEER = os.path.join(REPO_ROOT, "crates", "store", "data", "gazetteer-ncdd-2025.tsv")

LEVEL_BY_LEN = {4: "district", 6: "commune", 8: "village"}


def load_ncdd():
    """code -> (kind_km, name_km, name_latin); plus parent -> [child codes]."""
    ncdd, children = {}, {}
    with open(GAZETTEER, encoding="utf-8") as f:
        for line in f:
            code, kind, km, latin = line.rstrip("\n").split("\t")
            ncdd[code] = (kind, km, latin)
            if len(code) > 2:
                children.setdefault(code[:-2], []).append(code)
    return ncdd, children


def git_show(git_dir, commit, path, text=True):
    out = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{path}"],
                         capture_output=True, check=True).stdout
    return out.decode("utf-8") if text else out


def git_head(git_dir, rev="HEAD"):
    return subprocess.run(["git", "--git-dir", git_dir, "rev-parse", rev],
                          capture_output=True, text=True, check=True).stdout.strip()


def squash(s):
    """Collapse whitespace (incl. zero-width spaces) and trim."""
    s = s.replace("\u200b", " ").replace("\u200c", "").replace("\u200d", "").replace("\xa0", " ")
    return re.sub(r"\s+", " ", s).strip()


def latin_key(s):
    return squash(s).lower()


def latin_norm(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def similarity(a, b):
    return difflib.SequenceMatcher(None, latin_norm(a), latin_norm(b)).ratio()


_NUMBER_WORDS = [("prambuon", "9"), ("prambei", "8"), ("prampir", "7"), ("prammuoy", "6"),
                 ("pram", "5"), ("buon", "4"), ("bei", "3"), ("pir", "2"), ("muoy", "1"),
                 ("dab", "10"), ("dap", "10")]
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7",
          "viii": "8", "ix": "9", "x": "10"}


def fold_numbers(s):
    words = []
    for w in re.findall(r"[a-z0-9]+", s.lower()):
        if w in _ROMAN:
            w = _ROMAN[w]
        for word, digit in _NUMBER_WORDS:
            if w == word:
                w = digit
                break
        if w != "ti":
            words.append(w)
    return " ".join(words)


def plausible(a, b):
    """Sanity score for a link already made by code or Khmer name: similarity of
    the two Latin spellings after writing Khmer number words and Roman numerals
    as digits and dropping the ordinal word Ti."""
    return max(similarity(a, b), similarity(fold_numbers(a), fold_numbers(b)))


PLAUSIBLE = 0.5


_KM_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def khmer_key(s):
    """Fold Khmer spelling variants that do not change the name: spaces and
    zero-width characters, the two forms of RY (U+17AB/U+17AC), subscript DA vs
    subscript TA, Khmer vs ASCII digits and the ordinal word TI before a number."""
    s = s.translate(_KM_DIGITS)
    s = re.sub(r"[\s\u200b\u200c\u200d]", "", s)
    s = s.replace("\u17ac", "\u17ab").replace("\u17d2\u178a", "\u17d2\u178f")
    s = re.sub(r"ទី(?=\d)", "", s)
    return s


LATIN_TYPE_WORDS = re.compile(
    r"^(?:khan|srok|krong|sangkat|khum|district|commune)\s+|"
    r"\s+(?:dist\w*|munic\w*|minic\w*|commun\w*)$",
    re.I)


def strip_latin_type(s):
    """Drop an administrative-type word before or after a district/commune name."""
    prev = None
    s = squash(s.split(":")[0])
    while prev != s:
        prev, s = s, LATIN_TYPE_WORDS.sub("", s).strip()
    return s


KHMER_TYPE_PREFIXES = ("រាជធានី", "ខេត្ត", "ស្រុក", "ខណ្ឌ", "ក្រុង", "ឃុំ", "សង្កាត់")


def strip_khmer_type(s):
    s = s.strip()
    for p in KHMER_TYPE_PREFIXES:
        if s.startswith(p):
            return s[len(p):].strip()
    return s


def read_xlsx(data):
    """Minimal .xlsx reader: {sheet name: [[cell text, ...], ...]}."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    z = zipfile.ZipFile(io.BytesIO(data))
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % ns["m"])))
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = {r.get("Id"): r.get("Target")
            for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}

    def col(ref):
        n = 0
        for ch in re.match(r"[A-Z]+", ref).group(0):
            n = n * 26 + ord(ch) - 64
        return n - 1

    sheets = {}
    for sh in wb.find("m:sheets", ns):
        target = rels[sh.get("{%s}id" % ns["r"])].lstrip("/")
        if not target.startswith("xl/"):
            target = "xl/" + target
        rows = []
        for row in ET.fromstring(z.read(target)).iter("{%s}row" % ns["m"]):
            vals = {}
            for c in row.findall("m:c", ns):
                t, v = c.get("t"), c.find("m:v", ns)
                if t == "s" and v is not None:
                    val = shared[int(v.text)]
                elif t == "inlineStr":
                    val = "".join(x.text or "" for x in c.iter("{%s}t" % ns["m"]))
                else:
                    val = v.text if v is not None else ""
                vals[col(c.get("r"))] = val
            rows.append([vals.get(i, "") for i in range(max(vals) + 1)] if vals else [])
        sheets[sh.get("name")] = rows
    return sheets


class Writer:
    """Collects (code, level, spelling) rows, keeping only real alternates."""

    def __init__(self, ncdd):
        self.ncdd = ncdd
        self.rows = set()
        self.dropped = {}
        self.notes = {}

    def note(self, what):
        self.notes[what] = self.notes.get(what, 0) + 1

    def drop(self, why):
        self.dropped[why] = self.dropped.get(why, 0) + 1

    def add(self, code, spelling):
        spelling = squash(spelling)
        if not spelling:
            return self.drop("empty spelling")
        if any(ord(ch) > 0x7e for ch in spelling) or "?" in spelling:
            return self.drop("spelling has non-ASCII or mangled characters")
        if latin_key(spelling) == latin_key(self.ncdd[code][2]):
            return self.drop("same as NCDD 2025 (ignoring case/whitespace)")
        if plausible(spelling, self.ncdd[code][2]) < PLAUSIBLE:
            return self.drop(f"Latin unrelated to NCDD's (score < {PLAUSIBLE}): renamed, "
                             "mis-aligned or mis-linked entry")
        self.rows.add((code, LEVEL_BY_LEN[len(code)], spelling))

    def write(self, name):
        path = os.path.join(HERE, f"places-{name}.tsv")
        order = {"district": 0, "commune": 1, "village": 2}
        rows = sorted(self.rows, key=lambda r: (order[r[1]], r[0], r[2]))
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("code\tlevel\tspelling\n")
            for r in rows:
                f.write("\t".join(r) + "\n")
        counts = {}
        for r in rows:
            counts[r[1]] = counts.get(r[1], 0) + 1
        print(f"wrote {path}: {len(rows)} rows", counts, file=sys.stderr)
        for why, n in sorted(self.dropped.items(), key=lambda x: -x[1]):
            print(f"  dropped {n}: {why}", file=sys.stderr)
        for what, n in sorted(self.notes.items(), key=lambda x: -x[1]):
            print(f"  note {n}: {what}", file=sys.stderr)
        return rows
