# soa-pilot: Event 6956 ("not synced because the Source of Authority is in the cloud") from the
# Application log, with the object DN parsed from each event. Windows PowerShell 5.1 syntax only.

function Get-SoaEvent6956Dn {
    # The DN from the documented English message; else the first event property that looks like a
    # DN; else the first DN-shaped text in a (localised) message.
    param([string]$Message, $Properties)
    if (-not [string]::IsNullOrEmpty($Message)) {
        $m = [regex]::Match($Message, '(?s)^\s*The object (.+) has not been synced to the cloud because')
        if ($m.Success) { return $m.Groups[1].Value }
    }
    foreach ($property in @($Properties)) {
        if ($null -eq $property) { continue }
        $value = $property
        if ($null -ne $property.PSObject.Properties['Value']) { $value = $property.Value }
        $text = [string]$value
        if ($text -match '^(?i)(CN|OU|DC)=.+') { return $text }
    }
    if (-not [string]::IsNullOrEmpty($Message)) {
        $m = [regex]::Match($Message, '(?i)((?:CN|OU)=.+?,DC=[^,\s]+(?:,DC=[^,\s.]+)*)')
        if ($m.Success) { return $m.Groups[1].Value }
    }
    return $null
}

function Get-SoaEvent6956 {
    param(
        [Parameter(Mandatory = $true)][string]$Since,
        [string]$DistinguishedName = '',
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
    $events = @()
    $provider = $null
    if ($ProviderName -ne '') { $provider = $ProviderName }
    foreach ($record in $records) {
        if ($null -eq $record) { continue }
        $message = [string]$record.Message
        $dn = Get-SoaEvent6956Dn -Message $message -Properties $record.Properties
        if ($DistinguishedName -ne '' -and -not ($null -ne $dn -and [string]::Equals($dn, $DistinguishedName, [System.StringComparison]::OrdinalIgnoreCase))) { continue }
        if ($null -eq $provider) { $provider = [string]$record.ProviderName }
        $events += [ordered]@{
            time     = (ConvertTo-SoaIsoDate -Value $record.TimeCreated)
            recordId = [long]$record.RecordId
            provider = [string]$record.ProviderName
            dn       = $dn
            message  = $message
        }
    }
    return [ordered]@{ events = $events; provider = $provider }
}
