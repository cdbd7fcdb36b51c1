#!/usr/bin/env python3
"""regen.py - fill in the expected results of tests/gotpl/cases/*.case with the real helm.

    tests/gotpl/regen.py [CASE...]     (HELM=/path/to/helm; default /opt/pot-tools/bin/helm 3.17.1)

Needs only python3's standard library. The tests never run helm: they compare against what this
script wrote into the cases, which are committed.

Case format: sections introduced by a line '--- NAME'; a section's text is the lines up to the
next header without the last newline (so a template ending in a newline has an empty line before
the next header). Sections:
  values    optional: the chart's values.yaml (Helm reads it YAML -> JSON: numbers are float64s;
            avoid keys y/n/yes/no/on/off, which Helm's YAML 1.1 reader makes booleans)
  template  required: the text of templates/t.yaml
  expect    written by regen: the template's exact output
  error     written by regen: line 1 'parse LINE' or 'exec LINE:COL [LINE:COL...]' (every position
            of templates/t.yaml in helm's message, outermost first), line 2 helm's message
  match     substrings (one per line, compared case-insensitively) that pot's error message must
            contain: the function, field or user message that failed. Written by hand; regen
            derives them from helm's message when missing and checks that helm's message has them
Everything before the first header is a comment.

Reference: `helm template r CHART --namespace default` with Chart.yaml {name: c, version: 0.1.0}.
`expect` is the raw output of the template, not helm's manifest: helm would trim every document
and refuse output that is not a YAML mapping, so each case is rendered as a partial
(templates/_NNNN.tpl, executed by the same engine, with the same root object) captured by a
wrapper document `raw: {{ include "c/templates/_NNNN.tpl" ROOT | b64enc }}`. regen decodes those
bytes and applies what Helm's engine does to a file's output (every '<no value>' becomes ''), so
whitespace is exact. Up to BATCH cases share one chart: each case's values sit under kNNNN in the
chart's values.yaml and ROOT is the usual root object with .Values = .Values.kNNNN. Their
define/block/template/include names must not collide (they share one template set), so batches are
packed to keep them apart. A case that fails, or failed last time, is run alone with its own
values.yaml and ROOT = '.', then again as templates/t.yaml itself, so that `error` holds the message
a chart author would see. So does a case using .Values itself rather than a field of it (Helm's
.Values is a chartutil.Values, which dig, for one, refuses). REGEN_SINGLE=1 runs every case alone:
slower, and a check that batching changes no result.
The runner (run-gotpl-cases.c) so compares gotpl_execute's output byte for byte; what helm then
does to a manifest (trim each document, split on '---', drop empty ones) is the helm driver's job,
not the engine's, and is not part of the expectations.
"""
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, 'cases')
HELM = os.environ.get('HELM', '/opt/pot-tools/bin/helm')
CHART_YAML = 'apiVersion: v2\nname: c\nversion: 0.1.0\n'
BATCH = 80
NAME_RE = re.compile(r'\b(?:define|block|template|include)\s+"([^"]*)"')
# .Values itself (not one of its fields) is a chartutil.Values, not a plain map, for functions that
# check types (dig fails on it): such cases need the real root, so they run alone.
BARE_VALUES_RE = re.compile(r'\.Values(?![\w.])')
POS_RE = re.compile(r'c/templates/t\.yaml:(\d+)(?::(\d+))?')
SOURCE_RE = re.compile(r'^---\n# Source: c/templates/(\d+)\.yaml\n', re.M)


def read_case(path):
    sections, order, name, lines, head = {}, [], None, [], []
    with open(path, encoding='utf-8', errors='surrogateescape', newline='') as f:
        text = f.read()
    for line in text.split('\n'):
        if line.startswith('--- ') and line[4:].strip().isidentifier():
            if name is not None:
                sections[name] = '\n'.join(lines)
                order.append(name)
            name, lines = line[4:].strip(), []
        elif name is None:
            head.append(line)
        else:
            lines.append(line)
    if name is not None:
        sections[name] = '\n'.join(lines[:-1] if lines and lines[-1] == '' else lines)
        order.append(name)
    return sections, order, '\n'.join(head)


