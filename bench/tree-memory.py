#!/usr/bin/python3
"""tree-memory.py - run a command and report the memory of its whole process tree.

    bench/tree-memory.py OUT -- COMMAND [ARG...]

Samples every 0.1 s, for the command and all its descendants: the sum of their PSS (proportional
set size: a page shared by k processes counts 1/k in each, so forked workers sharing their
parent's pages are not counted twice) and the largest single RSS. Writes
"wall_s peak_tree_pss_kib peak_single_rss_kib max_processes" to OUT and exits with the command's
status. Used by bench/runner-vs-ansible.sh: Ansible runs one process per fork, pot one process,
so the largest single process understates Ansible's memory.
"""
import os
import subprocess
import sys
import time


def children_map():
    kids = {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open(f'/proc/{d}/stat') as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(')') + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(root):
    kids, out, todo = children_map(), [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def rollup(pid):
    """(pss_kib, rss_kib) of one process, or None when it is gone."""
    pss = rss = 0
    try:
        with open(f'/proc/{pid}/smaps_rollup') as f:
            for line in f:
                if line.startswith('Pss:'):
                    pss = int(line.split()[1])
                elif line.startswith('Rss:'):
                    rss = int(line.split()[1])
    except OSError:
        return None
    return pss, rss


def main():
    out, cmd = sys.argv[1], sys.argv[3:]
    if sys.argv[2] != '--' or not cmd:
        sys.exit('usage: tree-memory.py OUT -- COMMAND [ARG...]')
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd)
    peak_pss = peak_rss = peak_n = 0
    while proc.poll() is None:
        pss_sum, n = 0, 0
        for pid in tree(proc.pid):
            r = rollup(pid)
            if r:
                pss_sum += r[0]
                peak_rss = max(peak_rss, r[1])
                n += 1
        peak_pss, peak_n = max(peak_pss, pss_sum), max(peak_n, n)
        time.sleep(0.1)
    wall = time.monotonic() - t0
    with open(out, 'w') as f:
        f.write(f'{wall:.2f} {peak_pss} {peak_rss} {peak_n}\n')
    sys.exit(proc.returncode)


if __name__ == '__main__':
    main()
