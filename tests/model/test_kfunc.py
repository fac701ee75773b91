# SPDX-License-Identifier: GPL-2.0
"""Tests of kfunc.py on small C snippets: python3 -m unittest (in tests/model)."""

import unittest

import kfunc


class Definitions(unittest.TestCase):
    def test_definition_not_prototype_or_call(self):
        src = """
int f(int a);
static int g(void) { return f(1); }
int f(int a)
{
	return a + 1;
}
"""
        defs = kfunc.definitions(src, "f")
        self.assertEqual(len(defs), 1)
        self.assertEqual(kfunc.normalise(defs[0]), "int f ( int a ) { return a + 1 ; }")

    def test_specifiers_and_pointer_return_are_part_of_it(self):
        src = "static inline struct file *get(struct file *f)\n{\n\treturn f;\n}\n"
        (d,) = kfunc.definitions(src, "get")
        self.assertTrue(kfunc.normalise(d).startswith("static inline struct file * get ("))

    def test_call_in_initialiser_is_not_a_definition(self):
        src = "void h(void) { int x = f(2); (void)x; }\nvoid f(void) {}\n"
        self.assertEqual(len(kfunc.definitions(src, "f")), 1)

    def test_ifdef_branches_give_one_definition_each(self):
        src = """
#ifdef CONFIG_MMU
int p(void)
{
	return 1;
}
#else
int p(void)
{
	return 0;
}
#endif
"""
        self.assertEqual(len(kfunc.fingerprint(src, "p")), 2)

    def test_function_like_macro_is_not_a_definition(self):
        src = "#define q(x) { (x) }\nint q_user(void) { return 0; }\n"
        with self.assertRaises(kfunc.ExtractError):
            kfunc.fingerprint(src, "q")

    def test_braces_in_strings_comments_and_directives(self):
        src = """
int r(void)
{
	/* } not the end */
	pr_info("}{");
#if 0 /* { */
	x = '}';
#endif
	return 0;
}
int after(void) { return 1; }
"""
        (d,) = kfunc.definitions(src, "r")
        self.assertEqual(kfunc.normalise(d)[-10:], "return 0 ; }"[-10:])
        self.assertNotIn("after", kfunc.normalise(d))

    def test_attribute_between_parameters_and_body(self):
        src = "int s(void) __must_check\n{\n\treturn 0;\n}\n"
        self.assertEqual(len(kfunc.definitions(src, "s")), 1)

    def test_missing_function_is_an_error(self):
        with self.assertRaises(kfunc.ExtractError):
            kfunc.fingerprint("int t(void) { return 0; }", "u")

    def test_unclosed_body_is_an_error(self):
        with self.assertRaises(kfunc.ExtractError):
            kfunc.fingerprint("int t(void) { return 0;", "t")


class Fingerprints(unittest.TestCase):
    BASE = "static int v(int a)\n{\n\tif (a)\n\t\treturn -EINVAL;\n\treturn 0;\n}\n"

    def test_comments_and_whitespace_do_not_count(self):
        other = ("/* v() */\nstatic int\nv(int a)   // the arg\n{\n"
                 "\tif (a) /* bad */ return -EINVAL;\n\n\treturn 0;\n}\n")
        self.assertEqual(kfunc.fingerprint(self.BASE, "v"),
                         kfunc.fingerprint(other, "v"))

    def test_a_changed_statement_counts(self):
        other = self.BASE.replace("-EINVAL", "-ENOMEM")
        self.assertNotEqual(kfunc.fingerprint(self.BASE, "v"),
                            kfunc.fingerprint(other, "v"))

    def test_a_changed_signature_counts(self):
        other = self.BASE.replace("static int v(int a)", "static long v(int a)")
        self.assertNotEqual(kfunc.fingerprint(self.BASE, "v"),
                            kfunc.fingerprint(other, "v"))

    def test_a_changed_directive_in_the_body_counts(self):
        a = "int w(void)\n{\n#ifdef A\n\tx();\n#endif\n\treturn 0;\n}\n"
        b = a.replace("#ifdef A", "#ifdef B")
        self.assertNotEqual(kfunc.fingerprint(a, "w"), kfunc.fingerprint(b, "w"))


if __name__ == "__main__":
    unittest.main()
