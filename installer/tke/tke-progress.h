/*
 * tke-progress.h - read tke-installer's progress: GET /api/cluster/global/progress and the step
 * lines of tke.log ("N.<name> doing", "N.<name> [Success] [1.2s]", "N.<name> [Failed] [0.1s] error
 * <msg>", "===>starting install task", "===>install task [Sucesss] [..s]").
 */
#ifndef TKE_PROGRESS_H
#define TKE_PROGRESS_H

struct err;
struct buf;

enum tke_status {
    TKE_UNKNOWN,
    TKE_DOING,
    TKE_SUCCESS,
    TKE_FAILED,
    TKE_RETRYING,
};

/* What the log of the latest install task says. */
struct tke_progress {
    enum tke_status status; /* from the API ("Unknown" when only a log was parsed) */
    int step;               /* index of the latest step line, -1 when none */
    char *step_name;        /* owned: its name ("" when none) */
    bool step_done;         /* that step ended with [Success] */
    int failures;           /* [Failed] lines of that step since its last success (retries) */
    char *error;            /* owned: the message of its latest [Failed] line ("" when none) */
    bool finished;          /* "===>install task [Sucesss]" seen */
};

void tke_progress_init(struct tke_progress *p);
void tke_progress_release(struct tke_progress *p);
/* Parses tke.log text into 'p' (status untouched). Only the latest install task counts. */
void tke_progress_parse_log(struct tke_progress *p, const char *log);
/* GET url (http://127.0.0.1:8080/api/cluster/global/progress), parse status and data; the log
 * text is appended to 'log' when not NULL. ERR_UNREACHABLE when nothing answers. */
int tke_progress_fetch(const char *url, struct tke_progress *p, struct buf *log, struct err *err);

enum tke_status tke_status_parse(const char *s);
const char *tke_status_name(enum tke_status status);

/* The v1.2.4 step list for the offline-pot configuration (contract §2): count and names. */
int tke_step_count(void);
const char *tke_step_name(int index);

#endif
