#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Does the kernel tree still have the functions the harness models?

  model_check.py --ksrc TREE --kver VERSION [--update] [--result FILE] SOURCE...

Each SOURCE (tests/harness/*.c and the shim headers) labels every function that mirrors an
upstream one with a comment line

    Upstream: NAME() in PATH, KIND

KIND is DUPLICATED (the same steps), CUSTOMISED (the same role, adapted to
the model) or STUBBED (a failure point or no-op), as tools/testing/vma
labels its own; each shim header under include/linux/ or include/asm/
starts with "Shim of <kernel header>, KIND". tests/model/fingerprints.json records, for the kernel
version the model was last read against, the fingerprint of every such
upstream function (kfunc.py). Without --update, fails naming each function
whose upstream body differs in TREE, is gone, or has no record; with
--update, records TREE's fingerprints and VERSION. --result writes the
outcome as JSON.
"""

import argparse
import json
import os
import re
import sys

import kfunc

HERE = os.path.dirname(os.path.abspath(__file__))
RECORD = os.path.join(HERE, "fingerprints.json")
KIT = os.path.dirname(os.path.dirname(HERE))
LABEL = re.compile(r"Upstream: ([A-Za-z_]\w*)\(\) in ([\w./-]+), (DUPLICATED|CUSTOMISED|STUBBED)\b")
# A shim header (include/linux/, include/asm/) says what it stands for.
SHIM = re.compile(r"Shim of \S+.*?,[\s*]*(DUPLICATED|CUSTOMISED|STUBBED)\b", re.S)
SHIM_DIR = re.compile(r"/include/(linux|asm)/[^/]+\.h$")


def labels(sources):
    """{name: (path, kind, "harness/file.c:line")} from the SOURCE files."""
    found = {}
    errors = []
    for src in sources:
        with open(src) as f:
            text = f.read()
        if SHIM_DIR.search(os.path.abspath(src)) and not SHIM.search(text[:1000]):
            errors.append(f"{os.path.relpath(os.path.abspath(src), KIT)} has no 'Shim of "
                          "<kernel header>, DUPLICATED|CUSTOMISED|STUBBED' label in its first "
                          "comment: add one")
        for n, line in enumerate(text.splitlines(), 1):
            for m in LABEL.finditer(line):
                name, path, kind = m.groups()
                where = f"{os.path.relpath(os.path.abspath(src), KIT)}:{n}"
                if name in found:
                    errors.append(f"{name}() is labelled twice: {found[name][2]} and {where}")
                found[name] = (path, kind, where)
    return found, errors


def upstream(ksrc, path, name):
    """Fingerprints of NAME in TREE/PATH, or an error string."""
    try:
        with open(os.path.join(ksrc, path)) as f:
            text = f.read()
    except OSError as e:
        return None, f"cannot read {path}: {e.strerror}"
    try:
        return kfunc.fingerprint(text, name), None
    except kfunc.ExtractError as e:
        return None, f"{e} in {path}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ksrc", required=True)
    ap.add_argument("--kver", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--result")
    ap.add_argument("--record", default=RECORD, help=argparse.SUPPRESS)
    ap.add_argument("sources", nargs="+")
    args = ap.parse_args(argv)

    found, problems = labels(args.sources)
    if not found:
        problems.append("no 'Upstream: NAME() in PATH, KIND' label in " + " ".join(args.sources))
    try:
        with open(args.record) as f:
            record = json.load(f)
    except FileNotFoundError:
        record = {"kernel": None, "functions": {}}
    except (OSError, ValueError) as e:
        print(f"model-check: {args.record} is unreadable ({e}); restore it from git",
              file=sys.stderr)
        return 1

    now = {}
    for name, (path, kind, where) in sorted(found.items()):
        fps, err = upstream(args.ksrc, path, name)
        if err:
            problems.append(f"{name}() ({where}): {err} of Linux {args.kver}. Find where it "
                            "went upstream and re-read the model against it; fix the label")
            continue
        now[name] = {"file": path, "kind": kind, "fingerprints": fps}

    if args.update:
        if problems:
            print("\n".join("model-check: " + p for p in problems), file=sys.stderr)
            print("model-check: nothing recorded", file=sys.stderr)
            return 1
        with open(args.record, "w") as f:
            json.dump({"kernel": args.kver, "functions": now}, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"model-check: recorded {len(now)} functions of Linux {args.kver} in "
              f"{os.path.relpath(os.path.abspath(args.record), KIT)}")
        return 0

    old = record.get("functions", {})
    changed = []
    for name, entry in sorted(now.items()):
        where = found[name][2]
        if name not in old:
            problems.append(f"{name}() ({where}) has no recorded fingerprint: read the model "
                            "against upstream, then run 'make fingerprints-update'")
        elif old[name]["file"] != entry["file"]:
            problems.append(f"{name}() ({where}) is labelled {entry['file']} but recorded from "
                            f"{old[name]['file']}: run 'make fingerprints-update' once the label is right")
        elif old[name]["fingerprints"] != entry["fingerprints"]:
            changed.append(name)
            problems.append(
                f"{name}() in {entry['file']} differs in Linux {args.kver} ({args.ksrc}) from "
                f"Linux {record.get('kernel')}, which the model follows. Re-read {where} against "
                f"the new {name}(), fix the model and its tests, then run 'make fingerprints-update'")
    for name in sorted(set(old) - set(found)):
        problems.append(f"{name}() is recorded but no harness function carries its label: "
                        "run 'make fingerprints-update'")

    if args.result:
        os.makedirs(os.path.dirname(os.path.abspath(args.result)), exist_ok=True)
        with open(args.result, "w") as f:
            json.dump({"model_of": record.get("kernel"), "tree": args.kver, "ksrc": args.ksrc,
                       "functions": len(now), "changed": changed, "problems": problems},
                      f, indent=1)
            f.write("\n")
    if problems:
        for p in problems:
            print("model-check: " + p, file=sys.stderr)
        print(f"model-check: FAILED: the harness models Linux {record.get('kernel')}; "
              f"{len(problems)} problem(s) with Linux {args.kver}", file=sys.stderr)
        return 1
    print(f"  MODEL   the harness models Linux {record['kernel']}: {len(now)} upstream "
          f"functions unchanged in Linux {args.kver}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
