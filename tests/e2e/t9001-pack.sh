#!/usr/bin/env bash
# t9001-pack.sh - `pot pack` and `pot verify-package`, locally (no sandbox): a small kit (this
# repository's playbooks, templates, hooks, charts, helmfile) with the redis and mysql components
# and the demo helmfile's center product1, whose images (images/<chart>.txt, and the releases
# rendered by helm: alpha, beta; not product2's gamma) come from make-images.py; two packs
# of the same inputs are byte-identical; the package verifies as a tar and unpacked; a flipped byte
# (in the tar and in the unpacked folder), a missing and an extra file are each named; a signed
# package verifies with its key and fails with another; a missing image fails the pack;
# install-offline-pot.sh refuses a damaged package before anything else; a delta (--since) holds
# only new blobs and changed files and, applied (--apply), gives exactly the new package, and a
# damaged delta or one for another base changes nothing.
. "$(dirname "$0")/lib.sh"

MK="/usr/bin/python3 $TOP/tests/fixtures/images/make-images.py"
HELM=${HELM:-/opt/pot-tools/bin/helm}
PKG=offline-pot-acme-2.0
refs=$(cat "$TOP/images/redis.txt" "$TOP/images/mysql.txt" | paste -sd, -)
LONG=$(printf 'long-name-%.0s' $(seq 12))txt # 123 characters: a pax header in the tar

# builder FILE [EXTRA YAML LINES...]: the builder file of the test kit
builder() {
    local file=$1
    shift
    {
        printf '%s\n' "customer: acme" "center: product1" 'version: "2.0"' "kit: $TOP" \
            "components: [redis, mysql]" "image_sources: [$T/src, $T/extra]" \
            "helmfile: {dir: $TOP/helmfile, environments: [demo], selectors: [center=product1]," \
            "  helm: $HELM}" \
            "images: []" "files: [{src: $T/notes.txt, dest: offline-pot/notes.txt}," \
            "  {src: $T/notes.txt, dest: offline-pot/docs/$LONG}]"
        printf '%s\n' "$@"
    } >"$file"
}
# flip FILE OFFSET: inverts one byte
flip() {
    python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^0xff]))' "$1" "$2"
}
# data_offset TAR MEMBER: where MEMBER's bytes start in TAR
data_offset() {
    python3 -c 'import sys,tarfile; print(tarfile.open(sys.argv[1]).getmember(sys.argv[2]).offset_data)' "$1" "$2"
}

expect_success 'test images and builder file' '
    $MK "$T/src" --refs "$refs" >/dev/null && $MK "$T/extra" >/dev/null &&
    echo "read me" >"$T/notes.txt" && builder "$T/builder.yaml"
'

expect_success 'pack writes the tar, its sidecar and a summary' '
    pot pack -f "$T/builder.yaml" -o "$T/out1" >"$T/pack1.log" &&
    test -f "$T/out1/$PKG.tar" && test -f "$T/out1/$PKG.tar.sha256" &&
    grep -q "^pack: .*$PKG.tar: .* 4 images, MANIFEST sha256 " "$T/pack1.log" &&
    grep -q "helmfile: environment .demo.: 2 releases, 2 more images" "$T/pack1.log" &&
    ! ls -a "$T/out1" | grep -q staging
'

expect_success 'a second pack of the same inputs is byte-identical' '
    sleep 1 && pot pack -q -f "$T/builder.yaml" -o "$T/out2" >/dev/null &&
    cmp "$T/out1/$PKG.tar" "$T/out2/$PKG.tar" &&
    cmp "$T/out1/$PKG.tar.sha256" "$T/out2/$PKG.tar.sha256"
'

