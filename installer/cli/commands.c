/*
 * commands.c - THE table of pot's subcommands, sorted by name: each command's usage and
 * description (written here), its option table (cmd-<name>.c) and its exit codes (exit-codes.h),
 * from which cmd-help.c builds its help.
 */
#include "pot.h"
#include <string.h>
#include "cli/cli.h"

static const struct command commands[] = {
    {
        .name = "check",
        .run = cmd_check,
        .summary = "check hosts, measure their disks and network with pot's static probe, and "
                   "judge them: pass, warn, fail",
        .usage =
            "usage: pot check host -i INVENTORY [PATTERN] [--json] [--report DIR]\n"
            "       pot check disk -i INVENTORY [PATTERN] [--path DIR] [--size S] [--json]\n"
            "       pot check net -i INVENTORY [PATTERN] [--time S] [--streams N] [--json]\n"
            "host:\n"
            "Reads each host's facts with the probe (kernel, /proc, /sys and /etc only; nothing\n"
            "is installed or run there) and judges them, host variables giving the limits\n"
            "(defaults): host.os (CentOS/RHEL 7.2+, Rocky/Alma 8+, Ubuntu 16.04+, Debian 10+,\n"
            "tlinux 2.2+, TencentOS 2.4+, openEuler 20.03+, Kylin 10+; others warn),\n"
            "host.kernel (check_kernel_min 3.10, check_kernel_warn 3.10, 4 with use_calico),\n"
            "host.cpus (check_cpus 2, check_cpus_warn 4), host.memory (check_memory_mb 1700,\n"
            "check_memory_warn_mb 7680), host.swap (warns above check_swap_warn_mb 0),\n"
            "host.data_dir (check_path /data exists), host.data_disk (its filesystem holds\n"
            "check_data_disk_size 200 GB; check_data_disk_size_switch), host.root_free (/ has\n"
            "check_root_free_gb 10, warn 20), host.kernel_modules (check_kernel_modules:\n"
            "iptable_nat, br_netfilter, overlay, nf_conntrack loaded or built in), host.sysctl\n"
            "(check_sysctls: net.ipv4.ip_forward=1, net.bridge.bridge-nf-call-iptables=1),\n"
            "host.pod_cidr (cluster_cidr 172.16.0.0/19 and service_cidr overlap no route of\n"
            "the host), host.ports (check_ports 6443 2379 2380 10250 10257 10259 80 443 free),\n"
            "host.time_offset (from the installer's clock: check_time_offset_ms 1000, warn\n"
            "200), host.dns (a nameserver or search domain), host.internet (warns when\n"
            "check_internet_target, 114.114.114.114:53, answers; check_ex_net false skips it\n"
            "and says so), host.binaries (check_binaries: ip iptables mount nsenter) and\n"
            "host.binaries_optional (warn: ebtables ethtool socat tc conntrack ipset), and\n"
            "across the hosts host.hostname_unique and host.machine_id_unique (a cloned VM).\n"
            "host.probe fails when the facts cannot be read.\n"
            "disk:\n"
            "Copies the static probe pot-probe (built next to pot) to every host matching\n"
            "PATTERN (default all), in parallel, runs it on DIR and removes it and its test\n"
            "files. It measures etcd's fdatasync latency (2300-byte appends, fdatasync after\n"
            "each, 22 MiB: p50/p99/p99.9), 4 KiB random read and write IOPS with O_DIRECT at\n"
            "queue depth 32 (5 s each) and sequential write/read throughput on a file of S\n"
            "bytes. Prints per host the numbers, then a line per check: its verdict, stable ID,\n"
            "value, the limit a pass needs and, unless it passed, a one-line fix hint. Checks\n"
            "and their host variables (defaults): disk.fdatasync_p99 fails above\n"
            "check_disk_fdatasync_p99_ms (10, etcd's limit); disk.fdatasync_p999 warns above\n"
            "check_disk_fdatasync_p999_warn_ms (10); disk.randread_iops and disk.randwrite_iops\n"
            "fail below disk_iops (300, the kit's hosts-check) and warn below\n"
            "check_disk_iops_warn (500); disk.probe fails when the test cannot run (a missing\n"
            "or full DIR). Unset by default: check_disk_fdatasync_p99_warn_ms (a warn limit)\n"
            "and check_disk_fdatasync_p999_ms (a fail limit).\n"
            "net:\n"
            "Measures every ordered pair of the hosts matching PATTERN (at least two): the probe\n"
            "is copied to every host, started as a server on one host of a pair (TCP port\n"
            "check_net_port of that host, default 5201, no privileges needed) and run on the\n"
            "other against its address (check_net_address, else ansible_host): 1000 round trips\n"
            "of 64 bytes (2 s at most), then TCP throughput for S seconds (default 5) with one\n"
            "stream and with N (default 4), counted by the receiver. Pairs run in phases of a\n"
            "round-robin tournament, so no host is in two tests at once: 2(n-1) phases for n\n"
            "hosts (2n when n is odd). Prints per pair the numbers and a line per check, judged\n"
            "against the measuring host's variables: net.throughput and net.throughput_parallel\n"
            "fail below check_net_mbps (500 Mbit/s) and warn below check_net_mbps_warn (900);\n"
            "net.rtt_p99 fails above check_net_rtt_p99_ms (10) and warns above\n"
            "check_net_rtt_p99_warn_ms (2); net.retransmits (segments retransmitted per\n"
            "segment sent) fails above check_net_retransmit_pct (2) and warns above\n"
            "check_net_retransmit_pct_warn (0.5); net.probe fails when a pair cannot be\n"
            "measured (port taken or blocked, a host unreachable).\n"
            "Exit codes by the worst verdict: pass 0, warn 1, fail 2; an unreachable host 4.\n",
        .opts = check_options,
        .exits = {
            [POT_EXIT_OK] = "every check passed on every host",
            [POT_EXIT_ERROR] = "the worst verdict is warn, or another error",
            [POT_EXIT_FAILED] = "a check failed on a host (the probe could not run counts)",
            [POT_EXIT_INPUT] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = "an unknown option, a bad --size, --time or --streams, a threshold "
                               "variable that is not a number, fewer than two hosts for net",
        },
    },
    {
        .name = "diff-host",
        .run = cmd_diff_host,
        .summary = "compare hosts with their snapshots from before pot changed them",
        .usage =
            "usage: pot diff-host [-i INV] [--kit-dir DIR] [--data-dir DIR]\n"
            "                     [--record [--replace]] HOST|PATTERN...\n"
            "Takes a fresh snapshot of each host (as root, through its become settings when its\n"
            "user is not root) and compares it with the one `pot install` took before host-init\n"
            "first changed it: files under /etc /opt /usr/local /var/lib /var/spool/cron /root\n"
            "/srv and check_path (type, mode, owner, sha256; logs, caches and package databases\n"
            "left out, and the paths of the host variable residue_ignore), mounts, iptables,\n"
            "nft and ipvs rules, network links and namespaces, listening ports, sysctl values,\n"
            "kernel modules, packages, systemd units, docker containers and images. Prints one\n"
            "line per difference ('node3: file /etc/kubernetes/: added (12 entries)') or\n"
            "'HOST: clean'. Hosts run in parallel; an unreachable host is reported and the\n"
            "others are still compared. Snapshots: DATA/pot/residue/HOST.snap (0600), names,\n"
            "modes and hashes only, never file contents.\n",
        .opts = diff_host_options,
        .exits = {
            [POT_EXIT_OK] = "every host clean (or recorded)",
            [POT_EXIT_ERROR] = "a host differs from its snapshot, or another error",
            [POT_EXIT_FAILED] = "the collector failed on a host (e.g. a wrong become password)",
            [POT_EXIT_INPUT] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = "an unknown option, a host not in the inventory or without a "
                                "snapshot",
        },
    },
    {
        .name = "exec",
        .run = cmd_exec,
        .summary = "run a shell command on inventory hosts in parallel (like ansible -m shell)",
        .usage = "usage: pot exec -i INVENTORY [PATTERN] [options] -- COMMAND\n"
                 "Runs COMMAND with /bin/sh on every host matching PATTERN (default all) over ssh\n"
                 "and prints 'HOST | CHANGED | rc=N >>' and its output per host.\n",
        .opts = adhoc_options,
        .exits = {
            [POT_EXIT_OK] = "the command succeeded on every host",
            [POT_EXIT_ERROR] = EXIT_AS_TABLE,
            [POT_EXIT_FAILED] = "the command failed on a host",
            [POT_EXIT_INPUT] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
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
                 "elasticsearch _cluster/health, zookeeper ruok). One line per component.\n",
        .opts = health_options,
        .exits = {
            [POT_EXIT_OK] = "every component healthy",
            [POT_EXIT_ERROR] = EXIT_AS_TABLE,
            [POT_EXIT_FAILED] = "a component is unhealthy",
            [POT_EXIT_INPUT] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
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
            "Values never appear in argv or output (0600 files, removed after use).\n",
        .opts = helmfile_options,
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_ERROR] = EXIT_AS_TABLE,
            [POT_EXIT_FAILED] = "a release failed",
            [POT_EXIT_INPUT] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
    },
    {
        .name = "help",
        .run = cmd_help,
        .summary = "show the commands, or the help of one command",
        .usage = "usage: pot help [COMMAND]\n"
                 "Lists the commands and the exit codes, or shows one command's usage, options\n"
                 "and exit codes (as `pot COMMAND --help` does).\n",
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = "an unknown command",
        },
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
            "       pot images list PATH...\n"
            "PATH: a docker-save tarball (.tar, .tar.gz), an OCI layout (directory or tar), or a\n"
            "folder of them. Tags become <registry>/<namespace>/<name>:<tag>; --rewrite RULE is a\n"
            "REPO:TAG template with {namespace} {name} {path} {tag}. Shared layers are compressed\n"
            "and uploaded once; blobs already in the registry are skipped; a tag is written only\n"
            "after all its blobs are in place, so a rerun continues with what is missing.\n",
        .opts = images_options,
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_ERROR] = EXIT_AS_TABLE,
            [POT_EXIT_FAILED] = "some images not written (push, pack, seed) or not in place "
                                "(verify)",
            [POT_EXIT_INPUT] = "the registry unreachable, or a tarball or OCI layout (its "
                               "manifest, a tag in it) that cannot be parsed",
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
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
            "Environment: POT_TKE_PORT, the installer's progress port (default 8080).\n",
        .opts = install_options,
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_ERROR] = EXIT_AS_TABLE,
            [POT_EXIT_FAILED] = "a stage failed",
            [POT_EXIT_INPUT] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
    },
    {
        .name = "inventory",
        .run = cmd_inventory,
        .summary = "show the inventory as ansible-inventory does (--list, --host, --graph)",
        .usage = "usage: pot inventory -i INVENTORY... (--list | --host NAME | --graph [GROUP])\n"
                 "                     [--limit PATTERN]\n"
                 "Prints the inventory as ansible-inventory does.\n",
        .opts = inventory_options,
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_ERROR] = "an inventory that cannot be read",
            [POT_EXIT_INPUT] = "an inventory that cannot be parsed",
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
    },
    {
        .name = "logs",
        .run = cmd_logs,
        .summary = "print tke-installer's tke.log and pot's install log (-f: keep following)",
        .usage = "usage: pot logs [-f] [--data-dir DIR]\n"
                 "Prints DATA/tke.log, then DATA/pot/install.log.\n",
        .opts = logs_options,
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_ERROR] = "no logs in the data dir",
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
    },
    {
        .name = "node",
        .run = cmd_node,
        .summary = "add workers to the global cluster, or remove them and reset the hosts",
        .usage =
            "usage: pot node add|remove [-i INV] [--kit-dir DIR] [--data-dir DIR] [--check]\n"
            "                           HOST...\n"
            "add: takes each host's residue snapshot, runs playbooks/host-init.yml and\n"
            "host-check.yml on it, then applies it as a TKE Machine (platform.tkestack.io/v1,\n"
            "cluster global, Baremetal, its ssh port, user and base64 password or key, given\n"
            "to kubectl on stdin) on the first master and waits until the Machine is Running\n"
            "(node_join_timeout seconds, default 1800). remove: drains the node, deletes the\n"
            "Machine, runs playbooks/cluster-reset.yml and host-undo.yml on the host, and\n"
            "compares it with its snapshot. Hosts are done one at a time; a failing or\n"
            "unreachable host is reported and the others go on. Masters are refused. The\n"
            "hosts of group workers are joined by `pot install` (stage post-install). Every\n"
            "HOST must be in the inventory.\n",
        .opts = node_options,
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_ERROR] = EXIT_AS_TABLE,
            [POT_EXIT_FAILED] = "a host failed or differs from its snapshot",
            [POT_EXIT_INPUT] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = "an unknown option, a host not in the inventory, a master",
        },
    },
    {
        .name = "pack",
        .run = cmd_pack,
        .summary = "build the offline package from a builder file, reproducibly, with a manifest",
        .usage = "usage: pot pack -f builder.yaml [-o DIR] [--sign KEY.pem] [-j N]\n"
                 "                [--since OLD/MANIFEST]\n"
                 "       pot pack --apply DELTA.tar --to OLD_DIR [--key PUB.pem]\n"
                 "Writes DIR/offline-pot-<customer>-<version>.tar: the kit (playbooks, templates,\n"
                 "hooks, install-offline-pot.sh, hosts.tpl), the charts and image lists of the\n"
                 "components switched on, the business helmfile, the extra files, and one OCI\n"
                 "layout (offline-pot-images/) of the images of images/<chart>.txt of those\n"
                 "components, of the selected releases (rendered by the local `helm template`)\n"
                 "and the extra images, every layer once. MANIFEST lists the sha256\n"
                 "and size of every file; <tar>.sha256 holds MANIFEST's sha256; --sign adds\n"
                 "MANIFEST.sig (ed25519). Same inputs, same bytes (mtime 0, root:root, path\n"
                 "order). The builder file's schema: installer/pack/pack-spec.c, builder.yaml.\n"
                 "--since writes <name>.delta.tar instead: DELTA, the files the old MANIFEST\n"
                 "lacks or lists with other bytes (new blobs, changed files), the new MANIFEST.\n"
                 "--apply turns the unpacked old package OLD_DIR into the new one in place: the\n"
                 "delta is checked before anything changes, dropped files are removed, and the\n"
                 "result is verified against the new MANIFEST.\n",
        .opts = pack_options,
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_ERROR] = "a file or image could not be read or written",
            [POT_EXIT_FAILED] = "--apply: a damaged delta, one made for another package, or a "
                                "result that does not match the new MANIFEST",
            [POT_EXIT_INPUT] = "a builder file or helmfile that cannot be parsed",
            [POT_EXIT_USAGE] = "an unknown option, or an image or chart the builder file "
                               "names that is not there",
        },
    },
    {
        .name = "ping",
        .run = cmd_ping,
        .summary = "check that inventory hosts are reachable over ssh (like ansible -m ping)",
        .usage = "usage: pot ping -i INVENTORY [PATTERN] [options]\n"
                 "Connects to every host matching PATTERN (default all) in parallel, runs a probe\n"
                 "and prints 'HOST | SUCCESS => {...}' or 'HOST | UNREACHABLE! => {...}'.\n",
        .opts = adhoc_options,
        .exits = {
            [POT_EXIT_OK] = "every host answered",
            [POT_EXIT_ERROR] = EXIT_AS_TABLE,
            [POT_EXIT_FAILED] = "a probe failed",
            [POT_EXIT_INPUT] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
    },
    {
        .name = "play",
        .run = cmd_play,
        .summary = "run Ansible playbooks against an inventory",
        .usage = "usage: pot play -i INVENTORY [options] PLAYBOOK...\n"
                 "Runs the playbooks like ansible-playbook, printing like its default callback.\n",
        .opts = play_options,
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_ERROR] = EXIT_AS_TABLE,
            [POT_EXIT_FAILED] = EXIT_AS_TABLE,
            [POT_EXIT_INPUT] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
    },
    {
        .name = "status",
        .run = cmd_status,
        .summary = "show the install stages, tke-installer's step and the last error",
        .usage = "usage: pot status [--data-dir DIR]\n"
                 "Prints each stage's state from the journal, tke-installer's step, the business\n"
                 "releases and the last error.\n",
        .opts = status_options,
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_ERROR] = "nothing recorded in the data dir, or another error",
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
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
                 "hostvars are in scope; -e variables win over them.\n",
        .opts = template_options,
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_ERROR] = "rendering failed (an undefined variable...), or a file cannot "
                               "be read",
            [POT_EXIT_INPUT] = "a template syntax error, or an inventory or -e file that cannot "
                               "be parsed",
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
    },
    {
        .name = "uninstall",
        .run = cmd_uninstall,
        .summary = "remove what pot install did: releases, cluster, host changes; residue report",
        .usage =
            "usage: pot uninstall [-i INV] [--kit-dir DIR] [--data-dir DIR]\n"
            "                     [--business] [--components] [--cluster] [--hosts] [--all]\n"
            "                     [--wipe-data-disk DEV] [--yes] [--check]\n"
            "Undoes `pot install` in reverse order, each part only when the journal says it\n"
            "was installed and not uninstalled since: the business releases and the base\n"
            "components (helm on the first master), the cluster (the tke-installer container,\n"
            "then playbooks/cluster-reset.yml on every host: kubelet, pod mounts, containers,\n"
            "/etc/kubernetes, etcd and CNI data, the cluster's iptables/IPVS rules and\n"
            "interfaces), then the host initialisation (playbooks/host-undo.yml restores what\n"
            "host-init recorded: sshd_config, SELinux, docker proxy, /etc/hosts lines, firewall\n"
            "rules, packages, directories). Finally each host is compared with the snapshot\n"
            "taken before host-init first changed it (`pot diff-host`); every difference is\n"
            "listed. A rerun after a failure or a kill continues; a second run changes nothing.\n"
            "Without a part, or with --all, everything; the next install then starts afresh.\n",
        .opts = uninstall_options,
        .exits = {
            [POT_EXIT_OK] = "done, and every host as before",
            [POT_EXIT_ERROR] = EXIT_AS_TABLE,
            [POT_EXIT_FAILED] = "a step failed or a host differs from its snapshot",
            [POT_EXIT_INPUT] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = "an unknown option, or not confirmed",
        },
    },
    {
        .name = "verify-package",
        .run = cmd_verify_package,
        .summary = "check an offline package (tar or unpacked) against its MANIFEST",
        .usage = "usage: pot verify-package [--key PUB.pem] PATH\n"
                 "PATH is a package tar or an unpacked package folder (the one holding\n"
                 "MANIFEST). Hashes every file and prints one line per problem: 'changed: FILE',\n"
                 "'missing: FILE', 'extra: FILE', a sidecar <tar>.sha256 that does not match\n"
                 "MANIFEST, or a bad signature (with --key; a package without MANIFEST.sig\n"
                 "then fails too).\n",
        .opts = verify_package_options,
        .exits = {
            [POT_EXIT_OK] = "every file matches the manifest (and the signature, with --key)",
            [POT_EXIT_ERROR] = "PATH cannot be read",
            [POT_EXIT_FAILED] = "a file changed, missing or extra, or a bad signature",
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
    },
    {
        .name = "version",
        .run = cmd_version,
        .summary = "print pot's version and the versions of the libraries it uses",
        .usage = "usage: pot version\n       pot --version\n",
        .exits = {
            [POT_EXIT_OK] = EXIT_AS_TABLE,
            [POT_EXIT_USAGE] = EXIT_AS_TABLE,
        },
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
