#!/usr/bin/env bash
# The formatters: prettier for TypeScript (.prettierrc.json), clang-format for C and C++
# (.clang-format; Debian's clang-format, installed by scripts/deps.sh).
#   bash scripts/format.sh [PATH...]          rewrites every TypeScript, C and C++ file git knows of
#                                             (under the PATHs, when given)
#   bash scripts/format.sh --check [PATH...]  fails, naming them, when files differ from their formatted form

set -euo pipefail
cd "$(dirname "$0")/.."

check=0
[[ ${1:-} == --check ]] && check=1 && shift

scope=("${@:-.}")

# Tracked files and new ones git does not ignore (node_modules, build output and dist/ are ignored).
list() { git ls-files -z --cached --others --exclude-standard -- "${scope[@]}" | grep -z -E "$1" || true; }
mapfile -d '' ts < <(list '\.ts$')
mapfile -d '' c < <(list '\.(c|cc|cpp|h)$')
printf 'format: %d TypeScript and %d C/C++ files%s\n' "${#ts[@]}" "${#c[@]}" \
  "$([[ ${scope[*]} == . ]] || echo " (only ${scope[*]})")"

status=0
if ((check)); then
  ((${#ts[@]} == 0)) || npx prettier --check --log-level warn "${ts[@]}" || status=1
  ((${#c[@]} == 0)) || clang-format --style=file --dry-run -Werror "${c[@]}" || status=1
  ((status)) && echo 'format: files above differ from their formatted form; run `npm run format`' >&2
else
  ((${#ts[@]} == 0)) || npx prettier --write --log-level warn "${ts[@]}"
  ((${#c[@]} == 0)) || clang-format --style=file -i "${c[@]}"
fi
exit $status
