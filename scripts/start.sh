#!/usr/bin/env bash
# Quick start: prepares whatever is missing, then runs Redis (embedded unless SBX_REDIS_URL is
# set), one worker and the API in the foreground under scripts/supervise.sh, which restarts any of
# them that dies. Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh

exec bash scripts/supervise.sh
