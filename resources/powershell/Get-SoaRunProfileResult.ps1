# soa-pilot: run-profile results (newest first) since a time and/or after a known run.
# Windows PowerShell 5.1 syntax only.

function Get-SoaRunProfileResult {
    param(
        [string]$Since = '',
        [string]$AfterRunHistoryId = '',
        [int]$NumberRequested = 100
    )
    Assert-SoaADSyncModule
    $sinceDate = $null
    if ($Since -ne '') { $sinceDate = ConvertTo-SoaUtcDate -Value $Since }
    $results = @(Get-ADSyncRunProfileResult -NumberRequested $NumberRequested -ErrorAction Stop)
    $runs = @()
    foreach ($r in $results) {
        if ($null -eq $r) { continue }
        $id = [string]$r.RunHistoryId
        if ($AfterRunHistoryId -ne '' -and $id -eq $AfterRunHistoryId) { break }
        $start = ConvertTo-SoaUtcDate -Value $r.StartDate
        if ($null -ne $sinceDate -and $null -ne $start -and $start -lt $sinceDate) { continue }
        $runs += [ordered]@{
            runHistoryId   = $id
            connectorName  = [string]$r.ConnectorName
            runProfileName = [string]$r.RunProfileName
            result         = [string]$r.Result
            isRunComplete  = [bool](ConvertTo-SoaBool -Value $r.IsRunComplete)
            startDate      = (ConvertTo-SoaIsoDate -Value $r.StartDate)
            endDate        = (ConvertTo-SoaIsoDate -Value $r.EndDate)
        }
    }
    return [ordered]@{ runs = $runs }
}
