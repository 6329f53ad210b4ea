# soa-pilot: the AD connectors of this Connect Sync server and their selected partitions, so the app can tell which
# objects Connect Sync syncs (an object whose DN lies under a selected partition) and which Cloud Sync does.
# Windows PowerShell 5.1 syntax only.

function Get-SoaAdConnectorPartitions {
    if (-not (Import-SoaADSyncModule)) {
        return [ordered]@{
            available  = $false
            connectors = @()
            message    = 'The ADSync module is not available on this server: Connect Sync does not run here (a Cloud Sync-only server has the provisioning agent only).'
        }
    }
    $set = Get-SoaConnectorSet
    $connectors = @()
    foreach ($connector in @($set.AD)) {
        if ($null -eq $connector) { continue }
        $partitions = @()
        foreach ($partition in @($connector.Partitions)) {
            if ($null -eq $partition) { continue }
            if ($null -ne $partition.PSObject.Properties['Selected'] -and $partition.Selected -eq $false) { continue }
            $dn = [string]$partition.DN
            if ($dn -ne '') { $partitions += $dn }
        }
        $connectors += [ordered]@{ name = [string]$connector.Name; partitions = @($partitions) }
    }
    return [ordered]@{ available = $true; connectors = @($connectors); message = $null }
}
