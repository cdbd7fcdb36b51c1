/* tests/unit/test-residue.c: tests installer/residue/residue-snap.c (the collector's lines, the
 * .snap file, ignored paths), residue-compare.c (the difference lines of every kind, whole trees
 * folded) and residue-collect.c (what goes into the script) */
#include "unit.h"
#include <sys/stat.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/proc.h"
#include "residue/residue.h"

#define H64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B64 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void snap_of(struct residue_snapshot *s, const char *lines)
{
    struct err err = ERR_INIT;

    residue_snapshot_init(s, "node3", "2024-05-01T10:00:00Z");
    assert_int_equal(residue_snapshot_add_lines(s, lines, "test", &err), 0);
}

/* The difference lines from 'before' to 'after', joined with '\n' (caller frees). */
static char *diff_of(const char *before, const char *after)
{
    struct residue_snapshot a, b;
    struct svec lines = SVEC_INIT;
    struct buf text = BUF_INIT;

    snap_of(&a, before);
    snap_of(&b, after);
    residue_compare(&a, &b, &lines);
    for (size_t i = 0; i < lines.len; i++) {
        buf_addf(&text, "%s\n", lines.items[i]);
    }
    svec_release(&lines);
    residue_snapshot_release(&a);
    residue_snapshot_release(&b);
    return buf_detach(&text, NULL);
}

static void assert_diff(const char *before, const char *after, const char *want)
{
    char *got = diff_of(before, after);

    assert_string_equal(got, want);
    free(got);
}

static void test_residue_lines_sorted_notes_apart_duplicates_joined(void **state)
{
    struct residue_snapshot s;

    (void)state;
    snap_of(&s, "sysctl\tvm.swappiness\t60\n"
                "note\tservice\tno systemd\n"
                "file\t/etc\tdir 0755 0:0\n"
                "package\tkernel.x86_64\t3.10-2\n"
                "package\tkernel.x86_64\t3.10-1\n"
                "file\t/etc\tdir 0755 0:0\n"
                "\n"
                "module\tbr_netfilter\t\n");
    assert_int_equal(s.len, 4);
    assert_string_equal(s.entries[0].kind, "file");
    assert_string_equal(s.entries[1].kind, "module");
    assert_string_equal(s.entries[1].value, "");
    assert_string_equal(s.entries[2].value, "3.10-1 + 3.10-2");
    assert_string_equal(s.entries[3].key, "vm.swappiness");
    assert_int_equal(s.notes.len, 1);
    assert_string_equal(s.notes.items[0], "service: no systemd");
    assert_non_null(residue_snapshot_find(&s, "module", "br_netfilter"));
    assert_null(residue_snapshot_find(&s, "module", "dummy"));
    residue_snapshot_release(&s);
}

static void test_residue_lines_without_tabs_are_an_error(void **state)
{
    struct residue_snapshot s;
    struct err err = ERR_INIT;

    (void)state;
    residue_snapshot_init(&s, "node3", "t");
    assert_int_equal(residue_snapshot_add_lines(&s, "file\t/etc\tdir 0755 0:0\nbroken line\n",
                                                "the output", &err), -1);
    assert_int_equal(err.kind, ERR_REMOTE);
    assert_string_equal(err.msg, "the output:2: not a KIND<TAB>KEY<TAB>VALUE line");
    residue_snapshot_release(&s);
}

