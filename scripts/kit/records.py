# SPDX-License-Identifier: GPL-2.0
"""The records format of labs/*/steps and labs/*/hints.

A record is a group of "KEY value" lines that starts with the first key; a
line that starts with whitespace continues the value above it; lines
starting with # are comments.
"""


class RecordError(Exception):
    pass


def read(path, keys):
    """The records of @path as dicts of @keys; RecordError names the line."""
    out, cur, last = [], None, None

    def bad(n, msg):
        raise RecordError(f"{path}:{n}: {msg}")

    def flush(n):
        if cur is None:
            return
        for k in keys:
            if k not in cur:
                bad(n, f'the record that ends here has no "{k}" line')
        out.append(cur)

    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for n, line in enumerate(lines, 1):
        if line.startswith("#") or not line.strip():
            continue
        if line[0] in " \t":
            if last is None:
                bad(n, "a continuation line with nothing to continue")
            cur[last] += " " + line.strip()
            continue
        key, _, val = line.partition(" ")
        key = key.split("\t")[0]
        val = line[len(key):].strip()
        if key not in keys:
            bad(n, f'unknown keyword "{key}" (expected: {" ".join(keys)})')
        if key == keys[0]:
            flush(n)
            cur = {}
        elif cur is None:
            bad(n, f'a record must start with "{keys[0]}"')
        if key in cur:
            bad(n, f'"{key}" twice in one record')
        cur[key] = val
        last = key
    flush(len(lines))
    return out
