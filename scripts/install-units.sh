#!/usr/bin/env bash
# Installs Bulkhead as systemd services, as root, in one command:
#   bash scripts/install-units.sh [--prefix /opt/bulkhead]
# builds (npm run build), copies what the services run to the prefix, prepares the host
# (host-setup: the bulkhead user, its subordinate ids, cgroup parents, /var/lib/bulkhead), adds the
# bulkhead-api user, writes bulkhead-{redis,worker,api}.service to /etc/systemd/system (checked
# with systemd-analyze verify) and, when systemd is the init, enables and starts them.
#   bash scripts/install-units.sh --render-only DIR   writes and verifies the units in DIR only
# Settings: /etc/bulkhead/worker.env and /etc/bulkhead/api.env (SBX_* variables, see README).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
prefix=/opt/bulkhead
render_only=
while (($#)); do
  case $1 in
    --prefix) prefix=$2; shift 2 ;;
    --render-only) render_only=$2; shift 2 ;;
    *) echo "install-units: unknown argument $1" >&2; exit 2 ;;
  esac
done

# Writes the units for $prefix into $1 and has systemd check them (any warning is an error).
render() {
  mkdir -p "$1"
  for unit in scripts/deploy/systemd/*.service; do
    sed "s#@PREFIX@#$prefix#g" "$unit" >"$1/$(basename "$unit")"
  done
  local warnings
  warnings=$(cd "$1" && systemd-analyze verify --man=no ./bulkhead-*.service 2>&1) || { echo "$warnings" >&2; exit 1; }
  [[ -z $warnings ]] || { echo "install-units: systemd-analyze verify: $warnings" >&2; exit 1; }
}

if [[ -n $render_only ]]; then render "$render_only"; echo "install-units: units verified in $render_only"; exit 0; fi
[[ $EUID -eq 0 ]] || { echo "install-units: run as root" >&2; exit 1; }

bash scripts/deps.sh
npm run --silent build
if [[ $prefix != "$repo" ]]; then
  mkdir -p "$prefix"
  # Only what the services run; the relative links inside dist/ resolve within the prefix.
  for item in package.json package-lock.json node_modules dist profiles images native/build; do
    rm -rf "${prefix:?}/$item"
    mkdir -p "$(dirname "$prefix/$item")"
    cp -a "$item" "$prefix/$item"
  done
fi
node "$prefix/dist/worker/host-setup.js"
id bulkhead-api >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin bulkhead-api
mkdir -p /etc/bulkhead
render /etc/systemd/system
if [[ -d /run/systemd/system ]]; then
  systemctl daemon-reload
  systemctl enable --now bulkhead-redis.service bulkhead-worker.service bulkhead-api.service
  systemctl --no-pager status bulkhead-redis.service bulkhead-worker.service bulkhead-api.service | head -30
else
  echo "install-units: units installed in /etc/systemd/system; systemd is not running here (PID 1: $(ps -p 1 -o comm=)), so nothing was started"
fi
