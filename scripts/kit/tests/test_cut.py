# SPDX-License-Identifier: GPL-2.0
"""The cutter the guide and the slides share, on a small C file."""

import os
import tempfile
import unittest

from kit import cut, lint

SRC = """\
// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>

struct kit_state {
\tint users;
};

/**
 * kit_open() - count an opener
 * @s: the state
 */
static int kit_open(struct kit_state *s,
\t\t    int how)
{
\t/* Nothing can fail here. */
\ts->users++;
\treturn 0;
}

static int kit_close(struct kit_state *s);

static const struct kit_ops kit_ops = {
\t.open = kit_open,
};
"""
LINES = SRC.splitlines()
SHOWN = [line.expandtabs(8) for line in LINES]


def run(*tokens):
    return cut.cut(LINES, list(tokens), "kit.c")[0]


class Cut(unittest.TestCase):
    def test_function(self):
        got = run("fn=kit_open")
        self.assertEqual(got[0], "static int kit_open(struct kit_state *s,")
        self.assertEqual(got[-1], "}")
        self.assertIn("        s->users++;", got)   # tabs expanded

    def test_declaration_is_not_a_definition(self):
        with self.assertRaisesRegex(cut.CutError,
                                    "kit.c: no definition of function kit_close"):
            run("fn=kit_close")

    def test_a_renamed_function_names_file_and_function(self):
        with self.assertRaisesRegex(cut.CutError,
                                    "kit.c: no definition of function kit_opened"):
            run("fn=kit_opened")

    def test_two_definitions(self):
        lines = LINES + LINES[11:18]
        with self.assertRaisesRegex(cut.CutError, "2 definitions of function kit_open"):
            cut.cut(lines, ["fn=kit_open"], "kit.c")

    def test_doc_and_head(self):
        self.assertEqual(run("fn=kit_open", "doc", "head"), SHOWN[7:13])
        with self.assertRaisesRegex(cut.CutError, "no kernel-doc comment right above kit_state"):
            run("type=kit_state", "doc")
        with self.assertRaisesRegex(cut.CutError, "head goes with fn="):
            run("decl=kit_ops", "head")

    def test_type_and_decl(self):
        self.assertEqual(run("type=kit_state"), SHOWN[3:6])
        self.assertEqual(run("decl=kit_ops"), SHOWN[21:24])
        with self.assertRaisesRegex(cut.CutError, "no definition of type kit_gone"):
            run("type=kit_gone")

    def test_ranges(self):
        self.assertEqual(run("from=struct kit_state {", "to=};"), SHOWN[3:6])
        self.assertEqual(run("after=SPDX", "before=struct kit_state"), LINES[1:2])
        with self.assertRaisesRegex(cut.CutError, r"range start 'kit_' found \d+ times"):
            run("from=kit_", "to=}")
        self.assertEqual(run("from=static const struct kit_ops"), SHOWN[21:24])
        with self.assertRaisesRegex(cut.CutError, "want one of from= and after="):
            run("from=SPDX", "to=a", "before=b")

    def test_options(self):
        got = run("fn=kit_open", "strip-comments", "elide=s->users|return")
        self.assertNotIn("/* Nothing can fail here. */", "\n".join(got))
        self.assertEqual(got[-2:], ["        ...", "}"])
        with self.assertRaisesRegex(cut.CutError, "unknown option.*: bogus"):
            run("fn=kit_open", "bogus")
        with self.assertRaisesRegex(cut.CutError, "no selector"):
            run("strip-comments")


class OneWay(unittest.TestCase):
    def test_lint_refuses_code_cut_by_literalinclude(self):
        page = ("Page\n====\n\n"
                ".. literalinclude:: /_kit/examples/x/before/x.c\n   :caption: x.c\n\n"
                ".. literalinclude:: /_kit/labs/common/init\n   :start-at: run_variant\n\n"
                ".. literalinclude:: /_gen/x.diff\n   :language: diff\n\n"
                ".. kit-code:: /_kit/examples/x/before/x.c\n   :cut: fn=x\n")
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "Documentation"))
            with open(os.path.join(root, "Documentation", "p.rst"), "w") as f:
                f.write(page)
            bad = lint.code_cuts(root, ["Documentation/p.rst"])
        self.assertEqual(len(bad), 2, bad)
        self.assertIn("Documentation/p.rst:4: literalinclude of /_kit/examples/x/before/x.c:", bad[0])
        self.assertIn("Documentation/p.rst:7: literalinclude of /_kit/labs/common/init "
                      "with :start-at:", bad[1])


if __name__ == "__main__":
    unittest.main()
