# SPDX-License-Identifier: GPL-2.0
"""The semantic patch itself on small handlers (tests/assistant/*.c).

Each fixture states what it expects in comments: "expect-verdict:" (a
prefix of the verdict), "expect-classes:" (the guide classes, in order) and
any number of "expect-patch:" lines that patch mode's output must contain.
Needs SPATCH in the environment (make assistant-check sets it).
"""

import glob
import os
import re
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
                rc, out, err = ma.run_spatch(SPATCH, "report", path, FIXTURES)
                self.assertEqual(rc, 0, err)
                hs = ma.parse_report(out)
                self.assertEqual(len(hs), 1, out)
                h = hs[0]
                self.assertTrue(h["verdict"].startswith(want["verdict"]),
                                "%r does not start with %r" % (h["verdict"], want["verdict"]))
                self.assertEqual(" ".join(ma.classes_of(h["facts"])), want["classes"])
                with tempfile.TemporaryDirectory() as tmp:
                    out_c = os.path.join(tmp, "out.c")
                    ma.run_spatch(SPATCH, "patch", path, FIXTURES, ["-o", out_c])
                    new = text
                    if os.path.exists(out_c):
                        with open(out_c) as f:
                            new = f.read()
                for line in patch:
                    self.assertIn(line, new)
                if not patch:
                    self.assertEqual(new, text, "patch mode changed a handler it must refuse")


if __name__ == "__main__":
    unittest.main()
