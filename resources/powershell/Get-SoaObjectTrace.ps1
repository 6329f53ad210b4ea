# soa-pilot: follow one AD object through the sync engine:
# AD connector space object -> metaverse object -> Entra ID connector space object.
# Windows PowerShell 5.1 syntax only.

function ConvertTo-SoaCsObject {
    param($CsObject)
    $attributes = [ordered]@{}
    foreach ($attribute in @($CsObject.Attributes)) {
        if ($null -eq $attribute -or [string]::IsNullOrEmpty([string]$attribute.Name)) { continue }
        $values = @()
        foreach ($value in @($attribute.Values)) {
            if ($null -ne $value) { $values += (ConvertTo-SoaString -Value $value) }
        }
        $attributes[[string]$attribute.Name] = $values
    }
    $exportState = $null
    if ($null -ne $CsObject.PSObject.Properties['ExportState'] -and $null -ne $CsObject.ExportState) { $exportState = [string]$CsObject.ExportState }
    return [ordered]@{
        connectorName     = [string]$CsObject.ConnectorName
        distinguishedName = [string]$CsObject.DistinguishedName
        objectId          = [string]$CsObject.ObjectId
        exportState       = $exportState
        hasExportError    = [bool](ConvertTo-SoaBool -Value $CsObject.HasExportError)
        hasSyncError      = [bool](ConvertTo-SoaBool -Value $CsObject.HasSyncError)
        attributes        = $attributes
    }
}

function Get-SoaAttributeValue {
    param($CsObject, [string]$Name)
    foreach ($attribute in @($CsObject.Attributes)) {
        if ($null -ne $attribute -and [string]$attribute.Name -eq $Name) {
            $values = @($attribute.Values)
            if ($values.Count -gt 0) { return (ConvertTo-SoaString -Value $values[0]) }
            return $null
        }
    }
    return $null
}

function Get-SoaObjectTrace {
    param([Parameter(Mandatory = $true)][string]$DistinguishedName)
    Assert-SoaADSyncModule
    $connectors = Get-SoaConnectorSet
    $adObject = $null
    $lookupErrors = @()
    foreach ($connector in $connectors.AD) {
        try {
            $found = @(Get-ADSyncCSObject -ConnectorName ([string]$connector.Name) -DistinguishedName $DistinguishedName -ErrorAction Stop)
        } catch {
            $lookupErrors += ([string]$connector.Name + ': ' + (Get-SoaErrorSummary -Message $_.Exception.Message))
            $found = @()
        }
        if ($found.Count -gt 0 -and $null -ne $found[0]) { $adObject = $found[0]; break }
    }
    if ($null -eq $adObject) {
        $message = 'No AD connector holds an object with this DN. Check the DN, or run a sync cycle if the object was created recently.'
        if ($lookupErrors.Count -gt 0) { $message = $message + ' (' + ($lookupErrors -join '; ') + ')' }
        return [ordered]@{ status = 'unknownDn'; dn = $DistinguishedName; message = $message }
    }
    $ad = ConvertTo-SoaCsObject -CsObject $adObject
    if (Test-SoaEmptyGuid -Value $adObject.ConnectedMVObjectId) {
        return [ordered]@{
            status   = 'notJoined'
            dn       = $DistinguishedName
            adObject = $ad
            message  = 'The object is in the AD connector space but not joined to a metaverse object (filtered, out of scope, or not yet synchronised).'
        }
    }
    $mvId = [string]$adObject.ConnectedMVObjectId
    $mv = @(Get-ADSyncMVObject -Identifier $mvId -ErrorAction Stop | Select-Object -First 1)
    $entra = $null
    if ($mv.Count -gt 0 -and $null -ne $mv[0]) {
        $entraName = $null
        if ($null -ne $connectors.Entra) { $entraName = [string]$connectors.Entra.Name }
        $lineage = @($mv[0].Lineage | Where-Object { ($null -ne $entraName -and [string]$_.ConnectorName -eq $entraName) -or [string]$_.ConnectorName -like '* - AAD' } | Select-Object -First 1)
        if ($lineage.Count -gt 0 -and $null -ne $lineage[0]) {
            $entraCs = @(Get-ADSyncCSObject -ConnectorName ([string]$lineage[0].ConnectorName) -DistinguishedName ([string]$lineage[0].ConnectedCsObjectDN) -ErrorAction Stop)
            if ($entraCs.Count -gt 0 -and $null -ne $entraCs[0]) { $entra = $entraCs[0] }
        }
    }
    if ($null -eq $entra) {
        return [ordered]@{
            status                     = 'traced'
            dn                         = $DistinguishedName
            adObject                   = $ad
            metaverseObjectId          = $mvId
            entraObject                = $null
            blockOnPremisesSync        = $null
            cloudAnchor                = $null
            cloudMastered              = $null
            awaitingExportConfirmation = $false
            message                    = 'The metaverse object has no Entra ID connector object yet (not provisioned to Entra ID, or waiting for the next export).'
        }
    }
    $entraObject = ConvertTo-SoaCsObject -CsObject $entra
    $block = ConvertTo-SoaBool -Value (Get-SoaAttributeValue -CsObject $entra -Name 'blockOnPremisesSync')
    $cloudMastered = ConvertTo-SoaBool -Value (Get-SoaAttributeValue -CsObject $entra -Name 'cloudMastered')
    $awaiting = ($entraObject.exportState -eq 'AwaitingExportConfirmation')
    $message = 'Synchronised by Connect Sync; Source of Authority is on premises.'
    if ($block -eq $true) { $message = 'blockOnPremisesSync is True: Source of Authority is in the cloud and Connect Sync no longer writes this object.' }
    elseif ($awaiting) { $message = 'Awaiting export confirmation: the next sync cycle takes the object back to on-premises management.' }
    elseif ($entraObject.exportState -eq 'PendingExport') { $message = 'A change is waiting for the next export to Entra ID.' }
    return [ordered]@{
        status                     = 'traced'
        dn                         = $DistinguishedName
        adObject                   = $ad
        metaverseObjectId          = $mvId
        entraObject                = $entraObject
        blockOnPremisesSync        = $block
        cloudAnchor                = (Get-SoaAttributeValue -CsObject $entra -Name 'cloudAnchor')
        cloudMastered              = $cloudMastered
        awaitingExportConfirmation = [bool]$awaiting
        message                    = $message
    }
}
