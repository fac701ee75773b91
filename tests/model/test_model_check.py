# SPDX-License-Identifier: GPL-2.0
"""Tests of model_check.py on a made-up tree and harness (python3 -m unittest)."""

import contextlib
import io
import os
import tempfile
import unittest

import model_check

UPSTREAM = "int f(int a)\n{\n\treturn a + 1;\n}\n"
MODEL = "/* Upstream: f() in mm/x.c, DUPLICATED. */\nint f(int a)\n{\n\treturn a + 1;\n}\n"


class ModelCheck(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        os.makedirs(os.path.join(d, "tree", "mm"))
        self.upstream = os.path.join(d, "tree", "mm", "x.c")
        self.model = os.path.join(d, "model.c")
        self.record = os.path.join(d, "fingerprints.json")
        self.write(self.upstream, UPSTREAM)
        self.write(self.model, MODEL)
        self.assertEqual(self.run_check("--update"), (0, ""))

    def tearDown(self):
        self.tmp.cleanup()

    @staticmethod
    def write(path, text):
        with open(path, "w") as f:
            f.write(text)

    def run_check(self, *extra):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            rc = model_check.main(["--ksrc", os.path.join(self.tmp.name, "tree"),
                                   "--kver", "9.9", "--record", self.record,
                                   *extra, self.model])
        return rc, err.getvalue()

    def test_unchanged_tree_passes(self):
        self.assertEqual(self.run_check(), (0, ""))

    def test_comment_only_change_passes(self):
        self.write(self.upstream, "/* new comment */\n" + UPSTREAM.replace("\t", "    "))
        self.assertEqual(self.run_check()[0], 0)

    def test_changed_body_names_the_function(self):
        self.write(self.upstream, UPSTREAM.replace("+ 1", "+ 2"))
        rc, err = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("f() in mm/x.c differs in Linux 9.9", err)
        self.assertIn("make fingerprints-update", err)

    def test_function_gone_upstream(self):
        self.write(self.upstream, UPSTREAM.replace("int f(", "int g("))
        rc, err = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("no definition of f()", err)

    def test_label_removed(self):
        self.write(self.model, MODEL.replace("Upstream: f() in mm/x.c, DUPLICATED.", "f"))
        rc, err = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("f() is recorded but no harness function carries its label", err)

    def test_new_label_without_record(self):
        self.write(self.upstream, UPSTREAM + "int h(void)\n{\n\treturn 0;\n}\n")
        self.write(self.model, MODEL + "/* Upstream: h() in mm/x.c, STUBBED. */\n"
                   "int h(void) { return 0; }\n")
        rc, err = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("h() (", err)
        self.assertIn("has no recorded fingerprint", err)

    def test_update_refuses_a_broken_label(self):
        self.write(self.model, MODEL.replace("f() in mm/x.c", "f() in mm/y.c"))
        rc, err = self.run_check("--update")
        self.assertEqual(rc, 1)
        self.assertIn("nothing recorded", err)


if __name__ == "__main__":
    unittest.main()
