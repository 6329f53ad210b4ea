# soa-pilot: one poll of a running sync cycle: SyncCycleInProgress, the running connector and the
# newest run-history entry. Windows PowerShell 5.1 syntax only.

function Get-SoaSyncCycleState {
    Assert-SoaADSyncModule
    $scheduler = Get-ADSyncScheduler -ErrorAction Stop
    $running = @(Get-ADSyncConnectorRunStatus -ErrorAction Stop)
    $connector = $null
    if ($running.Count -gt 0 -and $null -ne $running[0]) { $connector = [string]$running[0].ConnectorName }
    $newest = @(Get-ADSyncRunProfileResult -NumberRequested 1 -ErrorAction Stop | Select-Object -First 1)
    $newestId = $null
    $newestStart = $null
    if ($newest.Count -gt 0 -and $null -ne $newest[0]) {
        $newestId = [string]$newest[0].RunHistoryId
        $newestStart = ConvertTo-SoaIsoDate -Value $newest[0].StartDate
    }
    return [ordered]@{
        syncCycleInProgress = [bool](ConvertTo-SoaBool -Value $scheduler.SyncCycleInProgress)
        stagingModeEnabled  = [bool](ConvertTo-SoaBool -Value $scheduler.StagingModeEnabled)
        runningConnector    = $connector
        newestRunHistoryId  = $newestId
        newestRunStartDate  = $newestStart
        now                 = [DateTime]::UtcNow.ToString('o')
    }
}
