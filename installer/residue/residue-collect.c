/*
 * residue-collect.c - the collector: one /bin/sh script that, run as root on a host, prints what a
 * residue snapshot records (residue.h) as KIND<TAB>KEY<TAB>VALUE lines, sorted. What varies (the
 * file roots, the excluded paths, the sysctl keys) is put into the fixed text quoted for sh.
 *
 * The script needs find, xargs, sha256sum and sort (GNU findutils and coreutils), awk and sed;
 * ip, ss, iptables-save, nft, ipvsadm, dpkg-query or rpm, systemctl and docker are used when
 * there. It changes nothing on the host but its own temporary directory, removed on exit.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "conn/shell-quote.h"
#include "residue/residue.h"

/* @ROOTS@, @EXCLUDED@, @SYSCTL_KEYS@, @HASH_LIMIT@ and @HASH_MAX@ are filled in. */
static const char script_body[] =
    "set -u\n"
    "LC_ALL=C\n"
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
    "export LC_ALL PATH\n"
    "umask 077\n"
    "if [ \"$(id -u)\" != 0 ]; then\n"
    "    echo \"the collector must run as root, not as '$(id -un)'\" >&2\n"
    "    exit 3\n"
    "fi\n"
    "T=$(printf '\\t')\n"
    "NL='\n"
    "'\n"
    "tmp=$(mktemp -d) || exit 3\n"
    "trap 'rm -rf \"$tmp\"' EXIT\n"
    "has() { command -v \"$1\" >/dev/null 2>&1; }\n"
    "note() { printf 'note\\t%s\\t%s\\n' \"$1\" \"$2\"; }\n"
    "limited() { if has timeout; then timeout 60 \"$@\"; else \"$@\"; fi; }\n"
    "\n"
    "files() {\n"
    "    set --\n"
    "    for p in @ROOTS@; do\n"
    "        if [ -e \"$p\" ]; then set -- \"$@\" \"$p\"; fi\n"
    "    done\n"
    "    [ $# -gt 0 ] || return 0\n"
    "    find -H \"$@\" -xdev \\( -name \"*$NL*\" -o -name \"*$T*\" -o -name '*\\\\*' \\) \\\n"
    "        -fprintf \"$tmp/odd\" 'x\\n' -prune -o \\( @EXCLUDED@ \\) -prune -o \\\n"
    "        -fprintf \"$tmp/meta\" '%y\\t%m\\t%U:%G\\t%s\\t%p\\t%l\\n' \\\n"
    "        -type f -size -@HASH_LIMIT@c -print0 2>/dev/null |\n"
    "        xargs -0 -r sha256sum >\"$tmp/sums\" 2>/dev/null\n"
    "    awk -F \"$T\" -v big=@HASH_MAX@ '\n"
    "        BEGIN {\n"
    "            split(\"d dir f file l link p fifo s socket c char b block\", w, \" \")\n"
    "            for (i = 1; i < 14; i += 2) type[w[i]] = w[i + 1]\n"
    "        }\n"
    "        FILENAME == ARGV[1] { sum[substr($0, 67)] = substr($0, 1, 64); next }\n"
    "        NF == 6 {\n"
    "            t = ($1 in type) ? type[$1] : $1\n"
    "            m = $2\n"
    "            while (length(m) < 4) m = \"0\" m\n"
    "            v = \"\"\n"
    "            if ($1 == \"l\") v = \" -> \" $6\n"
    "            else if ($1 == \"f\" && $4 + 0 > big) v = \" size=\" $4\n"
    "            else if ($1 == \"f\") v = ($5 in sum) ? \" sha256=\" sum[$5] : \" unreadable\"\n"
    "            print \"file\\t\" $5 \"\\t\" t \" \" m \" \" $3 v\n"
    "        }' \"$tmp/sums\" \"$tmp/meta\"\n"
    "    n=$(wc -l <\"$tmp/odd\")\n"
    "    if [ \"$n\" -gt 0 ]; then\n"
    "        note file \"$n names with a tab, newline or backslash not recorded\"\n"
    "    fi\n"
    "}\n"
    "\n"
    "# mounts: mount point -> FSTYPE SOURCE, with (xN) when the same is mounted N times there\n"
    "mounts() {\n"
    "    awk '{\n"
    "        for (i = 7; i <= NF && $i != \"-\"; i++) { }\n"
    "        if (i + 2 <= NF) n[$5 \"\\t\" $(i + 1) \" \" $(i + 2)]++\n"
    "    }\n"
    "    END { for (k in n) print \"mount\\t\" k (n[k] > 1 ? \" (x\" n[k] \")\" : \"\") }' \\\n"
    "        /proc/self/mountinfo\n"
    "}\n"
    "\n"
    "# tables KIND COMMAND: the rules and chains of iptables-save's output, counters dropped;\n"
    "# a built-in chain with policy ACCEPT is the kernel's default (as if no table were loaded)\n"
    "tables() {\n"
    "    \"$2\" 2>/dev/null | awk -v kind=\"$1\" '\n"
    "        /^#/ || /^COMMIT/ { next }\n"
    "        /^\\*/ { table = substr($0, 2); next }\n"
    "        /^:(INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) ACCEPT/ { next }\n"
    "        /^:/ { print kind \"\\t\" table \": chain \" substr($1, 2) \"\\t\" $2; next }\n"
    "        NF { n[table \": \" $0]++ }\n"
    "        END { for (k in n) print kind \"\\t\" k \"\\t\" n[k] }'\n"
    "}\n"
    "\n"
    "# legacy_tables KIND COMMAND NAMES: legacy tables, when the kernel has any\n"
    "legacy_tables() {\n"
    "    if has \"$2\" && [ -n \"$(cat \"$3\" 2>/dev/null)\" ]; then tables \"$1\" \"$2\"; fi\n"
    "}\n"
    "\n"
    "nft_rules() {\n"
    "    nft list ruleset 2>/dev/null | awk -v skip=\"$1\" '\n"
    "        $1 == \"table\" {\n"
    "            table = $2 \" \" $3\n"
    "            own = skip == \"yes\" && ($2 == \"ip\" || $2 == \"ip6\") &&\n"
    "                $3 ~ /^(filter|nat|mangle|raw|security)$/\n"
    "            if (!own) n[table \": table\"]++\n"
    "            scope = table\n"
    "            depth = 1\n"
    "            next\n"
    "        }\n"
    "        own { next }\n"
    "        $1 == \"}\" { if (--depth == 1) scope = table; next }\n"
    "        /\\{[ \\t]*$/ {\n"
    "            if (depth == 1) { n[table \": \" $1 \" \" $2]++; scope = table \" \" $2 }\n"
    "            depth++\n"
    "            next\n"
    "        }\n"
    "        {\n"
    "            line = $0\n"
    "            gsub(/packets [0-9]+ bytes [0-9]+ ?/, \"\", line)\n"
    "            gsub(/ expires [0-9hms.]+/, \"\", line)\n"
    "            sub(/^[ \\t]+/, \"\", line)\n"
    "            sub(/[ \\t]+$/, \"\", line)\n"
    "            n[scope \": \" line]++\n"
    "        }\n"
    "        END { for (k in n) print \"nft\\t\" k \"\\t\" n[k] }'\n"
    "}\n"
    "\n"
    "firewall() {\n"
    "    nft_iptables=no\n"
    "    if has iptables-save; then\n"
    "        tables iptables iptables-save\n"
    "        if iptables -V 2>/dev/null | grep -q nf_tables; then nft_iptables=yes; fi\n"
    "    else\n"
    "        note iptables \"iptables-save not installed\"\n"
    "    fi\n"
    "    if has ip6tables-save; then tables ip6tables ip6tables-save; fi\n"
    "    if [ \"$nft_iptables\" = yes ]; then\n"
    "        legacy_tables iptables-legacy iptables-legacy-save /proc/net/ip_tables_names\n"
    "        legacy_tables ip6tables-legacy ip6tables-legacy-save /proc/net/ip6_tables_names\n"
    "    fi\n"
    "    if has nft; then nft_rules \"$nft_iptables\"; else note nft \"not installed\"; fi\n"
    "    if has ipvsadm; then\n"
    "        ipvsadm -Sn 2>/dev/null |\n"
    "            awk 'NF { n[$0]++ } END { for (k in n) print \"ipvs\\t\" k \"\\t\" n[k] }'\n"
    "    else\n"
    "        note ipvs \"ipvsadm not installed\"\n"
    "    fi\n"
    "}\n"
    "\n"
    "# links: name and kind from `ip -o -d link`; the kind is the word after the generic\n"
    "# promiscuity/allmulti/minmtu/maxmtu fields, unless that is already a generic one\n"
    "links() {\n"
    "    ip -o -d link show 2>/dev/null | awk '{\n"
    "        name = $2\n"
    "        sub(/:$/, \"\", name)\n"
    "        sub(/@.*/, \"\", name)\n"
    "        for (i = 3; i <= NF && $i != \"promiscuity\"; i++) { }\n"
    "        i += 2\n"
    "        while (i <= NF && $i ~ /^(\\\\|allmulti|minmtu|maxmtu)$/)\n"
    "            i += ($i == \"\\\\\") ? 1 : 2\n"
    "        kind = \"device\"\n"
    "        generic = \"^(addrgenmode|num[rt]xqueues|[gt]so_|gro_|parentbus|parentdev|altname)\"\n"
    "        if (i <= NF && $i !~ generic) kind = $i\n"
    "        print \"link\\t\" name \"\\t\" kind\n"
    "    }'\n"
    "}\n"
    "\n"
    "network() {\n"
    "    if has ip; then\n"
    "        links\n"
    "        ip netns list 2>/dev/null | awk 'NF { print \"netns\\t\" $1 \"\\t\" }'\n"
    "    else\n"
    "        note link \"ip not installed\"\n"
    "    fi\n"
    "    if has ss; then\n"
    "        ss -lntu 2>/dev/null |\n"
    "            awk 'NR > 1 && NF >= 5 { print \"listen\\t\" $1 \" \" $5 \"\\t\" }'\n"
    "    else\n"
    "        note listen \"ss not installed\"\n"
    "    fi\n"
    "}\n"
    "\n"
    "kernel() {\n"
    "    {\n"
    "        printf '%s\\n' @SYSCTL_KEYS@\n"
    "        cat /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null |\n"
    "            sed -n 's/^[ \\t]*-*\\([A-Za-z0-9_.\\/-]*\\)[ \\t]*=.*/\\1/p' | tr / .\n"
    "    } | sort -u | awk 'NF {\n"
    "        f = \"/proc/sys/\" $0\n"
    "        gsub(/\\./, \"/\", f)\n"
    "        v = \"absent\"\n"
    "        if ((getline line <f) > 0) { v = line; gsub(/\\t/, \" \", v) }\n"
    "        close(f)\n"
    "        print \"sysctl\\t\" $0 \"\\t\" v\n"
    "    }'\n"
    "    if [ -r /proc/modules ]; then\n"
    "        awk '{ print \"module\\t\" $1 \"\\t\" }' /proc/modules\n"
    "    else\n"
    "        note module \"/proc/modules not readable\"\n"
    "    fi\n"
    "}\n"
    "\n"
    "packages() {\n"
    "    if has dpkg-query; then\n"
    "        f='${db:Status-Abbrev}\\t${binary:Package}\\t${Version}\\n'\n"
    "        dpkg-query -W -f \"$f\" 2>/dev/null |\n"
    "            awk -F \"$T\" '{\n"
    "                st = $1\n"
    "                sub(/ +$/, \"\", st)\n"
    "                print \"package\\t\" $2 \"\\t\" $3 (st == \"ii\" ? \"\" : \" [\" st \"]\")\n"
    "            }'\n"
    "    elif has rpm; then\n"
    "        rpm -qa --qf '%{NAME}.%{ARCH}\\t%{VERSION}-%{RELEASE}\\n' 2>/dev/null |\n"
    "            awk -F \"$T\" 'NF == 2 { print \"package\\t\" $1 \"\\t\" $2 }'\n"
    "    else\n"
    "        note package \"no dpkg-query or rpm\"\n"
    "    fi\n"
    "}\n"
    "\n"
    "services() {\n"
    "    if [ ! -d /run/systemd/system ] || ! has systemctl; then\n"
    "        note service \"no systemd\"\n"
    "        return 0\n"
    "    fi\n"
    "    systemctl list-units --type=service --all --no-legend --no-pager --plain 2>/dev/null |\n"
    "        awk '{ print $1, $3 }' >\"$tmp/active\"\n"
    "    systemctl list-unit-files --no-legend --no-pager 2>/dev/null | awk '\n"
    "        FILENAME == ARGV[1] { active[$1] = $2; next }\n"
    "        NF >= 2 && $1 !~ /@\\./ {\n"
    "            v = $2\n"
    "            if ($1 ~ /\\.service$/) v = v \"/\" (($1 in active) ? active[$1] : \"inactive\")\n"
    "            print \"service\\t\" $1 \"\\t\" v\n"
    "        }' \"$tmp/active\" -\n"
    "}\n"
    "\n"
    "containers() {\n"
    "    if ! has docker; then\n"
    "        note docker \"not installed\"\n"
    "    elif ! limited docker info >/dev/null 2>&1; then\n"
    "        note docker \"the docker CLI does not work\"\n"
    "    else\n"
    "        limited docker ps -a --format '{{.Names}}\\t{{.Image}}' 2>/dev/null |\n"
    "            awk -F \"$T\" 'NF == 2 { print \"docker\\tcontainer \" $1 \"\\t\" $2 }'\n"
    "        limited docker images --format '{{.Repository}}:{{.Tag}}\\t{{.ID}}' 2>/dev/null |\n"
    "            awk -F \"$T\" 'NF == 2 { print \"docker\\timage \" $1 \"\\t\" $2 }'\n"
    "    fi\n"
    "}\n"
    "\n"
    "{ files; mounts; firewall; network; kernel; packages; services; containers; } | sort -u\n";

