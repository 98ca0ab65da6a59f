# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration of xalloc's documentation: make docs.
#
# ``.. kernel-doc::`` comes from the kernel's own Sphinx extension and
# scripts/kernel-doc, in the unpacked Debian kernel source that
# scripts/kernel.sh keeps in ~/.cache/xalloc/src/. make docs passes its path
# as XALLOC_KSRC; without it, scripts/kernel.sh is asked here.

import os
import subprocess
import sys

repo = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ksrc = os.environ.get("XALLOC_KSRC")
if not ksrc:
    kdir = subprocess.run([os.path.join(repo, "scripts", "kernel.sh"), "6.1",
                           "kunit/debug.config"], cwd=repo, check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()
    ksrc = os.path.realpath(os.path.join(kdir, "source"))
sys.path.insert(0, os.path.join(ksrc, "Documentation", "sphinx"))

project = "xalloc"
copyright = "the xalloc authors; GPL-2.0"
author = "the xalloc authors"

extensions = ["kerneldoc"]
kerneldoc_bin = os.path.join(ksrc, "scripts", "kernel-doc")
kerneldoc_srctree = repo
# kernel-doc warnings are make check's business (scripts/check.sh).
kerneldoc_verbosity = 0

primary_domain = "c"
highlight_language = "none"
# Attributes the C domain must accept in kernel declarations (as the
# kernel's own Documentation/conf.py lists them).
c_id_attributes = ["__init", "__exit", "__must_check", "__always_inline",
                   "noinline", "__printf", "__percpu", "__user", "__iomem",
                   "notrace", "asmlinkage"]

master_doc = "index"
exclude_patterns = ["_build"]
html_theme = "sphinx_rtd_theme"
html_title = "xalloc"
html_show_sourcelink = False
