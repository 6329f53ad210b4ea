#!/usr/bin/env bash
# `npm test`: every suite, in the order that fails fastest. Provisions what a fresh machine lacks
# (PowerShell 7.6.9 and Pester from NuGet into .tools/, Chromium from Debian) and never skips a suite.
#
# Time (2 cores, 20-minute budget): the e2e files spend much of their time waiting on the lab's clocks
# (sync cycles, audit ingestion) with a core idle, so they run in one lane while unit + integration and
# then Pester run in a second lane next to them. Each lane keeps its own files one at a time (as before);
# both lanes always run to the end, the second lane's output is printed after the first, and any failure
# in either fails `npm test`. SOA_TEST_LANES=1 runs everything one after the other instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-}"
step() { printf '\n\033[1m== %s\033[0m  (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

step "provision (pwsh 7.6.9, Pester, chromium)"
bash scripts/provision.sh pwsh pester
bash scripts/provision-chromium.sh
export SOA_PESTER_PATH="$(cat .tools/pester-path.txt)"

# Typecheck, lint and the build are independent and mostly single-threaded: they run side by side
# (their output is printed one after the other), and any failure stops npm test here.
step "typecheck (tsc + svelte-check) ‖ lint (eslint + prettier) ‖ build (electron-vite: main, CJS preload, renderer — no Electron binary needed)"
checks_dir="$(mktemp -d -t soa-checks-XXXXXX)"
npm run --silent typecheck >"$checks_dir/typecheck.log" 2>&1 &
typecheck_pid=$!
npm run --silent lint >"$checks_dir/lint.log" 2>&1 &
lint_pid=$!
npx electron-vite build >"$checks_dir/build.log" 2>&1 &
build_pid=$!
checks_failed=0
for check in typecheck lint build; do
  pid_var="${check}_pid"
  rc=0
  wait "${!pid_var}" || rc=$?
  step "$check (rc $rc)"
  if [ "$check" = build ] && [ "$rc" -eq 0 ]; then
    cp "$checks_dir/build.log" /tmp/soa-build.log
    echo "build log: /tmp/soa-build.log"
  else
    cat "$checks_dir/$check.log"
  fi
  [ "$rc" -eq 0 ] || checks_failed=1
done
rm -rf "$checks_dir"
[ "$checks_failed" -eq 0 ] || { echo "npm test FAILED in typecheck, lint or build (see above)" >&2; exit 1; }

unit_integration_pester() {
  local rc=0
  npx vitest run --project unit --project unit-dom --project integration || rc=1
  step "Pester"
  .tools/pwsh -NoProfile -NonInteractive -File test/powershell/run-pester.ps1 || rc=1
  return "$rc"
}

if [ "${SOA_TEST_LANES:-2}" = "1" ]; then
  step "vitest: unit + integration + e2e"
  npx vitest run --project unit --project unit-dom --project integration --project e2e
  step "Pester"
  .tools/pwsh -NoProfile -NonInteractive -File test/powershell/run-pester.ps1
  exit 0
fi

lane_log="$(mktemp -t soa-test-lane-XXXXXX.log)"
step "vitest e2e (this lane) || vitest unit + integration, then Pester (second lane, output after this one: $lane_log)"
unit_integration_pester >"$lane_log" 2>&1 &
lane_pid=$!
# stop the second lane too if npm test is interrupted
trap 'kill "$lane_pid" 2>/dev/null || true' INT TERM
e2e_rc=0
e2e_log="$(mktemp -t soa-test-e2e-XXXXXX.log)"
npx vitest run --project e2e --reporter=verbose 2>&1 | tee "$e2e_log" || e2e_rc=$?
step "e2e lane done (rc $e2e_rc); waiting for the unit + integration + Pester lane"
lane_rc=0
wait "$lane_pid" || lane_rc=$?
trap - INT TERM
step "unit + integration + Pester lane (rc $lane_rc)"
cat "$lane_log"
flaky="$(sed 's/\x1b\[[0-9;]*m//g' "$e2e_log" | grep -F '(retry x' || true)"
if [ -n "$flaky" ]; then
  step "end-to-end tests that passed only on their retry (flaky: fix them)"
  printf '%s\n' "$flaky"
fi
if [ "$e2e_rc" -ne 0 ] || [ "$lane_rc" -ne 0 ]; then
  # CI shows only the end of the output: repeat each failed test and its first error lines here.
  step "failures, repeated from the lanes above"
  for log in "$e2e_log" "$lane_log"; do
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E -A12 '^ *(FAIL|×|✗) |\[-\]|Tests Failed' | head -120 || true
  done
  printf '\nnpm test FAILED: e2e lane rc %s, unit + integration + Pester lane rc %s (see each lane above)\n' "$e2e_rc" "$lane_rc" >&2
  exit 1
fi
rm -f "$lane_log" "$e2e_log"
step "all suites passed"
