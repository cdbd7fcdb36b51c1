/*
 * commands.c - THE table of pot's subcommands, sorted by name.
 */
#include "pot.h"
#include <string.h>
#include "cli/cli.h"

static const struct command commands[] = {
    {
        .name = "exec",
        .run = cmd_exec,
        .summary = "run a shell command on inventory hosts in parallel (like ansible -m shell)",
        .usage = "usage: pot exec -i INVENTORY [PATTERN] [options] -- COMMAND\n"
                 "Runs COMMAND with /bin/sh on every host matching PATTERN (default all) over ssh\n"
                 "and prints 'HOST | CHANGED | rc=N >>' and its output per host. Exit status: 0\n"
                 "all hosts ok, 2 a command failed, 4 a host was unreachable.\n"
                 "  -i, --inventory INV       inventory file, directory or host list (repeatable)\n"
                  "  -l, --limit PATTERN       further limit the selected hosts\n"
                  "  -f, --forks N             hosts worked on in parallel (default 50)\n"
                  "  -b, --become              use sudo (or ansible_become_method) on the hosts\n"
                  "      --become-user USER    become this user (default root)\n"
                  "      --become-password-file FILE  become password (else ansible_become_password)\n"
                  "  -v, --verbose             more diagnostics (-vvv: debug)\n"
,
    },
    {
        .name = "help",
        .run = cmd_help,
        .summary = "show the commands, or the help of one command",
        .usage = "usage: pot help [COMMAND]\n",
    },
    {
        .name = "images",
        .run = cmd_images,
        .summary = "push, verify, pack, seed or list offline images (docker-save tarballs, OCI)",
        .usage = "usage: pot images push --registry HOST[:PORT] [--namespace NS] [--insecure | --ca FILE]\n"
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
        .name = "ping",
        .run = cmd_ping,
        .summary = "check that inventory hosts are reachable over ssh (like ansible -m ping)",
        .usage = "usage: pot ping -i INVENTORY [PATTERN] [options]\n"
                 "Connects to every host matching PATTERN (default all) in parallel, runs a probe\n"
                 "and prints 'HOST | SUCCESS => {...}' or 'HOST | UNREACHABLE! => {...}'. Exit\n"
                 "status: 0 all hosts answered, 2 a probe failed, 4 a host was unreachable.\n"
                 "  -i, --inventory INV       inventory file, directory or host list (repeatable)\n"
                  "  -l, --limit PATTERN       further limit the selected hosts\n"
                  "  -f, --forks N             hosts worked on in parallel (default 50)\n"
                  "  -b, --become              use sudo (or ansible_become_method) on the hosts\n"
                  "      --become-user USER    become this user (default root)\n"
                  "      --become-password-file FILE  become password (else ansible_become_password)\n"
                  "  -v, --verbose             more diagnostics (-vvv: debug)\n"
,
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
