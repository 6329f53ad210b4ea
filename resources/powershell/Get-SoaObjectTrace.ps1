# soa-pilot: follow one AD object through the sync engine:
# AD connector space object -> metaverse object -> Entra ID connector space object.
# Reads only members the real cmdlets return (docs/reference/adsync-types.md, "ADSync object shapes"):
# a connector-space object has no export-state member, so "awaiting export confirmation" comes from the Entra
# connector's run history, or is reported as not observable.
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
    return [ordered]@{
        connectorName     = [string]$CsObject.ConnectorName
        distinguishedName = [string]$CsObject.DistinguishedName
        objectId          = [string]$CsObject.ObjectId
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

function Get-SoaEntraExportRuns {
    # Completed Export runs of the Entra connector since $SinceDate (newest first), with their export counters.
    param($Entra, $SinceDate)
    $runs = @()
    if ($null -eq $Entra -or $null -eq $SinceDate) { return $runs }
    $results = @(Get-ADSyncRunProfileResult -ConnectorId ([string]$Entra.Identifier) -NumberRequested 20 -RunStepDetails -ErrorAction Stop)
    foreach ($r in $results) {
        if ($null -eq $r -or [string]$r.RunProfileName -ne 'Export') { continue }
        if (-not [bool](ConvertTo-SoaBool -Value $r.IsRunComplete)) { continue }
        $start = ConvertTo-SoaUtcDate -Value $r.StartDate
        if ($null -eq $start -or $start -lt $SinceDate) { continue }
        $exported = 0
        foreach ($step in @($r.RunStepResults)) {
            if ($null -eq $step) { continue }
            $exported += [int]$step.ExportAdd + [int]$step.ExportUpdate
        }
        $runs += [ordered]@{
            runHistoryId = [string]$r.RunHistoryId
            runNumber    = [int]$r.RunNumber
            result       = [string]$r.Result
            startDate    = (ConvertTo-SoaIsoDate -Value $r.StartDate)
            exported     = $exported
        }
    }
    return $runs
}

function Get-SoaPendingExportCount {
    # ExportAdds + ExportUpdates + ExportDeletes of the Entra connector, or $null when not readable.
    param($Entra)
    if ($null -eq $Entra -or -not (Get-Command -Name Get-ADSyncConnectorStatistics -ErrorAction SilentlyContinue)) { return $null }
    try {
        $s = Get-ADSyncConnectorStatistics -ConnectorName ([string]$Entra.Name) -ErrorAction Stop
    } catch {
        return $null
    }
    if ($null -eq $s) { return $null }
    return ([int]$s.ExportAdds + [int]$s.ExportUpdates + [int]$s.ExportDeletes)
}

function Get-SoaExportEvidence {
    # Whether the object's takeover export is awaiting confirmation, from what the server shows, and from where.
    # source: csObject (blockOnPremisesSync is still True), runHistory (an Export run of the Entra connector since
    # $SinceDate), notObservable (no time to tie the run history to, or no Export run yet).
    # $Pending: the Entra connector's pending exports, read once per call (Get-SoaPendingExportCount).
    param($Entra, $Block, $SinceDate, $ExportRuns, $Pending)
    $pending = $Pending
    if ($Block -eq $true) {
        return [ordered]@{ awaiting = $false; source = 'csObject'; exportRun = $null; pendingExports = $pending
            detail = 'blockOnPremisesSync is True on the Entra connector object: the object is not being taken back.' }
    }
    if ($null -eq $SinceDate) {
        return [ordered]@{ awaiting = $null; source = 'notObservable'; exportRun = $null; pendingExports = $pending
            detail = 'Get-ADSyncCSObject has no export-state member, and without the time of the rollback the Entra connector''s run history cannot be tied to this object.' }
    }
    $runs = @(@($ExportRuns) | Where-Object { $null -ne $_ })
    if ($runs.Count -eq 0) {
        return [ordered]@{ awaiting = $null; source = 'notObservable'; exportRun = $null; pendingExports = $pending
            detail = ('No completed Export run of the Entra connector since ' + $SinceDate.ToString('o') + '.') }
    }
    $withExports = @($runs | Where-Object { $_.exported -gt 0 })
    if ($withExports.Count -gt 0) {
        $run = $withExports[0]
        return [ordered]@{ awaiting = $true; source = 'runHistory'; exportRun = $run; pendingExports = $pending
            detail = ('Export run ' + $run.runNumber + ' of the Entra connector (' + $run.startDate + ', ' + $run.result + ') exported ' + $run.exported + ' change(s) since the rollback and the Entra connector object shows blockOnPremisesSync = False; the confirming import comes with the next cycle. The run counts the whole connector: Get-ADSyncCSObject does not show this object''s own export state.') }
    }
    $last = $runs[0]
    return [ordered]@{ awaiting = $false; source = 'runHistory'; exportRun = $last; pendingExports = $pending
        detail = ('The Export runs of the Entra connector since the rollback exported nothing (last: run ' + $last.runNumber + ', ' + $last.startDate + ').') }
}

function Get-SoaObjectTraceOne {
    # The trace of one DN with the connectors (and Export runs) already read.
    param([string]$DistinguishedName, $Connectors, $SinceDate, $ExportRuns, $Pending)
    $order = Get-SoaAdConnectorOrder -Connectors $Connectors -Dn $DistinguishedName
    $adObject = $null
    $lookupErrors = @()
    $adConnectorName = $null
    foreach ($connector in $order.Connectors) {
        try {
            $found = @(Get-ADSyncCSObject -ConnectorName ([string]$connector.Name) -DistinguishedName $DistinguishedName -ErrorAction Stop)
        } catch {
            $lookupErrors += ([string]$connector.Name + ': ' + (Get-SoaErrorSummary -Message $_.Exception.Message))
            $found = @()
        }
        if ($found.Count -gt 0 -and $null -ne $found[0]) { $adObject = $found[0]; $adConnectorName = [string]$connector.Name; break }
    }
    $connectorInfo = [ordered]@{ name = $adConnectorName; via = $order.Via; partition = $order.Partition }
    if ($null -eq $adObject) {
        $message = 'No AD connector holds an object with this DN. Check the DN, or run a sync cycle if the object was created recently.'
        if ($order.Via -eq 'partition') { $message = 'The AD connector whose partition holds this DN (' + [string]$order.Connectors[0].Name + ') has no object with this DN. Check the DN, or run a sync cycle if the object was created recently.' }
        if ($lookupErrors.Count -gt 0) { $message = $message + ' (' + ($lookupErrors -join '; ') + ')' }
        return [ordered]@{ status = 'unknownDn'; dn = $DistinguishedName; adConnector = $connectorInfo; message = $message }
    }
    $ad = ConvertTo-SoaCsObject -CsObject $adObject
    if (Test-SoaEmptyGuid -Value $adObject.ConnectedMVObjectId) {
        return [ordered]@{
            status      = 'notJoined'
            dn          = $DistinguishedName
            adConnector = $connectorInfo
            adObject    = $ad
            message     = 'The object is in the AD connector space but not joined to a metaverse object (filtered, out of scope, or not yet synchronised).'
        }
    }
    $mvId = [string]$adObject.ConnectedMVObjectId
    $mv = @(Get-ADSyncMVObject -Identifier $mvId -ErrorAction Stop | Select-Object -First 1)
    $entra = $null
    if ($mv.Count -gt 0 -and $null -ne $mv[0]) {
        $entraName = $null
        if ($null -ne $Connectors.Entra) { $entraName = [string]$Connectors.Entra.Name }
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
            adConnector                = $connectorInfo
            adObject                   = $ad
            metaverseObjectId          = $mvId
            entraObject                = $null
            blockOnPremisesSync        = $null
            cloudAnchor                = $null
            cloudMastered              = $null
            awaitingExportConfirmation = $false
            exportEvidence             = [ordered]@{ awaiting = $false; source = 'csObject'; exportRun = $null; pendingExports = $null; detail = 'There is no Entra connector object to export.' }
            message                    = 'The metaverse object has no Entra ID connector object yet (not provisioned to Entra ID, or waiting for the next export).'
        }
    }
    $entraObject = ConvertTo-SoaCsObject -CsObject $entra
    $block = ConvertTo-SoaBool -Value (Get-SoaAttributeValue -CsObject $entra -Name 'blockOnPremisesSync')
    $cloudMastered = ConvertTo-SoaBool -Value (Get-SoaAttributeValue -CsObject $entra -Name 'cloudMastered')
    $evidence = Get-SoaExportEvidence -Entra $Connectors.Entra -Block $block -SinceDate $SinceDate -ExportRuns $ExportRuns -Pending $Pending
    $message = 'Synchronised by Connect Sync; Source of Authority is on premises.'
    if ($block -eq $true) { $message = 'blockOnPremisesSync is True: Source of Authority is in the cloud and Connect Sync no longer writes this object.' }
    elseif ($evidence.awaiting -eq $true) { $message = 'Awaiting export confirmation (from the run history): the next sync cycle confirms that on-premises manages the object again.' }
    return [ordered]@{
        status                     = 'traced'
        dn                         = $DistinguishedName
        adConnector                = $connectorInfo
        adObject                   = $ad
        metaverseObjectId          = $mvId
        entraObject                = $entraObject
        blockOnPremisesSync        = $block
        cloudAnchor                = (Get-SoaAttributeValue -CsObject $entra -Name 'cloudAnchor')
        cloudMastered              = $cloudMastered
        awaitingExportConfirmation = $evidence.awaiting
        exportEvidence             = $evidence
        message                    = $message
    }
}