expect_success 'members: fixed mtime and owner, path order, MANIFEST last' '
    tar -tvf "$T/out1/$PKG.tar" --numeric-owner >"$T/list" &&
    ! grep -v " 0/0 " "$T/list" && ! grep -v " 1970-01-01 00:00 " "$T/list" &&
    tar -tf "$T/out1/$PKG.tar" >"$T/names" && test "$(tail -n1 "$T/names")" = "$PKG/MANIFEST" &&
    head -n -1 "$T/names" | LC_ALL=C sort -c &&
    grep -qx "$PKG/offline-pot/charts/redis/Chart.yaml" "$T/names" &&
    grep -qx "$PKG/offline-pot/images/mysql.txt" "$T/names" &&
    grep -qx "$PKG/offline-pot/helmfile/helmfile.d/00-product1.yaml.gotmpl" "$T/names" &&
    grep -qx "$PKG/offline-pot/playbooks/host-init.yml" "$T/names" &&
    grep -qx "$PKG/offline-pot/install-offline-pot.sh" "$T/names" &&
    grep -qx "$PKG/offline-pot/notes.txt" "$T/names" && grep -qx "$PKG/offline-pot/docs/$LONG" "$T/names" &&
    grep -qx "$PKG/offline-pot-images/index.json" "$T/names" &&
    ! grep -q "offline-pot/charts/kafka/" "$T/names" &&
    ! grep -q "offline-pot/images/kafka.txt" "$T/names"
'

expect_success 'the sidecar holds the sha256 of MANIFEST; MANIFEST lists every other file' '
    mkdir -p "$T/u" && tar -xf "$T/out1/$PKG.tar" -C "$T/u" &&
    test "$(cut -d" " -f1 "$T/out1/$PKG.tar.sha256")" = "$(sha256sum "$T/u/$PKG/MANIFEST" | cut -d" " -f1)" &&
    test "$(wc -l <"$T/u/$PKG/MANIFEST")" = "$(($(wc -l <"$T/names") - 1))" &&
    (cd "$T/u/$PKG" && awk "{print \$1 \"  \" \$3}" MANIFEST | sha256sum -c --quiet)
'

expect_success 'one OCI layout: the images of the components and the selected releases, layers once' '
    pot images list "$T/u/$PKG/offline-pot-images" >"$T/images.list" &&
    grep -q "^4 images" "$T/images.list" && grep -q "shared" "$T/images.list" &&
    grep -q "library/redis" "$T/images.list" && grep -q "library/mysql" "$T/images.list" &&
    grep -q "library/alpha:1.0" "$T/images.list" && grep -q "library/beta:2.1" "$T/images.list" &&
    ! grep -q gamma "$T/images.list"
'

expect_success 'verify-package: the tar and the unpacked folder pass' '
    pot verify-package "$T/out1/$PKG.tar" >"$T/v1" && grep -q "match MANIFEST sha256 .*; not signed" "$T/v1" &&
    pot verify-package "$T/u/$PKG" >"$T/v2" && grep -q "match MANIFEST" "$T/v2"
'

expect_success 'a flipped byte in the tar is named, exit 2' '
    cp "$T/out1/$PKG.tar" "$T/bad.tar" && cp "$T/out1/$PKG.tar.sha256" "$T/bad.tar.sha256" &&
    flip "$T/bad.tar" $(($(data_offset "$T/bad.tar" "$PKG/offline-pot/playbooks/host-init.yml") + 10)) &&
    { pot verify-package "$T/bad.tar" >"$T/v3" 2>&1; test $? -eq 2; } &&
    grep -qx "changed: offline-pot/playbooks/host-init.yml (sha256 .*)" "$T/v3" &&
    test "$(grep -c "^changed:" "$T/v3")" = 1 && grep -q "1 problem found" "$T/v3"
'

expect_success 'a flipped byte, a missing and an extra file in the folder are named' '
    cp -r "$T/u/$PKG" "$T/bad" && f=$(ls "$T/bad/offline-pot-images/blobs/sha256" | head -n1) &&
    flip "$T/bad/offline-pot-images/blobs/sha256/$f" 3 &&
    rm "$T/bad/offline-pot/charts/redis/Chart.yaml" && echo x >"$T/bad/offline-pot/playbooks/new.yml" &&
    { pot verify-package "$T/bad" >"$T/v4" 2>&1; test $? -eq 2; } &&
    grep -qx "changed: offline-pot-images/blobs/sha256/$f (sha256 .*)" "$T/v4" &&
    grep -qx "missing: offline-pot/charts/redis/Chart.yaml" "$T/v4" &&
    grep -qx "extra: offline-pot/playbooks/new.yml (not in the manifest)" "$T/v4" &&
    grep -q "3 problems found" "$T/v4"
'

expect_success 'a sidecar that does not match MANIFEST is named' '
    cp "$T/out1/$PKG.tar" "$T/side.tar" && echo "$(printf "%064d" 0)  MANIFEST" >"$T/side.tar.sha256" &&
    { pot verify-package "$T/side.tar" >"$T/v5" 2>&1; test $? -eq 2; } &&
    grep -q "^changed: MANIFEST (sha256 .*, sidecar .*side.tar.sha256. says 0000" "$T/v5"
