#!/usr/bin/env bash
# t4001-images-push.sh - `pot images push` of docker-save tarballs sharing a base layer into the
# sandbox registry (read back with skopeo, pulled and run by the sandbox dockerd), a second push
# that uploads nothing, push from a packed layout, and a TKE-like registry with TLS (own CA) and
# htpasswd basic auth, including a wrong password.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/fixtures/images/registry.sh"
require_sandbox

REG=$SANDBOX_REGISTRY
NS=t4001-$$
DOCKER="/usr/bin/docker -H $SANDBOX_DOCKER_HOST"
/usr/bin/python3 "$TOP/tests/fixtures/images/make-images.py" "$T/images"
/usr/bin/python3 "$TOP/tests/fixtures/images/make-images.py" "$T/images-gz" --gzip

expect_success 'list shows the shared base layer' '
    pot images list "$T/images" >list &&
    assert_contains list "registry.tke.com/library/alpha:1.0" &&
    assert_contains list "shared" &&
    assert_contains list "3 images"
'

expect_success 'push three images; shared base uploaded once, mounted twice' '
    pot images push --registry "$REG" --insecure --namespace "$NS" -j 2 "$T/images" >push1 &&
    assert_contains push1 "3 images: 3 written, 0 up to date, 0 failed" &&
    assert_contains push1 "2 mounted"
'

expect_success 'skopeo reads every image back with the rewritten tag' '
    for i in alpha:1.0 beta:2.1 gamma:latest; do
        skopeo inspect --tls-verify=false "docker://$REG/$NS/$i" >inspect.json &&
        assert_contains inspect.json "\"Architecture\": \"amd64\"" || exit 1
    done &&
    skopeo copy -q --src-tls-verify=false "docker://$REG/$NS/gamma:latest" "dir:$T/gamma-dir" &&
    test "$(ls "$T/gamma-dir" | wc -l)" -ge 5
'

expect_success 'the sandbox dockerd pulls one and runs busybox echo' '
    $DOCKER pull -q "$REG/$NS/alpha:1.0" &&
    $DOCKER run --rm "$REG/$NS/alpha:1.0" echo pot-images-ok >run.out &&
    assert_contains run.out pot-images-ok &&
    $DOCKER run --rm "$REG/$NS/alpha:1.0" cat /etc/alpha.txt >cat.out &&
    assert_contains cat.out "hello from alpha" &&
    $DOCKER rmi -f "$REG/$NS/alpha:1.0" >/dev/null
'

expect_success 'second push uploads nothing and rewrites no tag' '
    pot images push --registry "$REG" --insecure --namespace "$NS" "$T/images" >push2 &&
    assert_contains push2 "0 written, 3 up to date, 0 failed; blobs: 0 uploaded (0 B), 0 mounted"
'

expect_success 'verify finds every tag and blob' '
    pot images verify --registry "$REG" --insecure --namespace "$NS" "$T/images" >verify &&
    assert_contains verify "3 images in place"
'

expect_success '.tar.gz tarballs give the same manifests (deterministic gzip)' '
    pot images push --registry "$REG" --insecure --namespace "$NS" "$T/images-gz" >push3 &&
    assert_contains push3 "3 up to date"
'

expect_success 'push from a packed layout needs no recompression and matches' '
    pot images pack "$T/packed" "$T/images" >pack1 &&
    pot images pack "$T/packed" "$T/images" >pack2 &&
    assert_contains pack2 "0 written, 3 up to date" &&
    pot images push --registry "$REG" --insecure --namespace "$NS" "$T/packed" >push4 &&
    assert_contains push4 "3 up to date, 0 failed; blobs: 0 uploaded" &&
    pot images push --registry "$REG" --insecure --namespace "${NS}p" "$T/packed" >push5 &&
    assert_contains push5 "3 written" &&
    pot images verify --registry "$REG" --insecure --namespace "${NS}p" "$T/packed" >verify2
'

expect_success 'OCI layouts: the packed layout as a tar, and one written by skopeo' '
    tar -C "$T/packed" -cf "$T/packed.tar" . &&
    pot images push --registry "$REG" --insecure --namespace "${NS}t" "$T/packed.tar" >push6 &&
    assert_contains push6 "3 written" &&
    pot images push --registry "$REG" --insecure --namespace "${NS}t" "$T/packed.tar" >push7 &&
    assert_contains push7 "0 uploaded" &&
    skopeo copy -q --src-tls-verify=false "docker://$REG/$NS/beta:2.1" "oci:$T/skopeo-oci:2.1" &&
    pot images push --registry "$REG" --insecure --namespace "${NS}s" "$T/skopeo-oci" >push8 &&
    skopeo inspect --tls-verify=false "docker://$REG/${NS}s/skopeo-oci:2.1" >oci.json &&
    assert_contains oci.json "\"Architecture\": \"amd64\""
'

expect_failure 'verify reports a missing tag' '
    pot images verify --registry "$REG" --insecure --namespace "${NS}-none" "$T/images"
'

# A registry configured like TKE's: TLS with its own CA and htpasswd basic auth.
mkdir -p "$T/tke"
printf 's3cret-pa55word\n' >"$T/good.pass"
printf 'wrong-pa55word\n' >"$T/bad.pass"
reg_start "$T/tke" --tls --htpasswd admin "$T/good.pass"
TKE=127.0.0.1:$REG_PORT
export TKE

expect_success 'push to TLS + basic auth registry with --ca and --password-file' '
    pot images push --registry "$TKE" --ca "$T/tke/ca.pem" --user admin \
        --password-file "$T/good.pass" "$T/images" >tke1 2>&1 &&
    assert_contains tke1 "3 written" &&
    pot images push --registry "$TKE" --ca "$T/tke/ca.pem" --user admin \
        --password-file "$T/good.pass" "$T/images" >tke2 2>&1 &&
    assert_contains tke2 "0 uploaded" &&
    assert_not_contains tke1 s3cret-pa55word
'

expect_success 'wrong password: clear auth error, exit 1, password not shown' '
    rc=0
    pot images push --registry "$TKE" --ca "$T/tke/ca.pem" --user admin \
        --password-file "$T/bad.pass" "$T/images" >bad.out 2>&1 || rc=$?
    test "$rc" -ne 0 &&
    assert_contains bad.out "authentication failed for user '"'"'admin'"'"'" &&
    assert_not_contains bad.out wrong-pa55word
'

expect_success 'no credentials: says which options are needed' '
    rc=0
    pot images push --registry "$TKE" --ca "$T/tke/ca.pem" "$T/images" >anon.out 2>&1 || rc=$?
    test "$rc" -ne 0 && assert_contains anon.out "--password-file"
'

expect_success 'without the CA the TLS certificate is refused' '
    rc=0
    pot images push --registry "$TKE" --user admin --password-file "$T/good.pass" \
        "$T/images" >noca.out 2>&1 || rc=$?
    test "$rc" -ne 0 && assert_contains noca.out "certificate"
'

reg_stop "$T/tke"
test_done
