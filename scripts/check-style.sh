#!/usr/bin/env bash
# check-style.sh - checks the mechanical rules of STYLE.md (shared/STYLE.md, beside this repo) on
# installer/**/*.c|h and tests/unit/*.c: a header comment at the top of every file, no tabs, lines
# of at most 100 columns, no assignment inside an if/while condition, no function that
# installer/base/banned.h bans, and every installer/**/*.c listed in installer/CMakeLists.txt.
# Prints "file:line: what is wrong" for each finding; exits 1 on any finding, 0 when clean.
#
# Usage: scripts/check-style.sh [FILE...]   (default: the whole tree; run from anywhere)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
files=()
for f in "$@"; do
    files+=("$(realpath -m -- "$f")")
done
cd "$top" || exit 2
exec python3 - "${files[@]}" <<'PY'
import os
import re
import sys

MAX_COLUMNS = 100
ASSIGN_OPS = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="}
# Longest first, so '<<=' is one operator and '==' is never read as '=' '='.
OPERATOR = re.compile(r"<<=|>>=|[=!<>]=|[-+*/%&|^]=|=")
CONDITION = re.compile(r"(?<![#\w])(if|while)\s*\(")

findings = []


def report(path, line, what):
    findings.append((path, line, what))


def blank_literals(text):
    """Comments, strings and char literals become spaces (newlines kept), so offsets still
    map to the same line and nothing inside them is mistaken for code."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def check_conditions(path, code):
    for m in CONDITION.finditer(code):
        depth, i = 1, m.end()
        while i < len(code) and depth > 0:
            depth += {"(": 1, ")": -1}.get(code[i], 0)
            i += 1
        cond = code[m.end():i - 1]
        for op in OPERATOR.finditer(cond):
            # '=' inside braces is a compound literal's designator, not an assignment
            braced = cond.count("{", 0, op.start()) - cond.count("}", 0, op.start())
            if op.group(0) in ASSIGN_OPS and braced == 0:
                report(path, line_of(code, m.end() + op.start()),
                       "assignment '%s' in %s condition" % (op.group(0), m.group(1)))
                break


def banned_names():
    names = []
    with open("installer/base/banned.h", encoding="utf-8") as f:
        for line in f:
            m = re.match(r"#define (\w+)\(.*\bBANNED\(", line)
            if m:
                names.append(m.group(1))
    return names


def check_file(path, banned_call):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except UnicodeDecodeError:
        report(path, 1, "not UTF-8")
        return
    except OSError as e:
        report(path, 1, "cannot read: %s" % e.strerror)
        return
    if not text.lstrip().startswith("/*"):
        report(path, 1, "no header comment saying what the file is for")
    for no, line in enumerate(text.split("\n"), 1):
        if "\t" in line:
            report(path, no, "tab character (indent with 4 spaces)")
        if len(line) > MAX_COLUMNS:
            report(path, no, "line is %d columns (at most %d)" % (len(line), MAX_COLUMNS))
    code = blank_literals(text)
    check_conditions(path, code)
    if path != "installer/base/banned.h":
        for m in banned_call.finditer(code):
            report(path, line_of(code, m.start(1)),
                   "banned function '%s' (see installer/base/banned.h)" % m.group(1))


def check_cmake_lists(sources):
    with open("installer/CMakeLists.txt", encoding="utf-8") as f:
        listed = set(re.findall(r"[\w./-]+\.c\b", f.read()))
    for path in sources:
        rel = path[len("installer/"):]
        if path.endswith(".c") and rel not in listed:
            report(path, 1, "not listed in installer/CMakeLists.txt")


def tree_files():
    files = []
    for root, dirs, names in os.walk("installer"):
        dirs.sort()
        files += [os.path.join(root, n) for n in sorted(names) if n.endswith((".c", ".h"))]
    unit = "tests/unit"
    files += [os.path.join(unit, n) for n in sorted(os.listdir(unit)) if n.endswith(".c")]
    return files


def main():
    files = [os.path.relpath(os.path.abspath(p)) for p in sys.argv[1:]] or tree_files()
    banned_call = re.compile(r"(?<![\w.>])(%s)\s*\(" % "|".join(banned_names()))
    for path in files:
        check_file(path, banned_call)
    check_cmake_lists([p for p in files if p.startswith("installer/")])
    for path, line, what in sorted(findings):
        print("%s:%d: %s" % (path, line, what))
    if findings:
        print("check-style: %d finding(s)" % len(findings), file=sys.stderr)
        return 1
    return 0


sys.exit(main())
PY