static void test_residue_snap_file_roundtrip_private(void **state)
{
    char *dir = unit_tmpdir();
    char *sub = xasprintf("%s/pot/residue", dir);
    char *path = xasprintf("%s/node3.snap", sub);
    struct residue_snapshot s, back;
    struct buf text = BUF_INIT, again = BUF_INIT;
    struct err err = ERR_INIT;
    struct stat st;

    (void)state;
    snap_of(&s, "note\tnft\tnot installed\nnote\tdocker\tnot installed\n"
                "listen\ttcp 0.0.0.0:22\t\nfile\t/etc/hosts\tfile 0644 0:0 sha256=" H64 "\n");
    residue_snapshot_format(&s, &text);
    assert_string_equal(text.ptr, "# pot-residue 1\thost=node3\ttime=2024-05-01T10:00:00Z"
                                  "\tnote=nft: not installed\tnote=docker: not installed\n"
                                  "file\t/etc/hosts\tfile 0644 0:0 sha256=" H64 "\n"
                                  "listen\ttcp 0.0.0.0:22\t\n");
    assert_int_equal(residue_snapshot_save(&s, sub, &err), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    assert_int_equal(residue_snapshot_load(&back, sub, "node3", &err), 0);
    residue_snapshot_format(&back, &again);
    assert_string_equal(again.ptr, text.ptr);
    residue_snapshot_release(&back);
    assert_int_equal(residue_snapshot_load(&back, sub, "node4", &err), -1);
    assert_int_equal(err.kind, ERR_IO);
    residue_snapshot_release(&back);
    buf_release(&again);
    buf_release(&text);
    residue_snapshot_release(&s);
    unit_rmtree(dir);
    free(path);
    free(sub);
    free(dir);
}

static void test_residue_snap_bad_header_or_version(void **state)
{
    struct residue_snapshot s;
    struct err err = ERR_INIT;

    (void)state;
    assert_int_equal(residue_snapshot_parse(&s, "file\t/etc\tdir 0755 0:0\n", "x.snap", &err), -1);
    assert_int_equal(err.kind, ERR_PARSE);
    assert_string_equal(err.msg, "x.snap: not a pot residue snapshot");
    residue_snapshot_release(&s);
    assert_int_equal(residue_snapshot_parse(&s, "# pot-residue 9\thost=a\ttime=t\n", "x.snap",
                                            &err), -1);
    assert_string_equal(err.msg, "x.snap: snapshot format '9' is not 1 (taken by another pot?)");
    residue_snapshot_release(&s);
    assert_int_equal(residue_snapshot_parse(&s, "# pot-residue 1\thost=a\ttime=t\nfile\tx\n",
                                            "x.snap", &err), -1);
    assert_string_equal(err.msg, "x.snap:2: not a KIND<TAB>KEY<TAB>VALUE line");
    residue_snapshot_release(&s);
}

static void test_residue_same_is_clean(void **state)
{
    const char *text = "file\t/etc\tdir 0755 0:0\nsysctl\tvm.swappiness\t60\n"
                       "iptables\tfilter: chain INPUT\tACCEPT\n";

    (void)state;
    assert_diff(text, text, "");
}

static void test_residue_files_added_removed_changed(void **state)
{
    (void)state;
    assert_diff("file\t/etc\tdir 0755 0:0\n"
                "file\t/etc/hosts\tfile 0644 0:0 sha256=" H64 "\n"
                "file\t/etc/gone\tfile 0644 0:0 sha256=" H64 "\n"
                "file\t/etc/key\tfile 0644 0:0 sha256=" H64 "\n"
                "file\t/etc/link\tlink 0777 0:0 -> /a b\n"
                "file\t/etc/x\tfile 0644 0:0 sha256=" H64 "\n"
                "file\t/opt/big\tfile 0644 0:0 size=5000000\n",
                "file\t/etc\tdir 0755 0:0\n"
                "file\t/etc/hosts\tfile 0644 0:0 sha256=" B64 "\n"
                "file\t/etc/key\tfile 0600 1000:1000 sha256=" B64 "\n"
                "file\t/etc/kubernetes.conf\tfile 0644 0:0 sha256=" H64 "\n"
                "file\t/etc/link\tlink 0777 0:0 -> /c\n"
                "file\t/etc/x\tdir 0755 0:0\n"
                "file\t/opt/big\tfile 0644 0:0 size=6000000\n",
                "file /etc/gone: removed\n"
                "file /etc/hosts: content changed\n"
                "file /etc/key: mode 0644 -> 0600, owner 0:0 -> 1000:1000, content changed\n"
                "file /etc/kubernetes.conf: added\n"
                "file /etc/link: target /a b -> /c\n"
                "file /etc/x: type file -> dir\n"
                "file /opt/big: size 5000000 -> 6000000\n");
}

static void test_residue_whole_trees_said_once(void **state)
{
    const char *base = "file\t/etc\tdir 0755 0:0\n"
                       "file\t/etc/kubernetes-old\tfile 0644 0:0 sha256=" H64 "\n"
                       "file\t/var/lib/etcd\tdir 0700 0:0\n"
                       "file\t/var/lib/etcd/member\tdir 0700 0:0\n"
                       "file\t/var/lib/etcd/member/wal\tfile 0600 0:0 size=64000000\n";

    (void)state;
    /* /etc/kubernetes-old and /etc/kubernetes.conf sort between /etc/kubernetes and its
     * entries; they are not counted in it */
    assert_diff(base,
                "file\t/etc\tdir 0755 0:0\n"
                "file\t/etc/kubernetes\tdir 0755 0:0\n"
                "file\t/etc/kubernetes-old\tfile 0644 0:0 sha256=" H64 "\n"
                "file\t/etc/kubernetes.conf\tfile 0644 0:0 sha256=" H64 "\n"
                "file\t/etc/kubernetes/admin.conf\tfile 0600 0:0 sha256=" H64 "\n"
                "file\t/etc/kubernetes/manifests\tdir 0755 0:0\n"
                "file\t/etc/kubernetes/manifests/etcd.yaml\tfile 0600 0:0 sha256=" H64 "\n"
                "file\t/etc/kubernetes/pki\tdir 0755 0:0\n"
                "file\t/etc/kubernetes/pki/ca.crt\tfile 0644 0:0 sha256=" H64 "\n"
                "file\t/etc/empty\tdir 0755 0:0\n"
                "file\t/etc/one\tdir 0755 0:0\n"
                "file\t/etc/one/file\tfile 0644 0:0 sha256=" H64 "\n",
                "file /etc/empty/: added (empty)\n"
                "file /etc/kubernetes/: added (5 entries)\n"
                "file /etc/kubernetes.conf: added\n"
                "file /etc/one/: added (1 entry)\n"
                "file /var/lib/etcd/: removed (2 entries)\n");
}

static void test_residue_ignored_paths_dropped(void **state)
{
    struct residue_snapshot s;
    struct svec ignore = SVEC_INIT;

    (void)state;
    snap_of(&s, "file\t/etc\tdir 0755 0:0\n"
                "file\t/etc/foo\tdir 0755 0:0\n"
                "file\t/etc/foo/a\tfile 0644 0:0 sha256=" H64 "\n"
                "file\t/etc/foobar\tfile 0644 0:0 sha256=" H64 "\n"
                "file\t/opt/x.log\tfile 0644 0:0 sha256=" H64 "\n"
                "mount\t/etc/foo\ttmpfs tmpfs\n");
    svec_push(&ignore, "/etc/foo");
    svec_push(&ignore, "/opt/x.log");
    residue_snapshot_ignore(&s, &ignore);
    assert_int_equal(s.len, 3);
    assert_string_equal(s.entries[0].key, "/etc");
    assert_string_equal(s.entries[1].key, "/etc/foobar");
    assert_string_equal(s.entries[2].kind, "mount");
    svec_release(&ignore);
    residue_snapshot_release(&s);
}

static void test_residue_mounts_links_listen_modules(void **state)
{
    (void)state;
    assert_diff("link\teth0\tveth\n"
                "listen\ttcp 0.0.0.0:22\t\n"
                "module\tip_tables\t\n"
                "mount\t/\text4 /dev/vda\n"
                "mount\t/data\text4 /dev/vdb\n"
                "netns\tcni-1\t\n",
                "link\tcni0\tdummy\n"
                "link\teth0\tveth\n"
                "listen\ttcp 0.0.0.0:10250\t\n"
                "listen\ttcp 0.0.0.0:22\t\n"
                "module\tbr_netfilter\t\n"
                "module\tip_tables\t\n"
                "mount\t/\text4 /dev/vda\n"
                "mount\t/data\txfs /dev/vdc\n"
                "mount\t/var/lib/kubelet/pods/x\ttmpfs tmpfs\n",
                "link cni0 (dummy): added\n"
                "listen tcp 0.0.0.0:10250: added\n"
                "module br_netfilter: added\n"
                "mount /data: ext4 /dev/vdb -> xfs /dev/vdc\n"
                "mount /var/lib/kubelet/pods/x (tmpfs): added\n"
                "netns cni-1: removed\n");
}

static void test_residue_firewall_rules(void **state)
{
    (void)state;
    assert_diff("iptables\tfilter: chain INPUT\tACCEPT\n"
                "iptables\tfilter: -A INPUT -j OLD\t1\n"
                "iptables\tnat: -A POSTROUTING -j MASQUERADE\t1\n"
                "ipvs\t-A -t 10.0.0.1:80 -s rr\t1\n"
                "nft\tinet fw: table\t1\n",
                "ip6tables\tfilter: chain KUBE-FIREWALL\t-\n"
                "iptables\tfilter: chain INPUT\tDROP\n"
                "iptables\tnat: -A POSTROUTING -j MASQUERADE\t2\n"
                "iptables\tnat: -A PREROUTING -j KUBE-SERVICES\t1\n"
                "iptables\tnat: chain KUBE-SERVICES\t-\n"
                "nft\tinet fw input: tcp dport 22 accept\t1\n"
                "nft\tinet fw: table\t1\n",
                "ip6tables filter: added chain KUBE-FIREWALL\n"
                "iptables filter: removed -A INPUT -j OLD\n"
                "iptables filter: chain INPUT: ACCEPT -> DROP\n"
                "iptables nat: -A POSTROUTING -j MASQUERADE: now 2 times (was 1)\n"
                "iptables nat: added -A PREROUTING -j KUBE-SERVICES\n"
                "iptables nat: added chain KUBE-SERVICES\n"
                "ipvs: removed -A -t 10.0.0.1:80 -s rr\n"
                "nft inet fw input: added tcp dport 22 accept\n");
}

static void test_residue_sysctl_packages_services_docker(void **state)
{
    (void)state;
    assert_diff("docker\tcontainer web\tnginx:1\n"
                "package\tfoo\t1.2\n"
                "package\tlibc6\t2.36\n"
                "service\tcron.service\tenabled/active\n"
                "sysctl\tnet.ipv4.ip_forward\t0\n"
                "sysctl\tvm.old\t1\n",
                "docker\timage registry/pause:3.9\te6f181688397\n"
                "package\tkubelet\t1.20.4\n"
                "package\tlibc6\t2.37\n"
                "service\tcron.service\tdisabled/inactive\n"
                "service\tkubelet.service\tenabled/active\n"
                "sysctl\tnet.bridge.bridge-nf-call-iptables\t1\n"
                "sysctl\tnet.ipv4.ip_forward\t1\n",
                "docker container web (nginx:1): removed\n"
                "docker image registry/pause:3.9 (e6f181688397): added\n"
                "package foo 1.2: removed\n"
                "package kubelet 1.20.4: added\n"
                "package libc6: 2.36 -> 2.37\n"
                "service cron.service: enabled/active -> disabled/inactive\n"
                "service kubelet.service (enabled/active): added\n"
                "sysctl net.bridge.bridge-nf-call-iptables: 1 (not in the baseline)\n"
                "sysctl net.ipv4.ip_forward: 0 -> 1\n"
                "sysctl vm.old: not read now (was 1)\n");
}

/* Runs `sh -n` on the script: 0 when it parses. */
static int sh_syntax_ok(const char *script)
{
    char *argv[] = { "sh", "-n", NULL };
    struct proc_opts o = { .stdin_data = script, .stdin_len = strlen(script) };
    struct proc_result res;
    struct buf errout = BUF_INIT;
    struct err err = ERR_INIT;
    int ok;

    assert_int_equal(proc_run(argv, &o, NULL, &errout, &res, &err), 0);
    ok = res.status == 0;
    if (!ok) {
        print_message("sh -n: %s\n", errout.ptr);
    }
    buf_release(&errout);
    return ok;
}

static void test_residue_script_carries_paths_quoted(void **state)
{
    static const char *const placeholders[] = { "@ROOTS@", "@EXCLUDED@", "@SYSCTL_KEYS@",
                                                "@HASH_LIMIT@", "@HASH_MAX@" };
    struct svec ignore = SVEC_INIT, keys = SVEC_INIT;
    struct residue_collect_opts o = { "/data dir", &ignore, &keys };
    char *script;

    (void)state;
    svec_push(&ignore, "/opt/it's*");
    svec_push(&keys, "net.core.rmem_max");
    script = residue_collect_script(&o);
    for (size_t i = 0; i < ARRAY_SIZE(placeholders); i++) {
        assert_null(strstr(script, placeholders[i]));
    }
    assert_non_null(strstr(script, "for p in /etc /opt /usr/local /var/lib /var/spool/cron /root "
                                   "/srv '/data dir'; do"));
    assert_non_null(strstr(script, "-path /var/log -o -path /var/cache"));
    assert_non_null(strstr(script, "-o -path '/opt/it'\"'\"'s\\*'"));
    assert_non_null(strstr(script, "-size -4194305c"));
    assert_non_null(strstr(script, "net.ipv4.ip_forward"));
    assert_non_null(strstr(script, " net.core.rmem_max\n"));
    assert_true(sh_syntax_ok(script));
    free(script);
    svec_release(&keys);
    svec_release(&ignore);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_residue_lines_sorted_notes_apart_duplicates_joined),
        cmocka_unit_test(test_residue_lines_without_tabs_are_an_error),
        cmocka_unit_test(test_residue_snap_file_roundtrip_private),
        cmocka_unit_test(test_residue_snap_bad_header_or_version),
        cmocka_unit_test(test_residue_same_is_clean),
        cmocka_unit_test(test_residue_files_added_removed_changed),
        cmocka_unit_test(test_residue_whole_trees_said_once),
        cmocka_unit_test(test_residue_ignored_paths_dropped),
        cmocka_unit_test(test_residue_mounts_links_listen_modules),
        cmocka_unit_test(test_residue_firewall_rules),
        cmocka_unit_test(test_residue_sysctl_packages_services_docker),
        cmocka_unit_test(test_residue_script_carries_paths_quoted),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
