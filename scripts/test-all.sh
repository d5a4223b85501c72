#!/usr/bin/env bash
# The whole test suite, as CI runs it: system packages the tests need, lint, typecheck, unit and
# integration tests (PGlite and a throwaway PostgreSQL 15), the production build, and Playwright
# end-to-end tests in Debian's Chromium. Ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_packages+=(postgresql-15)
command -v shellcheck >/dev/null || need_packages+=(shellcheck)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "Installing system packages the tests need: ${need_packages[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

mkdir -p test-results
echo "== lint"; npm run --silent lint
echo "== typecheck"; npm run --silent typecheck
echo "== unit and integration tests (PGlite and PostgreSQL)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
echo "== production build"; npm run --silent build
echo "== end-to-end tests (Chromium)"
npx playwright test

node -e '
const fs = require("fs");
const v = JSON.parse(fs.readFileSync("test-results/vitest.json", "utf8"));
const p = JSON.parse(fs.readFileSync("test-results/playwright-results.json", "utf8"));
const passed = v.numPassedTests + p.stats.expected;
const failed = v.numFailedTests + p.stats.unexpected;
console.log(`vitest: ${v.numPassedTests} passed, ${v.numFailedTests} failed; playwright: ${p.stats.expected} passed, ${p.stats.unexpected} failed`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
'
