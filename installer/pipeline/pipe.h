/*
 * pipe.h - `pot install`: the install pipeline of the offline-pot kit as named, journalled stages.
 *
 *   host-init      playbooks/host-init.yml + host-check.yml through `pot play` (a child process)
 *   tke-config     <data-dir>/tke.json from the templates in templates/tke (tke/tke-config.h)
 *   tke-installer  the tke-installer container: .run checksum, image load, (re)create or restart,
 *                  then follow its progress to Success, answering hook requests meanwhile
 *   post-install   `pot images push` of the kit's images, then playbooks/post-install.yml; also run
 *                  when the post-install hook asks for it (hooks/pot-hook.sh protocol)
 *   components     the base components switched on in the inventory (<kit>/charts with
 *                  charts/components.yaml.gotmpl) with the helm driver, their images checked
 *                  first and their health after (pipe-components.c, pipe-health.c)
 *   business       the customer's releases of <kit>/helmfile with the helm driver on the first
 *                  master (pipe-business.c); when skipped as done, still checked on the cluster
 *
 * Modes (auto-detected from the folders next to the kit, like install-offline-pot.sh):
 *   full      <kit>/../tkestack exists and so does <kit>-images or <kit>-tgz
 *   tkestack  <kit>/../tkestack exists, no images/tgz folders: host-init subset, Replicas 2
 *   business  no <kit>/../tkestack: host-init, then post-install (no tke-installer)
 *
 * Every stage is recorded in the journal <data-dir>/pot/journal with a hash of its inputs; a rerun
 * skips stages finished with the same inputs and reruns a failed one from its start. The lock
 * <data-dir>/pot/lock keeps two runs apart. What the pipeline has to say goes through
 * struct pipe_report (only cli/ prints).
 */
#ifndef PIPE_H
#define PIPE_H

#include "base/vec.h"

struct buf;
struct err;
struct hf_release;
struct hf_state;
struct inventory;
struct journal;

enum pipe_mode {
    PIPE_MODE_AUTO,
    PIPE_MODE_FULL,
    PIPE_MODE_TKESTACK,
    PIPE_MODE_BUSINESS,
};

struct pipe_report {
    /* One line of progress for the operator (no newline). Steps of tke-installer come as
     * "step N/M <name>" (a failure of one as "step N/M <name> failed: <msg>"). */
    void (*say)(void *ctx, const char *line);
    /* Called about every poll interval while pot waits for tke-installer, so that a terminal
     * status line can refresh its clock; may be NULL. */
    void (*tick)(void *ctx);
    /* The live progress of a playbook ("host-init.yml: task 12/40 NAME | node1 11 node2 12 |
     * ETA 0:35"), replacing the previous one; NULL when it is over. A terminal shows it as a
     * status line; may be NULL (plain output has the playbook's own lines). */
    void (*progress)(void *ctx, const char *line);
    void *ctx;
};

struct pipe_opts {
    const char *kit_dir;       /* borrowed: the kit (hooks/, playbooks/, templates/, hosts) */
    const char *inventory;     /* borrowed: NULL = <kit>/hosts */
    const char *data_dir;      /* borrowed: tke-installer's data dir (/opt/tke-installer/data) */
    const char *from;          /* borrowed: rerun from this stage on, or NULL */
    const char *only;          /* borrowed: run only this stage, or NULL */
    const char *pot_exe;       /* borrowed: the pot binary for child `pot play`/`pot images` */
    const char *image;         /* borrowed: tke-installer image (tkestack/tke-installer:v1.2.4) */
    const char *container;     /* borrowed: container name (tke-installer) */
    bool reset;                /* forget the journal, tke.json step 0 */
    bool check;                /* dry run: nothing written, nothing started */
    enum pipe_mode mode;
    struct svec tags;          /* owned: --tags for the playbooks */
    struct svec skip_tags;     /* owned */
    struct svec remove;        /* owned: components to uninstall (stage components, instead of
                                  deploying): `--remove NAME` */
    const char *wipe_data_disk; /* borrowed: `pot uninstall --wipe-data-disk DEV`, or NULL */
    int poll_ms;               /* progress polling interval */
    int hook_timeout;          /* POT_HOOK_TIMEOUT given to the hooks, seconds */
    struct pipe_report report;
};

