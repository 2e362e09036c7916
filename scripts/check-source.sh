#!/usr/bin/env bash
# House rules a compiler does not check: clang-format, the banned
# functions of docs/STYLE.md rule 12 in engine code, and no path that
# leads outside the repository (a user's clone has nothing beside it).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find include src modules state tests -name '*.[ch]')
if command -v clang-format >/dev/null; then
    if ! clang-format --dry-run -Werror $files; then
        echo "check-source: run clang-format -i on the files above" >&2
        status=1
    fi
else
    echo "check-source: clang-format not installed" >&2
    status=1
fi
banned='\b(malloc|sprintf|vsprintf|strcpy|strcat|strtok|atoi|gets)[[:space:]]*\('
hits=$(grep -nE "$banned" $(echo "$files" | tr ' ' '\n' | grep -E '^(src|modules|state|include)/') 2>/dev/null \
       | grep -v -e 'tern_malloc' -e '^src/util/alloc.c:' || true)
if [ -n "$hits" ]; then
    echo "check-source: banned functions (use src/util):" >&2
    echo "$hits" >&2
    status=1
fi
# Paths outside the repository: a relative path that climbs above the root
# from the file that names it, or a path into this machine's work tree.
outside=$(git grep -nIoE '(\.\./)+[^ "'"'"'`)]*' 2>/dev/null | while IFS=: read -r f line m; do
    d=$(dirname "$f")
    depth=0
    [ "$d" = . ] || depth=$(($(echo "$d" | tr -cd / | wc -c) + 1))
    ups=$(echo "$m" | grep -o '\.\./' | wc -l)
    [ "$ups" -gt "$depth" ] && echo "$f:$line: $m"
done)
# ([k] and [d] keep these lines from matching themselves.)
more=$(git grep -nIE '/wor[k]/|\.\./share[d]|\$\{CMAKE_(SOURCE|BINARY)_DIR\}/\.\.' 2>/dev/null || true)
[ -n "$more" ] && outside=$(printf '%s\n%s' "$outside" "$more")
if [ -n "$outside" ]; then
    echo "check-source: paths outside the repository:" >&2
    echo "$outside" >&2
    status=1
fi
# Functions over 150 lines (issue 20, "Readable code"): those in the
# baseline are reported, a new one fails. Split it, or, when it truly
# cannot be, add its "file name" line to scripts/long-functions.baseline.
long=$(bash scripts/long-functions.sh 150)
if [ -n "$long" ]; then
    echo "check-source: functions over 150 lines (to split):" >&2
    echo "$long" >&2
    new=$(echo "$long" | while read -r n where name; do
        f=${where%%:*}
        grep -qxF "$f $name" scripts/long-functions.baseline || echo "$n $where $name"
    done)
    if [ -n "$new" ]; then
        echo "check-source: new functions over 150 lines (not in scripts/long-functions.baseline):" >&2
        echo "$new" >&2
        status=1
    fi
fi
exit $status