def write_case(path, sections, order, head):
    out = [head + '\n'] if head else []
    for name in order:
        out.append('--- %s\n%s\n' % (name, sections[name]))
    with open(path, 'w', encoding='utf-8', errors='surrogateescape', newline='') as f:
        f.write(''.join(out))


def helm_env(tmp):
    env = dict(os.environ)
    for var in ('HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_DATA_HOME'):
        env[var] = os.path.join(tmp, 'home', var.lower())
    return env


def run_chart(tmp, values, templates):
    """Writes a chart (values text, {file name: text}) and runs helm template: (rc, out, err)."""
    chart = os.path.join(tmp, 'c')
    shutil.rmtree(chart, ignore_errors=True)
    os.makedirs(os.path.join(chart, 'templates'))
    with open(os.path.join(chart, 'Chart.yaml'), 'w', encoding='utf-8') as f:
        f.write(CHART_YAML)
    with open(os.path.join(chart, 'values.yaml'), 'w', encoding='utf-8', newline='') as f:
        f.write(values)
    for name, text in templates.items():
        with open(os.path.join(chart, 'templates', name), 'w', encoding='utf-8', newline='') as f:
            f.write(text)
    p = subprocess.run([HELM, 'template', 'r', chart, '--namespace', 'default'],
                       capture_output=True, text=True, env=helm_env(tmp))
    return p.returncode, p.stdout, p.stderr


def wrapper(key, batched):
    root = '.'
    if batched:
        root = ('(dict "Values" .Values.k%s "Release" .Release "Chart" .Chart "Capabilities" '
                '.Capabilities "Template" .Template "Files" .Files)' % key)
    return 'raw: {{ include "c/templates/_%s.tpl" %s | b64enc }}\n' % (key, root)


def decode_outputs(stdout):
    """Maps batch key -> the partial's output, as Helm's engine would have left it."""
    res = {}
    parts = SOURCE_RE.split(stdout)
    for i in range(1, len(parts), 2):
        doc = parts[i + 1].rstrip('\n')
        if not doc.startswith('raw:'):
            raise RuntimeError('unexpected helm document for %s: %r' % (parts[i], doc[:80]))
        raw = base64.b64decode(doc[4:].strip()).decode('utf-8', errors='surrogateescape')
        res[parts[i]] = raw.replace('<no value>', '')
    return res


def values_of(c):
    return c['sections'].get('values', '') + '\n'


def batch_values(keys):
    """One values.yaml for a batch: each case's values, indented under its key kNNNN."""
    out = []
    for k, c in keys.items():
        text = c['sections'].get('values', '')
        if not text.strip():
            out.append('k%s: {}\n' % k)
            continue
        out.append('k%s:\n' % k)
        out.extend('  %s\n' % ln if ln.strip() else '\n' for ln in text.split('\n'))
    return ''.join(out)


def run_batch(tmp, cases, single):
    """Renders cases through the wrapper in one chart; failing ones go to 'single'."""
    pending = list(cases)
    while pending:
        keys = {'%04d' % i: c for i, c in enumerate(pending)}
        templates = {}
        for k, c in keys.items():
            templates['_%s.tpl' % k] = c['sections']['template']
            templates['%s.yaml' % k] = wrapper(k, True)
        rc, out, err = run_chart(tmp, batch_values(keys), templates)
        if rc == 0:
            for k, text in decode_outputs(out).items():
                keys[k]['result'] = ('expect', text)
            missing = [c for k, c in keys.items() if 'result' not in c]
            if missing:
                raise RuntimeError('helm rendered no document for %s' % missing[0]['file'])
            return
        m = re.search(r'c/templates/_?(\d{4})\.', err)
        if m and m.group(1) in keys:
            bad = keys[m.group(1)]
            single.append(bad)
            pending.remove(bad)
        else:
            single.extend(pending)
            return


def first_error(stderr):
    lines = [ln for ln in stderr.splitlines() if ln.startswith('Error: ')]
    msg = lines[0] if lines else stderr.strip().splitlines()[0]
    return msg[len('Error: '):] if msg.startswith('Error: ') else msg


