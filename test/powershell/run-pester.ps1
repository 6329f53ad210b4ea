# Runs the Pester 5 tests in test/powershell. Pester comes from the path in $env:SOA_PESTER_PATH
# (or .tools/pester-path.txt, written by `bash scripts/provision.sh pester`). Exits non-zero on failure.
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
$pester = $env:SOA_PESTER_PATH
if ([string]::IsNullOrEmpty($pester)) {
    $pathFile = Join-Path $root '.tools/pester-path.txt'
    if (Test-Path -LiteralPath $pathFile) { $pester = (Get-Content -LiteralPath $pathFile -TotalCount 1).Trim() }
}
if ([string]::IsNullOrEmpty($pester) -or -not (Test-Path -LiteralPath $pester)) {
    [Console]::Error.WriteLine('run-pester: Pester not found. Set SOA_PESTER_PATH or run: bash scripts/provision.sh pester')
    exit 2
}
Import-Module -Name $pester -Force
$version = (Get-Module -Name Pester).Version
if ($version.Major -ne 5) {
    [Console]::Error.WriteLine("run-pester: expected Pester 5, got $version")
    exit 2
}
$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config
if ($null -eq $result -or $result.Result -ne 'Passed' -or $result.FailedCount -gt 0) {
    [Console]::Error.WriteLine("run-pester: FAILED ($($result.FailedCount) failed, $($result.PassedCount) passed)")
    exit 1
}
Write-Host "run-pester: $($result.PassedCount) passed"
exit 0
