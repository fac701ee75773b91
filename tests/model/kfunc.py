# SPDX-License-Identifier: GPL-2.0
"""Find a C function's definitions by name and fingerprint their bodies.

The harness models upstream functions (tests/harness/*.c); the fingerprint
of each upstream body is recorded so that a change upstream is noticed.
This module is the only parser of kernel C in the kit. It does not
preprocess: every definition of the name in the file counts, in file
order, including those in different #ifdef branches (mm/util.c defines
mmap_action_prepare() once for MMU and once for nommu).

A definition is NAME ( ... ) followed by '{' (after optional attribute
tokens), where the token before NAME is not an operator or '.', '->', so
calls, prototypes and function-like macros are not taken. Comments and
whitespace do not change a fingerprint; any other change does.
"""

import hashlib
import re

_TOKEN = re.compile(r"""
      (?P<comment>//[^\n]*|/\*.*?\*/)
    | (?P<pp>^[ \t]*\#(?:\\\n|[^\n])*)
    | (?P<str>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
    | (?P<word>[A-Za-z_0-9]+)
    | (?P<space>\s+)
    | (?P<punct>.)
""", re.S | re.M | re.X)

# Tokens that may sit between the closing ')' of a definition and its '{'.
_ATTRS = {"__must_check", "__init", "__exit", "__cold", "__always_inline",
          "noinline", "notrace", "__weak"}


class ExtractError(Exception):
    """The function could not be found or its body does not close."""


def tokenize(text):
    """Return (kind, value) tokens, without comments and whitespace.

    A preprocessor line (with its continuations) is one token whose value
    has its internal whitespace collapsed.
    """
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("comment", "space"):
            continue
        value = m.group()
        if kind == "pp":
            # Comments inside a directive do not count either.
            value = re.sub(r"/\*.*?\*/|//[^\n]*", " ", value, flags=re.S)
            value = " ".join(value.replace("\\\n", " ").split())
        out.append((kind, value))
    return out


def _match(tokens, i, open_, close):
    """Index of the token closing the bracket at tokens[i]."""
    depth = 0
    for j in range(i, len(tokens)):
        v = tokens[j][1]
        if tokens[j][0] != "punct":
            continue
        if v == open_:
            depth += 1
        elif v == close:
            depth -= 1
            if depth == 0:
                return j
    return None


def _decl_start(tokens, i):
    """First token of the declaration whose declarator name is tokens[i]."""
    j = i
    while j > 0:
        kind, v = tokens[j - 1]
        if kind == "pp" or (kind == "punct" and v in ";{}"):
            break
        if kind == "punct" and v not in "*":
            return None     # '=', '(', ',', '.', '-' ...: not a declaration
        if kind == "word" and v in ("return", "sizeof", "case", "goto"):
            return None
        j -= 1
    return j


def definitions(text, name):
    """Every definition of function NAME in TEXT, as lists of tokens.

    Each list runs from the first specifier (static, the return type) to
    the closing brace of the body.
    """
    tokens = tokenize(text)
    found = []
    for i, (kind, v) in enumerate(tokens):
        if kind != "word" or v != name:
            continue
        if i + 1 >= len(tokens) or tokens[i + 1][1] != "(":
            continue
        start = _decl_start(tokens, i)
        if start is None or start == i:
            continue        # a call statement "name(...);" has no specifier
        close = _match(tokens, i + 1, "(", ")")
        if close is None:
            continue
        k = close + 1
        while k < len(tokens) and tokens[k][1] in _ATTRS:
            k += 1
        if k >= len(tokens) or tokens[k][1] != "{":
            continue        # a prototype
        end = _match(tokens, k, "{", "}")
        if end is None:
            raise ExtractError(f"{name}(): the body opened at token {k} never closes")
        found.append(tokens[start:end + 1])
    return found


def normalise(tokens):
    """The text that is hashed: tokens separated by single spaces."""
    return " ".join(v for _, v in tokens)


def fingerprint(text, name):
    """SHA-256 (16 hex digits) of each definition of NAME, in file order.

    Raises ExtractError when TEXT defines no function NAME.
    """
    defs = definitions(text, name)
    if not defs:
        raise ExtractError(f"no definition of {name}()")
    return [hashlib.sha256(normalise(d).encode()).hexdigest()[:16] for d in defs]
