# SPDX-License-Identifier: GPL-2.0
"""The in-guest benchmark's reader on a recorded boot (fixtures/guest-bench:
the KTAP of bench/mmap-cost.c on flags and pfn-remap, two passes each)."""

import copy
import os
import tempfile
import unittest

from kit import guestbench, ktap

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "guest-bench")
EXAMPLES = ["flags", "pfn-remap"]


def parsed(text=None):
    if text is None:
        with open(os.path.join(HERE, "ktap.log"), encoding="utf-8") as f:
            text = f.read()
    root = ktap.parse(text)
    return {c.name: guestbench.parse_variant(c) for c in root.children}


def doc(rows, per_us=1000.0):
    return {"schema": guestbench.SCHEMA, "kernel": "7.3.4", "date": "2026-11-30 09:33 UTC",
            "machine": {"accel": "tcg", "qemu": "10.0", "guest": "2 vCPUs", "host_cpus": 2,
                        "host_cpu": "x", "load_before": 1.0, "load_after": 2.0},
            "boots": 1, "iters": 200, "runs": 14, "fail_reps": 30, "examples": rows,
            "problems": []}


class Recorded(unittest.TestCase):
    def setUp(self):
        self.p = parsed()
        self.rows, self.problems, self.per_us = guestbench.summarize(self.p, EXAMPLES)

    def test_every_variant_measured(self):
        self.assertEqual(self.problems, [])
        self.assertEqual([r["example"] for r in self.rows], EXAMPLES)
        for r in self.rows:
            for role in guestbench.ROLES:
                # Two passes of seven runs, pooled.
                self.assertEqual(r[role]["per_iter_ns"]["n"], 14)
                self.assertEqual(len(r[role]["pass_medians_ns"]), 2)
            q = r["ratio"]
            # One ratio per pair of neighbouring passes.
            self.assertEqual(q["passes"], 2)
            self.assertLessEqual(q["low"], q["high"])

    def test_ratio_is_that_of_the_ticks(self):
        # One TSC rate for the boot: converting cannot move a ratio.
        r = self.rows[0]
        b = self.p["flags.before"]["runs"]
        ticks = [sum(x) for x in zip(b["mmap"], b["touch"], b["munmap"])]
        b2 = self.p["flags.before.2"]["runs"]
        ticks += [sum(x) for x in zip(b2["mmap"], b2["touch"], b2["munmap"])]
        self.assertEqual(sorted(r["before"]["runs_per_iter_ns"]),
                         sorted(round(t * 1000.0 / self.per_us / 200) for t in ticks))

    def test_points_named_from_the_stack(self):
        pfn = self.rows[1]
        before = {f["nth"]: f for f in pfn["before"]["failures"]}
        after = {f["nth"]: f for f in pfn["after"]["failures"]}
        self.assertEqual(before[1]["site"], "vm_area_alloc < __mmap_region < mmap_region")
        self.assertEqual(before[5]["ret"], "EAGAIN")
        self.assertEqual(before[5]["site"],
                         "remap_pfn_range_track < kit_pfn_mmap < __mmap_region")
        self.assertEqual(after[5]["site"],
                         "remap_pfn_range_track < mmap_action_complete < __mmap_region")
        self.assertIn("kmemleak's record of point 1", before[2]["site"])
        self.assertEqual(before[1]["ns"]["n"], 30)

    def test_missing_variant_is_named(self):
        p = {k: v for k, v in self.p.items() if not k.startswith("pfn-remap.after")}
        rows, problems, _ = guestbench.summarize(p, EXAMPLES)
        self.assertEqual(problems, ["pfn-remap.after: not run"])
        self.assertNotIn("ratio", rows[1])

    def test_failed_part_is_a_problem(self):
        with open(os.path.join(HERE, "ktap.log"), encoding="utf-8") as f:
            text = f.read()
        text = text.replace("    ok 2 - fail-nth: 6 points", "    not ok 2 - fail-nth: 6 points", 1)
        rows, problems, _ = guestbench.summarize(parsed(text), EXAMPLES)
        self.assertEqual(len(problems), 1)
        self.assertTrue(problems[0].startswith("pfn-remap.before: fail-nth"), problems)

    def test_passes_that_disagree(self):
        p = copy.deepcopy(self.p)
        p["flags.after.2"]["failures"][0]["ret"] = "EAGAIN"
        _, problems, _ = guestbench.summarize(p, EXAMPLES)
        self.assertEqual(problems, ["flags.after: the fail-nth points differ between "
                                    "the passes of the boot"])

    def test_stopped_guest(self):
        with open(os.path.join(HERE, "ktap.log"), encoding="utf-8") as f:
            cut = f.read()
        cut = cut[:cut.index("# Subtest: pfn-remap.after")]
        _, problems, _ = guestbench.summarize(parsed(cut), EXAMPLES)
        self.assertTrue(any(p.startswith("pfn-remap.after: ") for p in problems), problems)

    def test_renderings(self):
        for r in self.rows:
            r["boot_ratios"] = [r["ratio"]["median"]]
        d = doc(self.rows)
        rst = guestbench.render_rst(d)
        for ex in EXAMPLES:
            self.assertIn("``%s``" % ex, rst)
        self.assertIn("EAGAIN", rst)
        self.assertTrue(any("pfn-remap" in line for line in guestbench.render_text(d)))


