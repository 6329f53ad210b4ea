# soa-pilot: Get-ADSyncScheduler's fields. Windows PowerShell 5.1 syntax only.

function ConvertTo-SoaSchedulerInfo {
    param($Scheduler)
    $interval = $null
    if ($null -ne $Scheduler.CurrentlyEffectiveSyncCycleInterval) { $interval = [string]$Scheduler.CurrentlyEffectiveSyncCycleInterval }
    return [ordered]@{
        syncCycleEnabled                    = [bool](ConvertTo-SoaBool -Value $Scheduler.SyncCycleEnabled)
        stagingModeEnabled                  = [bool](ConvertTo-SoaBool -Value $Scheduler.StagingModeEnabled)
        syncCycleInProgress                 = [bool](ConvertTo-SoaBool -Value $Scheduler.SyncCycleInProgress)
        schedulerSuspended                  = [bool](ConvertTo-SoaBool -Value $Scheduler.SchedulerSuspended)
        maintenanceEnabled                  = [bool](ConvertTo-SoaBool -Value $Scheduler.MaintenanceEnabled)
        nextSyncCyclePolicyType             = [string]$Scheduler.NextSyncCyclePolicyType
        nextSyncCycleStartTimeInUTC         = (ConvertTo-SoaIsoDate -Value $Scheduler.NextSyncCycleStartTimeInUTC)
        currentlyEffectiveSyncCycleInterval = $interval
    }
}

function Get-SoaScheduler {
    Assert-SoaADSyncModule
    $scheduler = Get-ADSyncScheduler -ErrorAction Stop
    return ConvertTo-SoaSchedulerInfo -Scheduler $scheduler
}
