# SPDX-License-Identifier: GPL-2.0
"""Tests of verify/report.py: python3 -m unittest verify.test_report"""

import json
import os
import tempfile
import unittest

from verify import report
from kit import ktap as ktap_mod

HDR = '{"battery": 1, "variant": "x.before", "page_size": 4096}'
END = '{"end": 2, "seconds": 0.5}'
R1 = '{"req": "mmap(len=1 page)", "ret": "ok", "read": "fnv64:1"}'
R2 = '{"req": "mmap(len=5 pages)", "ret": "EINVAL"}'


def battery(*records):
    """The battery's TAP for @records (JSON lines: header, records, end)."""
    out, n = ["TAP version 13"], 0
    for r in records:
        if '"req"' in r:
            n += 1
            out.append("ok %d - %s" % (n, json.loads(r)["req"]))
        elif '"end"' in r:
            out.append("1..%d" % n)
        out.append("# " + r)
    return out


def ktap(*subtests):
    """What /init writes for (variant, ok, battery lines, init's lines)."""
    out = ["KTAP version 1", "1..%d" % len(subtests)]
    for i, (v, ok, lines, diag) in enumerate(subtests, 1):
        body = ["    " + l for l in lines]
        out += body[:1] + ["    # Subtest: " + v] + body[1:]
        out += ["# " + d for d in diag]
        if ok is not None:
            out.append("%sok %d %s" % ("" if ok else "not ", i, v))
    return "\n".join(out) + "\n"


def records_of(text, variant):
    return report.parse_battery(report.battery_lines(
        ktap_mod.parse(text).child(variant)))


class Ktap(unittest.TestCase):
    """The battery's TAP read back through scripts/kit/ktap.py."""

    def test_records_survive_the_subtest(self):
        text = ktap(("a.before", True, battery(HDR, R1, R2, END), []))
        b = records_of(text, "a.before")
        self.assertEqual(b["header"]["variant"], "x.before")
        self.assertEqual([k for k, _ in b["records"]],
                         [("mmap(len=1 page)", 0), ("mmap(len=5 pages)", 0)])
        self.assertEqual(b["end"]["end"], 2)

    def test_guest_stopped_midway(self):
        text = ktap(("a.before", None, battery(HDR, R1), []))
        sub = ktap_mod.parse(text).child("a.before")
        self.assertIsNone(sub.ok)
        self.assertIsNone(records_of(text, "a.before")["end"])


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

    def boot(self, after_lines, after_ok=True, reports=(), before_reports=(),
             stopped=None, init=()):
        write(os.path.join(self.out, "run", "boot-1", "ktap.log"),
              ktap(("p.before", True, battery(HDR, R1, R2, END), []),
                   ("p.after", after_ok, battery(*after_lines), list(init))))
        lab = {"schema": "kit-lab/1", "lab": "lab",
               "boots": [{"boot": 1, "variants": ["p.before", "p.after"],
                          "ktap": "boot-1/ktap.log", "stopped": stopped}],
               "variants": [
                   {"name": "p.before", "boot": 1, "reports": list(before_reports),
                    "init": []},
                   {"name": "p.after", "boot": 1, "reports": list(reports),
                    "init": list(init)}]}
        write(os.path.join(self.out, "run", "result.json"), json.dumps(lab))

    def test_pass(self):
        self.boot([HDR, R1, R2, END])
        (res,) = report.verify(self.out)
        self.assertEqual(res["verdict"], "PASS")
        self.assertIn(": PASS", report.render(res))

    def test_kernel_report_fails_and_is_shown(self):
        self.boot([HDR, R1, R2, END], reports=["WARNING: at mm/x.c"])
        (res,) = report.verify(self.out)
        self.assertEqual(res["verdict"], "FAIL")
        self.assertIn("KERNEL  p.after: WARNING: at mm/x.c",
                      report.render(res))

    def test_kernel_report_of_before_fails_too(self):
        self.boot([HDR, R1, R2, END], before_reports=["BUG: x"])
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
        self.boot([HDR, R1], after_ok=None, stopped={
            "message": "no output for 30s: the guest hung in p.after"})
        (res,) = report.verify(self.out)
        self.assertEqual(res["verdict"], "FAIL")
        text = report.render(res)
        self.assertIn("did not finish (its last record: mmap(len=1 page))", text)
        self.assertIn("the guest hung in p.after", text)

    def test_unload_failure_is_a_problem(self):
        self.boot([HDR, R1, R2, END], after_ok=False,
                  init=["rmmod m after the checker failed: busy"])
        (res,) = report.verify(self.out)
        self.assertEqual(res["verdict"], "FAIL")
        self.assertIn("rmmod m after the checker failed", report.render(res))

    def test_module_that_did_not_load(self):
        self.boot([], after_ok=False, init=["insmod /lab/x.ko failed: EEXIST"])
        (res,) = report.verify(self.out)
        self.assertIn("the battery did not run: insmod /lab/x.ko failed",
                      report.render(res))

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
