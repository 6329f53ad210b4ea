#!/usr/bin/env bash
# Provision the local toolchain for tests, idempotently.
#   bash scripts/provision.sh pwsh pester [chromium]
# - pwsh:     PowerShell 7.6.9 as a dotnet tool in .tools/ (needs the .NET 10 SDK and NuGet access).
# - pester:   NuGet package Pester 5.7.1 (PackageDownload + dotnet restore); its Pester.psd1 path is
#             written to .tools/pester-path.txt and printed as `SOA_PESTER_PATH=...`.
# - chromium: placeholder owned by the lead (see provision_chromium).
# Any failure exits non-zero with a message; nothing is skipped silently.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
PWSH_VERSION="7.6.9"
PESTER_VERSION="5.7.1"

die() { echo "provision: ERROR: $*" >&2; exit 1; }
info() { echo "provision: $*"; }

need_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH; install the .NET 10 SDK first"
}

# ---------------------------------------------------------------------------------------------
# pwsh
# ---------------------------------------------------------------------------------------------
provision_pwsh() {
  mkdir -p "$TOOLS"
  local current=""
  if [[ -x "$TOOLS/pwsh" ]]; then
    current="$("$TOOLS/pwsh" -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null || true)"
  fi
  if [[ "$current" == "$PWSH_VERSION" ]]; then
    info "pwsh $PWSH_VERSION already in .tools/"
    return 0
  fi
  need_dotnet
  if [[ -n "$current" || -e "$TOOLS/pwsh" ]]; then
    info "pwsh in .tools/ is '${current:-unusable}', replacing it with $PWSH_VERSION"
    dotnet tool uninstall --tool-path "$TOOLS" PowerShell >/dev/null 2>&1 || true
  fi
  info "installing PowerShell $PWSH_VERSION (dotnet tool) into .tools/"
  dotnet tool install --tool-path "$TOOLS" PowerShell --version "$PWSH_VERSION" \
    || die "dotnet tool install PowerShell $PWSH_VERSION failed"
  current="$("$TOOLS/pwsh" -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null || true)"
  [[ "$current" == "$PWSH_VERSION" ]] || die "installed pwsh reports version '${current:-none}', expected $PWSH_VERSION"
  info "pwsh $PWSH_VERSION ready: $TOOLS/pwsh"
}

# ---------------------------------------------------------------------------------------------
# Pester (NuGet package `Pester`; the module is packed under tools/)
# ---------------------------------------------------------------------------------------------
provision_pester() {
  mkdir -p "$TOOLS"
  local packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
  local psd1="$packages/pester/$PESTER_VERSION/tools/Pester.psd1"
  if [[ ! -f "$psd1" ]]; then
    need_dotnet
    local work="$TOOLS/pester-restore"
    rm -rf "$work"
    mkdir -p "$work"
    cat >"$work/pester-restore.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Pester" Version="[$PESTER_VERSION]" />
  </ItemGroup>
</Project>
CSPROJ
    info "downloading NuGet package Pester $PESTER_VERSION"
    (cd "$work" && dotnet restore pester-restore.csproj --nologo) || die "dotnet restore of Pester $PESTER_VERSION failed"
    rm -rf "$work"
    [[ -f "$psd1" ]] || die "Pester $PESTER_VERSION was restored but $psd1 does not exist"
  fi
  printf '%s\n' "$psd1" >"$TOOLS/pester-path.txt"
  export SOA_PESTER_PATH="$psd1"
  info "Pester $PESTER_VERSION ready"
  echo "SOA_PESTER_PATH=$psd1"
}

# ---------------------------------------------------------------------------------------------
# chromium — PLACEHOLDER owned by the lead (Debian Chromium for the e2e tests). Until it is filled
# in here, it delegates to scripts/provision-chromium.sh when that exists, and fails otherwise.
# ---------------------------------------------------------------------------------------------
provision_chromium() {
  if [[ -f "$ROOT/scripts/provision-chromium.sh" ]]; then
    bash "$ROOT/scripts/provision-chromium.sh" || die "scripts/provision-chromium.sh failed"
    return 0
  fi
  die "chromium provisioning is not implemented yet (placeholder in scripts/provision.sh)"
}

[[ $# -gt 0 ]] || die "usage: bash scripts/provision.sh [pwsh] [pester] [chromium]"
for target in "$@"; do
  case "$target" in
    pwsh) provision_pwsh ;;
    pester) provision_pester ;;
    chromium) provision_chromium ;;
    *) die "unknown target '$target' (expected pwsh, pester or chromium)" ;;
  esac
done
