/*
 * mod-stat.c - the `stat` module: one exec, the 'stat' dict Ansible returns.
 */
#include "pot.h"
#include <sys/stat.h>
#include "modules/args.h"
#include "modules/mod-util.h"
#include "value/val.h"

static const struct arg_spec stat_args[] = {
    { .name = "checksum_algorithm", .type = ARG_CHOICE, .def = "sha1",
      .aliases = "checksum,checksum_algo",
      .choices = "md5,sha1,sha224,sha256,sha384,sha512" },
    { .name = "follow", .type = ARG_BOOL, .def = "false" },
    { .name = "get_attributes", .type = ARG_BOOL, .def = "true", .aliases = "attr,attributes" },
    { .name = "get_checksum", .type = ARG_BOOL, .def = "true" },
    { .name = "get_mime", .type = ARG_BOOL, .def = "true", .aliases = "mime,mime_type,mime-type" },
    { .name = "path", .type = ARG_PATH, .required = true, .aliases = "dest,name" },
    { 0 },
};

static void set_bool(struct val *d, const char *key, bool b)
{
    val_dict_set_take(d, key, val_bool(b));
}

static void add_perm_bits(struct val *d, mode_t m)
{
    static const struct { const char *key; mode_t bit; } bits[] = {
        { "rusr", S_IRUSR }, { "wusr", S_IWUSR }, { "xusr", S_IXUSR },
        { "rgrp", S_IRGRP }, { "wgrp", S_IWGRP }, { "xgrp", S_IXGRP },
        { "roth", S_IROTH }, { "woth", S_IWOTH }, { "xoth", S_IXOTH },
        { "isuid", S_ISUID }, { "isgid", S_ISGID },
    };

    for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
        set_bool(d, bits[i].key, (m & bits[i].bit) != 0);
    }
}

static struct val *stat_dict(const char *path, const struct mod_stat *st)
{
    struct val *d = val_dict();

    set_bool(d, "exists", true);
    val_dict_set_take(d, "path", val_str(path));
    val_dict_set_take(d, "mode", val_strf("%04o", (unsigned)(st->mode & 07777)));
    set_bool(d, "isdir", S_ISDIR(st->mode));
    set_bool(d, "ischr", S_ISCHR(st->mode));
    set_bool(d, "isblk", S_ISBLK(st->mode));
    set_bool(d, "isreg", S_ISREG(st->mode));
    set_bool(d, "isfifo", S_ISFIFO(st->mode));
    set_bool(d, "islnk", S_ISLNK(st->mode));
    set_bool(d, "issock", S_ISSOCK(st->mode));
    val_dict_set_take(d, "uid", val_int(st->uid));
    val_dict_set_take(d, "gid", val_int(st->gid));
    val_dict_set_take(d, "size", val_int(st->size));
    val_dict_set_take(d, "inode", val_int(st->inode));
    val_dict_set_take(d, "dev", val_int(st->dev));
    val_dict_set_take(d, "nlink", val_int(st->nlink));
    val_dict_set_take(d, "atime", val_double(st->atime));
    val_dict_set_take(d, "mtime", val_double(st->mtime));
    val_dict_set_take(d, "ctime", val_double(st->ctime));
    add_perm_bits(d, st->mode);
    val_dict_set_take(d, "pw_name", val_str(st->owner ? st->owner : ""));
    val_dict_set_take(d, "gr_name", val_str(st->group ? st->group : ""));
    set_bool(d, "readable", st->readable);
    set_bool(d, "writeable", st->writeable);
    set_bool(d, "executable", st->executable);
    if (st->lnk_target) {
        val_dict_set_take(d, "lnk_source", val_str(st->lnk_source));
        val_dict_set_take(d, "lnk_target", val_str(st->lnk_target));
    }
    if (st->checksum) {
        val_dict_set_take(d, "checksum", val_str(st->checksum));
    }
    return d;
}

static int stat_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                    struct err *err)
{
    const char *path = margs_str(args, "path");
    const char *alg = margs_bool(args, "get_checksum") ? margs_str(args, "checksum_algorithm")
                                                        : NULL;
    struct mod_stat st;
    struct val *d;

    if (mod_stat(ctx, path, margs_bool(args, "follow"), alg, &st, err) < 0) {
        return err->kind == ERR_UNREACHABLE ? -1 : result_fail(res, "%s", err->msg);
    }
    if (st.exists) {
        d = stat_dict(path, &st);
    } else {
        d = val_dict();
        set_bool(d, "exists", false);
    }
    val_dict_set_take(res->data, "stat", d);
    mod_stat_release(&st);
    res->status = RESULT_OK;
    return 0;
}

const struct module module_stat = {
    .name = "stat",
    .args = stat_args,
    .flags = MOD_CHECK_MODE,
    .run = stat_run,
};
