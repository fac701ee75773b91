# SPDX-License-Identifier: GPL-2.0
"""kit/upstreamcheck.py on a made-up work directory of upstream-check.sh."""
import contextlib
import io
import json
import os
import tempfile
import types
import unittest

from kit import upstreamcheck as uc

PATCH = """From 0 Mon Sep 17 00:00:00 2001
Subject: [PATCH 2/5] mm/vma: put the swapped-in file's reference when mmap
 merges the range

---
diff --git a/mm/vma.c b/mm/vma.c
--- a/mm/vma.c
+++ b/mm/vma.c
diff --git a/tools/testing/vma/tests/mmap.c b/tools/testing/vma/tests/mmap.c
+	TEST(mmap_region_swap_file_merge);
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def work_dir(tmp, before_err):
    """A work directory where the series applied, built, and ran; the
    tests-only run failed what @before_err says."""
    patch = os.path.join(tmp, "0002-mm.patch")
    write(patch, PATCH)
    write(os.path.join(tmp, "work", "series"), patch + "\n")
    for stage, out, err, rc in (
            ("before", "32 tests run, 31 passed, 1 failed.\n", before_err, 1),
            ("after", "32 tests run, 32 passed, 0 failed.\n", "", 0)):
        d = os.path.join(tmp, "work", stage)
        write(os.path.join(d, "apply", "0002-mm.patch.rc"), "0\n")
        write(os.path.join(d, "build.rc"), "0\n")
        write(os.path.join(d, "run.out"), out)
        write(os.path.join(d, "run.err"), err)
        write(os.path.join(d, "run.rc"), f"{rc}\n")
    write(os.path.join(tmp, "work", "checkpatch", "0002-mm.patch.rc"), "0\n")
    write(os.path.join(tmp, "work", "checkpatch", "0002-mm.patch.txt"), "")
    return os.path.join(tmp, "work")


def collect(work, series_dir="kernel/upstream/mm"):
    args = types.SimpleNamespace(work=work, ksrc="/k", kver="7.3.4",
                                 series_dir=series_dir, series_hash="h",
                                 seconds=1, kobj="/kobj", kernel_src="/s",
                                 kernel_seconds=0, kernel_built_at=0, started=1,
                                 kernel_failed=False)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = uc.collect(args)
    return rc, json.loads(buf.getvalue())


class Parse(unittest.TestCase):
    def test_patch_subject_files_and_tests(self):
        with tempfile.TemporaryDirectory() as tmp:
            write(os.path.join(tmp, "p"), PATCH)
            p = uc.parse_patch(os.path.join(tmp, "p"))
        self.assertEqual(p["subject"], "mm/vma: put the swapped-in file's reference "
                         "when mmap merges the range")
        self.assertTrue(p["kernel_change"])
        self.assertEqual(p["tests_added"], ["mmap_region_swap_file_merge"])

    def test_a_summary_that_disagrees_with_the_failures_is_inconsistent(self):
        run = uc.parse_vma_run("3 tests run, 3 passed, 0 failed.\n", "Test x FAILED\n", 1)
        self.assertFalse(run["consistent"])
        self.assertFalse(uc.parse_vma_run("Segmentation fault\n", "", 139)["consistent"])


class Collect(unittest.TestCase):
    def test_a_fix_whose_test_fails_before_passes(self):
        with tempfile.TemporaryDirectory() as tmp:
            rc, r = collect(work_dir(tmp, "Test mmap_region_swap_file_merge FAILED\n"))
        self.assertEqual((rc, r["verdict"], r["problems"]), (0, "PASS", []))
        self.assertEqual(r["series"]["patches"][0]["fail_before"],
                         ["mmap_region_swap_file_merge"])

    def test_a_fix_whose_test_passes_without_it_fails_the_check(self):
        with tempfile.TemporaryDirectory() as tmp:
            rc, r = collect(work_dir(tmp, "Test some_old_test FAILED\n"))
        self.assertEqual(rc, 1)
        self.assertIn("0002-mm.patch changes the kernel but adds no test that fails "
                      "without it", r["problems"])
        self.assertIn("tests that were there before fail with the new tests alone: "
                      "some_old_test", r["problems"])

    def test_the_table_names_the_series_directory(self):
        with tempfile.TemporaryDirectory() as tmp:
            _, r = collect(work_dir(tmp, "Test mmap_region_swap_file_merge FAILED\n"),
                           "kernel/upstream/mmap-release")
            path = os.path.join(tmp, "r.json")
            write(path, json.dumps(r))
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                uc.table(types.SimpleNamespace(json=path))
        self.assertEqual(r["series"]["dir"], "kernel/upstream/mmap-release")
        self.assertIn("Linux 7.3.4 + kernel/upstream/mmap-release (series h)",
                      buf.getvalue())
