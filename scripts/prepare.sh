#!/usr/bin/env bash
# Brings a checkout to a runnable state: Debian packages, npm dependencies, the native addon,
# the playground page, host setup (root only) and the language images. Each step is skipped when
# already done, so the second call takes seconds. Shared by scripts/start.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Debian packages"
bash scripts/deps.sh

step "npm dependencies"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  # `npm install` with the committed lock installs exactly its versions. Not `npm ci`: npm 11
  # leaves other platforms' optional packages out of the lock it writes, and `npm ci` then
  # refuses that same lock as out of sync.
  npm install --no-audit --no-fund
else
  echo "up to date"
fi

step "native addon"
# Rebuilt when any native source is newer than the built addon.
addon=native/build/Release/sbx.node
if [[ ! -f $addon ]] || [[ -n $(find native -path native/build -prune -o -newer "$addon" -type f -print -quit) ]]; then
  npm run --silent build:native
else
  echo "up to date"
fi

step "playground page"
# Rebuilt when any of its sources is newer than the built page (esbuild takes about a second).
page=api/playground/dist/index.html
if [[ ! -f $page ]] || [[ -n $(find api/playground/src api/playground/build.ts -newer "$page" -type f -print -quit) ]]; then
  npx tsx api/playground/build.ts
else
  echo "up to date"
fi

if [[ $EUID -eq 0 ]]; then
  step "host setup (cgroup subtree, uid range, data dir)"
  npx tsx worker/host-setup.ts
fi

step "language images (${SBX_IMAGES:-all})"
# Content-addressed by recipe: unchanged recipes are reused from the data dir (the CI cache).
# shellcheck disable=SC2086
npx tsx images/tool/cli.ts build ${SBX_IMAGES:-}
