# SPDX-License-Identifier: GPL-2.0
"""The failure-point table and the drift checks, on the kit and on copies
of it broken on purpose."""

import glob
import os
import shutil
import tempfile
import unittest

from kit import failpoints, labcheck, records

KIT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PARTS = ["tests/harness", "Documentation/figures", "slides/deck.md", "labs"]


class Table(unittest.TestCase):
    def test_the_kit_agrees_with_its_table(self):
        self.assertEqual(failpoints.problems(KIT), [])

    def test_stages_are_f0_to_f6_with_one_id_and_label_each(self):
        stages, points = failpoints.read(KIT)
        self.assertEqual([s["n"] for s in stages], list(range(7)))
        hook = next(p for p in points if p["name"] == "hook")
        self.assertEqual(hook["stages"], ["2", "5", "6"])

    def test_a_hint_gets_the_label_the_harness_prints(self):
        stages, _ = failpoints.read(KIT)
        self.assertEqual(failpoints.expand("fails at F3, after", stages),
                         "fails at F3 (%s), after" % stages[3]["label"])


    def test_lab_check_gives_the_stage_label_in_a_hint(self):
        stages, _ = failpoints.read(KIT)
        hints = records.read(os.path.join(KIT, "labs", "03-lock-abort", "hints"),
                             ["check", "step", "expect"], ["seen"])
        c = labcheck.check("FAIL", "harness",
                           "nothing_leaks_at_any_failure_point_of_the_prepare_driver")
        labcheck.add_hints([c], hints)
        self.assertIn("fails at " + failpoints.stage_text(stages[3]) + " or "
                      + failpoints.stage_text(stages[4]), c["hint"]["expect"])


class Drift(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        for part in PARTS + glob.glob("tests/*.c", root_dir=KIT) + \
                glob.glob("Documentation/*.rst", root_dir=KIT):
            src, dst = os.path.join(KIT, part), os.path.join(self.root, part)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            (shutil.copytree if os.path.isdir(src) else shutil.copyfile)(src, dst)

    def tearDown(self):
        self.tmp.cleanup()

    def edit(self, rel, old, new):
        path = os.path.join(self.root, rel)
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w") as f:
            f.write(text.replace(old, new, 1))

    def assertProblem(self, *words):
        found = failpoints.problems(self.root)
        self.assertTrue(any(all(w in p for w in words) for p in found),
                        "no problem naming %s in %s" % (words, found))

    def test_the_copy_is_clean(self):
        self.assertEqual(failpoints.problems(self.root), [])

    def test_a_point_the_table_does_not_know(self):
        self.edit("tests/harness/vma.c", 'should_fail("vma_alloc")', 'should_fail("vma_allocate")')
        self.assertProblem("tests/harness/vma.c:", "injects failure point vma_allocate")
        self.assertProblem("failure point vma_alloc is never injected")

    def test_a_row_the_harness_never_injects(self):
        self.edit(failpoints.TABLE, "FAILURE_POINT(kmalloc,",
                  'FAILURE_POINT(ghost, "*", "nothing")\nFAILURE_POINT(kmalloc,')
        self.assertProblem("failure point ghost is never injected")

    def test_a_test_arming_an_unknown_point(self):
        self.edit("tests/test_mmap_path.c", 'fault_inject_arm("may_expand_vm"',
                  'fault_inject_arm("may_expand"')
        self.assertProblem("test_mmap_path.c:", "arms failure point may_expand")

    def test_a_figure_node_renumbered(self):
        self.edit("Documentation/figures/lifecycle-legacy.dot", 'f3 [label="F3 ', 'f3 [label="F4 ')
        self.assertProblem("lifecycle-legacy.dot:", "node f3", "F4")

    def test_a_stage_no_figure_shows(self):
        self.edit("Documentation/figures/lifecycle-compat.dot", 'f6 [label="F6 ', 'f7 [label="F7 ')
        self.assertProblem("no figure shows F6 (compat)")
        self.assertProblem("lifecycle-compat.dot:", "F7 is not a stage")

    def test_an_unknown_stage_in_the_slides(self):
        self.edit("slides/deck.md", "F0", "F9")
        self.assertProblem("slides/deck.md:", "F9 is not a stage")

    def test_a_stage_the_lifecycle_tables_miss(self):
        self.edit("Documentation/lifecycle.rst", "   * - F6\n", "   * - F5\n")
        self.assertProblem("no table row describes F6 (compat)")

    def test_a_malformed_row(self):
        self.edit(failpoints.TABLE, 'FAILURE_POINT(hook, "2 5 6",', 'FAILURE_POINT(hook, "2 5 8",')
        self.assertProblem("point hook lists stage(s) 8")
        self.edit(failpoints.TABLE, "FAILURE_STAGE(3, new_vma,", "FAILURE_STAGE(3 new_vma,")
        self.assertProblem("failure-points.h:", "want FAILURE_STAGE(n, id")


if __name__ == "__main__":
    unittest.main()
