# SPDX-License-Identifier: GPL-2.0
"""The layout rules and the lint checks, on small trees made here."""

import os
import tempfile
import unittest

from kit import layout, lint

KIT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def write(root, path, text=""):
    p = os.path.join(root, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)


class Layout(unittest.TestCase):
    def test_example_of(self):
        self.assertEqual(layout.example_of("02-pfn-remap"), "pfn-remap")
        self.assertEqual(layout.suite_of("pfn-remap"), "test_pfn_remap")
        with self.assertRaises(ValueError):
            layout.example_of("pfn-remap")

    def test_the_kit_is_complete(self):
        self.assertEqual(layout.problems(KIT), [])

    def test_a_new_example_names_what_it_lacks(self):
        with tempfile.TemporaryDirectory() as root:
            for f in ("README.md", "Documentation/api.rst", "Documentation/examples/index.rst",
                      "Documentation/labs/index.rst"):
                write(root, f)
            write(root, "examples/swap-file/before/swap_file_before.c")
            write(root, "examples/swap-file/before/Kbuild")
            write(root, "labs/05-swap-file/lab.conf")
            bad = "\n".join(layout.problems(root))
            for want in ("examples/swap-file/after/", "swap-file-uapi.h",
                         "tests/test_swap_file.c", "labs/05-swap-file/check.c",
                         "Documentation/labs/05-swap-file.rst",
                         "does not list 05-swap-file", "row for `examples/swap-file`"):
                self.assertIn(want, bad)

    def test_make_vars(self):
        text = "\n".join(layout.make_vars(KIT))
        self.assertIn("DRIVERS_test_lock_abort := examples/lock-abort/after/lock_abort_after.c "
                      "examples/lock-abort/before/lock_abort_before.c "
                      "examples/lock-abort/naive/lock_abort_naive.c", text)
        self.assertNotIn("seed/lock_abort_seed.c", text.split("DIFF_lock-abort")[0])
        self.assertIn("LAB_EXAMPLE_03-lock-abort := lock-abort", text)


class Lint(unittest.TestCase):
    def test_shared_plumbing_drift(self):
        region = ("/* Shared plumbing 1 of 1: every variant has it byte for byte (make lint). */\n"
                  "%s/* End of shared plumbing 1 of 1. */\n")
        with tempfile.TemporaryDirectory() as root:
            for v, body in (("before", "int a;\n"), ("after", "int a;\n"), ("naive", "int a;\n")):
                write(root, f"examples/x/{v}/Kbuild")
                write(root, f"examples/x/{v}/x_{v}.c", region % body)
            self.assertEqual(lint.shared(root), [])
            write(root, "examples/x/after/x_after.c", region % "int  a;\n")
            bad = lint.shared(root)
            self.assertEqual(len(bad), 1)
            self.assertIn("examples/x/after/x_after.c: shared plumbing 1 of 1 differs", bad[0])

    def test_spdx(self):
        with tempfile.TemporaryDirectory() as root:
            write(root, "examples/x/after/Kbuild", "obj-m := x.o\n")
            write(root, "examples/x/after/x.c", "// SPDX-License-Identifier: GPL-2.0\n")
            write(root, "README.md", "no licence line needed\n")
            bad = lint.spdx(root, ["examples/x/after/Kbuild", "examples/x/after/x.c", "README.md"])
            self.assertEqual(len(bad), 1)
            self.assertIn("examples/x/after/Kbuild", bad[0])


if __name__ == "__main__":
    unittest.main()
