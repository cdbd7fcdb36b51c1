#!/usr/bin/env bash
# t4003-images-seed.sh - `pot images seed` writes a packed layout straight into the filesystem
# storage of a stopped distribution registry: the tree equals what the registry writes itself
# when pot pushes the same images, and a registry started on it serves every image at once.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/fixtures/images/registry.sh"

/usr/bin/python3 "$TOP/tests/fixtures/images/make-images.py" "$T/images"
mkdir -p "$T/seeded" "$T/pushed"

expect_success 'pack, then seed twice: the second seed writes nothing' '
    pot images pack "$T/packed" "$T/images" >pack &&
    pot images seed --storage "$T/seeded/storage" "$T/packed" >seed1 &&
    assert_contains seed1 "3 written" &&
    pot images seed --storage "$T/seeded/storage" "$T/packed" >seed2 &&
    assert_contains seed2 "0 written, 3 up to date, 0 failed; blobs: 0 uploaded" &&
    test ! -e "$T/seeded/storage/.pot-tmp"
'

reg_start "$T/pushed"
PUSHED=127.0.0.1:$REG_PORT
export PUSHED

expect_success 'seeded tree equals the tree the registry writes for the same push' '
    pot images push --registry "$PUSHED" --insecure "$T/packed" >push &&
    (cd "$T/pushed/storage" && find . -type f | grep -v /_uploads/ | sort) >pushed.lst &&
    (cd "$T/seeded/storage" && find . -type f | sort) >seeded.lst &&
    diff pushed.lst seeded.lst &&
    while read -r f; do
        cmp "$T/pushed/storage/$f" "$T/seeded/storage/$f" || exit 1
    done <pushed.lst
'
reg_stop "$T/pushed"

# Start a registry on the seeded storage (reuse the helper's config, pointed at that storage).
reg_start "$T/seeded"
SEEDED=127.0.0.1:$REG_PORT
export SEEDED

expect_success 'a registry started on the seeded storage serves every image' '
    for i in alpha:1.0 beta:2.1 gamma:latest; do
        skopeo copy -q --src-tls-verify=false "docker://$SEEDED/library/$i" "dir:$T/out-$i" &&
        want=$(sha256sum "$T/packed/blobs/sha256/$(skopeo inspect --raw --tls-verify=false \
            "docker://$SEEDED/library/$i" | sha256sum | cut -c1-64)" | cut -c1-64) &&
        got=$(sha256sum "$T/out-$i/manifest.json" | cut -c1-64) &&
        assert_eq "$want" "$got" "manifest of $i" || exit 1
    done &&
    pot images verify --registry "$SEEDED" --insecure "$T/images" >verify &&
    assert_contains verify "3 images in place"
'

expect_success 'pushing to the seeded registry uploads nothing' '
    pot images push --registry "$SEEDED" --insecure "$T/images" >push2 &&
    assert_contains push2 "3 up to date, 0 failed; blobs: 0 uploaded"
'
reg_stop "$T/seeded"
test_done
