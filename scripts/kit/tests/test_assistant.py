# SPDX-License-Identifier: GPL-2.0
"""Tests of the assistant's parser and renderers (no spatch needed)."""

import glob
import json
import os
import re
import tempfile
import unittest

from kit import assistant as ma

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")

REPORT = """\
drivers/a.c:10:11-20: mmap_prepare: a_mmap: table: file_operations
drivers/a.c:10:11-20: mmap_prepare: a_mmap: map: remap_pfn_range
drivers/a.c:10:11-20: mmap_prepare: a_mmap: field: vm_page_prot
drivers/a.c:10:11-20: mmap_prepare: a_mmap: field: vm_page_prot
drivers/a.c:10:11-20: mmap_prepare: a_mmap: verdict: mechanical
some unrelated spatch chatter: with colons: in it
drivers/a.c:40:11-20: mmap_prepare: b_mmap: table: fb_ops
drivers/a.c:40:11-20: mmap_prepare: b_mmap: lock: mutex_lock()
drivers/a.c:40:11-20: mmap_prepare: b_mmap: map: dma_mmap_coherent
drivers/a.c:40:11-20: mmap_prepare: b_mmap: verdict: blocked: dma_mmap: dma_mmap_coherent(); lock: mutex_lock()
"""


class ParseReport(unittest.TestCase):
    def test_groups_lines_per_handler(self):
        hs = ma.parse_report(REPORT)
        self.assertEqual([h["handler"] for h in hs], ["a_mmap", "b_mmap"])
        a, b = hs
        self.assertEqual((a["file"], a["line"], a["table"]), ("drivers/a.c", 10, "file_operations"))
        self.assertEqual(a["verdict"], "mechanical")
        # A fact reported twice (two matches) is kept once.
        self.assertEqual(a["facts"], [["map", "remap_pfn_range"], ["field", "vm_page_prot"]])
        self.assertTrue(b["verdict"].startswith("blocked: dma_mmap"))

    def test_ignores_other_lines(self):
        self.assertEqual(ma.parse_report("x.c:1:2-3: WARNING: something else\n"), [])

    def test_missing_verdict_is_unparsed(self):
        h = ma.parse_report("x.c:1:1-2: mmap_prepare: f: table: file_operations\n")[0]
        self.assertIsNone(h["verdict"])
        self.assertEqual(ma.verdict_kind(h["verdict"]), "unparsed")


class Classes(unittest.TestCase):
    def test_classes_in_guide_order(self):
        facts = [["lock", "mutex_lock()"], ["map", "io_remap_pfn_range"], ["flags", "vm_flags_set"]]
        self.assertEqual(ma.classes_of(facts), ["flags", "ioremap", "lock"])

    def test_several_maps_are_ranges(self):
        facts = [["map", "remap_pfn_range"], ["map", "remap_pfn_range"]]
        self.assertIn("ranges", ma.classes_of(facts))

    def test_stacked_versus_dispatch(self):
        self.assertEqual(ma.classes_of([["dispatch", "vfs_mmap"]]), ["stacked"])
        self.assertEqual(ma.classes_of([["dispatch", "->mmap()"]]), ["dispatch"])

    def test_verdict_kinds(self):
        self.assertEqual(ma.verdict_kind("mechanical"), "mechanical")
        self.assertEqual(ma.verdict_kind("needs mapped+close: lock: x()"), "mapped+close")
        self.assertEqual(ma.verdict_kind("blocked: dma_mmap: y()"), "blocked")

    def test_sub_table_points_at_blocked(self):
        h = {"classes": ["flags"], "table": "fb_ops"}
        self.assertEqual(ma.guide_sections(h), ["decision_flags", "decision_blocked"])


