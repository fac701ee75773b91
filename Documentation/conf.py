# SPDX-License-Identifier: GPL-2.0
"""Sphinx configuration of the mmap_prepare porting guide.

Built by Documentation/Makefile, which sets srctree to the kernel tree whose
Sphinx extensions (kerneldoc, kfigure, rstFlatTable) and headers are used,
and runs Sphinx on a staging directory where _linux is that kernel tree,
_kit the kit's repository and _gen the diffs generated for this build.
"""

import os
import sys

srctree = os.environ.get("srctree")
if not srctree or not os.path.isfile(os.path.join(srctree, "Documentation",
                                                  "sphinx", "kerneldoc.py")):
    sys.exit("conf.py: set srctree to a kernel tree (make -C Documentation "
             "htmldocs KSRC=...)")
sys.path.insert(0, os.path.join(srctree, "Documentation", "sphinx"))
# The kit's own directives (kit-code, failure-points): scripts/kit.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)),
                                "..", "scripts"))

project = "The mmap_prepare porting kit"
author = "mmap_prepare kit developers"
copyright = "The mmap_prepare kit developers; GPL-2.0"
release = ""

extensions = ["kerneldoc", "kfigure", "rstFlatTable", "automarkup",
              "kit.sphinxext"]

# automarkup links a plain "name()" in prose, as in the kernel's docs;
# kit.sphinxext makes it link global names only (see there why).

# kernel-doc paths in the pages are relative to the staging directory.
kerneldoc_srctree = os.path.dirname(os.path.abspath(__file__))

master_doc = "index"
source_suffix = {".rst": "restructuredtext"}
exclude_patterns = ["_kit", "_linux", "_gen", "upstream", "check"]
primary_domain = "c"
highlight_language = "none"
default_role = None
nitpicky = False

# Attributes that appear in the kernel-doc'd prototypes (as in the kernel's
# own Documentation/conf.py).
c_id_attributes = ["__init", "__exit", "__always_inline", "__maybe_unused",
                   "__must_check", "__iomem", "__user"]

html_theme = "alabaster"
html_theme_options = {
    "page_width": "1180px",
    "sidebar_width": "250px",
    "fixed_sidebar": False,
    "show_relbars": True,
    "font_size": "15px",
    "code_font_size": "0.85em",
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}
html_static_path = ["_static"]
html_css_files = ["kit.css"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_title = "mmap_prepare porting kit"

# Do not let a wrong literalinclude silently render an empty block.
suppress_warnings = []
