#!/usr/bin/env bash
# The formatters: prettier for TypeScript (.prettierrc.json), clang-format for C and C++
# (.clang-format; Debian's clang-format, installed by scripts/deps.sh).
#   bash scripts/format.sh [PATH...]          rewrites every TypeScript, C and C++ file git knows of
#                                             (under the PATHs, when given)
#   bash scripts/format.sh --check [PATH...]  fails, naming them, when files differ from their formatted form
# While scripts/format-checked.txt exists, --check covers only the paths it lists (files or
# folders, one per line, # comments): the tree is reformatted in one go once every branch in
# flight has merged, and until then a check of the whole tree would fail on code that is
# correct but not yet formatted. Deleting that file makes --check cover the whole tree.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
[[ ${1:-} == --check ]] && check=1 && shift
scope_file=scripts/format-checked.txt

scope=("${@:-.}")
if ((check && $# == 0)) && [[ -f $scope_file ]]; then
  mapfile -t scope < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$scope_file" | grep -v '^$')
fi

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
