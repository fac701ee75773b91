# SPDX-License-Identifier: GPL-2.0
"""The guide's own Sphinx directives (Documentation/conf.py loads this).

``kit-code``, code cut from a C file by the cutter the slides use
(:mod:`kit.cut`)::

    .. kit-code:: /_kit/examples/flags/after/flags_after.c
       :cut: fn=kit_flags_mmap_prepare strip-comments
       :caption: optional; defaults to the path without /_kit/ or /_linux/

A cut that does not match (a renamed function) is an error that names the
file, the page and what is missing; the guide is built with -W, so it stops.
"""

import shlex

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.directives.code import container_wrapper
from sphinx.util.docutils import SphinxDirective

from . import cut


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


def setup(app):
    app.add_directive("kit-code", KitCode)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
