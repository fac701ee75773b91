# SPDX-License-Identifier: GPL-2.0
"""Selftest of scripts/matrix.py's readers and of the compatibility glue's
semantic patch: SPATCH=... python3 tests/test_matrix.py (make matrix-build).

The matrix's verdicts rest on reading two kinds of text, the compiler's
errors and run-lab.sh's results; each case below is output of the kind
those tools print. Which path a driver takes on a kernel rests on what
compat/mmap_prepare_compat.cocci finds in it: checked on the examples.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import matrix  # noqa: E402


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class BuildReason(unittest.TestCase):
    def reason(self, log):
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "build.log"), log)
            return matrix.build_reason(os.path.join(d, "build.log"))

    def test_missing_member_curly_quotes(self):
        log = ("x.c:182:10: error: \u2018const struct vm_operations_struct\u2019 "
               "has no member named \u2018mapped\u2019\n")
        self.assertEqual(self.reason(log),
                         (["vm_operations_struct.mapped"],
                          "no vm_operations_struct.mapped"))

    def test_missing_members_after_other_errors(self):
        log = ("x.c:9:9: error: implicit declaration of function "
               "\u2018mmap_action_remap_full\u2019 [-Werror=implicit-function-declaration]\n"
               "x.c:10:1: error: 'struct vm_area_desc' has no member named 'action'\n"
               "x.c:11:1: error: 'struct vm_area_desc' has no member named 'action'\n")
        self.assertEqual(self.reason(log)[0], ["vm_area_desc.action"])

    def test_missing_function_is_not_a_member(self):
        members, why = self.reason(
            "x.c:9:9: error: implicit declaration of function "
            "\u2018vma_desc_test\u2019 [-Werror=implicit-function-declaration]\n")
        self.assertEqual(members, [])
        self.assertEqual(why, "implicit declaration of function 'vma_desc_test'")

    def test_warning_only(self):
        members, why = self.reason("x.c:3:1: warning: unused variable 'a'\n")
        self.assertEqual(members, [])
        self.assertTrue(why.startswith("warning:"))


class ProbeRead(unittest.TestCase):
    def run_read(self, log, with_obj):
        d = tempfile.mkdtemp()
        write(os.path.join(d, "presence.map"),
              json.dumps({"file": "presence.c",
                          "lines": {"10": "a.b", "12": "fn", "14": "VAL"}}))
        write(os.path.join(d, "build.log"), log)
        if with_obj:
            write(os.path.join(d, "presence.o"), "")
        out = os.path.join(d, "p.json")
        try:
            matrix.probe_read(os.path.join(d, "presence.map"),
                              os.path.join(d, "build.log"), "6.18.15", out)
        except SystemExit as e:
            return str(e)
        with open(out, encoding="utf-8") as f:
            return json.load(f)

    def test_errors_on_check_lines(self):
        r = self.run_read("/x/presence.c:12:2: error: 'fn' undeclared\n", False)
        self.assertEqual(r["present"], {"a.b": True, "fn": False, "VAL": True})
        self.assertEqual(r["series"], "6.18")

    def test_error_elsewhere_is_fatal(self):
        r = self.run_read("/k/include/linux/mm.h:12:1: error: oops\n"
                          "/x/presence.c:12:2: error: 'fn' undeclared\n", False)
        self.assertIn("outside the checks", r)

    def test_nothing_compiled_is_fatal(self):
        self.assertIn("nothing was compiled", self.run_read("make: *** [x] Error 2\n", False))

    def test_clean_build(self):
        r = self.run_read("", True)
        self.assertTrue(all(r["present"].values()))


class Collect(unittest.TestCase):
    def test_na_only_for_a_name_the_kernel_lacks(self):
        d = tempfile.mkdtemp()
        s = os.path.join(d, "6.18")
        for v in ("after", "before", "naive"):
            os.makedirs(os.path.join(s, "modules", "ex", v))
        write(os.path.join(d, "kernels"), "6.18\n")
        write(os.path.join(s, "kernel.json"), json.dumps({
            "kernel": "6.18.15", "booted": True, "probe": False,
            "variants": [["ex", "after", "01-ex", False],
                         ["ex", "before", "01-ex", False],
                         ["ex", "naive", "01-ex", True]]}))
        write(os.path.join(s, "presence.json"), json.dumps(
            {"present": {"vm_operations_struct.mapped": False}}))
        write(os.path.join(s, "modules", "ex", "after", "build.log"),
              "e.c:1:1: error: 'struct vm_operations_struct' has no member named 'mapped'\n")
        # The kernel has vma_desc_test(): its absence here is a header bug.
        write(os.path.join(s, "modules", "ex", "before", "build.log"),
              "e.c:1:1: error: implicit declaration of function 'vma_desc_test'\n")
        os.makedirs(os.path.join(s, "labs", "01-ex"))
        write(os.path.join(s, "labs", "01-ex", "result.json"), json.dumps(
            {"variants": [{"name": "naive", "verdict": "CAUGHT",
                           "reason": "caught, as expected: leak"}]}))
        matrix.collect(d, os.path.join(d, "m.json"))
        with open(os.path.join(d, "m.json"), encoding="utf-8") as f:
            cells = json.load(f)["kernels"][0]["cells"]
        self.assertEqual(cells["ex/after"]["verdict"], "n.a.")
        self.assertEqual(cells["ex/before"]["verdict"], "FAIL")
        self.assertEqual(cells["ex/naive"]["verdict"], "PASS")
        rc = subprocess.run([sys.executable, os.path.join(HERE, "..", "scripts", "matrix.py"),
                             "table", os.path.join(d, "m.json")],
                            capture_output=True, text=True).returncode
        self.assertEqual(rc, 1, "a FAIL cell must fail the table")

    def test_shim_mode_and_refusals(self):
        d = tempfile.mkdtemp()
        s = os.path.join(d, "6.12")
        for v in ("after", "stacked", "naive"):
            os.makedirs(os.path.join(s, "modules", "ex", v))
        write(os.path.join(d, "kernels"), "6.12\n")
        write(os.path.join(s, "kernel.json"), json.dumps({
            "kernel": "6.12.107", "booted": False, "probe": False,
            "variants": [["ex", "after", "01-ex", False, "shim"],
                         ["ex", "stacked", "01-ex", False, "shim"],
                         ["ex", "naive", "01-ex", True, "shim"]]}))
        write(os.path.join(s, "presence.json"), json.dumps(
            {"present": {"vm_operations_struct.mapped": False}}))
        # In shim mode the kit supplies the member: its absence is a bug.
        write(os.path.join(s, "modules", "ex", "after", "build.log"),
              "e.c:1:1: error: 'struct vm_operations_struct' has no member named 'mapped'\n")
        write(os.path.join(s, "modules", "ex", "stacked", "build.log"),
              "x.h:5:45: error: call to '__compiletime_assert_3' declared with attribute "
              "error: mmap_prepare_compat: vfs_mmap_prepare() before 6.17: no file\n")
        matrix.collect(d, os.path.join(d, "m.json"))
        with open(os.path.join(d, "m.json"), encoding="utf-8") as f:
            cells = json.load(f)["kernels"][0]["cells"]
        self.assertEqual(cells["ex/after"]["verdict"], "FAIL")
        self.assertEqual(cells["ex/stacked"]["verdict"], "n.a.")
        self.assertIn("before 6.17", cells["ex/stacked"]["reason"])
        self.assertEqual(cells["ex/naive"], {"verdict": "BUILT", "reason": "not booted",
                                             "mode": "shim"})
        out = subprocess.run([sys.executable, os.path.join(HERE, "..", "scripts", "matrix.py"),
                              "table", os.path.join(d, "m.json")],
                             capture_output=True, text=True).stdout
        self.assertIn("BUILT*", out)


COCCI = os.path.join(HERE, "..", "compat", "mmap_prepare_compat.cocci")
EXAMPLES = os.path.join(HERE, "..", "examples")


def spatch(mode, source, *extra):
    return subprocess.run([os.environ["SPATCH"], "--very-quiet", "--no-includes",
                           "--sp-file", COCCI, "-D", mode, *extra, source],
                          check=True, capture_output=True, text=True).stdout


@unittest.skipUnless(os.environ.get("SPATCH"), "SPATCH is not set (make coccinelle)")
class CompatCocci(unittest.TestCase):
    # The members of the 7.3 API each after/ driver uses that some served
    # kernel lacks, read from the drivers by hand.
    USES = {
        "flags": {"mmap_prepare"},
        "lock-abort": {"mmap_prepare", "action", "mapped"},
        "pfn-remap": {"mmap_prepare", "action", "error_override"},
        "swap-file": {"mmap_prepare", "vm_file"},
        "vmalloc-pages": {"mmap_prepare", "action", "error_override", "map_kernel_pages"},
    }

    def test_detect(self):
        for ex, want in self.USES.items():
            src = os.path.join(EXAMPLES, ex, "after", ex.replace("-", "_") + "_after.c")
            got = {l.split()[1] for l in spatch("detect", src).splitlines()
                   if l.startswith("uses ")}
            self.assertEqual(got, want, ex)

    def test_shim_rewrites_the_initialiser_only(self):
        src = os.path.join(EXAMPLES, "lock-abort", "after", "lock_abort_after.c")
        d = tempfile.mkdtemp()
        copy = os.path.join(d, "lock_abort_after.c")
        with open(src, encoding="utf-8") as f, open(copy, "w", encoding="utf-8") as g:
            g.write(f.read())
        spatch("shim", copy, "--in-place")
        with open(copy, encoding="utf-8") as f:
            out = f.read()
        self.assertNotIn(".mmap_prepare = ", out)
        self.assertIn(".mmap = kit_compat_mmap_kit_lock_mmap_prepare,", out)
        self.assertIn("return kit_compat_mmap(file, vma, kit_lock_mmap_prepare);", out)
        self.assertIn(".mapped = kit_lock_mapped,", out)


if __name__ == "__main__":
    unittest.main()
