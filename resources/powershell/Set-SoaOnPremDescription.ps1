# soa-pilot: a harmless AD change, used only after the admin confirmed it, to prove that Event 6956 fires.
# The attribute is one that this server's sync rules flow to Entra ID for the object's type (Get-ADSyncRule);
# a change to an attribute that does not flow is never exported, so it could not raise 6956. Without
# Get-ADSyncRule, Microsoft's documented default list is used and the result says so
# (docs/reference/adsync-types.md, "Attributes that flow to Entra ID"). Returns the old value so that it can be restored.
# Changes only the object main picked for the run: the object read back must carry the expected
# objectGUID and object class, and the change is made by that GUID (see docs/security.md).
# Windows PowerShell 5.1 syntax only.

# Harmless attributes soa-pilot may change for the probe, in order of preference.
function Get-SoaProbeCandidates { return @('description', 'department', 'company', 'givenName', 'sn') }

function Get-SoaDefaultFlowingAttributes {
    # Microsoft's documented defaults (attributes synchronized, Exchange Online table) among the candidates;
    # a contact's description flows only with the SharePoint Online attribute set, so it is not assumed.
    param([string]$ObjectClass)
    switch ($ObjectClass) {
        'contact' { return @('department', 'company') }
        'user' { return @('description', 'department', 'company') }
    }
    return @()
}

function Get-SoaFlowingAttributes {
    # @{ attributes = [candidates that flow, in preference order]; source = 'syncRules' | 'defaultList'; reason }
    param([string]$ObjectClass, [string]$DistinguishedName)
    $candidates = Get-SoaProbeCandidates
    $why = ''
    if (Get-Command -Name Get-ADSyncRule -ErrorAction SilentlyContinue) {
        try {
            $rules = @(Get-ADSyncRule -ErrorAction Stop)
            $connectors = Get-SoaConnectorSet
            $order = Get-SoaAdConnectorOrder -Connectors $connectors -Dn $DistinguishedName
            $adIds = @($order.Connectors | ForEach-Object { ([string]$_.Identifier).ToLowerInvariant() })
            $entraId = ''
            if ($null -ne $connectors.Entra) { $entraId = ([string]$connectors.Entra.Identifier).ToLowerInvariant() }
            $adToMv = @{}
            $inNames = @{}
            $mvOut = @{}
            foreach ($rule in $rules) {
                if ($null -eq $rule -or $rule.Disabled -eq $true) { continue }
                $connectorId = ([string]$rule.Connector).ToLowerInvariant()
                $direction = [string]$rule.Direction
                if ($direction -eq 'Inbound' -and $adIds -contains $connectorId -and [string]$rule.SourceObjectType -eq $ObjectClass) {
                    foreach ($flow in @($rule.AttributeFlowMappings)) {
                        if ($null -eq $flow -or [string]$flow.FlowType -ne 'Direct' -or @($flow.Source).Count -ne 1) { continue }
                        $adToMv[([string]@($flow.Source)[0]).ToLowerInvariant()] = ([string]$flow.Destination).ToLowerInvariant()
                        $inNames[([string]@($flow.Source)[0]).ToLowerInvariant()] = [string]$rule.Name
                    }
                } elseif ($direction -eq 'Outbound' -and $connectorId -eq $entraId -and [string]$rule.TargetObjectType -eq $ObjectClass) {
                    foreach ($flow in @($rule.AttributeFlowMappings)) {
                        if ($null -eq $flow -or [string]$flow.FlowType -ne 'Direct') { continue }
                        foreach ($src in @($flow.Source)) { $mvOut[([string]$src).ToLowerInvariant()] = [string]$rule.Name }
                    }
                }
            }
            $flowing = @()
            $detail = @()
            foreach ($c in $candidates) {
                $key = $c.ToLowerInvariant()
                if ($adToMv.ContainsKey($key) -and $mvOut.ContainsKey($adToMv[$key])) {
                    $flowing += $c
                    $detail += ($c + ' (' + $inNames[$key] + ' -> ' + $mvOut[$adToMv[$key]] + ')')
                }
            }
            $reason = 'Read with Get-ADSyncRule: '
            if ($flowing.Count -gt 0) { $reason += ($detail -join '; ') + ' flow to Entra ID for ' + $ObjectClass + 's.' }
            else { $reason += 'none of ' + ($candidates -join ', ') + ' flows to Entra ID for ' + $ObjectClass + 's.' }
            return [ordered]@{ attributes = $flowing; source = 'syncRules'; reason = $reason }
        } catch {
            $why = 'Get-ADSyncRule failed: ' + (Get-SoaErrorSummary -Message $_.Exception.Message)
        }
    } else {
        $why = 'Get-ADSyncRule is not available here'
    }
    $defaults = @(Get-SoaDefaultFlowingAttributes -ObjectClass $ObjectClass)
    return [ordered]@{
        attributes = $defaults
        source     = 'defaultList'
        reason     = ($why + ', so the sync rules could not be read; soa-pilot uses Microsoft''s documented default list for ' + $ObjectClass + 's (' + ($defaults -join ', ') + '). A contact''s description is not on it: it flows only with the SharePoint Online attribute set.')
    }
}