/* The state of one run; built by pipe_ctx_init from the options. */
struct pipe_ctx {
    const struct pipe_opts *opts; /* borrowed */
    enum pipe_mode mode;          /* resolved */
    char *inventory;              /* owned paths, all derived from the options */
    char *tkestack_dir;
    char *images_dir;
    char *tgz_dir;
    char *reports_dir;            /* <parent of kit>/perfor-reports: the host checks' reports */
    char *pot_dir;                /* <data>/pot: journal, lock, hook files, install.log */
    char *hook_dir;
    char *tke_json;
    char *tke_log;
    struct journal *journal;      /* borrowed from pipe_install; NULL in check mode reads */
    struct svec ran;              /* owned: stages run by this invocation */
    struct svec limit;            /* owned: playbooks run on these hosts only (`pot node`) */
};

enum pipe_mode pipe_mode_parse(const char *s, struct err *err);
const char *pipe_mode_name(enum pipe_mode mode);

/* pipe-ctx.c */
int pipe_ctx_init(struct pipe_ctx *c, const struct pipe_opts *opts, struct err *err);
void pipe_ctx_release(struct pipe_ctx *c);
void pipe_say(const struct pipe_ctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Appends the content of 'path' (or "<none>" when absent) to the running hash text. */
void pipe_hash_file(struct buf *text, const char *label, const char *path);
/* Lines "name size" of the regular files in 'dir', sorted (for input hashes). */
void pipe_hash_dir(struct buf *text, const char *label, const char *dir);
/* 'path' as a whole: a file like pipe_hash_file; a directory as one line per regular file below
 * it, recursively, sorted: relative path, executable bit, sha256 of the content (size and mtime
 * for files over 16 MiB). Dot files and dot dirs are left out. */
void pipe_hash_tree(struct buf *text, const char *label, const char *path);
/* The inventory (file or directory) and, beside an inventory file, its group_vars/ and
 * host_vars/ trees: everything pot reads the variables from. */
void pipe_hash_inventory(struct pipe_ctx *c, struct buf *text);
/* The path of the journal and of the lock for a data dir (new strings). */
char *pipe_journal_path(const char *data_dir);
char *pipe_lock_path(const char *data_dir);

/* pipe-run.c: the whole pipeline. Returns 0, or -1 with err (ERR_FAILED when a stage failed). */
int pipe_install(const struct pipe_opts *opts, struct err *err);
/* Sets up a run as pipe_install does (context, the run lock <data>/pot/lock held as 'command',
 * the journal) and calls 'body' with it; returns what body returns. */
typedef int pipe_body(struct pipe_ctx *c, void *arg, struct err *err);
int pipe_with_journal(const struct pipe_opts *opts, const char *command, pipe_body *body,
                      void *arg, struct err *err);
/* Runs one stage by name unless it is done with the same inputs (used by the hook answers). */
int pipe_run_stage(struct pipe_ctx *c, const char *stage, struct err *err);
/* True when 'name' is a stage. */
bool pipe_stage_known(const char *name);
/* The i-th stage name, NULL past the last. */
const char *pipe_stage_at(size_t i);
/* The stage names in order, separated by ", " (static string). */
const char *pipe_stage_list(void);

/* Stage bodies: pipe-hostinit.c, pipe-tkeconfig.c, pipe-installer.c, pipe-postinstall.c. Each
 * 'inputs' appends what the stage depends on to 'text'. */
void pipe_hostinit_inputs(struct pipe_ctx *c, struct buf *text);
int pipe_hostinit_run(struct pipe_ctx *c, struct err *err);
void pipe_tkeconfig_inputs(struct pipe_ctx *c, struct buf *text);
int pipe_tkeconfig_run(struct pipe_ctx *c, struct err *err);
void pipe_installer_inputs(struct pipe_ctx *c, struct buf *text);
int pipe_installer_run(struct pipe_ctx *c, struct err *err);
void pipe_postinstall_inputs(struct pipe_ctx *c, struct buf *text);
int pipe_postinstall_run(struct pipe_ctx *c, struct err *err);
void pipe_business_inputs(struct pipe_ctx *c, struct buf *text);
int pipe_business_run(struct pipe_ctx *c, struct err *err);
/* pipe_business_run when the kit has a helmfile/ (and deploy_business is on), else nothing. */
int pipe_business_recheck(struct pipe_ctx *c, struct err *err);
/* Uninstalls every business release of the kit's helmfile (whatever deploy_business says). */
int pipe_business_uninstall(struct pipe_ctx *c, struct err *err);

void pipe_components_inputs(struct pipe_ctx *c, struct buf *text);
int pipe_components_run(struct pipe_ctx *c, struct err *err);
/* Skipped as done: the releases synced again (one helm list confirms them); only the releases
 * this deploys again are health-checked. */
int pipe_components_recheck(struct pipe_ctx *c, struct err *err);
/* Uninstalls every release of the components state, switched on or not (absent ones are fine). */
int pipe_components_uninstall(struct pipe_ctx *c, struct err *err);
/* The components state with the inventory's variables (and the secrets dir when it exists), as
 * the stage loads it; registers the passwords found. ERR_USAGE when the kit has no
 * charts/components.yaml.gotmpl. */
int pipe_components_load(struct pipe_ctx *c, const struct inventory *inv, struct hf_state *st,
                         struct err *err);

/* pipe-health.c: a connection to the first master for `helm get manifest`, `kubectl rollout
 * status` and `kubectl exec` (helm as the helm driver runs it: variable helm_bin). */
struct pipe_health;
struct pipe_health *pipe_health_open(const char *inventory, struct err *err);
void pipe_health_close(struct pipe_health *h);
/* component_health_timeout of the installer host in seconds (default 300). */
int pipe_health_timeout(const struct inventory *inv, int *secs, struct err *err);
/* Checks one deployed release: its workloads rolled out within 'timeout_s', then its own probe
 * (redis, mysql, postgres, elasticsearch, zookeeper). Appends what was checked to 'summary'
 * ("2 workloads rolled out, probe ok (...)"). -1 with ERR_FAILED "component 'NAME': ..." when
 * unhealthy, or the connection's error. */
int pipe_health_release(struct pipe_health *h, const struct hf_release *r, int timeout_s,
                        struct buf *summary, struct err *err);
/* `pot health`: every switched-on component checked, one line each through opts->report
 * ("redis: healthy: ..." / "redis: unhealthy: ..."). ERR_FAILED when one is unhealthy. */
int pipe_health(const struct pipe_opts *opts, struct err *err);

/* pipe-postinstall.c: the cluster registry as the inventory names it, from the installer host's
 * variables registry_domain (default registry.tke.com), tke_admin_user (admin), tke_pwd
 * (required; registered as a secret) and pot_registry_insecure ('true': plain HTTP, test
 * registries), with the CA the installer wrote (/etc/docker/certs.d/DOMAIN/ca.crt) if any. */
struct pipe_registry {
    char *domain;   /* owned */
    char *user;     /* owned */
    char *password; /* owned */
    char *ca;       /* owned; NULL when none */
    bool insecure;
};
struct inventory;
int pipe_registry_read(const struct inventory *inv, struct pipe_registry *r, struct err *err);
void pipe_registry_release(struct pipe_registry *r);

/* pipe-play.c: <kit>/playbooks/NAME (new string). */
char *pipe_playbook_path(const struct pipe_ctx *c, const char *name);
/* Runs `pot play -i INVENTORY [--check] [--limit HOSTS] [TAGS] OPTIONS... <kit>/playbooks/NAME`
 * (check mode from the options, hosts from c->limit, the options' --tags/--skip-tags when
 * 'with_tags'); ERR_USAGE when the kit lacks the playbook. */
int pipe_play(struct pipe_ctx *c, const char *name, bool with_tags, const struct svec *options,
              struct err *err);
/* Appends "--limit HOST,HOST..." of c->limit to a child pot's arguments (nothing without one). */
void pipe_add_limit(const struct pipe_ctx *c, struct svec *args);

/* pipe-uninstall.c: `pot uninstall`, what `pot install` did undone in reverse order, each scope
 * only when the journal says its stages did something since they were last undone:
 *   business    the business releases (helm driver), stage business undone
 *   components  every base component release, stage components undone
 *   cluster     the tke-installer container, then playbooks/cluster-reset.yml on every host,
 *               then tke.json (its step); stages tke-config, tke-installer and post-install
 *               undone (business and
 *               components go first: no release outlives its cluster)
 *   hosts       playbooks/host-undo.yml on every host (what host-init recorded), with
 *               -e pot_wipe_data_disk=DEV when opts->wipe_data_disk; stage host-init undone
 * Then (cluster or hosts) every host with a residue snapshot is compared with it and each
 * difference is reported; differences make the run fail with ERR_FAILED after everything ran.
 * After all four scopes the journal is reset, so the next install starts from scratch. Steps are
 * idempotent; a rerun after a kill continues with the first scope not yet undone. */
enum pipe_undo_scope {
    PIPE_UNDO_BUSINESS = 1u << 0,
    PIPE_UNDO_COMPONENTS = 1u << 1,
    PIPE_UNDO_CLUSTER = 1u << 2,
    PIPE_UNDO_HOSTS = 1u << 3,
};
#define PIPE_UNDO_ALL 0xfu
int pipe_uninstall(const struct pipe_opts *opts, unsigned scopes, struct err *err);

/* pipe-nodes.c: `pot node add` (add) or `pot node remove` of 'hosts' (inventory names; masters
 * refused), one host at a time: a failing or unreachable host is reported and the others go on,
 * then ERR_FAILED names the failed ones. */
int pipe_node(const struct pipe_opts *opts, const struct svec *hosts, bool add, struct err *err);
/* Stage post-install: the hosts of group `workers` not joined yet become Machines of the global
 * cluster (host-init already ran on them). */
int pipe_nodes_join_workers(struct pipe_ctx *c, struct err *err);

/* pipe-progress.c: a playbook's progress counted from its output lines. */
struct pipe_progress {
    const char *what;    /* borrowed: "host-init.yml" */
    size_t total;        /* tasks --list-tasks announced (0: unknown) */
    size_t started;      /* TASK headers seen */
    char *task;          /* owned: the name of the current one */
    struct svec hosts;   /* owned: hosts in the order they first reported */
    size_t *done;        /* owned: tasks each host finished */
    size_t *last_task;   /* owned: the task each host last finished (loops count once) */
    size_t done_cap, last_cap;
    time_t since;
};

/* How many tasks `pot play --list-tasks` printed (its indented task lines). */
size_t pipe_count_listed_tasks(const char *list_tasks_output);
void pipe_progress_init(struct pipe_progress *p, const char *what, size_t total);
void pipe_progress_release(struct pipe_progress *p);
/* Counts one output line of the playbook and reports the progress when it changed. */
void pipe_progress_line(struct pipe_ctx *c, struct pipe_progress *p, const char *line);
/* Reports a progress line (pipe_report.progress); fmt NULL: the progress is over. */
void pipe_progress(const struct pipe_ctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* pipe-child.c: runs `pot <args...>` (argv without the binary), reporting its output lines and
 * feeding them to 'progress' when not NULL. Fails with ERR_FAILED naming 'what' and the exit
 * status. */
int pipe_child_pot(struct pipe_ctx *c, const char *what, struct svec *args,
                   struct pipe_progress *progress, struct err *err);

/* pipe-follow.c: the progress URL (127.0.0.1, port $POT_TKE_PORT or 8080; new string). */
char *pipe_progress_url(void);
/* pipe-follow.c: follows the installer from log offset 'log_offset' of tke.log until Success;
 * answers hook requests meanwhile. 'first_step': the step it (re)starts at (-1 unknown), so
 * every step from there on gets its line even when it ended between two polls. */
int pipe_follow(struct pipe_ctx *c, size_t log_offset, int first_step, struct err *err);

/* pipe-hooks.c: answers every pending request in the hook dir (running the stage it names).
 * A failed stage is answered status=failed; only local I/O errors return -1. */
int pipe_hooks_answer(struct pipe_ctx *c, struct err *err);
/* Removes requests whose hook is gone (before the container is restarted). */
void pipe_hooks_clear(struct pipe_ctx *c);

#endif