class Site(unittest.TestCase):
    def test_first_frame_past_the_allocator(self):
        frames = ["dump_stack_lvl", "should_fail_ex", "should_failslab", "__kmalloc_noprof",
                  "foo.isra.0", "bar", "baz", "qux", "do_syscall_64"]
        self.assertEqual(guestbench.site(frames), "foo < bar < baz")

    def test_stops_at_the_syscall(self):
        self.assertEqual(guestbench.site(["kmem_cache_alloc_noprof", "f", "__x64_sys_mmap"]), "f")

    def test_no_stack(self):
        self.assertIn("__GFP_NOWARN", guestbench.site([]))


class Figures(unittest.TestCase):
    def test_ratio_range(self):
        b = {"per_iter_ns": guestbench.spread([2, 4, 8]), "pass_medians_ns": [4, 5]}
        a = {"per_iter_ns": guestbench.spread([1, 4, 16]), "pass_medians_ns": [2, 10]}
        self.assertEqual(guestbench.compare(b, a), {"median": 1.0, "low": 0.5, "high": 2.0,
                                                    "passes": 2, "fastest": 0.5})

    def test_kmemleak_inferred_only_where_it_fits(self):
        named = {"nth": 1, "ret": "ENOMEM", "frames": ["kmem_cache_alloc_noprof", "vm_area_alloc"]}
        quiet = {"nth": 2, "ret": "ok", "frames": []}
        self.assertIn("kmemleak's record of point 1",
                      guestbench.name_points([named, quiet], True)[1]["site"])
        # No kmemleak in the kernel, a failed mmap(), or no named point just
        # before: no guess.
        for pts, leak in (([named, quiet], False),
                          ([named, dict(quiet, ret="ENOMEM")], True),
                          ([dict(quiet, nth=1), quiet], True),
                          ([named, dict(quiet, nth=3)], True)):
            self.assertIn("__GFP_NOWARN", guestbench.name_points(pts, leak)[-1]["site"])
        loud = dict(quiet, frames=["kmalloc_noprof", "f"])
        self.assertEqual(guestbench.name_points([named, loud], True)[1]["site"], "f")


class Committed(unittest.TestCase):
    def root(self, examples):
        d = tempfile.mkdtemp()
        for ex in examples:
            os.makedirs(os.path.join(d, "examples", ex, "before"))
        return d

    def test_the_committed_figures(self):
        import json
        top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))))
        with open(os.path.join(top, "bench", "mmap-cost.json"), encoding="utf-8") as f:
            self.assertEqual(guestbench.check(top, json.load(f)), [])

    def test_new_example_without_figures_is_named(self):
        rows, _, _ = guestbench.summarize(parsed(), EXAMPLES)
        bad = guestbench.check(self.root(EXAMPLES + ["new-one"]), doc(rows))
        self.assertEqual(bad, ["examples/new-one has no figures"])

    def test_half_measured_example_is_named(self):
        rows, _, _ = guestbench.summarize(parsed(), EXAMPLES)
        rows[1]["after"] = None
        del rows[1]["ratio"]
        bad = guestbench.check(self.root(EXAMPLES), doc(rows))
        self.assertEqual(bad, ["examples/pfn-remap: no after figures"])

    def test_not_the_format(self):
        self.assertEqual(guestbench.check(self.root(EXAMPLES), {"schema": "x"}),
                         ["not a %s document" % guestbench.SCHEMA])


if __name__ == "__main__":
    unittest.main()