'

expect_success 'signed: verifies with its key, fails with another, unsigned fails with --key' '
    openssl genpkey -algorithm ed25519 -out "$T/k1.pem" 2>/dev/null &&
    openssl pkey -in "$T/k1.pem" -pubout -out "$T/k1.pub" &&
    openssl genpkey -algorithm ed25519 -out "$T/k2.pem" 2>/dev/null &&
    openssl pkey -in "$T/k2.pem" -pubout -out "$T/k2.pub" &&
    pot pack -q -f "$T/builder.yaml" -o "$T/signed" --sign "$T/k1.pem" >/dev/null &&
    tar -tf "$T/signed/$PKG.tar" | tail -n1 | grep -qx "$PKG/MANIFEST.sig" &&
    pot verify-package --key "$T/k1.pub" "$T/signed/$PKG.tar" >"$T/v6" &&
    grep -q "signature good" "$T/v6" &&
    { pot verify-package --key "$T/k2.pub" "$T/signed/$PKG.tar" >"$T/v7" 2>&1; test $? -eq 2; } &&
    grep -q "^bad signature: MANIFEST.sig does not match MANIFEST" "$T/v7" &&
    { pot verify-package --key "$T/k1.pub" "$T/out1/$PKG.tar" >"$T/v8" 2>&1; test $? -eq 2; } &&
    grep -q "^missing: MANIFEST.sig (the package is not signed)" "$T/v8" &&
    { pot pack -q -f "$T/builder.yaml" -o "$T/pubsign" --sign "$T/k1.pub" >"$T/v9" 2>&1; test $? -eq 5; } &&
    grep -q "sign: key .*k1.pub.: not an ed25519 private key in PEM" "$T/v9" && ! test -e "$T/pubsign/$PKG.tar"
'

expect_success 'an image of a component not in the sources fails the pack, naming it' '
    builder "$T/b2.yaml" && sed -i "s/components: \[redis, mysql\]/components: [redis, kafka]/" "$T/b2.yaml" &&
    { pot pack -q -f "$T/b2.yaml" -o "$T/out3" >"$T/p2" 2>&1; test $? -eq 5; } &&
    grep -q "image .registry.tke.com/library/kafka:.* is in no image source" "$T/p2" &&
    ! test -e "$T/out3/$PKG.tar" &&
    builder "$T/b4.yaml" && sed -i "s|image_sources: \[$T/src, $T/extra\]|image_sources: [$T/src]|" "$T/b4.yaml" &&
    { pot pack -q -f "$T/b4.yaml" -o "$T/out3" >"$T/p4" 2>&1; test $? -eq 5; } &&
    grep -q "image .registry.tke.com/library/alpha:1.0. (and others) of the components. image lists or the helmfile.s releases is in no image source" "$T/p4"
'

expect_success 'a bad builder file is named with its line (exit 4)' '
    builder "$T/b3.yaml" "colour: blue" &&
    { pot pack -f "$T/b3.yaml" -o "$T/out4" >"$T/p3" 2>&1; test $? -eq 4; } &&
    grep -q "b3.yaml:12:.*unknown key .colour." "$T/p3"
'

expect_success 'a bad --volume-size is refused before anything is packed (exit 5)' '
    assert_exit 5 pot pack -f "$T/builder.yaml" -o "$T/vbad" --volume-size 10K >"$T/v1" 2>&1 &&
    grep -q -- "--volume-size .10K.: expected a size of at least 1M" "$T/v1" &&
    assert_exit 5 pot pack -f "$T/builder.yaml" -o "$T/vbad" --volume-size lots >"$T/v2" 2>&1 &&
    grep -q -- "--volume-size .lots." "$T/v2" && test ! -e "$T/vbad"
'

expect_success 'install-offline-pot.sh verifies first and stops on a damaged package' '
    cp "$POT" "$T/bad/offline-pot/pot" &&
    { bash "$T/bad/offline-pot/install-offline-pot.sh" >"$T/i1" 2>&1; test $? -eq 2; } &&
    grep -q "missing: offline-pot/charts/redis/Chart.yaml" "$T/i1" &&
    ! grep -q "inventory" "$T/i1"
'

