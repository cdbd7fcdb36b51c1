#!/usr/bin/env bash
# t4002-images-faults.sh - bad input and faults for `pot images`: truncated tarball, corrupt layer
# (digest mismatch with the config's diff_ids), registry killed mid-push and restarted on the
# same storage, registry down at start, pack to a full filesystem. Each: a clear message naming
# image and blob, non-zero exit, no tag pointing at a missing blob, and a rerun that completes.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/fixtures/images/registry.sh"
require_sandbox

REG=$SANDBOX_REGISTRY
NS=t4002-$$
export REG NS
MK="/usr/bin/python3 $TOP/tests/fixtures/images/make-images.py"
$MK "$T/good"
$MK "$T/bad" --corrupt beta
mkdir -p "$T/trunc"
head -c 1000000 "$T/good/alpha.1.0.tar" >"$T/trunc/alpha.1.0.tar"

# tag_ok REG REPO:TAG: the tag exists and every blob of its manifest can be fetched.
tag_ok() {
    skopeo copy -q --src-tls-verify=false "docker://$1/$2" "dir:$T/check-$$" >/dev/null 2>&1
    local rc=$?
    rm -rf "$T/check-$$"
    return $rc
}
tag_absent() {
    ! skopeo inspect --tls-verify=false "docker://$1/$2" >/dev/null 2>&1
}

expect_success 'truncated tarball: names file and member, exit non-zero, no tag' '
    rc=0
    pot images push --registry "$REG" --insecure --namespace "$NS" "$T/trunc" >out 2>&1 || rc=$?
    test $rc -ne 0 &&
    assert_contains out "alpha.1.0.tar" &&
    assert_contains out "layer.tar" &&
    assert_contains out "runcated" &&
    tag_absent "$REG" "$NS/alpha:1.0"
'

expect_success 'corrupt layer: digest mismatch names image and layer; others still pushed' '
    rc=0
    pot images push --registry "$REG" --insecure --namespace "$NS" "$T/bad" >out 2>err || rc=$?
    test $rc -eq 2 &&
    assert_contains err "image '"'"'registry.tke.com/library/beta:2.1'"'"'" &&
    assert_contains err "digest mismatch" &&
    assert_contains err "layer sha256:" &&
    assert_contains out "2 written" &&
    tag_absent "$REG" "$NS/beta:2.1" &&
    tag_ok "$REG" "$NS/alpha:1.0"
'

expect_success 'rerun with the fixed tarball uploads only what was missing' '
    pot images push --registry "$REG" --insecure --namespace "$NS" "$T/good" >out &&
    assert_contains out "1 written, 2 up to date, 0 failed; blobs: 1 uploaded" &&
    tag_ok "$REG" "$NS/beta:2.1" &&
    pot images push --registry "$REG" --insecure --namespace "$NS" "$T/good" >out2 &&
    assert_contains out2 "0 uploaded"
'

expect_success 'registry down at start: clear message, exit non-zero' '
    port=$(free_port)
    rc=0
    pot images push --registry "127.0.0.1:$port" --insecure "$T/good" >out 2>&1 || rc=$?
    test $rc -ne 0 &&
    assert_contains out "registry '"'"'127.0.0.1:$port'"'"'" &&
    assert_contains out "connect"
'

# Registry killed while a big incompressible layer is being staged and uploaded.
$MK "$T/big" --big-mb 64
mkdir -p "$T/kill" "$T/spool"
reg_start "$T/kill"
KREG=127.0.0.1:$REG_PORT
export KREG

expect_success 'registry killed mid-push: non-zero exit, no tag on a missing blob' '
    pot images push --registry "$KREG" --insecure -j 2 --tmpdir "$T/spool" "$T/big" \
        >out 2>err &
    pid=$!
    # Kill once the big layer is staging and some other blob has landed (random data is
    # stored, not deflated, so staging it is quick: wait for both, not just the spool).
    for i in $(seq 1 750); do
        f=$(ls -A "$T/spool" 2>/dev/null | head -n 1)
        if [ -n "$f" ] && [ "$(stat -c %s "$T/spool/$f" 2>/dev/null || echo 0)" -gt 4000000 ] &&
            [ -n "$(find "$T/kill/storage" -path "*/blobs/*" -name data 2>/dev/null | head -n 1)" ]; then
            break
        fi
        sleep 0.02
    done
    kill "$(cat "$T/kill/pid")"
    rc=0
    wait $pid || rc=$?
    test $rc -ne 0 &&
    assert_contains err "library/big:1.0" &&
    # One message per image not tagged, each naming the registry, plus the run summary line;
    # not one per blob and thread.
    cat err >&2 &&
    test "$(grep -c "^pot images: " err)" -eq 4 &&
    test "$(grep "^pot images: " err | grep -c "not tagged .*registry '"'"'$KREG'"'"'")" -eq 4 &&
    test "$(grep -c . err)" -eq 5 &&
    assert_contains err "4 of 4 images not written" &&
    reg_restart "$T/kill" &&
    tag_absent "$KREG" library/big:1.0 &&
    for t in alpha:1.0 beta:2.1 gamma:latest; do
        tag_absent "$KREG" library/$t || tag_ok "$KREG" library/$t || exit 1
    done &&
    test -z "$(ls -A "$T/spool")"
'

expect_success 'rerun after restart completes and uploads only what was missing' '
    kill -0 "$(cat "$T/kill/pid" 2>/dev/null)" 2>/dev/null || reg_restart "$T/kill"
    pot images push --registry "$KREG" --insecure "$T/big" >out &&
    assert_contains out "0 failed; blobs:" &&
    present=$(sed -n "s/.* \([0-9]*\) present.*/\1/p" out) &&
    test "$present" -gt 0 &&
    tag_ok "$KREG" library/big:1.0 &&
    pot images push --registry "$KREG" --insecure "$T/big" >out2 &&
    assert_contains out2 "0 written, 4 up to date, 0 failed; blobs: 0 uploaded"
'
reg_stop "$T/kill"

# A full filesystem: a small tmpfs this test mounts and unmounts.
mkdir -p "$T/full"
if mount -t tmpfs -o size=600k tmpfs "$T/full" 2>/dev/null; then
    expect_success 'pack to a full filesystem: ENOSPC message, exit non-zero' '
        rc=0
        pot images pack "$T/full/out" "$T/good" >out 2>err || rc=$?
        test $rc -ne 0 &&
        assert_contains err "No space left on device" &&
        assert_contains err "layer sha256:" &&
        test ! -e "$T/full/out/index.json"
    '
    expect_success 'seed to a full filesystem: ENOSPC message, exit non-zero' '
        rm -rf "$T/full/out"
        rc=0
        pot images seed --storage "$T/full/st" "$T/good" >out 2>err || rc=$?
        test $rc -ne 0 &&
        assert_contains err "No space left on device"
    '
    umount "$T/full"
else
    expect_success 'pack to a full filesystem (needs tmpfs mount rights)' 'false'
fi
test_done
