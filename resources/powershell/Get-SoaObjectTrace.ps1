# soa-pilot: follow one AD object through the sync engine:
# AD connector space object -> metaverse object -> Entra ID connector space object.
# Reads only members the real cmdlets return (docs/reference/adsync-types.md, "ADSync object shapes"):
# a connector-space object has no export-state member, so "awaiting export confirmation" comes from the Entra
# connector's run history, or is reported as not observable.
# Windows PowerShell 5.1 syntax only.

function ConvertTo-SoaCsObject {
    # -Summary leaves the attribute lists out (a bulk follow-up's verdict reads only the named members of the trace).
    param($CsObject, [switch]$Summary)
    if ($Summary) {
        return [ordered]@{
            connectorName     = [string]$CsObject.ConnectorName
            distinguishedName = [string]$CsObject.DistinguishedName
            objectId          = [string]$CsObject.ObjectId
            hasExportError    = [bool](ConvertTo-SoaBool -Value $CsObject.HasExportError)
            hasSyncError      = [bool](ConvertTo-SoaBool -Value $CsObject.HasSyncError)
        }
    }
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

function Get-SoaAttributeFirstValues {
    # The first value (as text) of each named attribute, in one pass over the attributes: name -> value, or $null
    # when the object has no such attribute or it holds no value. The first attribute of a name counts.
    param($CsObject, [string[]]$Names)
    $values = @{}
    foreach ($n in $Names) { $values[$n] = $null }
    $seen = @{}
    foreach ($attribute in @($CsObject.Attributes)) {
        if ($null -eq $attribute) { continue }
        $name = [string]$attribute.Name
        if (-not $values.ContainsKey($name) -or $seen.ContainsKey($name)) { continue }
        $seen[$name] = $true
        $list = @($attribute.Values)
        if ($list.Count -gt 0) { $values[$name] = (ConvertTo-SoaString -Value $list[0]) }
    }
    return $values
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

function Get-SoaPageSize { return 1000 }

function Get-SoaDnKey {
    # A DN as a lookup key: no spaces around the commas, lower case (as Test-SoaDnUnder compares DNs).
    param([string]$Dn)
    return ($Dn -replace '\s*,\s*', ',').Trim().ToLowerInvariant()
}

function Read-SoaConnectorSpace {
    # Every object of one connector's connector space, read page by page (Get-ADSyncCSObject -ConnectorName
    # -StartIndex -MaxResultCount), or $null when it holds more than $MaxObjects objects or a page fails:
    # then each DN is looked up by itself, as for one object. The connector's TotalConnectors counter, when
    # readable, skips the reading of a connector space that is too big from the start.
    param([string]$ConnectorName, [int]$MaxObjects)
    if ([string]::IsNullOrEmpty($ConnectorName) -or $MaxObjects -le 0) { return $null }
    if (Get-Command -Name Get-ADSyncConnectorStatistics -ErrorAction SilentlyContinue) {
        try {
            $stats = Get-ADSyncConnectorStatistics -ConnectorName $ConnectorName -ErrorAction Stop
            if ($null -ne $stats -and [int]$stats.TotalConnectors -gt $MaxObjects) { return $null }
        } catch {
            # no counters: the page loop below still stops at $MaxObjects
        }
    }
    $size = Get-SoaPageSize
    $all = New-Object System.Collections.ArrayList
    $start = 0
    try {
        while ($true) {
            $page = @(Get-ADSyncCSObject -ConnectorName $ConnectorName -StartIndex $start -MaxResultCount $size -ErrorAction Stop)
            foreach ($o in $page) { if ($null -ne $o) { [void]$all.Add($o) } }
            if ($page.Count -lt $size) { break }
            if ($all.Count -ge $MaxObjects) { return $null }
            $start += $size
        }
    } catch {
        return $null
    }
    return , $all
}

function Get-SoaTracePages {
    # For a batch: the Entra connector space by metaverse object id, and each AD connector's connector space
    # by DN, read in pages when that is cheaper than one lookup per DN (at most 10 objects read per DN
    # traced; docs/reference/adsync-types.md, "Batched traces"). A connector whose space is too big is left
    # out, and its DNs are looked up one by one.
    # Each DN's connector order (Get-SoaAdConnectorOrder) is kept in orderByDn for the traces.
    param($Connectors, [string[]]$Dns)
    $pages = @{ entraByMv = $null; adByDn = @{}; orderByDn = @{} }
    $max = 10 * $Dns.Count
    if ($null -ne $Connectors.Entra) {
        $entra = Read-SoaConnectorSpace -ConnectorName ([string]$Connectors.Entra.Name) -MaxObjects $max
        if ($null -ne $entra) {
            $byMv = @{}
            foreach ($cs in $entra) {
                if (Test-SoaEmptyGuid -Value $cs.ConnectedMVObjectId) { continue }
                $byMv[([string]$cs.ConnectedMVObjectId).ToLowerInvariant()] = $cs
            }
            $pages.entraByMv = $byMv
        }
    }
    $wanted = @{}
    foreach ($dn in $Dns) {
        $order = Get-SoaAdConnectorOrder -Connectors $Connectors -Dn $dn
        $pages.orderByDn[[string]$dn] = $order
        if ($order.Connectors.Count -gt 0 -and $null -ne $order.Connectors[0]) { $wanted[[string]$order.Connectors[0].Name] = $true }
    }
    foreach ($name in @($wanted.Keys)) {
        $ad = Read-SoaConnectorSpace -ConnectorName $name -MaxObjects $max
        if ($null -eq $ad) { continue }
        $byDn = @{}
        foreach ($cs in $ad) { $byDn[(Get-SoaDnKey -Dn ([string]$cs.DistinguishedName))] = $cs }
        $pages.adByDn[$name] = $byDn
    }
    return $pages
}

function Get-SoaObjectTraceOne {
    # The trace of one DN with the connectors (and Export runs) already read.
    # $Pages (Get-SoaTracePages, batches only): connector spaces read in pages; a DN or metaverse id not
    # found there is still looked up by itself. -Summary: no attribute lists (ConvertTo-SoaCsObject).
    # $Evidence (batches only): Get-SoaExportEvidence's answers by blockOnPremisesSync value, filled as the batch
    # goes (every input but the block value is the same for the whole batch).
    param([string]$DistinguishedName, $Connectors, $SinceDate, $ExportRuns, $Pending, $Pages = $null, $Evidence = $null, [switch]$Summary)
    $order = $null
    if ($null -ne $Pages -and $null -ne $Pages.orderByDn) { $order = $Pages.orderByDn[$DistinguishedName] }
    if ($null -eq $order) { $order = Get-SoaAdConnectorOrder -Connectors $Connectors -Dn $DistinguishedName }
    $adObject = $null
    $lookupErrors = @()
    $adConnectorName = $null
    foreach ($connector in $order.Connectors) {
        if ($null -ne $Pages -and $Pages.adByDn.ContainsKey([string]$connector.Name)) {
            $paged = $Pages.adByDn[[string]$connector.Name][(Get-SoaDnKey -Dn $DistinguishedName)]
            if ($null -ne $paged) { $adObject = $paged; $adConnectorName = [string]$connector.Name; break }
        }
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
    $ad = ConvertTo-SoaCsObject -CsObject $adObject -Summary:$Summary
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
    $entra = $null
    if ($null -ne $Pages -and $null -ne $Pages.entraByMv) { $entra = $Pages.entraByMv[$mvId.ToLowerInvariant()] }
    $mv = @()
    if ($null -eq $entra) { $mv = @(Get-ADSyncMVObject -Identifier $mvId -ErrorAction Stop | Select-Object -First 1) }
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
    $entraObject = ConvertTo-SoaCsObject -CsObject $entra -Summary:$Summary
    $first = Get-SoaAttributeFirstValues -CsObject $entra -Names @('blockOnPremisesSync', 'cloudMastered', 'cloudAnchor')
    $block = ConvertTo-SoaBool -Value $first['blockOnPremisesSync']
    $cloudMastered = ConvertTo-SoaBool -Value $first['cloudMastered']
    $evidence = $null
    $blockKey = 'null'
    if ($null -ne $block) { $blockKey = [string]$block }
    if ($null -ne $Evidence) { $evidence = $Evidence[$blockKey] }
    if ($null -eq $evidence) {
        $evidence = Get-SoaExportEvidence -Entra $Connectors.Entra -Block $block -SinceDate $SinceDate -ExportRuns $ExportRuns -Pending $Pending
        if ($null -ne $Evidence) { $Evidence[$blockKey] = $evidence }
    }
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
        cloudAnchor                = $first['cloudAnchor']
        cloudMastered              = $cloudMastered
        awaitingExportConfirmation = $evidence.awaiting
        exportEvidence             = $evidence
        message                    = $message
    }
}

function Get-SoaObjectTrace {
    # One DN (-DistinguishedName: returns its trace), or many in one call (-DistinguishedNames: returns
    # @{ traces; failures }). The connectors, the Entra connector's Export runs and its pending exports are
    # read once per call, whatever the number of DNs, and for many DNs the connector spaces are read in
    # pages when they are small enough (Get-SoaTracePages); a DN whose trace fails is listed in failures and
    # the others still come back. -Summary leaves the attribute lists out of adObject and entraObject.
    param(
        [string]$DistinguishedName = '',
        [string[]]$DistinguishedNames = @(),
        [string]$Since = '',
        [switch]$Summary
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
    $pages = $null
    try {
        $pages = Get-SoaTracePages -Connectors $connectors -Dns $many
    } catch {
        # reading in pages is only a shortcut: each DN is looked up by itself
        $pages = $null
    }
    $traces = New-Object System.Collections.ArrayList
    $failures = New-Object System.Collections.ArrayList
    $evidence = @{}
    foreach ($dn in $many) {
        try {
            [void]$traces.Add((Get-SoaObjectTraceOne -DistinguishedName ([string]$dn) -Connectors $connectors -SinceDate $sinceDate -ExportRuns $runs -Pending $pending -Pages $pages -Evidence $evidence -Summary:$Summary))
        } catch {
            [void]$failures.Add([ordered]@{ dn = [string]$dn; message = (Get-SoaErrorSummary -Message $_.Exception.Message) })
        }
    }
    return [ordered]@{ traces = @($traces.ToArray()); failures = @($failures.ToArray()) }
}
