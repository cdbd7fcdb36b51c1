/*
 * tke-docker.h - the few docker engine API calls pot needs to run tke-installer, over the docker
 * unix socket with libcurl: image inspect/load, container inspect/create/start/restart/remove.
 *
 * tke_docker_installer_spec fills the container spec of the original offline-pot kit
 * (`docker run --restart=always --name tke-installer -d --privileged --net=host` + its mounts);
 * every path in it is configurable so tests can use temporary directories.
 */
#ifndef TKE_DOCKER_H
#define TKE_DOCKER_H

#include "base/vec.h"

struct err;

struct tke_docker {
    char *socket; /* owned: path of the docker unix socket */
};

struct tke_container_spec {
    const char *name;  /* borrowed, like every field */
    const char *image;
    struct svec binds; /* owned: "host:container" */
    struct svec env;   /* owned: "NAME=value" */
    bool privileged;
    bool host_network;
    bool restart_always;
};

struct tke_container_info {
    bool exists;
    bool running;
    char *status;    /* owned: "running", "exited", ... ("" when absent) */
    char *spec_hash; /* owned: the pot.spec label pot set at create time ("" when absent) */
    char *image;     /* owned: the image it was created from, as given ("" when absent) */
    struct svec binds; /* owned: its "host:container" mounts */
};

/* What an existing container is to the spec pot would create under its name. */
enum tke_container_match {
    TKE_MATCH_SAME,      /* pot created it from this very spec */
    TKE_MATCH_CHANGED,   /* pot created it (labelled) from other settings: recreate it */
    TKE_MATCH_ADOPTABLE, /* no pot label, but the same image and data mount: a run killed
                          * before labelling it, or the kit's own `docker run`; adopt it */
    TKE_MATCH_FOREIGN,   /* someone else's container: never touch it */
};

/* Paths of the installer container; NULL fields take the kit's defaults. */
struct tke_installer_paths {
    const char *data_dir;        /* /opt/tke-installer/data -> /app/data */
    const char *conf_dir;        /* /opt/tke-installer/conf -> /app/conf */
    const char *hooks_dir;       /* the kit directory       -> /app/hooks (required) */
    const char *hosts_file;      /* /etc/hosts              -> /app/hosts */
    const char *docker_conf_dir; /* /etc/docker             -> /etc/docker */
    const char *docker_sock;     /* /var/run/docker.sock    -> /var/run/docker.sock */
    const char *const *same_path_dirs; /* NULL-terminated; mounted at identical paths */
};

/* 'socket' NULL: $DOCKER_HOST when it is unix://..., else /var/run/docker.sock. */
void tke_docker_init(struct tke_docker *d, const char *socket);
void tke_docker_release(struct tke_docker *d);

int tke_docker_image_exists(struct tke_docker *d, const char *ref, bool *exists, struct err *err);
/* POST /images/load with the tarball streamed; fails with the daemon's message on a bad archive. */
int tke_docker_image_load(struct tke_docker *d, const char *tarball, struct err *err);

/* info->exists false (and 0 returned) when there is no such container. Release with
 * tke_container_info_release. */
int tke_docker_container_inspect(struct tke_docker *d, const char *name,
                                 struct tke_container_info *info, struct err *err);
void tke_container_info_release(struct tke_container_info *info);
/* Compares an inspected, existing container with 'spec' (the data mount is the bind onto
 * /app/data). */
enum tke_container_match tke_container_match(const struct tke_container_info *info,
                                             const struct tke_container_spec *spec);
/* Creates the container, labelled with tke_container_spec_hash(spec). Returns 1 (nothing
 * created) when a container of that name exists already (HTTP 409: e.g. the create of a killed
 * run that the daemon finished after the caller last looked). */
int tke_docker_container_create(struct tke_docker *d, const struct tke_container_spec *spec,
                                struct err *err);
/* Start is a no-op for a running container. */
int tke_docker_container_start(struct tke_docker *d, const char *name, struct err *err);
int tke_docker_container_restart(struct tke_docker *d, const char *name, struct err *err);
int tke_docker_container_stop(struct tke_docker *d, const char *name, struct err *err);
/* Force-removes; a missing container is not an error. */
int tke_docker_container_remove(struct tke_docker *d, const char *name, struct err *err);

void tke_container_spec_init(struct tke_container_spec *spec);
void tke_container_spec_release(struct tke_container_spec *spec);
/* Fills 'spec' for the tke-installer container (privileged, host network, restart always). */
void tke_docker_installer_spec(struct tke_container_spec *spec, const char *name,
                               const char *image, const struct tke_installer_paths *paths);
/* A hash of everything in 'spec' (64 hex chars + NUL into 'hex'). */
void tke_container_spec_hash(const struct tke_container_spec *spec, char hex[65]);

#endif