function Set-SoaOnPremDescription {
    param(
        [Parameter(Mandatory = $true)][string]$DistinguishedName,
        [string]$ObjectGuid = '',
        [string]$ObjectClass = '',
        [AllowNull()][AllowEmptyString()][string]$Description = $null,
        [string]$Attribute = '',
        [bool]$Restore = $false,
        [bool]$Confirmed = $false
    )
    if (-not $Confirmed) {
        throw (New-SoaError -Code 'refused' -Message 'Changing an AD object needs explicit confirmation.' -Category 'PermissionDenied')
    }
    $expectedGuid = [guid]::Empty
    if (-not [guid]::TryParse($ObjectGuid, [ref]$expectedGuid) -or @('contact', 'user', 'group') -notcontains $ObjectClass) {
        throw (New-SoaError -Code 'refused' -Message 'soa-pilot changes only the object picked for this run, named by its objectGUID and object class; neither was given. Nothing was changed.' -Category 'PermissionDenied')
    }
    if (-not (Import-SoaActiveDirectoryModule)) {
        throw (New-SoaError -Code 'unavailable' -Message 'The ActiveDirectory PowerShell module is not installed on this server; install RSAT AD PowerShell to change AD objects from soa-pilot.' -Category 'NotInstalled')
    }
    $candidates = Get-SoaProbeCandidates
    if ($Attribute -ne '' -and $candidates -notcontains $Attribute) {
        throw (New-SoaError -Code 'refused' -Message ('soa-pilot changes only one of ' + ($candidates -join ', ') + ' for the 6956 probe, not ' + $Attribute + '. Nothing was changed.') -Category 'PermissionDenied')
    }
    $source = 'restore'
    $reason = 'Restoring the value recorded by the probe.'
    if (-not $Restore) {
        $flows = Get-SoaFlowingAttributes -ObjectClass $ObjectClass -DistinguishedName $DistinguishedName
        $source = $flows.source
        $reason = $flows.reason
        $flowing = @($flows.attributes)
        if ($Attribute -ne '') {
            if ($flowing -notcontains $Attribute) {
                throw (New-SoaError -Code 'refused' -Message ($Attribute + ' does not flow to Entra ID for ' + $ObjectClass + 's on this server, so changing it could not raise Event 6956. ' + $reason + ' Nothing was changed.') -Category 'PermissionDenied')
            }
        } elseif ($flowing.Count -gt 0) {
            $Attribute = $flowing[0]
        } else {
            throw (New-SoaError -Code 'refused' -Message ('No attribute soa-pilot may change (' + ($candidates -join ', ') + ') flows to Entra ID for ' + $ObjectClass + 's on this server, so no AD change could prove the block. ' + $reason + ' Nothing was changed.') -Category 'PermissionDenied')
        }
    } elseif ($Attribute -eq '') {
        $Attribute = 'description'
    }
    # the object's own domain answers (another forest's object is not found through this server's domain)
    $at = Get-SoaAdServerArgument -Dn $DistinguishedName
    try {
        $object = Get-ADObject -Identity $DistinguishedName -Properties $Attribute @at -ErrorAction Stop
    } catch {
        if ([string]$_.FullyQualifiedErrorId -like '*ADIdentityNotFoundException*') {
            throw (New-SoaError -Code 'notFound' -Message ('No AD object has this DN: ' + (Get-SoaErrorSummary -Message $_.Exception.Message)) -Category 'ObjectNotFound')
        }
        throw
    }
    $actualClass = [string]$object.ObjectClass
    if ($actualClass -ne $ObjectClass) {
        throw (New-SoaError -Code 'refused' -Message ('soa-pilot changes only the ' + $ObjectClass + ' picked for this run; ' + [string]$object.DistinguishedName + ' is a ' + $actualClass + '. Nothing was changed.') -Category 'PermissionDenied')
    }
    $actualGuid = [guid]::Empty
    if (-not [guid]::TryParse([string]$object.ObjectGUID, [ref]$actualGuid) -or $actualGuid -ne $expectedGuid) {
        throw (New-SoaError -Code 'refused' -Message ('The object at ' + [string]$object.DistinguishedName + ' is not the one picked for this run (its objectGUID differs). Pick the contact again, then retry. Nothing was changed.') -Category 'PermissionDenied')
    }
    $identity = $actualGuid.ToString()
    $old = ConvertTo-SoaString -Value (@($object.$Attribute) | Select-Object -First 1)
    if ([string]::IsNullOrEmpty($Description)) {
        Set-ADObject -Identity $identity -Clear $Attribute @at -ErrorAction Stop
        $new = $null
    } else {
        Set-ADObject -Identity $identity -Replace @{ $Attribute = $Description } @at -ErrorAction Stop
        $new = $Description
    }
    return [ordered]@{
        dn              = [string]$object.DistinguishedName
        attribute       = $Attribute
        attributeSource = $source
        attributeReason = $reason
        oldDescription  = $old
        newDescription  = $new
    }
}