def run_single(tmp, c):
    tmpl = c['sections']['template']
    files = {'_0000.tpl': tmpl, '0000.yaml': wrapper('0000', False)}
    rc, out, err = run_chart(tmp, values_of(c), files)
    if rc == 0:
        c['result'] = ('expect', decode_outputs(out)['0000'])
        return
    wrapped = first_error(err)
    rc, out, err = run_chart(tmp, values_of(c), {'t.yaml': tmpl})
    msg = first_error(err) if rc != 0 else ''
    if rc == 0 or msg.startswith('YAML parse error'):
        msg = wrapped
    if 'templates/0000.yaml' in msg:
        raise RuntimeError('%s: the wrapper failed, not the template: %s' % (c['file'], msg))
    c['result'] = ('error', msg)


def error_section(msg):
    kind = 'parse' if msg.startswith('parse error') else 'exec'
    pos = []
    for m in POS_RE.finditer(msg):
        p = m.group(1) if kind == 'parse' or not m.group(2) else '%s:%s' % m.groups()
        if p not in pos:
            pos.append(p)
    return '%s %s\n%s' % (kind, ' '.join(pos) or '0', msg)


def derive_match(msg):
    """The innermost problem in helm's message: what pot's message must name too."""
    rules = [r'function "([^"]+)" not defined', r'error calling (\w+):',
             r'wrong number of args for (\w+)', r"can't evaluate field (\w+)",
             r'no template "([^"]+)"', r'(nil pointer)', r'(out of range)',
             r'(incompatible types)', r'undefined variable "\$?(\w+)"']
    for rule in rules:
        found = re.findall(rule, msg)
        if found:
            return found[-1]
    return msg.rsplit(': ', 1)[-1]


def apply_result(c):
    s, order = c['sections'], c['order']
    kind, text = c['result']
    status = 'ok'
    for gone in ('expect', 'error', 'match') if kind == 'expect' else ('expect', 'error'):
        if gone in s:
            if gone == 'match':
                status = 'RENDERS (match dropped, helm wrote no error)'
            s.pop(gone)
            order.remove(gone)
    if kind == 'expect':
        s['expect'] = text
        order.append('expect')
    else:
        s['error'] = error_section(text)
        order.append('error')
        if 'match' not in s:
            s['match'] = derive_match(text)
        else:
            order.remove('match')
            lost = [m for m in s['match'].split('\n') if m.lower() not in text.lower()]
            if lost:
                status = 'MATCH NOT IN HELM MESSAGE %r: %s' % (lost, text)
        order.append('match')
    write_case(c['path'], s, order, c['head'])
    return status


def main():
    paths = sys.argv[1:] or sorted(os.path.join(CASES, p) for p in os.listdir(CASES)
                                   if p.endswith('.case'))
    cases = []
    for p in paths:
        sections, order, head = read_case(p)
        if 'template' not in sections:
            print('%s: no template section' % os.path.basename(p))
            return 1
        cases.append({'path': p, 'file': os.path.basename(p), 'sections': sections,
                      'order': order, 'head': head,
                      'names': set(NAME_RE.findall(sections['template']))})
    alone = os.environ.get('REGEN_SINGLE') == '1'
    single = [c for c in cases if alone or 'error' in c['sections'] or 'match' in c['sections']
              or BARE_VALUES_RE.search(c['sections']['template'])]
    open_batches = []
    for c in cases:
        if c in single:
            continue
        for b in open_batches:
            if len(b['cases']) < BATCH and not (b['names'] & c['names']):
                b['cases'].append(c)
                b['names'] |= c['names']
                break
        else:
            open_batches.append({'cases': [c], 'names': set(c['names'])})
    batches = [b['cases'] for b in open_batches]
    tmp = tempfile.mkdtemp(prefix='gotpl-regen-')
    try:
        for b in batches:
            run_batch(tmp, b, single)
        for c in single:
            run_single(tmp, c)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    bad = 0
    for c in cases:
        status = apply_result(c)
        if status != 'ok':
            bad += 1
            print('%s: %s' % (c['file'], status))
    errors = sum(1 for c in cases if c['result'][0] == 'error')
    print('%d cases (%d errors), %d need attention' % (len(cases), errors, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