def doc():
    hs = ma.parse_report(REPORT)
    for h in hs:
        h["classes"] = ma.classes_of(h["facts"])
        h["kind"] = ma.verdict_kind(h["verdict"])
        h["sections"] = ma.guide_sections(h)
    hs.append({"file": "drivers/c.c", "line": 0, "handler": "c_mmap", "table": None,
               "facts": [], "verdict": None, "classes": [], "kind": "unparsed",
               "reason": "parse error at line 7", "sections": []})
    return {"kernel": "7.3.4", "tree": "/t", "scope": "drivers", "spatch": "spatch version 1.3 compiled with OCaml version 4.13.1",
            "files": 2, "seconds": 1.5, "handlers": hs}


class Render(unittest.TestCase):
    def test_one_line_per_handler_and_totals(self):
        text = ma.render(doc()).split("\n")
        self.assertTrue(text[0].startswith("drivers/a.c:10  a_mmap  file_operations  [flags,remap]  mechanical"))
        self.assertIn("see decision_flags decision_remap", text[0])
        self.assertIn("unparsed: parse error at line 7", text[2])
        self.assertIn("3 handlers (blocked 1, mechanical 1, unparsed 1)", text[4])
        self.assertEqual(text[5], "classes: flags 1, remap 1, lock 1, dma 1")

    def test_rst_table_counts(self):
        t = ma.rst_table(doc())
        self.assertIn("Handlers in Linux 7.3.4 (``make classify``, spatch version 1.3)", t)
        i = t.index("   * - dma_mmap_*()")
        self.assertEqual(t[i:].split("\n")[1:3], ["     - 1", "     - 0"])


class Verify(unittest.TestCase):
    def test_classless_handler_needs_a_reason(self):
        d = doc()
        self.assertEqual(ma.verify(d), [])
        d["handlers"][0]["classes"] = []
        self.assertEqual(ma.verify(d), ["drivers/a.c:10: a_mmap has no class and no reason"])
        d["handlers"][0]["reason"] = "no class: it only returns 0"
        self.assertEqual(ma.verify(d), [])

    def test_empty_document_fails(self):
        d = doc()
        d["handlers"] = []
        self.assertTrue(ma.verify(d))


class Effects(unittest.TestCase):
    def test_normalises_flags_actions_and_errors(self):
        body = """
        if (!vma_desc_test(desc, VMA_SHARED_BIT))
                return -EINVAL;
        desc->vm_flags |= VM_IO | VM_DONTEXPAND;
        vma_desc_set_flags(desc, VMA_DONTDUMP_BIT);
        desc->page_prot = pgprot_noncached(desc->page_prot);
        mmap_action_remap_full(desc,  pfn  + desc->pgoff);
        desc->action.error_override = -EAGAIN;
        return 0;"""
        e = ma.effects(body)
        self.assertEqual(e["set_flags"], ["VMA_DONTDUMP_BIT", "VMA_DONTEXPAND_BIT", "VMA_IO_BIT"])
        self.assertEqual(e["fields"], ["page_prot"])
        self.assertEqual(e["actions"], [("mmap_action_remap_full", "pfn + desc->pgoff")])
        self.assertEqual(e["error_override"], ["-EAGAIN"])
        self.assertEqual(e["errors"], ["-EINVAL"])
        # A difference is read by people: names and calls, not Python lists.
        self.assertEqual(ma.effect_text(e["actions"]),
                         "mmap_action_remap_full(pfn + desc->pgoff)")
        self.assertEqual(ma.effect_text(e["set_flags"][:2]),
                         "VMA_DONTDUMP_BIT, VMA_DONTEXPAND_BIT")
        self.assertEqual(ma.effect_text([]), "none")

    def test_function_body(self):
        src = "static int\nf_prepare(struct vm_area_desc *desc)\n{\n\tif (x) {\n\t\treturn 1;\n\t}\n\treturn 0;\n}\n"
        self.assertEqual(ma.function_body(src, "f_prepare"), "\n\tif (x) {\n\t\treturn 1;\n\t}\n\treturn 0;\n")
        self.assertIsNone(ma.function_body(src, "g"))


