#!/usr/bin/env python3
# put-section.py - the one way benchmarks write bench/RESULTS.md: replaces the section between
# "<!-- NAME:begin" and "<!-- NAME:end -->" with the contents of SECTION_FILE (which carries both
# markers), keeping any hand-written notes between "<!-- NAME:notes -->" and the end marker of
# the old section; appends the section when RESULTS has none. Written to a temporary file and
# renamed, so a reader never sees half a file.
#   put-section.py NAME SECTION_FILE RESULTS
import os
import re
import sys

name, section_path, results = sys.argv[1:4]
section = open(section_path).read()
text = open(results).read() if os.path.exists(results) else "# pot benchmark results\n"
begin, notes, end = (re.escape(f"<!-- {name}:{m}") for m in ("begin", "notes -->", "end -->"))
old = re.search(begin + r".*?" + end + r"\n?", text, re.S)
if old:
    kept = re.search(notes + r"\n(.*?)" + end, old.group(0), re.S)
    marker = f"<!-- {name}:notes -->\n"
    if kept and marker in section:
        section = section.replace(marker, marker + kept.group(1))
    text = text[:old.start()] + section + text[old.end():]
else:
    text = text.rstrip("\n") + "\n\n" + section
with open(results + ".tmp", "w") as out:
    out.write(text)
os.replace(results + ".tmp", results)
