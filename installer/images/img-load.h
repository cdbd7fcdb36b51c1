/*
 * img-load.h - the readers behind img_load(): docker-save tarballs (img-docker.c) and OCI image
 * layouts as a directory or a tar (img-oci.c). Internal to images/.
 */
#ifndef IMG_LOAD_H
#define IMG_LOAD_H

struct err;
struct img_scan;
struct img_set;
struct val;

/* A directory holding an OCI layout (oci-layout or index.json). */
bool img_is_oci_dir(const char *dir);
int img_load_docker(struct img_set *set, const char *path, const struct img_scan *scan,
                    struct err *err);
int img_load_oci_tar(struct img_set *set, const char *path, const struct img_scan *scan,
                     struct err *err);
int img_load_oci_dir(struct img_set *set, const char *dir, struct err *err);
/* Parses JSON bytes into a dict; errors name 'what'. Returns a new reference or NULL. */
struct val *img_json_dict(const char *data, size_t len, const char *what, struct err *err);

#endif
