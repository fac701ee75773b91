# SPDX-License-Identifier: GPL-2.0
"""The guide's own Sphinx directives (Documentation/conf.py loads this).

``kit-code``, code cut from a C file by the cutter the slides use
(:mod:`kit.cut`)::

    .. kit-code:: /_kit/examples/flags/after/flags_after.c
       :cut: fn=kit_flags_mmap_prepare strip-comments
       :caption: optional; defaults to the path without /_kit/ or /_linux/

A cut that does not match (a renamed function) is an error that names the
file, the page and what is missing; the guide is built with -W, so it stops.

``failure-points``, the table of the failure stages and the harness's
points, rendered from tests/harness/include/harness/failure-points.h
(:mod:`kit.failpoints`), which the harness includes::

    .. failure-points:: /_kit

And it narrows the kernel's automarkup extension (listed before it in
conf.py), which links a plain "name()" in prose. automarkup tries the page's
first c:namespace before the global name. The examples' kernel-doc puts
each variant in a namespace of its own (api.rst), so on that page a name
the variants share would link to the first variant documented, whichever
was meant. Only global names are linked implicitly, then: kernel functions
and the uapi headers' helpers, each defined once. A variant's function is
linked explicitly, :c:func:`flags_after.kit_flags_mmap_prepare`.
Documentation/check/ext_selftest.sh proves both.
"""

import shlex
import sys

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import ViewList
from sphinx.directives.code import container_wrapper
from sphinx.util.docutils import SphinxDirective

from . import cut, failpoints


class KitCode(SphinxDirective):
    required_arguments = 1
    option_spec = {
        "cut": directives.unchanged_required,
        "caption": directives.unchanged,
    }

    def run(self):
        rel, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(rel)
        shown = self.arguments[0]
        for prefix in ("/_kit/", "/_linux/"):
            if shown.startswith(prefix):
                shown = shown[len(prefix):]
        try:
            tokens = shlex.split(self.options.get("cut", ""))
            lines, opts = cut.cut_file(path, tokens, shown)
        except (cut.CutError, ValueError) as e:
            raise self.error("kit-code: %s (fix the :cut: or the source)"
                             % e)
        text = "\n".join(lines)
        node = nodes.literal_block(text, text, source=path)
        node["language"] = opts.get("lang", "c")
        self.set_source_info(node)
        caption = self.options.get("caption") or shown
        node = container_wrapper(self, node, caption)
        self.add_name(node)
        return [node]


class FailurePoints(SphinxDirective):
    """A list-table: Fn, id, label, the points the harness fails there."""
    required_arguments = 1

    def run(self):
        _, root = self.env.relfn2path(self.arguments[0])
        try:
            stages, points = failpoints.read(root)
        except (failpoints.TableError, OSError) as e:
            raise self.error("failure-points: %s" % e)
        self.env.note_dependency(f"{self.arguments[0]}/{failpoints.TABLE}")
        rows = [".. list-table::", "   :header-rows: 1", "   :widths: 6 14 40 40", "",
                "   * - Point", "     - Id", "     - Where the call fails",
                "     - Harness failure points hit there"]
        anywhere = [p["name"] for p in points if p["stages"] == ["*"]]
        for s in stages:
            names = [p["name"] for p in points if str(s["n"]) in p["stages"]]
            rows += ["   * - F%d" % s["n"], "     - ``%s``" % s["id"],
                     "     - %s" % s["label"],
                     "     - %s" % (", ".join("``%s``" % n for n in names) or "none")]
        rows += ["", "Any stage whose code calls them (the driver's hooks, the "
                 "action): %s. Outside mmap(): %s." % (
                     ", ".join("``%s``" % n for n in anywhere),
                     ", ".join("``%s``" % p["name"] for p in points
                               if "-" in p["stages"]))]
        view = ViewList()
        for line in rows:
            view.append(line, self.arguments[0])
        node = nodes.container()
        self.state.nested_parse(view, self.content_offset, node)
        return node.children


def setup(app):
    automarkup = sys.modules.get("automarkup")
    if automarkup is not None:
        automarkup.get_c_namespace = lambda app, docname: ""
    app.add_directive("kit-code", KitCode)
    app.add_directive("failure-points", FailurePoints)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