expect_success 'install-offline-pot.sh goes on to pot install once the package verifies' '
    { PATH="$(dirname "$POT"):$PATH" bash "$T/u/$PKG/offline-pot/install-offline-pot.sh" >"$T/i2" 2>&1
      test $? -eq 5; } &&
    grep -q "match MANIFEST" "$T/i2" && grep -q "inventory .*hosts. does not exist" "$T/i2"
'

# The next version: mysql switched off (its chart, list and image go), notes.txt changed, one more
# image; its delta from the first package holds only what that one lacks.
PKG2=offline-pot-acme-2.1
expect_success 'a delta --since the old MANIFEST holds only new blobs and changed files' '
    $MK "$T/extra2" --refs registry.tke.com/library/delta:1.0 >/dev/null &&
    builder "$T/b21.yaml" && echo "read me twice" >"$T/notes.txt" &&
    sed -i -e "s/version: \"2.0\"/version: \"2.1\"/" -e "s/\[redis, mysql\]/[redis]/" \
        -e "s|images: \[\]|images: [$T/extra2]|" "$T/b21.yaml" &&
    pot pack -q -f "$T/b21.yaml" -o "$T/full21" >/dev/null &&
    pot pack -f "$T/b21.yaml" -o "$T/delta" --since "$T/u/$PKG/MANIFEST" >"$T/d.log" &&
    grep -q "^pack: .*$PKG2.delta.tar: delta of " "$T/d.log" &&
    tar -tf "$T/delta/$PKG2.delta.tar" | sed "s|^$PKG2/||" >"$T/dnames" &&
    test "$(head -n1 "$T/dnames")" = DELTA && test "$(tail -n1 "$T/dnames")" = MANIFEST &&
    grep -qx offline-pot/notes.txt "$T/dnames" && grep -qx offline-pot/pack.yaml "$T/dnames" &&
    ! grep -q "offline-pot/playbooks/" "$T/dnames" && ! grep -q "charts/redis/" "$T/dnames" &&
    test "$(grep -c "^offline-pot-images/blobs/" "$T/dnames")" -lt \
        "$(tar -tf "$T/full21/$PKG2.tar" | grep -c "/offline-pot-images/blobs/")" &&
    test "$(wc -c <"$T/delta/$PKG2.delta.tar")" -lt "$(wc -c <"$T/full21/$PKG2.tar")" &&
    cmp "$T/delta/$PKG2.delta.tar.sha256" "$T/full21/$PKG2.tar.sha256"
'

expect_success 'applied onto the old package, the delta gives exactly the new package' '
    cp -r "$T/u/$PKG" "$T/applied" &&
    pot pack --apply "$T/delta/$PKG2.delta.tar" --to "$T/applied" >"$T/a.log" &&
    grep -q "^pack: applied .* match MANIFEST sha256 $(cut -d" " -f1 "$T/full21/$PKG2.tar.sha256")" "$T/a.log" &&
    mkdir "$T/u21" && tar -xf "$T/full21/$PKG2.tar" -C "$T/u21" &&
    diff -r "$T/applied" "$T/u21/$PKG2" && pot verify-package "$T/applied" >/dev/null
'

expect_success 'a delta for another base is refused before anything changes (exit 2)' '
    { pot pack --apply "$T/delta/$PKG2.delta.tar" --to "$T/applied" >"$T/a2" 2>&1; test $? -eq 2; } &&
    grep -q "applies to the package whose MANIFEST has sha256 $(cut -d" " -f1 "$T/out1/$PKG.tar.sha256")" "$T/a2" &&
    diff -r "$T/applied" "$T/u21/$PKG2"
'

expect_success 'a damaged delta is named and leaves the old package as it was' '
    cp -r "$T/u/$PKG" "$T/old2" && cp "$T/delta/$PKG2.delta.tar" "$T/bad-delta.tar" &&
    flip "$T/bad-delta.tar" $(($(data_offset "$T/bad-delta.tar" "$PKG2/offline-pot/notes.txt") + 2)) &&
    { pot pack --apply "$T/bad-delta.tar" --to "$T/old2" >"$T/a3" 2>&1; test $? -eq 2; } &&
    grep -qx "changed: offline-pot/notes.txt (sha256 .*)" "$T/a3" && grep -q "is unchanged" "$T/a3" &&
    diff -r "$T/old2" "$T/u/$PKG"
'

test_done
