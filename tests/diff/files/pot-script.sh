#!/bin/sh
# script module test (fetch-script.yml): prints its arguments and writes a marker file
echo "script args: $*"
if [ -n "$2" ]; then
    echo "made by script" >"$2"
fi
