#!/usr/bin/env bash
# List the C functions longer than a limit (default 150 lines, from the
# line of their name to their closing brace), longest first, as
# "lines file:line name". Functions are found by the house layout
# (docs/STYLE.md): the name at the start of a line, the braces alone in
# the first column.
#   scripts/long-functions.sh [LIMIT] [FILES...]   (default: src modules)
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-150}
shift || true
if [ $# -eq 0 ]; then
    set -- $(git ls-files 'src/*.c' 'modules/*.c' 2>/dev/null ||
        find src modules -name '*.c')
fi
awk -v limit="$limit" '
FNR == 1 { head = ""; start = 0 }
/^[A-Za-z_][A-Za-z0-9_ \t\*]*[ \t\*]\**[A-Za-z_][A-Za-z0-9_]*\(/ {
    name = $0
    sub(/\(.*/, "", name)
    sub(/.*[ \t\*]/, "", name)
    head = name
    start = FNR
}
/^\{/ { if (!start) start = FNR }
/^\}/ {
    if (head != "" && FNR - start + 1 > limit)
        printf "%d %s:%d %s\n", FNR - start + 1, FILENAME, start, head
    head = ""
    start = 0
}
' "$@" | sort -rn
