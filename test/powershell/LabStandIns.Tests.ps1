# The lab stand-in module defines a command only where the real one is absent.
BeforeAll {
    $script:LabModule = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'resources/powershell/lab/SoaLab.psd1'

    function script:Invoke-InFreshRunspace([string]$Script) {
        $ps = [powershell]::Create()
        try {
            [void]$ps.AddScript($Script).AddArgument($script:LabModule)
            $out = $ps.Invoke()
            if ($out.Count -eq 0 -and $ps.Streams.Error.Count -gt 0) { throw $ps.Streams.Error[0] }
            return $out
        } finally {
            $ps.Dispose()
        }
    }
}

Describe 'SoaLab stand-ins' {
    It 'leaves an existing ADSync command alone' {
        $r = Invoke-InFreshRunspace @'
param($m)
function Start-ADSyncSyncCycle { 'real' }
Import-Module $m -Force
[pscustomobject]@{ Source = (Get-Command Start-ADSyncSyncCycle).ModuleName; Result = (Start-ADSyncSyncCycle) }
'@
        $r[0].Source | Should -Not -Be 'SoaLab'
        $r[0].Result | Should -Be 'real'
    }
    It 'defines the ADSync commands where they are absent' {
        $r = Invoke-InFreshRunspace @'
param($m)
Import-Module $m -Force
@('Start-ADSyncSyncCycle','Get-ADSyncScheduler','Get-ADSyncConnector','Get-ADSyncCSObject','Get-ADSyncMVObject','Get-ADSyncRunProfileResult','Get-ADSyncConnectorRunStatus','Get-ADObject','Set-ADObject','Get-ADDomain') | ForEach-Object { (Get-Command $_).ModuleName }
'@
        @($r | Where-Object { $_ -eq 'SoaLab' }).Count | Should -Be 10
    }
    It 'defines Get-WinEvent and Get-Service only where the platform lacks them' {
        $r = Invoke-InFreshRunspace @'
param($m)
$before = @{ WinEvent = [bool](Get-Command Get-WinEvent -ErrorAction SilentlyContinue); Service = [bool](Get-Command Get-Service -ErrorAction SilentlyContinue); Registry = [bool](Get-PSProvider -PSProvider Registry -ErrorAction SilentlyContinue) }
Import-Module $m -Force
[pscustomobject]@{
  Before = $before
  WinEvent = (Get-Command Get-WinEvent).ModuleName
  Service = (Get-Command Get-Service).ModuleName
  Probe = [bool](Get-Command Get-SoaRegistryValue -ErrorAction SilentlyContinue)
}
'@
        $x = $r[0]
        if ($x.Before.WinEvent) { $x.WinEvent | Should -Not -Be 'SoaLab' } else { $x.WinEvent | Should -Be 'SoaLab' }
        if ($x.Before.Service) { $x.Service | Should -Not -Be 'SoaLab' } else { $x.Service | Should -Be 'SoaLab' }
        $x.Probe | Should -Be (-not $x.Before.Registry)
    }
    It 'reports a missing control URL as a PowerShell error, not a crash' {
        $r = Invoke-InFreshRunspace @'
param($m)
$env:SOA_LAB_CONTROL_URL = ''
Import-Module $m -Force
try { Get-ADSyncScheduler -ErrorAction Stop; 'no error' } catch { $_.FullyQualifiedErrorId }
'@
        @($r)[0] | Should -BeLike 'SoaLabNotConfigured*'
    }
}