static const char *const file_roots[] = { RESIDUE_FILE_ROOTS };
static const char *const excluded_paths[] = { RESIDUE_EXCLUDED_PATHS };
static const char *const sysctl_keys[] = { RESIDUE_SYSCTL_KEYS };

/* Appends "-path P" for find: P's glob characters escaped (the paths are not patterns), then
 * quoted for sh; " -o " between two of them. */
static void add_prune(struct buf *out, const char *path)
{
    struct buf pattern = BUF_INIT;

    for (const char *p = path; *p; p++) {
        if (strchr("*?[]\\", *p)) {
            buf_addc(&pattern, '\\');
        }
        buf_addc(&pattern, *p);
    }
    buf_adds(out, out->len ? " -o -path " : "-path ");
    sh_quote(out, pattern.ptr);
    buf_release(&pattern);
}

static void add_word(struct buf *out, const char *word)
{
    if (out->len) {
        buf_addc(out, ' ');
    }
    sh_quote(out, word);
}

/* Returns 'text' with 'name' replaced by 'value'; frees 'text'. */
static char *fill(char *text, const char *name, const char *value)
{
    char *filled = str_replace_all(text, name, value);

    free(text);
    return filled;
}

char *residue_collect_script(const struct residue_collect_opts *o)
{
    struct buf roots = BUF_INIT, prunes = BUF_INIT, keys = BUF_INIT;
    char *text = xstrdup(script_body);
    char *hash_limit = xasprintf("%d", RESIDUE_HASH_MAX + 1);
    char *hash_max = xasprintf("%d", RESIDUE_HASH_MAX);

    for (size_t i = 0; i < ARRAY_SIZE(file_roots); i++) {
        add_word(&roots, file_roots[i]);
    }
    if (o->check_path) {
        add_word(&roots, o->check_path);
    }
    for (size_t i = 0; i < ARRAY_SIZE(excluded_paths); i++) {
        add_prune(&prunes, excluded_paths[i]);
    }
    for (size_t i = 0; o->ignore && i < o->ignore->len; i++) {
        add_prune(&prunes, o->ignore->items[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(sysctl_keys); i++) {
        add_word(&keys, sysctl_keys[i]);
    }
    for (size_t i = 0; o->sysctl_keys && i < o->sysctl_keys->len; i++) {
        add_word(&keys, o->sysctl_keys->items[i]);
    }
    text = fill(text, "@ROOTS@", roots.ptr);
    text = fill(text, "@EXCLUDED@", prunes.ptr);
    text = fill(text, "@SYSCTL_KEYS@", keys.ptr);
    text = fill(text, "@HASH_LIMIT@", hash_limit);
    text = fill(text, "@HASH_MAX@", hash_max);
    free(hash_max);
    free(hash_limit);
    buf_release(&keys);
    buf_release(&prunes);
    buf_release(&roots);
    return text;
}
