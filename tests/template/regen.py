#!/usr/bin/python3
"""regen.py - fill in the expected results of tests/template/cases/*.case with Ansible itself.

Run with Debian's python (/usr/bin/python3: ansible-core 2.14 + python3-jinja2 3.1):
    /usr/bin/python3 tests/template/regen.py [CASE...]

Reference: ansible.template.Templar.do_template() on an AnsibleEnvironment copy, exactly as the
`template` action plugin renders a file (ansible/plugins/action/template.py): trim_blocks=True,
lstrip_blocks=False, preserve_trailing_newlines=True, escape_backslashes=False, AnsibleUndefined
(strict), Ansible's filter and test plugins, lookup(), the search path = the cases directory.
A case's `--- options` section may override trim_blocks, lstrip_blocks and keep_trailing_newline
(keep_trailing_newline=False is do_template(preserve_trailing_newlines=False)).

Case format: sections introduced by a line '--- NAME'; a section's text is the lines up to the next
header without the last newline. Sections: template (required), vars (YAML, optional), options
(YAML, optional), then either output (the expected text) or error ('parse LINE:COL' or
'template LINE:COL'). regen rewrites output/error from Ansible's result. For errors Ansible gives
no column (and no line for undefined/type errors): the LINE:COL written in the case is kept and
only the kind (and, for syntax errors, the line) is checked; a mismatch is reported.
A case with a `--- manual` section (filters from collections that are not installed, like
ansible.utils) is left as written.
"""
import os
import sys

sys.path.insert(0, '/usr/lib/python3/dist-packages')

import yaml  # noqa: E402
from ansible.errors import AnsibleError  # noqa: E402
from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.template import AnsibleEnvironment, Templar  # noqa: E402
from jinja2.exceptions import TemplateSyntaxError  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, 'cases')
ENV_VAR = ('POT_TPL_TEST', 'hello from env')  # the runner sets the same


def read_case(path):
    sections, order, name, lines = {}, [], None, []
    with open(path, encoding='utf-8', newline='') as f:
        text = f.read()
    for line in text.split('\n'):
        if line.startswith('--- ') and line[4:].strip().isidentifier():
            if name is not None:
                sections[name] = '\n'.join(lines)
                order.append(name)
            name, lines = line[4:].strip(), []
        else:
            lines.append(line)
    if name is not None:
        sections[name] = '\n'.join(lines[:-1] if lines and lines[-1] == '' else lines)
        order.append(name)
    return sections, order


def write_case(path, sections, order):
    out = []
    for name in order:
        out.append('--- %s\n%s\n' % (name, sections[name]))
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(''.join(out))


def render(sections):
    variables = yaml.safe_load(sections.get('vars', '')) or {}
    opts = yaml.safe_load(sections.get('options', '')) or {}
    loader = DataLoader()
    loader.set_basedir(CASES)
    templar = Templar(loader=loader, variables=variables)
    templar = templar.copy_with_new_env(environment_class=AnsibleEnvironment,
                                        trim_blocks=opts.get('trim_blocks', True),
                                        lstrip_blocks=opts.get('lstrip_blocks', False),
                                        searchpath=[CASES],
                                        available_variables=variables)
    return templar.do_template(sections['template'],
                               preserve_trailing_newlines=opts.get('keep_trailing_newline', True),
                               escape_backslashes=False)


def syntax_error_of(exc):
    while exc is not None:
        if isinstance(exc, TemplateSyntaxError):
            return exc
        exc = getattr(exc, 'orig_exc', None) or exc.__cause__ or exc.__context__
    return None


def regen(path):
    sections, order = read_case(path)
    if 'manual' in sections:
        return 'manual'
    try:
        out = render(sections)
        if not isinstance(out, str):
            out = str(out)
        for gone in ('error',):
            if gone in sections:
                sections.pop(gone)
                order.remove(gone)
        if 'output' not in order:
            order.append('output')
        sections['output'] = out
        status = 'ok'
    except (AnsibleError, Exception) as e:  # noqa: B014 - any failure is an expected error
        syn = syntax_error_of(e)
        kind = 'parse' if syn else 'template'
        old = sections.get('error', '').split()
        pos = old[1] if len(old) == 2 else '0:0'
        status = 'ok'
        if not old:
            status = 'NEW ERROR (write LINE:COL): %s: %s' % (kind, str(e).splitlines()[0][:200])
        elif old[0] != kind:
            status = 'KIND MISMATCH: case says %s, ansible says %s: %s' % (old[0], kind, e)
        elif syn and syn.lineno and pos.split(':')[0] != str(syn.lineno):
            status = 'LINE MISMATCH: case says %s, ansible says line %d' % (pos, syn.lineno)
        sections.pop('output', None)
        if 'output' in order:
            order.remove('output')
        if 'error' not in order:
            order.append('error')
        sections['error'] = '%s %s' % (kind, pos)
    write_case(path, sections, order)
    return status


def main():
    os.environ[ENV_VAR[0]] = ENV_VAR[1]
    os.chdir(CASES)
    paths = sys.argv[1:] or sorted(os.path.join(CASES, p) for p in os.listdir(CASES)
                                   if p.endswith('.case'))
    bad = 0
    for p in paths:
        status = regen(p)
        if status not in ('ok', 'manual'):
            bad += 1
            print('%s: %s' % (os.path.basename(p), status))
    print('%d cases, %d need attention' % (len(paths), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
