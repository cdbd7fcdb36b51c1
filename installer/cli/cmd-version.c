/*
 * cmd-version.c - `pot version` / `pot --version`.
 */
#include "pot.h"
#include <archive.h>
#include <curl/curl.h>
#include <jansson.h>
#include <libssh/libssh.h>
#include <openssl/opensslv.h>
#include <yaml.h>
#include <zlib.h>
#include "base/err.h"
#include "cli/cli.h"

int cmd_version(int argc, char **argv, struct err *err)
{
    (void)argv;
    if (argc > 1) {
        return err_set(err, ERR_USAGE, "usage: pot version");
    }
    printf("pot %s\n", POT_VERSION);
    printf("  libyaml %s, libssh %s, %s, %s, zlib %s, libcurl %s, jansson %s\n",
           yaml_get_version_string(), ssh_version(0), archive_version_string(),
           OPENSSL_VERSION_TEXT, zlibVersion(), curl_version_info(CURLVERSION_NOW)->version,
           JANSSON_VERSION);
    return 0;
}
