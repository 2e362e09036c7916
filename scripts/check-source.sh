#!/usr/bin/env bash
# House rules a compiler does not check: clang-format, and the banned
# functions of ../shared/STYLE.md rule 12 in engine code.
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
exit $status
