#!/usr/bin/env bash
# `npm run build`: the native addon, then the API and the worker compiled to plain JavaScript in
# dist/ (what the systemd units and the container run: no TypeScript compiled at start). dist/
# mirrors the source tree; the data folders the code finds next to itself (profiles/, images/ with
# the manifests, native/build/ with the addon, the built playground page) are linked in, not copied, so dist/ never holds a
# stale copy of them.
set -euo pipefail
cd "$(dirname "$0")/.."
# The addon is rebuilt when any native source is newer than it (as scripts/prepare.sh does).
addon=native/build/Release/sbx.node
if [[ ! -f $addon ]] || [[ -n $(find native -path native/build -prune -o -newer "$addon" -type f -print -quit) ]]; then
  npm run --silent build:native
fi
npm run --silent build:playground
rm -rf dist
npx tsc -p tsconfig.build.json
ln -s ../profiles dist/profiles
ln -s ../images dist/images
ln -s ../../native/build dist/native/build
ln -s ../../../api/playground/dist dist/api/playground/dist
echo "build: dist/api/main.js, dist/worker/main.js"
