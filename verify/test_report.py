# SPDX-License-Identifier: GPL-2.0
"""Tests of verify/report.py: python3 -m unittest verify.test_report"""

import json
import os
import tempfile
import unittest

from verify import report

HDR = '{"battery": 1, "variant": "x.before", "page_size": 4096}'
END = '{"end": 2, "seconds": 0.5}'
R1 = '{"req": "mmap(len=1 page)", "ret": "ok", "read": "fnv64:1"}'
R2 = '{"req": "mmap(len=5 pages)", "ret": "EINVAL"}'


def ktap(*subtests):
    """init's KTAP for (variant, ok, battery lines, diagnostics)."""
    out = ["KTAP version 1", "1..%d" % len(subtests)]
    for i, (v, ok, lines, diag) in enumerate(subtests, 1):
        out.append("# Subtest: %s" % v)
        out += ["    " + l for l in lines]
        out += ["# " + d for d in diag]
        if ok is not None:
            out.append("%sok %d %s" % ("" if ok else "not ", i, v))
    return "\n".join(out) + "\n"


class Ktap(unittest.TestCase):
    def test_subtests_and_results(self):
        t = report.ktap_subtests(ktap(("a.before", True, [HDR, R1], []),
                                      ("a.after", False, [], ["insmod x failed"])))
        self.assertEqual(t["a.before"]["ok"], True)
        self.assertEqual(t["a.before"]["lines"], [HDR, R1])
        self.assertEqual(t["a.after"]["ok"], False)
        self.assertEqual(t["a.after"]["diag"], ["insmod x failed"])

    def test_guest_stopped_midway(self):
        t = report.ktap_subtests(ktap(("a.before", None, [HDR, R1], [])))
        self.assertIsNone(t["a.before"]["ok"])


class Battery(unittest.TestCase):
    def test_records_and_repeats(self):
        b = report.parse_battery([HDR, R1, R2, R1, END])
        keys = [k for k, _ in b["records"]]
        self.assertEqual(keys, [("mmap(len=1 page)", 0), ("mmap(len=5 pages)", 0),
                                ("mmap(len=1 page)", 1)])
        self.assertEqual(b["end"]["end"], 2)
        self.assertEqual(b["noise"], [])

    def test_noise_is_kept(self):
        b = report.parse_battery([HDR, "Segmentation fault", R1])
        self.assertEqual(b["noise"], ["Segmentation fault"])
        self.assertIsNone(b["end"])

    def test_other_version_is_refused(self):
        with self.assertRaises(report.VerifyError):
            report.parse_battery(['{"battery": 99}'])


