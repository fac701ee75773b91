# SPDX-License-Identifier: GPL-2.0
"""Content-addressed stages: run a stage again only when one of its inputs changed.

A stage (a lab's boots, a long target of ``make check``) records in a JSON
file (kit-stage/1) the digest of every input it read: files and
directories by content, Debian packages by installed version, values
(variables that change what it does) as given. The next run computes the
digest again: if it is the recorded one and the stage's last run
succeeded, the stage is not run and one line says so ("up to date, inputs
unchanged since <time>"); otherwise it runs, and the inputs that changed are
named. Only a successful run is recorded: a failure is always run again.
``FRESH=1`` in the environment runs every stage. A fresh clone has no
records, so it runs everything.

Inputs, on the command line (as many of each as needed):

  --in PATH     a file, or a directory (every file below it, by content),
                or a glob; a missing path is an input too ("missing")
  --tree DIR    the files of the git work tree DIR that are not ignored
                (git ls-files), by content: the whole source of the kit
  --pkg NAME    the installed version of Debian package NAME (dpkg-query)
  --py MODULE   the source of every module of the package MODULE belongs
                to that importing MODULE loads (the grading layer a runner
                calls), with this process's PYTHONPATH
  --val K=V     a value: a setting, the accelerator, a variable
  --mk FILE     a KEY=VALUE file the Makefile writes (build/kernel-obj.mk):
                its content, and every file or directory a value names,
                by content (files) or by name (directories: the kernel
                trees of the cache are never modified in place)

and the stage's results (--out PATH): they are not inputs, but a stage
whose result is gone runs again.

Commands:

  run  RECORD NAME INPUTS... -- CMD...   run CMD unless up to date; exit as CMD
  check RECORD NAME INPUTS...             exit 0 if up to date (and say so),
                                          else 1, keeping the digest aside
  commit RECORD RC                        after the run check asked for:
                                          record it if RC is 0 and no input
                                          changed while it ran
"""

import argparse
import glob
import hashlib
import json
import os
import subprocess
import sys
import time

SCHEMA = "kit-stage/1"
SKIP_DIRS = {"__pycache__", ".git"}


def _file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _path_digest(path):
    """Digest of a file, or of every file below a directory (names and contents)."""
    if os.path.isfile(path):
        return _file_digest(path)
    if not os.path.isdir(path):
        return "missing"
    h = hashlib.sha256()
    for top, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            p = os.path.join(top, name)
            h.update(os.path.relpath(p, path).encode() + b"\0")
            h.update((_file_digest(p) if os.path.isfile(p) else "special").encode() + b"\n")
    return h.hexdigest()


def _tree_digest(root):
    """Digest of every file of the git work tree at @root that git does not ignore."""
    r = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                        "--exclude-standard"], capture_output=True)
    if r.returncode != 0:
        raise StageError(f"{root} is not a git work tree (git ls-files failed): "
                         "use --in for its directories instead")
    h = hashlib.sha256()
    for name in sorted(set(r.stdout.decode().split("\0")) - {""}):
        p = os.path.join(root, name)
        if os.path.islink(p) or not os.path.isfile(p):
            digest = "link:" + os.readlink(p) if os.path.islink(p) else "missing"
        else:
            digest = _file_digest(p)
        h.update(name.encode() + b"\0" + digest.encode() + b"\n")
    return h.hexdigest()


def _pkg_version(name):
    try:
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", name],
                           capture_output=True, text=True)
    except FileNotFoundError:
        # Without dpkg the version is unknown: never reuse such a result.
        return "unknown:" + str(time.time())
    return r.stdout.strip() if r.returncode == 0 else "not installed"


