#!/usr/bin/env bash
# `npm run build`: the native addon, then the API and the worker compiled to plain JavaScript in
# dist/ (what the systemd units and the container run: no TypeScript compiled at start). dist/
# mirrors the source tree; the data folders the code finds next to itself (profiles/, images/ with
# the manifests, native/build/ with the addon) are linked in, not copied, so dist/ never holds a
# stale copy of them.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build:native
rm -rf dist
npx tsc -p tsconfig.build.json
ln -s ../profiles dist/profiles
ln -s ../images dist/images
ln -s ../../native/build dist/native/build
echo "build: dist/api/main.js, dist/worker/main.js"
