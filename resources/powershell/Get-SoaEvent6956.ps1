# soa-pilot: Event 6956 ("not synced because the Source of Authority is in the cloud") from the
# Application log, with the object DN parsed from each event. Windows PowerShell 5.1 syntax only.

# Microsoft documents Event 6956 only by a screenshot (docs/reference/adsync-types.md, "Event 6956"): the DN is read
# from the event's structured data (EventData / Properties) first and from the message only as a fallback, and
# an Entra-side connector-space DN (CN={hex}) never passes as the AD DN.
function Get-SoaAdDnPattern {
    # CN/OU components (escaped characters allowed, no bare '=') under one or more DC components.
    return '(?i)(?<![A-Za-z0-9])((?:CN|OU)=(?:\\.|[^,\\=])+(?:\s*,\s*(?:CN|OU)=(?:\\.|[^,\\=])+)*(?:\s*,\s*DC=[A-Za-z0-9-]+)+)'
}

function Test-SoaEntraSideDn {
    # True for an Entra connector-space DN such as CN={4948347051...3D3D}.
    param([string]$Text)
    if ([string]::IsNullOrEmpty($Text)) { return $false }
    return ($Text -match '^\s*CN=\{[^}]*\}\s*$')
}

function Test-SoaAdDn {
    # True when the whole text is an AD DN (CN/OU components under DC components), never an Entra-side DN.
    param([string]$Text)
    if ([string]::IsNullOrEmpty($Text) -or (Test-SoaEntraSideDn -Text $Text)) { return $false }
    $m = [regex]::Match($Text.Trim(), '^' + (Get-SoaAdDnPattern) + '$')
    return $m.Success
}

function Get-SoaEvent6956DnInfo {
    # @{ dn; source = 'eventData' | 'message' | $null } for one event.
    param([string]$Message, $Properties)
    foreach ($property in @($Properties)) {
        if ($null -eq $property) { continue }
        $value = $property
        if ($null -ne $property.PSObject.Properties['Value']) { $value = $property.Value }
        $text = [string]$value
        if (Test-SoaAdDn -Text $text) { return [ordered]@{ dn = $text.Trim(); source = 'eventData' } }
    }
    if (-not [string]::IsNullOrEmpty($Message)) {
        $m = [regex]::Match($Message, '(?s)^\s*The object (.+) has not been synced to the cloud because')
        if ($m.Success -and (Test-SoaAdDn -Text $m.Groups[1].Value)) { return [ordered]@{ dn = $m.Groups[1].Value; source = 'message' } }
        foreach ($candidate in [regex]::Matches($Message, (Get-SoaAdDnPattern))) {
            $text = $candidate.Groups[1].Value
            if (Test-SoaAdDn -Text $text) { return [ordered]@{ dn = $text; source = 'message' } }
        }
    }
    return [ordered]@{ dn = $null; source = $null }
}

function Get-SoaEvent6956Dn {
    param([string]$Message, $Properties)
    return (Get-SoaEvent6956DnInfo -Message $Message -Properties $Properties).dn
}

function Get-SoaEvent6956 {
    param(
        [Parameter(Mandatory = $true)][string]$Since,
        [string]$DistinguishedName = '',
        [string[]]$DistinguishedNames = @(),
        [string]$ProviderName = '',
        [int]$MaxEvents = 500
    )
    $filter = @{ LogName = 'Application'; Id = 6956; StartTime = (ConvertTo-SoaUtcDate -Value $Since).ToLocalTime() }
    if ($ProviderName -ne '') { $filter.ProviderName = $ProviderName }
    $records = @()
    try {
        $records = @(Get-WinEvent -FilterHashtable $filter -MaxEvents $MaxEvents -ErrorAction Stop)
    } catch {
        if ([string]$_.FullyQualifiedErrorId -like 'NoMatchingEventsFound*') {
            $records = @()
        } else {
            throw
        }
    }
    # One DN or many (a bulk follow-up sweeps for N DNs in one call); none = every 6956 event.
    $wanted = @{}
    foreach ($d in @(@($DistinguishedNames) + @($DistinguishedName))) {
        if (-not [string]::IsNullOrEmpty($d)) { $wanted[$d.Trim().ToLowerInvariant()] = $true }
    }
    $events = @()
    $provider = $null
    if ($ProviderName -ne '') { $provider = $ProviderName }
    foreach ($record in $records) {
        if ($null -eq $record) { continue }
        $message = [string]$record.Message
        $info = Get-SoaEvent6956DnInfo -Message $message -Properties $record.Properties
        $dn = $info.dn
        if ($wanted.Count -gt 0 -and -not ($null -ne $dn -and $wanted.ContainsKey($dn.Trim().ToLowerInvariant()))) { continue }
        if ($null -eq $provider) { $provider = [string]$record.ProviderName }
        $events += [ordered]@{
            time     = (ConvertTo-SoaIsoDate -Value $record.TimeCreated)
            recordId = [long]$record.RecordId
            provider = [string]$record.ProviderName
            dn       = $dn
            dnSource = $info.source
            message  = $message
        }
    }
    return [ordered]@{ events = $events; provider = $provider }
}
