#!/usr/bin/python3
"""ansible-render.py TEMPLATE VARS.yml - print TEMPLATE rendered by Ansible itself, exactly as the
`template` module does (see regen.py for the settings). Used to compare pot's output with
Ansible's on whole templates (tests/template/tke-templates.sh, bench/template.sh)."""
import sys

sys.path.insert(0, '/usr/lib/python3/dist-packages')

import yaml  # noqa: E402
from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.template import AnsibleEnvironment, Templar  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.stderr.write('usage: ansible-render.py TEMPLATE VARS.yml\n')
        return 2
    with open(sys.argv[1], encoding='utf-8') as f:
        text = f.read()
    with open(sys.argv[2], encoding='utf-8') as f:
        variables = yaml.safe_load(f) or {}
    templar = Templar(loader=DataLoader(), variables=variables)
    templar = templar.copy_with_new_env(environment_class=AnsibleEnvironment, trim_blocks=True,
                                        lstrip_blocks=False, available_variables=variables)
    out = templar.do_template(text, preserve_trailing_newlines=True, escape_backslashes=False)
    sys.stdout.write(out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
