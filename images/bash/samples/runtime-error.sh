set -eu
echo "about to fail" >&2
false
