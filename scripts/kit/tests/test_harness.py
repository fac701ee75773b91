# SPDX-License-Identifier: GPL-2.0
"""CMocka logs of the harness into kit-harness/1."""

import os
import unittest

from kit import harness

HERE = os.path.join(os.path.dirname(__file__), "fixtures")


def load(name):
    with open(os.path.join(HERE, name)) as f:
        return f.read()


class Harness(unittest.TestCase):
    def test_errno_names(self):
        self.assertEqual(harness.errno_names("0xffffffffffffffff != 0xffffffffffffffea"),
                         "-EPERM != -EINVAL")
        self.assertEqual(harness.errno_names("0x10 and 0xfffffffffffffff4"), "0x10 and -ENOMEM")

    def test_failed(self):
        doc = harness.parse(load("harness-failed.log"), "test_flags", "default", 1)
        self.assertEqual((doc["planned"], doc["lost"], len(doc["tests"])), (14, 0, 14))
        bad = [t for t in doc["tests"] if t["status"] != "ok"]
        self.assertEqual([t["name"] for t in bad],
                         ["a_private_mapping_fails_with_einval",
                          "before_and_after_leave_the_same_layout_for_every_request"])
        self.assertEqual(harness.details(bad[0]), ["-EPERM != -EINVAL", "in tests/test_flags.c:38"])
        self.assertEqual(harness.details(bad[1])[:2], ["flags_before:", "private: mmap -22"])

    def test_crash_is_lost(self):
        text = load("harness-failed.log").split("[ RUN      ] before_and_after")[0]
        text += "[ RUN      ] before_and_after_leave_the_same_layout_for_every_request\n"
        text += "==1234==ERROR: AddressSanitizer: heap-use-after-free\n"
        doc = harness.parse(text, "test_flags", "default", 1)
        last = doc["tests"][-1]
        self.assertEqual(last["status"], "lost")
        self.assertIn("the suite stopped in this test", last["messages"][0])
        # The two tests after it never ran: counted.
        self.assertEqual(doc["lost"], 2)


if __name__ == "__main__":
    unittest.main()
