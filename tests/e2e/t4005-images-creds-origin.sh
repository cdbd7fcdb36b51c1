#!/usr/bin/env bash
# t4005-images-creds-origin.sh - registry credentials stay with the registry's origin (#15): a
# registry stand-in (tests/fixtures/images/cross-origin-registry.py) answers every upload POST
# with a Location on another loopback port, where a second listener records the headers it gets.
# `pot images push --user --password-file` must complete there without sending it any
# Authorization, with Basic auth and with bearer tokens alike. Needs no sandbox.
. "$(dirname "$0")/lib.sh"

/usr/bin/python3 "$TOP/tests/fixtures/images/make-images.py" "$T/images"
(umask 077 && printf 'or1gin-pa55word\n' >"$T/pass")

# standin DIR MODE: starts the stand-in in DIR (stops by itself after 60 s); sets REG.
standin() {
    local dir=$1 i
    mkdir -p "$dir"
    cp "$T/pass" "$dir/password"
    /usr/bin/python3 "$TOP/tests/fixtures/images/cross-origin-registry.py" "$dir" "$2" 60 \
        2>"$dir/server.err" &
    for i in $(seq 1 50); do
        test -s "$dir/port" && break
        sleep 0.1
    done
    REG=127.0.0.1:$(cat "$dir/port")
}

for mode in basic bearer; do
    standin "$T/$mode" "$mode"
    export REG mode
    expect_success "$mode: push completes, uploads go to the other origin without credentials" '
        pot images push --registry "$REG" --insecure --user admin --password-file "$T/pass" \
            "$T/images" >push.out 2>&1 &&
        assert_contains push.out "3 images: 3 written, 0 up to date, 0 failed" &&
        grep -q "^PUT /upload/" "$T/$mode/foreign-requests" &&
        ! grep -qi "^authorization:" "$T/$mode/foreign-requests" &&
        ! grep -q "or1gin-pa55word\|b3IxZ2lu\|cross-origin-t0ken" "$T/$mode/foreign-requests" &&
        grep -q "^PUT /v2/library/alpha/manifests/1.0 201" "$T/$mode/requests"
    '
    expect_success "$mode: a repeated push uploads nothing" '
        pot images push --registry "$REG" --insecure --user admin --password-file "$T/pass" \
            "$T/images" >push2.out 2>&1 &&
        assert_contains push2.out "0 written, 3 up to date, 0 failed"
    '
    touch "$T/$mode/stop"
done
wait

test_done
