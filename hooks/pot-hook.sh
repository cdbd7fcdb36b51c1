# pot-hook.sh - sourced by the tke-installer hooks in this directory. POSIX sh: the hooks run
# inside the (Alpine or busybox) tke-installer container, where a Debian-linked pot cannot run, so
# they hand their work to `pot install` on the host through files in the mounted data dir:
#
#   request  data/pot/hooks/<stage>.request   written by the hook (temporary file + rename):
#            id=<unique id>  stage=<stage>  hook=<hook name>
#   result   data/pot/hooks/<stage>.result    written by pot (atomically) when the work is done:
#            id=<same id>  status=ok|failed  message=<one line>
#
# The hook waits for a result carrying its own id, at most POT_HOOK_TIMEOUT seconds (default 3600;
# pot sets it in the container's environment), then exits 0 (ok) or 1 (failed, or nobody answered).
# A rerun writes a new request with a new id, so an old result is never taken for a new one; pot's
# journal makes repeated work cheap, which keeps the hooks idempotent. Output goes to stdout, which
# tke-installer appends to data/tke.log.

POT_HOOK_DIR=${POT_HOOK_DIR:-/app/data/pot/hooks}
POT_HOOK_TIMEOUT=${POT_HOOK_TIMEOUT:-3600}

hook_log() {
    printf '%s pot-hook %s: %s\n' "$(date '+%Y/%m/%d %H:%M:%S')" "$HOOK_NAME" "$*"
}

# hook_field FILE NAME: print the value of NAME=... in FILE.
hook_field() {
    sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1
}

# hook_request STAGE: ask pot to run STAGE and wait for its answer.
hook_request() {
    stage=$1
    case $POT_HOOK_TIMEOUT in
    '' | *[!0-9]*)
        hook_log "POT_HOOK_TIMEOUT must be a number of seconds, got '$POT_HOOK_TIMEOUT'"
        return 1
        ;;
    esac
    mkdir -p "$POT_HOOK_DIR" || return 1
    id="$stage-$(date +%s)-$$-$(cut -d' ' -f1 /proc/uptime | tr -d .)"
    req=$POT_HOOK_DIR/$stage.request
    res=$POT_HOOK_DIR/$stage.result
    printf 'id=%s\nstage=%s\nhook=%s\n' "$id" "$stage" "$HOOK_NAME" >"$req.tmp.$$" &&
        mv -f "$req.tmp.$$" "$req" || {
        hook_log "cannot write the request $req"
        return 1
    }
    hook_log "asked pot for stage '$stage' (request $id); waiting up to ${POT_HOOK_TIMEOUT}s"
    waited=0
    while [ "$waited" -lt "$POT_HOOK_TIMEOUT" ]; do
        if [ -f "$res" ] && [ "$(hook_field "$res" id)" = "$id" ]; then
            status=$(hook_field "$res" status)
            message=$(hook_field "$res" message)
            if [ "$status" = ok ]; then
                hook_log "stage '$stage' done${message:+: $message}"
                return 0
            fi
            hook_log "stage '$stage' failed: ${message:-no message}"
            return 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    hook_log "no pot answered within ${POT_HOOK_TIMEOUT} s (stage '$stage'); is 'pot install' running on the installer host?"
    return 1
}
