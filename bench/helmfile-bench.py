#!/usr/bin/python3
"""helmfile-bench.py - small helpers of bench/helmfile-vs-helm.sh (Python 3 standard library only).

    helmfile-bench.py norm FILE                 helm-template-style manifests ("---\\n# Source: ...")
                                                as their documents, sorted (helm orders by kind,
                                                pot's harness by file): one comparable text
    helmfile-bench.py helm-loop N CMD ARGS...   runs CMD N times (stdout to /dev/null), prints
                                                "wall_median S wall_min S cpu_median S" per run,
                                                CPU = user+sys of the process tree (wait4)
    helmfile-bench.py busy LOG START END        LOG lines "START END ..." (epoch seconds): the
                                                union of those intervals within [START, END],
                                                prints "busy S calls N"
    helmfile-bench.py umbrella CHART VALUES OUT K   an umbrella chart OUT with K copies of CHART
                                                as subcharts sub01..subK, each given VALUES
    helmfile-bench.py median V...               the median
"""
import os
import re
import statistics
import subprocess
import sys
import time


def norm(path):
    text = open(path).read()
    docs = re.split(r"^---\n(?=# Source: )", text, flags=re.M)
    docs = sorted(d.rstrip("\n") for d in docs if d.strip())
    sys.stdout.write("\n".join(docs) + "\n")


def helm_loop(n, cmd):
    walls, cpus = [], []
    with open(os.devnull, "wb") as null:
        for _ in range(n):
            t0 = time.monotonic()
            p = subprocess.Popen(cmd, stdout=null)
            _, status, ru = os.wait4(p.pid, 0)
            walls.append(time.monotonic() - t0)
            p.returncode = os.waitstatus_to_exitcode(status)
            if p.returncode != 0:
                sys.exit("helm-loop: %s exited %d" % (cmd[0], p.returncode))
            cpus.append(ru.ru_utime + ru.ru_stime)
    print("wall_median %.6f wall_min %.6f cpu_median %.6f"
          % (statistics.median(walls), min(walls), statistics.median(cpus)))


def busy(log, start, end):
    spans = []
    for line in open(log):
        f = line.split()
        if len(f) >= 2:
            s, e = max(float(f[0]), start), min(float(f[1]), end)
            if e > s:
                spans.append((s, e))
    spans.sort()
    total, cur_s, cur_e = 0.0, None, None
    for s, e in spans:
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    print("busy %.3f calls %d" % (total, len(spans)))


def umbrella(chart, values, out, k):
    name = re.search(r"^name:\s*(\S+)", open(os.path.join(chart, "Chart.yaml")).read(), re.M).group(1)
    os.makedirs(os.path.join(out, "templates"), exist_ok=True)
    with open(os.path.join(out, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: bundle\nversion: 0.1.0\n")
    vals = open(values).read()
    with open(os.path.join(out, "values.yaml"), "w") as f:
        for i in range(1, k + 1):
            f.write("sub%02d:\n" % i)
            f.write("".join("  " + line + "\n" for line in vals.splitlines()))
    for i in range(1, k + 1):
        sub = os.path.join(out, "charts", "sub%02d" % i)
        for root, _, files in os.walk(chart):
            rel = os.path.relpath(root, chart)
            os.makedirs(os.path.join(sub, rel), exist_ok=True)
            for fn in files:
                text = open(os.path.join(root, fn)).read()
                if fn == "Chart.yaml":
                    text = re.sub(r"^name:.*$", "name: sub%02d" % i, text, flags=re.M)
                else:  # distinct define names: Helm's template namespace is shared by subcharts
                    text = text.replace('"%s.' % name, '"sub%02d.' % i)
                with open(os.path.join(sub, rel, fn), "w") as f:
                    f.write(text)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "norm":
        norm(args[0])
    elif cmd == "helm-loop":
        helm_loop(int(args[0]), args[1:])
    elif cmd == "busy":
        busy(args[0], float(args[1]), float(args[2]))
    elif cmd == "umbrella":
        umbrella(args[0], args[1], args[2], int(args[3]))
    elif cmd == "median":
        print("%.3f" % statistics.median(float(a) for a in args))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