class KernelDoc(unittest.TestCase):
    def test_retitles_and_replaces_params(self):
        src = ("/**\n * f_mmap() - map it\n * @file: the file\n * @vma: the VMA,\n"
               " *	continued\n *\n * Return: 0\n */\n")
        out = ma.fix_kernel_doc(src, "f_mmap", "f_mmap_prepare")
        self.assertEqual(out, "/**\n * f_mmap_prepare() - map it\n * @desc: the proposed mapping\n"
                              " *\n * Return: 0\n */\n")


class Locate(unittest.TestCase):
    def tree(self, files):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(tmp.name, rel)), exist_ok=True)
            with open(os.path.join(tmp.name, rel), "w") as f:
                f.write(text)
        return tmp.name

    def test_table_file_then_nearest_definition(self):
        fn = "int %s(struct file *f, struct vm_area_struct *vma)\n{\n\treturn 0;\n}\n"
        t = self.tree({
            "fs/x/table.c": "static const struct file_operations f = { .mmap = x_mmap };\n"
                            + fn % "own_mmap",
            "fs/x/file.c": fn % "x_mmap",
            "drivers/y/other.c": "static " + fn % "x_mmap",
            "tools/x/copy.c": fn % "x_mmap",
            "fs/x/caller.c": "\tx_mmap(f, vma);\n",
        })
        got = ma.locate(t, [("fs/x/table.c", "x_mmap"), ("fs/x/table.c", "own_mmap"),
                            ("fs/x/table.c", "nowhere_mmap")])
        self.assertEqual(got, {("fs/x/table.c", "x_mmap"): "fs/x/file.c",
                               ("fs/x/table.c", "own_mmap"): "fs/x/table.c",
                               ("fs/x/table.c", "nowhere_mmap"): None})


COMPARE = {"old_kernel": "6.12.1", "new_kernel": "7.3.4", "spatch": "spatch version 1.3 compiled",
           "seconds": 1.0, "handlers": [
               {"file": "a.c", "old": "a_mmap", "new": "a_mmap_prepare", "tables": ["a_fops"],
                "result": "matched", "reason": ""},
               {"file": "b.c", "old": "b_mmap", "new": "b_mmap_prepare", "tables": ["b_fops"],
                "result": "refused", "reason": "blocked: lock: *x_lock()"}]}


class CompareTable(unittest.TestCase):
    def test_counts_and_rows(self):
        self.assertEqual(ma.compare_counts(COMPARE), {"matched": 1, "different": 0, "refused": 1})
        rst = ma.compare_table([COMPARE])
        self.assertIn("   * - 6.12.1\n     - 7.3.4\n     - 2\n     - 1\n     - 0\n     - 1", rst)
        self.assertIn("     - blocked: lock: \\*x\\_lock()", rst)
        md = ma.compare_table([COMPARE], markdown=True)
        self.assertEqual(md.splitlines()[-1], "| 6.12.1 | 7.3.4 | 2 | 1 | 0 | 1 |")
        self.assertIn("2 handlers: matched 1, different 0, refused 1", ma.render_compare(COMPARE))

    def test_readme_table_is_the_committed_data(self):
        # The README cannot include a file: its table must be the rendering
        # of the committed JSON, so it is compared here.
        paths = sorted(glob.glob(os.path.join(TOP, "Documentation", "data",
                                              "upstream-compare-*.json")))
        self.assertTrue(paths, "no Documentation/data/upstream-compare-*.json")
        docs = []
        for p in paths:
            with open(p) as f:
                docs.append(json.load(f))
        with open(os.path.join(TOP, "README.md")) as f:
            readme = f.read()
        m = re.search(r"<!-- upstream-compare: .*? -->\n(.*?)\n\n", readme, re.S)
        self.assertTrue(m, "README.md has no <!-- upstream-compare: ... --> table")
        self.assertEqual(m.group(1), ma.compare_table(docs, markdown=True),
                         "README.md's table is not the committed JSON's: run "
                         "python3 -m kit.assistant compare-table --markdown "
                         "Documentation/data/upstream-compare-*.json and paste it")


if __name__ == "__main__":
    unittest.main()
