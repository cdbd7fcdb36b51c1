#!/usr/bin/env bash
# t2006-worst-case-inputs.sh - hostile input cannot crash pot or run away with its memory: for each
# class of worst case (nesting of YAML, JSON, INI literals, Jinja and Go templates, helmfile state;
# chains of Jinja operators and filters; a YAML alias bomb; a huge format width; a binary
# inventory), a 10 MB input (1 KB for the alias bomb) goes to the pot command that reads it. Each
# must end with one clear error naming the file, exit 1, 4 or 5 (never a signal), with a peak
# resident size under 1 GiB. `timeout` is only a guard against a hang; how long each case takes is
# measured by bench/worst-case-inputs.sh, not asserted here. No sandbox needed.
. "$(dirname "$0")/lib.sh"

MB10=$((10 * 1024 * 1024))
cd "$T" || exit 1
python3 "$TOP/tests/fixtures/worst-case/make.py" "$T" "$MB10" || exit 1

# run NAME COMMAND...: runs pot with COMMAND; NAME.out its output, NAME.rc its exit status,
# NAME.rss its peak resident size in KiB.
run() {
    local name=$1 rc=0
    shift
    /usr/bin/time -f "%M" -o "$name.rss" timeout 300 "$POT" "$@" >"$name.out" 2>&1 || rc=$?
    echo "$rc" >"$name.rc"
    tail -c 400 "$name.out"
    echo "# exit $rc, peak $(tail -1 "$name.rss") KiB"
}
under_1gib() { [ "$(tail -1 "$1.rss")" -lt 1048576 ]; }

# worst NAME FILE COMMAND...: COMMAND reads FILE; it must fail with one line naming FILE.
worst() {
    local name=$1 file=$2
    shift 2
    expect_success "$name: one clear error naming $file, no crash, under 1 GiB" '
        run '"$name $*"' &&
        case $(cat '"$name"'.rc) in 1 | 4 | 5) ;; *) echo "# not an error exit" >&2; exit 1 ;; esac &&
        assert_eq 1 "$(grep -c . '"$name"'.out)" "lines of output" &&
        assert_contains '"$name"'.out "'"$file"'" && under_1gib '"$name"'
    '
}

worst yaml-nesting deep.yml play -i local.ini -e @deep.yml pb.yml
worst yaml-alias-bomb bomb.yml play -i local.ini -e @bomb.yml pb.yml
worst json-nesting deep.json template fromjson.j2
worst jinja-operator-chain ops.j2 template ops.j2
worst jinja-filter-chain filters.j2 template filters.j2
worst jinja-parentheses parens.j2 template parens.j2
worst jinja-block-nesting blocks.j2 template blocks.j2
worst format-width width.j2 template width.j2
worst go-if-nesting goif.tpl template --go goif.tpl
worst go-parentheses goparen.tpl template --go goparen.tpl
# Ansible reads an INI host value that is no Python literal as a string: so does pot, without
# recursing 5 million levels into it.
expect_success 'ini-literal-nesting: the value stays a string, as in Ansible, under 1 GiB' '
    run ini inventory -i inv.ini --list && assert_eq 0 "$(cat ini.rc)" &&
    grep -q "\"x\": \"\[\[\[\[" ini.out && under_1gib ini
'
worst binary-inventory garbage.ini inventory -i garbage.ini --list
worst helmfile-nesting helmfile.yaml helmfile -f helmfile.yaml list

test_done
