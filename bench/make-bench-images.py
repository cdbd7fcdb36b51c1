#!/usr/bin/python3
"""make-bench-images.py - the image set of bench/images-vs-peers.sh, built locally without network.

    make-bench-images.py OUTDIR BASE_ROOTFS_TAR

Writes OUTDIR/images/<name>.<tag>.tar (docker-save tarballs, via make-images.py's write_save),
OUTDIR/layers/<diff_id hex>.tar (each distinct layer once, uncompressed: the gzip floor's input)
and OUTDIR/dataset.json (images, layers, sizes). Six images registry.tke.com/tke/*:1.0 share:
  base     BASE_ROOTFS_TAR as it is (a debootstrap rootfs), in all six;
  rt-lib   files from /usr/lib/x86_64-linux-gnu (binaries), in the first three;
  rt-py    files from /usr/lib/python3 (text), in the last three;
and each adds an app layer of other /usr files and maybe a random (incompressible) layer.
Files are taken in sorted order without reuse, so no two layers hold the same file; random
bytes come from a seeded generator, so a rebuild on the same machine gives the same layers.
"""
import hashlib
import importlib.util
import json
import os
import random
import sys

MB = 1024 * 1024
HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "make_images", os.path.join(HERE, "..", "tests", "fixtures", "images", "make-images.py"))
make_images = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_images)

# (name, shared runtime layer, app source, app MB, random MB)
IMAGES = [
    ("apiserver", "rt-lib", "lib", 25, 40),
    ("controller", "rt-lib", "lib", 25, 20),
    ("gateway", "rt-lib", "share", 20, 0),
    ("monitor", "rt-py", "share", 25, 60),
    ("notify", "rt-py", "lib", 20, 0),
    ("auth", "rt-py", "share", 20, 30),
]
SOURCES = {
    "lib": "/usr/lib/x86_64-linux-gnu",
    "py": "/usr/lib/python3",
    "share": "/usr/share",
}


def regular_files(root):
    """Sorted regular files under root, at most 16 MB each, skipping docs (already gzip)."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("doc", "locale"))
        for f in sorted(files):
            p = os.path.join(d, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            if os.path.getsize(p) <= 16 * MB and os.access(p, os.R_OK):
                out.append(p)
    return out


class FilePool:
    """Hands out files of one source in order, each once."""

    def __init__(self, root):
        self.files = regular_files(root)
        self.next = 0

    def take(self, mb, prefix):
        entries, total = [], 0
        while total < mb * MB:
            if self.next >= len(self.files):
                sys.exit("make-bench-images: ran out of files under the source")
            p = self.files[self.next]
            self.next += 1
            with open(p, "rb") as f:
                data = f.read()
            mode = os.stat(p).st_mode & 0o777
            entries.append((prefix + p.lstrip("/"), "file", data, mode))
            total += len(data)
        return make_images.tar_bytes(entries)


def random_layer(name, mb):
    rng = random.Random("pot-bench-" + name)
    data = rng.randbytes(mb * MB)
    return make_images.tar_bytes([("data", "dir", None, 0o755),
                                  ("data/%s.bin" % name, "file", data, 0o644)])


def main():
    out, base_tar = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    os.makedirs(os.path.join(out, "layers"), exist_ok=True)
    pools = {k: FilePool(v) for k, v in SOURCES.items()}
    with open(base_tar, "rb") as f:
        base = f.read()
    shared = {"rt-lib": pools["lib"].take(60, "opt/rt/"), "rt-py": pools["py"].take(40, "opt/rt/")}
    layers, images = {}, []

    def note(kind, data, user):
        hexd = hashlib.sha256(data).hexdigest()
        if hexd not in layers:
            layers[hexd] = {"kind": kind, "size": len(data), "images": []}
            with open(os.path.join(out, "layers", hexd + ".tar"), "wb") as f:
                f.write(data)
        layers[hexd]["images"].append(user)

    for name, rt, app_src, app_mb, rand_mb in IMAGES:
        ls = [base, shared[rt], pools[app_src].take(app_mb, "opt/%s/" % name)]
        kinds = ["base", rt, "app-" + app_src]
        if rand_mb:
            ls.append(random_layer(name, rand_mb))
            kinds.append("random")
        ref = "registry.tke.com/tke/%s:1.0" % name
        path = os.path.join(out, "images", "%s.1.0.tar" % name)
        make_images.write_save(path, ref, ls, False)
        for k, l in zip(kinds, ls):
            note(k, l, name)
        images.append({"ref": ref, "name": name, "tag": "1.0", "file": os.path.basename(path),
                       "size": os.path.getsize(path), "layers": len(ls)})
    with open(os.path.join(out, "dataset.json"), "w") as f:
        json.dump({"images": images, "layers": layers}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
