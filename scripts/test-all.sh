#!/usr/bin/env bash
# The whole test suite, as CI runs it: the system tools the tests need, lint, typecheck, unit and
# integration tests (PGlite and a throwaway PostgreSQL), the production build, and Playwright
# end-to-end tests in Chromium. Ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

# A direct `bash scripts/test-all.sh` runs on the pinned Node too, as npm scripts do.
[ -x node_modules/.bin/node ] || { echo "node_modules/.bin/node is missing: run npm install first." >&2; exit 1; }
PATH="$PWD/node_modules/.bin:$PATH"
echo "== Node $(node --version) ($(command -v node))"

# test-support/system-tools.ts knows where each system tool is looked for and which Debian 12 package
# supplies it; only Debian (or a derivative) can install them here, and only as root or through sudo.
echo "== system tools"
missing_list="$(tsx test-support/system-tools.ts --missing-debian-packages)"
mapfile -t missing_packages < <(printf '%s' "$missing_list")
if [ ${#missing_packages[@]} -gt 0 ]; then
  sudo_prefix=()
  can_install=""
  if [ -f /etc/debian_version ] || command -v apt-get >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
      can_install=yes
    elif command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
      can_install=yes
      sudo_prefix=(sudo)
    fi
  fi
  if [ -n "$can_install" ]; then
    echo "Installing with apt-get: ${missing_packages[*]}"
    if ! { "${sudo_prefix[@]}" apt-get update -qq &&
      "${sudo_prefix[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null; }; then
      echo "apt-get could not install ${missing_packages[*]} (its message is above)." >&2
      exit 1
    fi
  else
    echo "Not installing ${missing_packages[*]}: that needs Debian (or a derivative) with apt-get, as root or through sudo."
  fi
fi
if ! tsx test-support/system-tools.ts --check; then
  echo "Install what is missing (or point the variables above at existing installs), then run npm test again." >&2
  exit 1
fi

mkdir -p test-results
echo "== lint"; npm run --silent lint
echo "== typecheck"; npm run --silent typecheck
echo "== unit and integration tests (PGlite and PostgreSQL)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
echo "== production build"; npm run --silent build
# The budget of issue 12: a route over 200 kB gzipped (or a wizard page 40 kB over its old size) fails here.
echo "== first-load JavaScript per route"; node scripts/bench-pages.mjs
echo "== end-to-end tests (Chromium)"
npx playwright test

# The quotes keep the JavaScript's template literals away from the shell.
# shellcheck disable=SC2016
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
