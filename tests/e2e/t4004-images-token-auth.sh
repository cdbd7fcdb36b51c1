#!/usr/bin/env bash
# t4004-images-token-auth.sh - `pot images push` into the real docker-registry configured for
# bearer-token auth (auth: token: realm, service, issuer, rootcertbundle) with a token service of
# our own (tests/fixtures/images/token-server.py, RS256 JWTs) on loopback: push with --user and
# --password-file, read back with skopeo (credentials in a 0600 auth file), a repeated push that
# uploads nothing, and a wrong password giving one clear error. Needs no sandbox.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/fixtures/images/registry.sh"

TOK=$T/tok
mkdir -p "$TOK" "$T/reg"
/usr/bin/python3 "$TOP/tests/fixtures/images/make-images.py" "$T/images"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pot-token-signer \
    -keyout "$TOK/token.key" -out "$TOK/token.pem" 2>/dev/null
echo pot-test-registry >"$TOK/service"
echo pot-test-issuer >"$TOK/issuer"
(umask 077 && printf 'admin:t0ken-pa55word\n' >"$TOK/users" &&
    printf 't0ken-pa55word\n' >"$T/good.pass" && printf 'wr0ng-pa55word\n' >"$T/bad.pass")

/usr/bin/python3 "$TOP/tests/fixtures/images/token-server.py" "$TOK" 2>"$T/token-server.err" &
TOKEN_PID=$!
for i in $(seq 1 50); do
    test -s "$TOK/port" && break
    sleep 0.1
done
reg_start "$T/reg" --token "$TOK"
REG=127.0.0.1:$REG_PORT
export REG TOK

# Credentials for skopeo go in an auth file readable only by us, never on its command line.
(umask 077 && printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REG" \
    "$(printf 'admin:t0ken-pa55word' | base64 -w0)" >"$T/auth.json")

expect_success 'the registry refuses anonymous reads (token auth is on)' '
    test -s "$TOK/port" &&
    ! skopeo inspect --tls-verify=false "docker://$REG/library/alpha:1.0" >/dev/null 2>anon.err &&
    assert_contains anon.err "unauthorized"
'

# The shared base layer is mounted across repositories: that needs a token scoped to the source
# repository too, which pot asks for when the registry's challenge names it.
expect_success 'push with --user and --password-file through the token service' '
    pot images push --registry "$REG" --insecure --user admin --password-file "$T/good.pass" \
        -j 2 "$T/images" >push1 2>&1 &&
    assert_contains push1 "3 images: 3 written, 0 up to date, 0 failed" &&
    assert_contains push1 "2 mounted" &&
    assert_not_contains push1 t0ken-pa55word &&
    grep -q "^admin 200 repository:library/alpha:pull,push" "$TOK/requests"
'

expect_success 'skopeo reads every image back with the same credentials' '
    for i in alpha:1.0 beta:2.1 gamma:latest; do
        skopeo inspect --authfile "$T/auth.json" --tls-verify=false \
            "docker://$REG/library/$i" >inspect.json &&
        assert_contains inspect.json "\"Architecture\": \"amd64\"" || exit 1
    done &&
    skopeo copy -q --authfile "$T/auth.json" --src-tls-verify=false \
        "docker://$REG/library/gamma:latest" "dir:$T/gamma-dir" &&
    test "$(ls "$T/gamma-dir" | wc -l)" -ge 5
'

expect_success 'a repeated push uploads nothing' '
    pot images push --registry "$REG" --insecure --user admin --password-file "$T/good.pass" \
        "$T/images" >push2 2>&1 &&
    assert_contains push2 "0 written, 3 up to date, 0 failed; blobs: 0 uploaded (0 B)"
'

expect_success 'verify with the token finds every tag and blob' '
    pot images verify --registry "$REG" --insecure --user admin \
        --password-file "$T/good.pass" "$T/images" >verify 2>&1 &&
    assert_contains verify "3 images in place"
'

expect_success 'wrong password: one clear error naming registry and image, no secret shown' '
    rc=0
    pot images push --registry "$REG" --insecure --namespace wrongpw --user admin \
        --password-file "$T/bad.pass" "$T/images" >bad.out 2>bad.err || rc=$?
    test "$rc" -ne 0 &&
    test "$(grep -c "authentication failed for user '"'"'admin'"'"'" bad.err)" -eq 1 &&
    assert_contains bad.err "registry '"'"'$REG'"'"'" &&
    assert_contains bad.err "wrongpw/alpha" &&
    assert_not_contains bad.err wr0ng-pa55word &&
    assert_not_contains bad.out wr0ng-pa55word &&
    cat bad.err &&
    grep -q "^admin 401 " "$TOK/requests" &&
    ! skopeo inspect --authfile "$T/auth.json" --tls-verify=false \
        "docker://$REG/wrongpw/alpha:1.0" >/dev/null 2>&1
'

expect_success 'no credentials: says which options are needed' '
    rc=0
    pot images push --registry "$REG" --insecure "$T/images" >anon.out 2>&1 || rc=$?
    test "$rc" -ne 0 && assert_contains anon.out "--password-file"
'

reg_stop "$T/reg"
kill "$TOKEN_PID" 2>/dev/null
wait "$TOKEN_PID" 2>/dev/null
test_done
