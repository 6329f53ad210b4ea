#!/usr/bin/env bash
# `npm test`: every suite, in the order that fails fastest. Provisions what a fresh machine lacks
# (PowerShell 7.6.9 and Pester from NuGet into .tools/, Chromium from Debian) and never skips a suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-}"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "provision (pwsh 7.6.9, Pester, chromium)"
bash scripts/provision.sh pwsh pester
bash scripts/provision-chromium.sh
export SOA_PESTER_PATH="$(cat .tools/pester-path.txt)"

step "typecheck (tsc + svelte-check)"
npm run --silent typecheck

step "lint (eslint + prettier)"
npm run --silent lint

step "build (electron-vite: main, CJS preload, renderer — no Electron binary needed)"
npx electron-vite build >/tmp/soa-build.log 2>&1 || { cat /tmp/soa-build.log; exit 1; }

step "vitest: unit + integration + e2e"
npx vitest run --project unit --project integration --project e2e

step "Pester"
.tools/pwsh -NoProfile -NonInteractive -File test/powershell/run-pester.ps1