class Compare(unittest.TestCase):
    def run_pair(self, before, after, rules=()):
        return report.compare(report.parse_battery([HDR] + before + [END]),
                              report.parse_battery([HDR] + after + [END]),
                              list(rules))

    def test_same_is_no_difference(self):
        self.assertEqual(self.run_pair([R1, R2], [R1, R2]), [])

    def test_changed_outcome(self):
        d = self.run_pair([R1, R2], [R1, '{"req": "mmap(len=5 pages)", "ret": "ok"}'])
        self.assertEqual(len(d), 1)
        self.assertEqual(d[0]["request"], "mmap(len=5 pages)")
        self.assertEqual(d[0]["before"], {"ret": "EINVAL"})
        self.assertEqual(d[0]["after"], {"ret": "ok"})
        self.assertEqual(d[0]["fields"], ["ret"])
        self.assertIsNone(d[0]["accepted"])

    def test_request_made_by_one_side_only(self):
        d = self.run_pair([R1, R2], [R1])
        self.assertEqual([(x["request"], x["after"]) for x in d],
                         [("mmap(len=5 pages)", None)])
        d = self.run_pair([R1], [R1, R2])
        self.assertEqual([(x["request"], x["before"]) for x in d],
                         [("mmap(len=5 pages)", None)])

    def test_info_keys_are_not_compared(self):
        a = '{"req": "s", "ret": "ok", "info_sequence": "1 ENOMEM"}'
        b = '{"req": "s", "ret": "ok", "info_sequence": "1 ok, 2 ENOMEM"}'
        self.assertEqual(self.run_pair([a], [b]), [])

    def test_accept_rule_names_the_difference(self):
        d = self.run_pair([R2], ['{"req": "mmap(len=5 pages)", "ret": "ok"}'],
                          [("wider", "mmap(len=5*")])
        self.assertEqual(d[0]["accepted"], "wider")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class Verify(unittest.TestCase):
    """A whole OUT_DIR as verify.sh and run-lab.sh leave it."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = self.tmp.name
        self.src = os.path.join(self.out, "src")
        write(os.path.join(self.out, "lab", "variants"),
              "p\tbefore\t%s/b\np\tafter\t%s\n" % (self.src, self.src))

    def tearDown(self):
        self.tmp.cleanup()

    def boot(self, after_lines, after_ok=True, reports="", before_reports=""):
        bdir = os.path.join(self.out, "run", "boot-1")
        write(os.path.join(bdir, "ktap.log"),
              ktap(("p.before", True, [HDR, R1, R2, END], []),
                   ("p.after", after_ok, after_lines, [])))
        write(os.path.join(bdir, "reports.p.before"), before_reports)
        write(os.path.join(bdir, "reports.p.after"), reports)

    def test_pass(self):
        self.boot([HDR, R1, R2, END])
        (res,) = report.verify(self.out)
        self.assertEqual(res["verdict"], "PASS")
        self.assertIn(": PASS", report.render(res))

    def test_kernel_report_fails_and_is_shown(self):
        self.boot([HDR, R1, R2, END], reports="[ 1.0] WARNING: at mm/x.c\n")
        (res,) = report.verify(self.out)
        self.assertEqual(res["verdict"], "FAIL")
        self.assertIn("KERNEL  p.after: [ 1.0] WARNING: at mm/x.c",
                      report.render(res))

    def test_kernel_report_of_before_fails_too(self):
        self.boot([HDR, R1, R2, END], before_reports="BUG: x\n")
        (res,) = report.verify(self.out)
        self.assertEqual(res["verdict"], "FAIL")

    def test_difference_fails_unless_accepted(self):
        self.boot([HDR, R1, '{"req": "mmap(len=5 pages)", "ret": "ok"}', END])
        (res,) = report.verify(self.out)
        self.assertEqual(res["verdict"], "FAIL")
        text = report.render(res)
        self.assertIn("DIFF mmap(len=5 pages)", text)
        self.assertIn("before: ret=EINVAL", text)
        write(os.path.join(self.src, "verify.accept"),
              "# intended\nstricter mmap(len=5 pages)\nunused mmap(len=9*\n")
        (res,) = report.verify(self.out)
        self.assertEqual(res["verdict"], "PASS")
        text = report.render(res)
        self.assertIn("ACCEPTED (stricter) mmap(len=5 pages)", text)
        self.assertIn("accept rule unused (mmap(len=9*) matched no difference", text)

    def test_bad_accept_file(self):
        self.boot([HDR, R1, R2, END])
        write(os.path.join(self.src, "verify.accept"), "lonely\n")
        with self.assertRaises(report.VerifyError):
            report.verify(self.out)

    def test_unfinished_battery_fails(self):
        self.boot([HDR, R1], after_ok=None)
        (res,) = report.verify(self.out)
        self.assertEqual(res["verdict"], "FAIL")
        text = report.render(res)
        self.assertIn("did not finish (its last record: mmap(len=1 page))", text)
        self.assertIn("guest stopped", text)

    def test_no_device_node_is_a_problem(self):
        self.boot([HDR, '{"req": "device node", "ret": "error: the module '
                   'loaded but created no device node"}', END])
        (res,) = report.verify(self.out)
        self.assertEqual(res["verdict"], "FAIL")
        self.assertIn("created no device node", report.render(res))

    def test_result_json_renders_the_same(self):
        self.boot([HDR, R1, END])
        (res,) = report.verify(self.out)
        again = json.loads(json.dumps(res))
        self.assertEqual(report.render(again), report.render(res))


if __name__ == "__main__":
    unittest.main()
