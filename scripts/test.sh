#!/usr/bin/env bash
# Runs the whole test suite (unit, integration with a real Redis, sandbox with the real kernel
# and images) after preparing the checkout, and ends with one plain line: N passed, N failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh || { echo "prepare failed"; echo "0 passed, 1 failed"; exit 1; }

rm -f .vitest-results.json
npx vitest run "$@"
status=$?

node -e '
  const fs = require("fs");
  let r;
  try { r = JSON.parse(fs.readFileSync(".vitest-results.json", "utf8")); }
  catch { console.log("0 passed, 1 failed"); process.exit(0); }
  const skipped = r.numPendingTests + r.numTodoTests;
  // Skips are never silent: each is listed with its name, which carries the reason.
  for (const s of r.testResults) for (const a of s.assertionResults)
    if (a.status === "pending" || a.status === "skipped" || a.status === "todo")
      console.log(`skipped: ${a.fullName}`);
  const failedSuites = r.testResults.filter(s => s.status === "failed" && s.assertionResults.length === 0).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed, ${skipped} skipped`);
'
exit $status
