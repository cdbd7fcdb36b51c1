/*
 * commands.c - THE table of pot's subcommands, sorted by name.
 */
#include "pot.h"
#include <string.h>
#include "cli/cli.h"

/* The options `pot exec` and `pot ping` share (adhoc.c parses them). */
#define ADHOC_OPTIONS_HELP                                                                \
    "  -i, --inventory INV       inventory file, directory or host list (repeatable)\n"   \
    "  -l, --limit PATTERN       further limit the selected hosts\n"                      \
    "  -f, --forks N             hosts worked on in parallel (default 50)\n"              \
    "  -b, --become              use sudo (or ansible_become_method) on the hosts\n"      \
    "      --become-user USER    become this user (default root)\n"                       \
    "      --become-password-file FILE  become password (else ansible_become_password)\n" \
    "  -v, --verbose             more diagnostics (-vvv: debug)\n"

static const struct command commands[] = {
    {
        .name = "exec",
        .run = cmd_exec,
        .summary = "run a shell command on inventory hosts in parallel (like ansible -m shell)",
        .usage = "usage: pot exec -i INVENTORY [PATTERN] [options] -- COMMAND\n"
                 "Runs COMMAND with /bin/sh on every host matching PATTERN (default all) over ssh\n"
                 "and prints 'HOST | CHANGED | rc=N >>' and its output per host. Exit status: 0\n"
                 "all hosts ok, 2 a command failed, 4 a host was unreachable.\n"
                 ADHOC_OPTIONS_HELP,
    },
    {
        .name = "helmfile",
        .run = cmd_helmfile,
        .summary = "deploy helmfile releases with helm on the cluster, release by release",
        .usage =
            "usage: pot helmfile [-f FILE|DIR] [-e ENV] [-l K=V,...]... [--state-values-set K=V]\n"
            "                    list|build|write-values|template|diff|sync|apply|destroy|status\n"
            "Reads helmfile's state files (helmfile.yaml, *.gotmpl, helmfile.d/, bases,\n"
            "helmfiles, environments, releases with values, set, labels and needs) without the\n"
            "helmfile binary. list, build, write-values and template run here (template with the\n"
            "local helm); diff, sync, apply, destroy and status run helm on the first master of\n"
            "the inventory over ssh, release by release in the order of their needs (independent\n"
            "releases in parallel). Each release's inputs are recorded in DATA/pot/helm/journal:\n"
            "an unchanged release is not upgraded again, and a rerun resumes at a failed one.\n"
            "Values never appear in argv or output (0600 files, removed after use).\n"
            "  -f, --file FILE|DIR         state file or helmfile.d directory (default:\n"
            "                              helmfile.yaml[.gotmpl] or helmfile.d/ in the cwd)\n"
            "  -e, --environment ENV       the environment (default 'default')\n"
            "  -l, --selector K=V,K!=V     releases whose labels match (repeatable: any of them)\n"
            "      --state-values-set K=V  a state value (a.b=c), over the environment's values\n"
            "      --output-dir DIR        write-values: where RELEASE.yaml files go (0600)\n"
            "  -i, --inventory INV         the inventory (default ./hosts)\n"
            "      --host HOST             where helm runs (default: the first of 'masters')\n"
            "      --data-dir DIR          the journal's data dir (/opt/tke-installer/data)\n"
            "  -b, --helm-binary PATH      the helm to run (default 'helm', or helm_bin)\n"
            "      --concurrency N         releases deployed in parallel (default 5)\n"
            "  -C, --check                 show what would be done, change nothing\n"
            "  -v, --verbose               more diagnostics\n"
            "exit codes: 0 ok, 1 error, 2 a release failed, 4 bad input or unreachable host,\n"
            "5 bad options\n",
    },
    {
        .name = "help",
        .run = cmd_help,
        .summary = "show the commands, or the help of one command",
        .usage = "usage: pot help [COMMAND]\n",
    },
    {
        .name = "health",
        .run = cmd_health,
        .summary = "check the base components on the cluster: rollout status and own probes",
        .usage = "usage: pot health [-i INV] [--kit-dir DIR] [--data-dir DIR]\n"
                 "For every component switched on in the inventory (KIT/charts/\n"
                 "components.yaml.gotmpl), on the first master: `kubectl rollout status` of the\n"
                 "workloads of its release (timeout component_health_timeout, 300 s), then its\n"
                 "own probe with `kubectl exec` (redis PING, mysql SELECT 1, postgres pg_isready,\n"
                 "elasticsearch _cluster/health, zookeeper ruok). One line per component.\n"
                 "  -i, --inventory INV   inventory (default KIT/hosts)\n"
                 "      --kit-dir DIR     the kit (default cwd)\n"
                 "      --data-dir DIR    tke-installer data (default /opt/tke-installer/data)\n"
                 "exit codes: 0 all healthy, 1 error, 2 a component is unhealthy, 5 bad options\n",
    },
    {
        .name = "images",
        .run = cmd_images,
        .summary = "push, verify, pack, seed or list offline images (docker-save tarballs, OCI)",
        .usage =
            "usage: pot images push --registry HOST[:PORT] [--namespace NS]"
            " [--insecure | --ca FILE]\n"
            "                       [--user U --password-file F] [-j N] [--rewrite RULE] PATH...\n"
            "       pot images verify --registry HOST[:PORT] [same options] PATH...\n"
            "       pot images pack OUT PATH...\n"
            "       pot images seed --storage DIR [--namespace NS] [--rewrite RULE] PATH...\n"
            "       pot images list PATH...\n\n"
            "PATH: a docker-save tarball (.tar, .tar.gz), an OCI layout (directory or tar), or a\n"
            "folder of them. Tags become <registry>/<namespace>/<name>:<tag>; --rewrite RULE is a\n"
            "REPO:TAG template with {namespace} {name} {path} {tag}. Shared layers are compressed\n"
            "and uploaded once; blobs already in the registry are skipped; a tag is written only\n"
            "after all its blobs are in place, so a rerun continues with what is missing.\n\n"
            "  -j, --jobs N            parallel uploads and compressions (default: cores)\n"
            "      --tmpdir DIR        where compressed layers are staged (default $TMPDIR)\n"
            "  -q, --quiet             only errors and the summary\n\n"
            "exit codes: 0 ok, 1 error, 2 some images not written, 4 bad input, 5 bad options\n",
    },
    {
        .name = "install",
        .run = cmd_install,
        .summary = "install TKEStack and the kit's services: host-init, tke.json, tke-installer",
        .usage =
            "usage: pot install [-i INV] [--kit-dir DIR] [--data-dir DIR]\n"
            "                   [--resume | --from STAGE | --only STAGE | --reset]\n"
            "                   [--tags T] [--skip-tags T]\n"
            "                   [--check] [--mode full|tkestack|business] [--remove NAME]\n"
            "Runs the stages host-init, tke-config, tke-installer, post-install, components\n"
            "(the base components switched on in the inventory) and business, each\n"
            "recorded in DATA/pot/journal with a hash of its inputs: a rerun skips stages\n"
            "done with the same inputs and reruns a failed one from its start; tke-installer\n"
            "is restarted so it resumes at tke.json's step. The mode is detected from the\n"
            "folders next to the kit: ../tkestack and KIT-images or KIT-tgz (full), only\n"
            "../tkestack (tkestack: Replicas 2), no ../tkestack (business: no tke-installer).\n"
            "  -i, --inventory INV       inventory (default KIT/hosts)\n"
            "      --kit-dir DIR         the kit: hooks/ playbooks/ templates/ (default cwd)\n"
            "      --data-dir DIR        tke-installer data (default /opt/tke-installer/data)\n"
            "      --resume              continue after a failure (what a rerun does anyway)\n"
            "      --from STAGE          rerun STAGE and the stages after it\n"
            "      --only STAGE          run only STAGE (unless done with the same inputs)\n"
            "      --reset               forget the recorded progress; tke.json step 0\n"
            "  -t, --tags T              only playbook tasks tagged T (repeatable)\n"
            "      --skip-tags T         skip playbook tasks tagged T (repeatable)\n"
            "  -C, --check               show what would be done; change nothing\n"
            "      --mode MODE           full, tkestack or business instead of detecting it\n"
            "      --installer-image REF tke-installer image (tkestack/tke-installer:v1.2.4)\n"
            "      --container NAME      its container name (tke-installer)\n"
            "      --remove NAME         uninstall component NAME's release (stage components\n"
            "                            only; repeatable; its switch on deploys it again)\n"
            "Environment: POT_TKE_PORT, the installer's progress port (default 8080).\n"
            "exit codes: 0 ok, 1 error, 2 a stage failed, 5 bad options\n",
    },
    {
        .name = "inventory",
        .run = cmd_inventory,
        .summary = "show the inventory as ansible-inventory does (--list, --host, --graph)",
        .usage = "usage: pot inventory -i INVENTORY... (--list | --host NAME | --graph [GROUP])\n"
                 "                     [--limit PATTERN]\n\n"
                 "  -i, --inventory INV   inventory file, directory or comma host list \"h1,h2,\"\n"
                 "                        (repeatable)\n"
                 "      --list            every group and host as JSON, like ansible-inventory\n"
                 "      --host NAME       the merged variables of one host as JSON\n"
                 "      --graph [GROUP]   the group tree below GROUP (default all)\n"
                 "  -l, --limit PATTERN   only hosts matching PATTERN (Ansible host pattern)\n\n"
                 "exit codes: 0 ok, 4 inventory parse error, 5 bad options\n",
    },
    {
        .name = "logs",
        .run = cmd_logs,
        .summary = "print tke-installer's tke.log and pot's install log (-f: keep following)",
        .usage = "usage: pot logs [-f] [--data-dir DIR]\n"
                 "  -f, --follow          keep printing what is appended\n"
                 "      --data-dir DIR    tke-installer data (default /opt/tke-installer/data)\n",
    },
    {
        .name = "ping",
        .run = cmd_ping,
        .summary = "check that inventory hosts are reachable over ssh (like ansible -m ping)",
        .usage = "usage: pot ping -i INVENTORY [PATTERN] [options]\n"
                 "Connects to every host matching PATTERN (default all) in parallel, runs a probe\n"
                 "and prints 'HOST | SUCCESS => {...}' or 'HOST | UNREACHABLE! => {...}'. Exit\n"
                 "status: 0 all hosts answered, 2 a probe failed, 4 a host was unreachable.\n"
                 ADHOC_OPTIONS_HELP,
    },
    {
        .name = "play",
        .run = cmd_play,
        .summary = "run Ansible playbooks against an inventory",
        .usage = "usage: pot play -i INVENTORY [options] PLAYBOOK...\n"
                 "Runs the playbooks like ansible-playbook, printing like its default callback.\n"
                 "  -i, --inventory INV     inventory file, directory or \"h1,h2,\" (repeatable)\n"
                 "  -e, --extra-vars VARS   k=v, JSON/YAML, or @file (repeatable)\n"
                 "  -t, --tags T            only tasks tagged T (comma-separated, repeatable)\n"
                 "      --skip-tags T       skip tasks tagged T\n"
                 "  -l, --limit PATTERN     further limit the hosts\n"
                 "  -C, --check             change nothing, report what would change\n"
                 "  -D, --diff              show the changes files get, as unified diffs\n"
                 "  -f, --forks N           hosts in parallel (5)\n"
                 "      --start-at-task N   start at the task named N\n"
                 "      --list-tasks        list each play's tasks (as --tags/--skip-tags select\n"
                 "                          them) with their tags; run nothing\n"
                 "      --list-hosts        list each play's hosts (after --limit); run nothing\n"
                 "      --list-tags         list each play's task tags; run nothing\n"
                 "      --syntax-check      parse and check the playbooks only\n"
                 "  -v, --verbose           more output (repeatable)\n"
                 "      --json-events FILE  also write one JSON object per result to FILE\n"
                 "Exit 0; 2 a host failed; 4 a host was unreachable or a file could not be\n"
                 "parsed; 5 bad options; 1 other errors.\n",
    },
    {
        .name = "status",
        .run = cmd_status,
        .summary = "show the install stages, tke-installer's step and the last error",
        .usage = "usage: pot status [--data-dir DIR]\n"
                 "      --data-dir DIR    tke-installer data (default /opt/tke-installer/data)\n",
    },
    {
        .name = "template",
        .run = cmd_template,
        .summary = "render a Jinja2 template with Ansible's template-module settings",
        .usage = "usage: pot template [--go] [-i INVENTORY --host NAME]\n"
                 "                    [-e k=v | -e @vars.json | -e @vars.yml]... TEMPLATE\n"
                 "Renders TEMPLATE to stdout (trim_blocks, trailing newlines kept).\n"
                 "With --go, TEMPLATE is a Helm chart template: -e variables are .Values\n"
                 "(numbers float64), .Release.Name is r, .Chart.Name c, as `helm template`.\n"
                 "With -i/--host the host's inventory variables, groups, group_names and\n"
                 "hostvars are in scope; -e variables win over them.\n"
                 "Exit 0; 4 on a template syntax error; 1 when rendering fails.\n",
    },
    {
        .name = "version",
        .run = cmd_version,
        .summary = "print pot's version and the versions of the libraries it uses",
        .usage = "usage: pot version\n       pot --version\n",
    },
    { 0 },
};

const struct command *command_table(void)
{
    return commands;
}

const struct command *command_find(const char *name)
{
    for (const struct command *c = commands; c->name; c++) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}
