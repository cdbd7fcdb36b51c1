/*
 * journal.h - the durable resume journal of `pot install`, and the lock that keeps two runs apart.
 *
 * The journal is an append-only text file, one record per line; each line carries a checksum and
 * is fsync'ed before journal_append returns. A crash or kill -9 at any moment can only leave a
 * torn last line: journal_open drops it (and truncates it away) and keeps every complete record.
 * Records say that a stage (optionally on one host) started, finished or failed, with a hash of
 * its inputs, so a rerun can skip work that finished with the same inputs; an UNDONE record says
 * `pot uninstall` removed again what the stage had done. A RESET record makes
 * every earlier record invisible to the state queries (`pot install --reset`).
 *
 * Order: journal_lock_acquire, journal_open, journal_append..., journal_free, journal_lock_release.
 */
#ifndef JOURNAL_H
#define JOURNAL_H

struct err;

enum journal_event {
    JOURNAL_STARTED,
    JOURNAL_FINISHED,
    JOURNAL_FAILED,
    JOURNAL_RESET,
    JOURNAL_UNDONE, /* what the stage did was removed again (`pot uninstall`): not done */
};

struct journal_rec {
    int64_t time;             /* seconds since the epoch */
    enum journal_event event;
    char *stage;              /* owned; "" for RESET */
    char *host;               /* owned; "" when the record is not about one host */
    char *inputs;             /* owned; hash of the stage's inputs, "" when none */
    char *msg;                /* owned; free text (error message of FAILED), "" when none */
};

struct journal;

/* Opens (creating with its directory, mode 0600) the journal at 'path' and reads every complete
 * record. A torn or corrupt tail is cut off; journal_dropped_bytes says how much. A corrupt record
 * followed by valid ones is an error (the file was edited or damaged, not torn). */
struct journal *journal_open(const char *path, struct err *err);
void journal_free(struct journal *j);

/* Appends one record and fsyncs it. 'host', 'inputs' and 'msg' may be NULL (stored as ""). The
 * message is passed through log_redact first. */
int journal_append(struct journal *j, enum journal_event event, const char *stage, const char *host,
                   const char *inputs, const char *msg, struct err *err);

size_t journal_count(const struct journal *j);
/* Borrowed; valid until the next append or journal_free. */
const struct journal_rec *journal_at(const struct journal *j, size_t i);
/* Bytes of torn tail removed by journal_open. */
size_t journal_dropped_bytes(const struct journal *j);

/* The latest record about (stage, host) after the last RESET, or NULL (borrowed). 'host' NULL
 * means "". */
const struct journal_rec *journal_last(const struct journal *j, const char *stage,
                                       const char *host);
/* True when the latest record about (stage, host) is FINISHED with exactly 'inputs'. */
bool journal_is_done(const struct journal *j, const char *stage, const char *host,
                     const char *inputs);
/* The latest FAILED record after the last RESET whose stage was not finished since, or NULL. */
const struct journal_rec *journal_last_failure(const struct journal *j);

const char *journal_event_name(enum journal_event event);

/* The run lock: an flock on 'path' (created 0600) plus the holder's pid, start time and command
 * written in it. Fails with ERR_FAILED naming the holder when another live process holds it. A
 * lock file left by a dead process (kill -9) is taken over; 'stale_pid' (may be NULL) is set to
 * that process's pid, else 0. 'command' is redacted before it is written. */
struct journal_lock;
struct journal_lock *journal_lock_acquire(const char *path, const char *command, long *stale_pid,
                                          struct err *err);
/* Empties and unlocks the file; NULL does nothing. */
void journal_lock_release(struct journal_lock *lock);

#endif
