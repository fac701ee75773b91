# SPDX-License-Identifier: GPL-2.0
"""The semantic patch itself on small handlers (tests/assistant/*.c).

Each fixture states what it expects in comments: "expect-verdict:" (a
prefix of the verdict), "expect-classes:" (the guide classes, in order) and
any number of "expect-patch:" lines that patch mode's output must contain.
Needs SPATCH in the environment (make assistant-check sets it).
"""

import contextlib
import glob
import io
import os
import re
import shutil
import tempfile
import unittest

from kit import assistant as ma

# Not test_*.py: kit-check has no spatch; make assistant-check runs it.
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                        "tests", "assistant")
SPATCH = os.environ.get("SPATCH")


class Fixtures(unittest.TestCase):
    def test_fixtures(self):
        self.assertTrue(SPATCH, "SPATCH is not set: run make coccinelle, then set SPATCH")
        files = sorted(glob.glob(os.path.join(FIXTURES, "*.c")))
        self.assertTrue(files, "no fixture in " + FIXTURES)
        for path in files:
            with self.subTest(fixture=os.path.basename(path)):
                with open(path) as f:
                    text = f.read()
                want = dict(re.findall(r"^// expect-(verdict|classes): (.*)$", text, re.M))
                patch = re.findall(r"^// expect-patch: (.*)$", text, re.M)
                rc, out, err, conv = ma.judge(SPATCH, path, FIXTURES)
                self.assertEqual(rc, 0, err)
                hs = ma.parse_report(out)
                self.assertEqual(len(hs), 1, out)
                h = hs[0]
                self.assertTrue(h["verdict"].startswith(want["verdict"]),
                                "%r does not start with %r" % (h["verdict"], want["verdict"]))
                self.assertEqual(" ".join(ma.classes_of(h["facts"])), want["classes"])
                new = text if conv is None else conv
                for line in patch:
                    self.assertIn(line, new)
                if not patch:
                    self.assertEqual(new, text, "patch mode changed a handler it must refuse")


class PartialFile(unittest.TestCase):
    """convert on a file with one mechanical handler and two it must leave."""

    def test_mechanical_handler_converted_alone(self):
        self.assertTrue(SPATCH, "SPATCH is not set: run make coccinelle, then set SPATCH")
        src = os.path.join(FIXTURES, "mixed", "mixed.c")
        with open(src) as f:
            old = f.read()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "mixed.c")
            shutil.copy(src, path)
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = ma.convert(SPATCH, path, True)
            with open(path) as f:
                new = f.read()
        self.assertEqual(rc, 1, "convert must exit 1 when it leaves handlers: " + err.getvalue())
        self.assertIn("static int mx_ok_mmap_prepare(struct vm_area_desc *desc)", new)
        self.assertIn(".mmap_prepare = mx_ok_mmap_prepare,", new)
        for name in ("mx_wide_mmap", "mx_lock_mmap"):
            # Left as it was: its definition and its initialiser.
            self.assertEqual(ma.function_body(new, name), ma.function_body(old, name))
            self.assertIn(".mmap = %s," % name, new)
        self.assertRegex(err.getvalue(), r"mx_wide_mmap: not converted: blocked: patch mode "
                         r"left a use of the VMA")
        self.assertIn("mx_lock_mmap: not converted: needs mapped+close: lock: mutex_lock()",
                      err.getvalue())


if __name__ == "__main__":
    unittest.main()
