BeforeAll {
    $script:ScriptRoot = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'resources/powershell'
    . (Join-Path $PSScriptRoot 'TestStubs.ps1')
    . (Join-Path $script:ScriptRoot 'Initialize-SoaSession.ps1')
    . (Join-Path $script:ScriptRoot 'Start-SoaSyncCycle.ps1')
    . (Join-Path $script:ScriptRoot 'Get-SoaScheduler.ps1')
    . (Join-Path $script:ScriptRoot 'Get-SoaRunProfileResult.ps1')
    . (Join-Path $script:ScriptRoot 'Get-SoaSyncCycleState.ps1')
}

Describe 'Start-SoaSyncCycle' {
    BeforeEach {
        Mock Get-ADSyncScheduler { [pscustomobject]@{ StagingModeEnabled = $false; SyncCycleInProgress = $false } }
    }
    It 'starts a cycle and reports Success' {
        Mock Start-ADSyncSyncCycle { [pscustomobject]@{ Result = 'Success' } }
        $r = Start-SoaSyncCycle -PolicyType 'Initial'
        $r.status | Should -Be 'started'
        $r.result | Should -Be 'Success'
        Should -Invoke Start-ADSyncSyncCycle -Times 1 -Exactly -ParameterFilter { $PolicyType -eq 'Initial' }
    }
    It 'returns a typed busy result for the engine''s busy error (non-terminating, like the real cmdlet)' {
        Mock Start-ADSyncSyncCycle {
            Write-Error -ErrorRecord (New-TestErrorRecord -Message "System.InvalidOperationException: Connector: contoso.onmicrosoft.com - AAD is busy.`r`n   at Microsoft.MetadirectoryServices.Scheduler.Scheduler.StartSyncCycle(String overridePolicy, Boolean interactiveMode)" -Fqid 'System.InvalidOperationException,Microsoft.IdentityManagement.PowerShell.Cmdlet.StartADSyncSyncCycleCmdlet' -Category 'WriteError')
        }
        $r = Start-SoaSyncCycle
        $r.status | Should -Be 'busy'
        $r.message | Should -BeExactly 'Connector: contoso.onmicrosoft.com - AAD is busy.'
        $r.retryAfterSeconds | Should -BeGreaterThan 0
    }
    It 'lets other errors through' {
        Mock Start-ADSyncSyncCycle { throw (New-TestErrorRecord -Message 'Access denied' -Fqid 'System.UnauthorizedAccessException,X' -TypeName 'System.UnauthorizedAccessException') }
        { Start-SoaSyncCycle } | Should -Throw -ErrorId 'System.UnauthorizedAccessException,X'
    }
    It 'refuses on a staging-mode server without calling Start-ADSyncSyncCycle' {
        Mock Get-ADSyncScheduler { [pscustomobject]@{ StagingModeEnabled = $true; SyncCycleInProgress = $false } }
        Mock Start-ADSyncSyncCycle { [pscustomobject]@{ Result = 'Success' } }
        $r = Start-SoaSyncCycle
        $r.status | Should -Be 'stagingMode'
        $r.message | Should -Match 'staging mode'
        Should -Invoke Start-ADSyncSyncCycle -Times 0 -Exactly
    }
    It 'fails clearly when the cmdlet does not report Success' {
        Mock Start-ADSyncSyncCycle { [pscustomobject]@{ Result = 'Failure' } }
        { Start-SoaSyncCycle } | Should -Throw -ErrorId 'Soa.powershell'
    }
}

Describe 'Get-SoaScheduler' {
    It 'maps the scheduler fields, dates as ISO and string booleans' {
        Mock Get-ADSyncScheduler {
            [pscustomobject]@{
                SyncCycleEnabled = $true; StagingModeEnabled = 'False'; SyncCycleInProgress = 'True'; SchedulerSuspended = $false
                MaintenanceEnabled = $true; NextSyncCyclePolicyType = 'Delta'
                NextSyncCycleStartTimeInUTC = (New-Object DateTime -ArgumentList 2026, 11, 27, 12, 30, 0, ([DateTimeKind]::Unspecified))
                CurrentlyEffectiveSyncCycleInterval = [TimeSpan]::FromMinutes(30)
            }
        }
        $s = Get-SoaScheduler
        $s.syncCycleInProgress | Should -BeTrue
        $s.stagingModeEnabled | Should -BeFalse
        $s.nextSyncCycleStartTimeInUTC | Should -BeExactly '2026-11-27T12:30:00.0000000Z'
        $s.currentlyEffectiveSyncCycleInterval | Should -BeExactly '00:30:00'
    }
}

Describe 'Get-SoaRunProfileResult' {
    It 'returns the runs newer than a known run, newest first' {
        Mock Get-ADSyncRunProfileResult {
            [pscustomobject]@{ RunHistoryId = 'r3'; ConnectorName = 'c - AAD'; RunProfileName = 'Export'; Result = 'success'; IsRunComplete = $true; StartDate = '2026-11-27T12:00:03Z'; EndDate = '2026-11-27T12:00:04Z' }
            [pscustomobject]@{ RunHistoryId = 'r2'; ConnectorName = 'contoso.com'; RunProfileName = 'Delta Import'; Result = 'success'; IsRunComplete = $true; StartDate = '2026-11-27T12:00:01Z'; EndDate = $null }
            [pscustomobject]@{ RunHistoryId = 'r1'; ConnectorName = 'contoso.com'; RunProfileName = 'Delta Import'; Result = 'success'; IsRunComplete = $true; StartDate = '2026-11-27T11:00:00Z'; EndDate = '2026-11-27T11:00:01Z' }
        }
        $r = Get-SoaRunProfileResult -AfterRunHistoryId 'r1'
        @($r.runs).Count | Should -Be 2
        $r.runs[0].runHistoryId | Should -Be 'r3'
        $r.runs[1].endDate | Should -BeNullOrEmpty
        $bySince = Get-SoaRunProfileResult -Since '2026-11-27T12:00:02Z'
        @($bySince.runs).Count | Should -Be 1
    }
}

Describe 'Get-SoaSyncCycleState' {
    It 'reports SyncCycleInProgress, the running connector and the newest run' {
        Mock Get-ADSyncScheduler { [pscustomobject]@{ StagingModeEnabled = $false; SyncCycleInProgress = $true } }
        Mock Get-ADSyncConnectorRunStatus { [pscustomobject]@{ RunState = 'Busy'; ConnectorName = 'contoso.com' } }
        Mock Get-ADSyncRunProfileResult { [pscustomobject]@{ RunHistoryId = 'r9'; StartDate = '2026-11-27T12:00:00Z' } }
        $s = Get-SoaSyncCycleState
        $s.syncCycleInProgress | Should -BeTrue
        $s.runningConnector | Should -Be 'contoso.com'
        $s.newestRunHistoryId | Should -Be 'r9'
    }
    It 'treats an empty run status between steps as no running connector' {
        Mock Get-ADSyncScheduler { [pscustomobject]@{ StagingModeEnabled = $false; SyncCycleInProgress = $true } }
        Mock Get-ADSyncConnectorRunStatus { }
        Mock Get-ADSyncRunProfileResult { }
        $s = Get-SoaSyncCycleState
        $s.syncCycleInProgress | Should -BeTrue
        $s.runningConnector | Should -BeNullOrEmpty
        $s.newestRunHistoryId | Should -BeNullOrEmpty
    }
}
