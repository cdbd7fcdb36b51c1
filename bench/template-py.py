#!/usr/bin/python3
"""template-py.py MODE TEMPLATE VARS.yml N - renders per second of TEMPLATE in Python, compiled
once and rendered N times. Prints "renders_per_sec <float> bytes <n>".
MODE ansible: Ansible's own templating (ansible-core 2.14 Templar, AnsibleEnvironment, the
  template module's settings), each render done as Templar.do_template does after compiling
  (AnsibleJ2Vars context, ansible_concat).
MODE jinja2: a plain jinja2.Environment(trim_blocks=True, keep_trailing_newline=True,
  undefined=StrictUndefined) with Ansible's core filters registered: Jinja2's best case."""
import sys
import time

sys.path.insert(0, '/usr/lib/python3/dist-packages')

import yaml  # noqa: E402
from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.template import AnsibleEnvironment, Templar  # noqa: E402
from ansible.template.native_helpers import ansible_concat  # noqa: E402
from ansible.template.vars import AnsibleJ2Vars  # noqa: E402


def plain_jinja2(text, variables, n):
    import jinja2
    from ansible.plugins.filter.core import FilterModule

    env = jinja2.Environment(trim_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(FilterModule().filters())
    t = env.from_string(text)
    out = ''
    start = time.process_time()
    for _ in range(n):
        out = t.render(variables)
    return n / (time.process_time() - start), out


def main():
    mode, path, vars_path, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(path, encoding='utf-8') as f:
        text = f.read()
    with open(vars_path, encoding='utf-8') as f:
        variables = yaml.safe_load(f)
    if mode == 'jinja2':
        rate, out = plain_jinja2(text, variables, n)
        print('renders_per_sec %.1f bytes %d' % (rate, len(out.encode('utf-8'))))
        return
    templar = Templar(loader=DataLoader(), variables=variables)
    templar = templar.copy_with_new_env(environment_class=AnsibleEnvironment, trim_blocks=True,
                                        lstrip_blocks=False, available_variables=variables)
    env = templar.environment
    env.concat = ansible_concat
    t = env.from_string(text)
    out = ''
    start = time.process_time()
    for _ in range(n):
        ctx = t.new_context(AnsibleJ2Vars(templar, t.globals), shared=True)
        templar.cur_context = ctx
        out = ansible_concat(t.root_render_func(ctx))
    secs = time.process_time() - start
    print('renders_per_sec %.1f bytes %d' % (n / secs, len(out.encode('utf-8'))))


if __name__ == '__main__':
    main()