def _py_inputs(module):
    """(key, digest) for each source file of MODULE's package that importing it loads."""
    package = module.split(".")[0]
    code = ("import importlib, sys\n"
            f"importlib.import_module({module!r})\n"
            "for name, m in sorted(sys.modules.items()):\n"
            f"    if (name == {package!r} or name.startswith({package + '.'!r})) "
            "and getattr(m, '__file__', None):\n"
            "        print(m.__file__)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if r.returncode != 0:
        raise StageError(f"importing {module} failed, so its sources are unknown:\n{r.stderr}")
    return [(f"py:{f}", _file_digest(f)) for f in r.stdout.split()]


def _mk_inputs(path):
    """(key, digest) for a KEY=VALUE file and for the paths its values name."""
    out = [(f"mk:{path}", _path_digest(path))]
    if not os.path.isfile(path):
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, sep, value = line.strip().partition("=")
            if not sep or not value.startswith("/"):
                continue
            if os.path.isdir(value):
                # A kernel tree or object directory of the cache: named by
                # version and config hash, written once. Its image and
                # config are what a stage boots or builds against.
                out.append((f"dir:{key}={value}", "present"))
                for rel in ("vmlinux", "arch/x86/boot/bzImage", ".config",
                            "Module.symvers", "usr/gen_init_cpio", "Makefile"):
                    p = os.path.join(value, rel)
                    if os.path.isfile(p):
                        out.append((f"{key}/{rel}", _file_digest(p)))
            else:
                out.append((f"file:{key}={value}", _path_digest(value)))
    return out


class StageError(Exception):
    pass


def inputs(a):
    """Every input of the stage as an ordered list of (name, digest)."""
    out = []
    for pattern in a.inputs:
        paths = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not paths:
            out.append((f"in:{pattern}", "no match"))
        for p in paths:
            out.append((f"in:{p}", _path_digest(p)))
    for root in a.tree:
        out.append((f"tree:{root}", _tree_digest(root)))
    for name in a.pkg:
        out.append((f"pkg:{name}", _pkg_version(name)))
    for module in a.py:
        out += _py_inputs(module)
    for kv in a.val:
        k, _, v = kv.partition("=")
        out.append((f"val:{k}", v))
    for path in a.mk:
        out += _mk_inputs(path)
    return out


def digest_of(items):
    h = hashlib.sha256()
    for k, v in items:
        h.update(k.encode() + b"\0" + v.encode() + b"\n")
    return h.hexdigest()


def _load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("schema") == SCHEMA else None


def _write(doc, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def reused_since(path):
    """The time the stage recorded at @path last ran, if its result was
    reused since; else None."""
    record = _load(path)
    if record is None or "reused" not in record:
        return None
    return record["finished"]


def stamp(t):
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


def decide(record, name, items, fresh, outputs=()):
    """(up_to_date, message) for a stage whose inputs are @items."""
    if fresh:
        return False, f"  RUN     {name}: FRESH=1"
    if record is None:
        return False, ""
    gone = [p for p in outputs if not os.path.exists(p)]
    if gone:
        return False, f"  RUN     {name}: its result {gone[0]} is gone"
    if record.get("name") != name or record.get("digest") != digest_of(items):
        before = dict(record.get("inputs", []))
        now = dict(items)
        changed = [k for k in now if before.get(k) != now[k]]
        changed += [k for k in before if k not in now]
        shown = ", ".join(changed[:6]) + (f" and {len(changed) - 6} more" if len(changed) > 6 else "")
        return False, f"  RUN     {name}: inputs changed since {stamp(record['finished'])}: {shown}"
    return True, (f"  CACHED  {name}: up to date, inputs unchanged since "
                  f"{stamp(record['finished'])} (FRESH=1 runs it again)")


def _fresh():
    return os.environ.get("FRESH") == "1"


def _record(path, name, items, started, rc):
    _write({"schema": SCHEMA, "name": name, "digest": digest_of(items),
            "started": started, "finished": time.time(),
            "seconds": round(time.time() - started, 1), "exit": rc,
            "inputs": items}, path)


def _reused(path, record):
    """Note in the record that its result serves once more (the renderings say so)."""
    record["reused"] = time.time()
    _write(record, path)


def _stale(a):
    """The stage's inputs if it must run (its record is then dropped), or
    None if its recorded result stands (said, and marked reused)."""
    items = inputs(a)
    record = _load(a.record)
    ok, msg = decide(record, a.name, items, _fresh(), a.out)
    if msg:
        print(msg, flush=True)
    if ok:
        _reused(a.record, record)
        return None
    _forget(a.record)
    return items


def cmd_run(a):
    items = _stale(a)
    if items is None:
        return 0
    started = time.time()
    rc = subprocess.run(a.command).returncode
    if rc == 0:
        _commit(a, a.record, items, started)
    return rc


def _forget(path):
    for p in (path, path + ".pending"):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass


def _commit(a, path, items, started):
    """Record a successful run, unless an input that existed changed while it ran.

    An input created by the run (a kernel the stage built first) is recorded
    as the run left it.
    """
    after = inputs(a)
    before = dict(items)
    for k, v in after:
        if k in before and before[k] not in ("missing", "no match") and before[k] != v:
            print(f"  stage {a.name}: {k} changed while it ran: not recorded, "
                  "the next run runs it again", file=sys.stderr)
            return
    _record(path, a.name, after, started, 0)


def cmd_check(a):
    items = _stale(a)
    if items is None:
        return 0
    _write({"schema": SCHEMA, "name": a.name, "started": time.time(), "argv": a.argv,
            "inputs": items}, a.record + ".pending")
    return 1


def cmd_commit(a):
    pending = _load(a.record + ".pending")
    if pending is None:
        raise StageError(f"no pending run at {a.record}.pending: call 'check' before 'commit'")
    os.unlink(a.record + ".pending")
    if a.rc != 0:
        return 0
    again = _parser().parse_args(pending["argv"])
    _commit(again, a.record, [tuple(i) for i in pending["inputs"]], pending["started"])
    return 0


def _add_inputs(p):
    p.add_argument("record")
    p.add_argument("name")
    p.add_argument("--in", dest="inputs", action="append", default=[])
    p.add_argument("--tree", action="append", default=[])
    p.add_argument("--pkg", action="append", default=[])
    p.add_argument("--py", action="append", default=[])
    p.add_argument("--val", action="append", default=[])
    p.add_argument("--mk", action="append", default=[])
    p.add_argument("--out", action="append", default=[])


def _parser():
    ap = argparse.ArgumentParser(prog="kit.stage", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run")
    _add_inputs(p)
    p.add_argument("command", nargs="+")
    p = sub.add_parser("check")
    _add_inputs(p)
    p = sub.add_parser("commit")
    p.add_argument("record")
    p.add_argument("rc", type=int)
    return ap


def main(argv):
    a = _parser().parse_args(argv)
    a.argv = argv
    try:
        return {"run": cmd_run, "check": cmd_check, "commit": cmd_commit}[a.cmd](a)
    except StageError as e:
        print(f"stage: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
