# SPDX-License-Identifier: GPL-2.0
"""kit.stage: a stage runs again exactly when one of its inputs changed."""

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

from kit import stage


class StageTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name
        self.record = os.path.join(self.d, "rec", "stage.json")
        self.runs = os.path.join(self.d, "runs")
        self.src = os.path.join(self.d, "src")
        os.makedirs(os.path.join(self.src, "sub"))
        self.write("src/a.c", "int a;\n")
        self.write("src/sub/b.h", "#define B 1\n")
        self.exit = 0
        env = mock.patch.dict(os.environ, {"FRESH": ""})
        env.start()
        self.addCleanup(env.stop)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rel, text):
        with open(os.path.join(self.d, rel), "w", encoding="utf-8") as f:
            f.write(text)

    def count(self):
        try:
            with open(self.runs, encoding="utf-8") as f:
                return len(f.read())
        except FileNotFoundError:
            return 0

    def command(self):
        """A command that counts its runs and exits with self.exit."""
        return [sys.executable, "-c",
                f"import sys; open({self.runs!r}, 'a').write('x'); sys.exit({self.exit})"]

    def run_stage(self, *inputs):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = stage.main(["run", self.record, "demo", *inputs, "--", *self.command()])
        return rc, out.getvalue()

    def test_unchanged_inputs_reuse_the_result_and_say_so(self):
        self.assertEqual(self.run_stage("--in", self.src)[0], 0)
        rc, out = self.run_stage("--in", self.src)
        self.assertEqual((rc, self.count()), (0, 1))
        self.assertIn("CACHED  demo: up to date, inputs unchanged since", out)
        self.assertIn("FRESH=1", out)

    def test_a_changed_file_in_a_directory_reruns_and_is_named(self):
        self.run_stage("--in", self.src)
        self.write("src/sub/b.h", "#define B 2\n")
        rc, out = self.run_stage("--in", self.src)
        self.assertEqual(self.count(), 2)
        self.assertIn("inputs changed", out)
        self.assertIn(f"in:{self.src}", out)

    def test_a_new_file_or_a_removed_one_reruns(self):
        self.run_stage("--in", self.src)
        self.write("src/new.c", "")
        self.run_stage("--in", self.src)
        os.unlink(os.path.join(self.src, "a.c"))
        self.run_stage("--in", self.src)
        self.assertEqual(self.count(), 3)

    def test_a_glob_input_sees_a_new_match(self):
        pattern = os.path.join(self.src, "*.c")
        self.run_stage("--in", pattern)
        self.run_stage("--in", pattern)
        self.write("src/c.c", "int c;\n")
        self.run_stage("--in", pattern)
        self.assertEqual(self.count(), 2)

    def test_a_changed_value_reruns(self):
        self.run_stage("--val", "accel=tcg")
        self.run_stage("--val", "accel=tcg")
        self.run_stage("--val", "accel=kvm")
        self.assertEqual(self.count(), 2)

    def test_fresh_reruns(self):
        self.run_stage("--in", self.src)
        with mock.patch.dict(os.environ, {"FRESH": "1"}):
            rc, out = self.run_stage("--in", self.src)
        self.assertEqual(self.count(), 2)
        self.assertIn("FRESH=1", out)

    def test_a_failed_run_is_not_recorded(self):
        self.exit = 3
        self.assertEqual(self.run_stage("--in", self.src)[0], 3)
        self.assertFalse(os.path.exists(self.record))
        self.exit = 0
        self.run_stage("--in", self.src)
        self.assertEqual(self.count(), 2)

    def test_a_gone_result_reruns(self):
        result = os.path.join(self.d, "result.json")
        self.write("result.json", "{}")
        self.run_stage("--in", self.src, "--out", result)
        os.unlink(result)
        rc, out = self.run_stage("--in", self.src, "--out", result)
        self.assertEqual(self.count(), 2)
        self.assertIn("is gone", out)

    def test_a_mk_file_names_files_whose_content_counts(self):
        tool = os.path.join(self.d, "sparse")
        self.write("sparse", "v1")
        self.write("sparse.mk", f"SPARSE={tool}\n")
        mk = os.path.join(self.d, "sparse.mk")
        self.run_stage("--mk", mk)
        self.run_stage("--mk", mk)
        self.write("sparse", "v2")
        self.run_stage("--mk", mk)
        self.assertEqual(self.count(), 2)

    def test_a_mk_file_names_a_kernel_whose_image_counts(self):
        kobj = os.path.join(self.d, "kobj")
        os.makedirs(os.path.join(kobj, "arch/x86/boot"))
        self.write("kobj/vmlinux", "k1")
        self.write("kobj/.config", "CONFIG_X=y\n")
        self.write("kernel-obj.mk", f"KOBJ={kobj}\n")
        mk = os.path.join(self.d, "kernel-obj.mk")
        self.run_stage("--mk", mk)
        self.write("kobj/.config", "CONFIG_X=n\n")
        self.run_stage("--mk", mk)
        self.write("kobj/vmlinux", "k2")
        self.run_stage("--mk", mk)
        self.run_stage("--mk", mk)
        self.assertEqual(self.count(), 3)

    def test_the_git_tree_counts_what_git_does_not_ignore(self):
        subprocess.run(["git", "init", "-q", self.src], check=True)
        self.write("src/.gitignore", "build/\n")
        os.makedirs(os.path.join(self.src, "build"))
        self.run_stage("--tree", self.src)
        self.write("src/build/out.o", "ignored")
        self.run_stage("--tree", self.src)
        self.assertEqual(self.count(), 1)
        self.write("src/untracked.c", "int u;\n")
        self.run_stage("--tree", self.src)
        self.assertEqual(self.count(), 2)

    def test_an_input_changed_while_running_is_not_recorded(self):
        victim = os.path.join(self.src, "a.c")
        cmd = [sys.executable, "-c",
               f"open({self.runs!r}, 'a').write('x'); open({victim!r}, 'a').write('//')"]
        with contextlib.redirect_stderr(io.StringIO()) as err:
            stage.main(["run", self.record, "demo", "--in", self.src, "--", *cmd])
        self.assertIn("changed while it ran", err.getvalue())
        self.assertFalse(os.path.exists(self.record))

    def test_check_then_commit(self):
        args = ["check", self.record, "lab x", "--in", self.src, "--val", "v=1"]
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(stage.main(args), 1)
            self.assertEqual(stage.main(["commit", self.record, "0"]), 0)
            self.assertEqual(stage.main(args), 0)
            self.write("src/a.c", "int a2;\n")
            self.assertEqual(stage.main(args), 1)
            self.assertEqual(stage.main(["commit", self.record, "1"]), 0)
            self.assertFalse(os.path.exists(self.record))
            self.assertEqual(stage.main(args), 1)

    def test_the_record(self):
        self.run_stage("--in", self.src, "--val", "k=v")
        with open(self.record, encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["schema"], "kit-stage/1")
        self.assertEqual(doc["exit"], 0)
        self.assertEqual([k for k, _ in doc["inputs"]], [f"in:{self.src}", "val:k"])

    def test_py_counts_the_modules_an_import_loads(self):
        pkg = os.path.join(self.d, "py", "demo")
        os.makedirs(pkg)
        self.write("py/demo/__init__.py", "")
        self.write("py/demo/main.py", "from . import used\n")
        self.write("py/demo/used.py", "X = 1\n")
        self.write("py/demo/unused.py", "Y = 1\n")
        path = os.pathsep.join([os.path.join(self.d, "py"), os.environ.get("PYTHONPATH", "")])
        with mock.patch.dict(os.environ, {"PYTHONPATH": path}):
            self.run_stage("--py", "demo.main")
            self.write("py/demo/unused.py", "Y = 2\n")
            self.run_stage("--py", "demo.main")
            self.assertEqual(self.count(), 1)
            self.write("py/demo/used.py", "X = 2\n")
            rc, out = self.run_stage("--py", "demo.main")
            self.assertEqual(self.count(), 2)
            self.assertIn("used.py", out)
            self.write("py/demo/used.py", "X = (\n")
            with contextlib.redirect_stderr(io.StringIO()) as err:
                self.assertEqual(self.run_stage("--py", "demo.main")[0], 2)
            self.assertIn("importing demo.main failed", err.getvalue())

    def test_a_reused_result_is_marked_for_the_renderings(self):
        self.run_stage("--in", self.src)
        self.assertIsNone(stage.reused_since(self.record))
        self.run_stage("--in", self.src)
        with open(self.record, encoding="utf-8") as f:
            finished = json.load(f)["finished"]
        self.assertEqual(stage.reused_since(self.record), finished)
        self.write("src/a.c", "int a3;\n")
        self.run_stage("--in", self.src)
        self.assertIsNone(stage.reused_since(self.record))

    def test_the_verdict_table_names_the_labs_not_booted_again(self):
        from kit import verdict
        lab = os.path.join(self.d, "01-demo")
        os.makedirs(lab)
        with open(os.path.join(lab, "result.json"), "w", encoding="utf-8") as f:
            json.dump({"schema": "kit-lab/1", "variants": [
                {"name": "after", "verdict": "PASS", "seconds": 1.0, "reason": ""}]}, f)
        self.record = os.path.join(lab, "stage.json")
        self.run_stage("--in", self.src)
        self.assertNotIn("not booted again", "\n".join(verdict.render([lab])[0]))
        self.run_stage("--in", self.src)
        lines = verdict.render([lab])[0]
        self.assertIn("not booted again, inputs unchanged since their last boot", lines[-1])
        self.assertIn("01-demo (", lines[-1])

    def test_commit_without_check_is_a_clear_error(self):
        with contextlib.redirect_stderr(io.StringIO()) as err:
            self.assertEqual(stage.main(["commit", self.record, "0"]), 2)
        self.assertIn("call 'check' before 'commit'", err.getvalue())


if __name__ == "__main__":
    unittest.main()
