#!/usr/bin/env bash
# Runs the whole test suite (unit, integration with a real Redis, sandbox with the real kernel
# and images) after preparing the checkout, and ends with one plain line: N passed, N failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh || { echo "prepare failed"; echo "0 passed, 1 failed"; exit 1; }

# Static checks count as tests in the summary: a type error, a broken dependency rule or an
# unformatted file fails CI.
static_failed=0
static_passed=0
for check in typecheck lint format:check; do
  printf '\n==> %s\n' "$check"
  if npm run --silent "$check"; then static_passed=$((static_passed + 1)); else static_failed=$((static_failed + 1)); fi
done

printf '\n==> vitest\n'
rm -f .vitest-results.json
npx vitest run "$@"
status=$?
((static_failed)) && status=1

# The cgroup v2 suite on a real v2 kernel (a qemu guest on a v1 host): never skipped; its own
# "N passed, N failed" line joins the summary, counted with the static checks.
printf '\n==> cgroup v2 (real kernel)\n'
cg2_log=$(mktemp)
npm run --silent test:cgroup-v2 | tee "$cg2_log"
cg2_status=${PIPESTATUS[0]}
read -r cg2_passed cg2_failed < <(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$cg2_log" | tail -1)
rm -f "$cg2_log"
cg2_passed=${cg2_passed:-0}
cg2_failed=${cg2_failed:-0}
# A nonzero exit with no failure counted (a crash after the line, or no line at all) is one failure.
((cg2_status && !cg2_failed)) && cg2_failed=1
((cg2_status)) && status=1
static_passed=$((static_passed + cg2_passed))
static_failed=$((static_failed + cg2_failed))

STATIC_PASSED=$static_passed STATIC_FAILED=$static_failed node -e '
  const fs = require("fs");
  let r;
  try { r = JSON.parse(fs.readFileSync(".vitest-results.json", "utf8")); }
  catch { console.log(`${process.env.STATIC_PASSED} passed, ${Number(process.env.STATIC_FAILED) + 1} failed`); process.exit(0); }
  const skipped = r.numPendingTests + r.numTodoTests;
  // Skips are never silent: each is listed with its name, which carries the reason.
  for (const s of r.testResults) for (const a of s.assertionResults)
    if (a.status === "pending" || a.status === "skipped" || a.status === "todo")
      console.log(`skipped: ${a.fullName}`);
  const failedSuites = r.testResults.filter(s => s.status === "failed" && s.assertionResults.length === 0).length;
  const passed = r.numPassedTests + Number(process.env.STATIC_PASSED);
  const failed = r.numFailedTests + failedSuites + Number(process.env.STATIC_FAILED);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
'
exit $status
