# soa-pilot: start a sync cycle. "Busy" and "staging mode" are typed results, not failures.
# Windows PowerShell 5.1 syntax only.

function Start-SoaSyncCycle {
    param(
        [ValidateSet('Delta', 'Initial')][string]$PolicyType = 'Delta',
        [int]$RetryAfterSeconds = 60
    )
    Assert-SoaADSyncModule
    $scheduler = Get-ADSyncScheduler -ErrorAction Stop
    if ((ConvertTo-SoaBool -Value $scheduler.StagingModeEnabled) -eq $true) {
        return [ordered]@{
            status  = 'stagingMode'
            message = 'This Connect Sync server is in staging mode: a cycle here imports and synchronises but never exports to Entra ID. Run the cycle on the active server.'
        }
    }
    $startedAt = [DateTime]::UtcNow
    try {
        $result = Start-ADSyncSyncCycle -PolicyType $PolicyType -ErrorAction Stop
    } catch {
        if (Test-SoaBusyError -ErrorRecord $_) {
            return [ordered]@{
                status            = 'busy'
                message           = (Get-SoaErrorSummary -Message $_.Exception.Message)
                retryAfterSeconds = $RetryAfterSeconds
            }
        }
        throw
    }
    $text = ''
    if ($null -ne $result) { $text = [string]$result.Result }
    if ($text -ne 'Success') {
        throw (New-SoaError -Code 'powershell' -Message ('Start-ADSyncSyncCycle did not start a cycle (Result: "' + $text + '").') -Category 'InvalidResult')
    }
    return [ordered]@{ status = 'started'; startedAt = $startedAt.ToString('o'); result = $text }
}
