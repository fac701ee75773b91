# SPDX-License-Identifier: GPL-2.0
"""The verdict table: one line per (lab, variant) of kit-lab/1 results."""

import json
import os

from . import stage
from .labresult import GOOD


def load(lab_dir):
    """The kit-lab/1 document of a lab's output directory, or None."""
    path = os.path.join(lab_dir, "result.json")
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (FileNotFoundError, ValueError):
        return None
    if doc.get("schema") != "kit-lab/1":
        return None
    return doc


def render(dirs):
    """(lines, ok): the table for the labs whose output is in @dirs."""
    lines = ["", f"{'LAB':<16} {'VARIANT':<9} {'VERDICT':<7} {'BOOT':>7}  NOTE"]
    npass = nfail = nknown = 0
    for d in dirs:
        lab = os.path.basename(os.path.normpath(d))
        doc = load(d)
        if doc is None or not doc["variants"]:
            lines.append(f"{lab:<16} {'-':<9} {'FAIL':<7} {'-':>7}  no results: the lab did not run")
            nfail += 1
            continue
        for v in doc["variants"]:
            secs = f"{v['seconds']:.1f}s"
            lines.append(f"{lab:<16} {v['name']:<9} {v['verdict']:<7} {secs:>7}  {v['reason']}".rstrip())
            if v["verdict"] in GOOD:
                npass += 1
                nknown += v["verdict"] == "KNOWN"
            else:
                nfail += 1
    lines.append("")
    if nknown:
        lines.append(f"{nknown} of the variants that passed measured a known upstream "
                     "defect (KNOWN): see the findings page")
    lines.append(f"labs: {npass} passed, {nfail} failed")
    reused = [(os.path.basename(os.path.normpath(d)), since) for d in dirs
              for since in [stage.reused_since(os.path.join(d, "stage.json"))] if since]
    if reused:
        lines.append("not booted again, inputs unchanged since their last boot (FRESH=1 boots "
                     "them): " + ", ".join(f"{lab} ({stage.stamp(t)})" for lab, t in reused))
    return lines, nfail == 0