function Get-SoaObjectTrace {
    # One DN (-DistinguishedName: returns its trace), or many in one call (-DistinguishedNames: returns
    # @{ traces; failures }). The connectors, the Entra connector's Export runs and its pending exports are
    # read once per call, whatever the number of DNs; a DN whose trace fails is listed in failures and the
    # others still come back.
    param(
        [string]$DistinguishedName = '',
        [string[]]$DistinguishedNames = @(),
        [string]$Since = ''
    )
    $many = @(@($DistinguishedNames) | Where-Object { -not [string]::IsNullOrEmpty([string]$_) })
    if ($DistinguishedName -eq '' -and $many.Count -eq 0) {
        throw (New-SoaError -Code 'validation' -Message 'Give a DN (DistinguishedName) or a list of DNs (DistinguishedNames).' -Category 'InvalidArgument')
    }
    Assert-SoaADSyncModule
    $connectors = Get-SoaConnectorSet
    $sinceDate = $null
    if ($Since -ne '') { $sinceDate = ConvertTo-SoaUtcDate -Value $Since }
    $runs = Get-SoaEntraExportRuns -Entra $connectors.Entra -SinceDate $sinceDate
    $pending = Get-SoaPendingExportCount -Entra $connectors.Entra
    if ($many.Count -eq 0) {
        return Get-SoaObjectTraceOne -DistinguishedName $DistinguishedName -Connectors $connectors -SinceDate $sinceDate -ExportRuns $runs -Pending $pending
    }
    $traces = New-Object System.Collections.ArrayList
    $failures = New-Object System.Collections.ArrayList
    foreach ($dn in $many) {
        try {
            [void]$traces.Add((Get-SoaObjectTraceOne -DistinguishedName ([string]$dn) -Connectors $connectors -SinceDate $sinceDate -ExportRuns $runs -Pending $pending))
        } catch {
            [void]$failures.Add([ordered]@{ dn = [string]$dn; message = (Get-SoaErrorSummary -Message $_.Exception.Message) })
        }
    }
    return [ordered]@{ traces = @($traces.ToArray()); failures = @($failures.ToArray()) }
}
