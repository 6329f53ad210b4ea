# soa-pilot: the shared session helper, dot-sourced once when the bridge starts a shell.
#
# - Quiet streams (progress, warnings, information, verbose) and UTF-8 output without a BOM.
# - Arguments arrive as Base64-encoded UTF-8 JSON and are decoded here; no value is ever placed in script text.
# - Every call ends with exactly one framed line on stdout: "<<SOA:<nonce>>>" + the JSON envelope
#   { ok = $true; data = ... } or { ok = $false; error = { code; message; fqid; category; type } }.
# - Stderr is never used for data.
# Windows PowerShell 5.1 syntax only (see DEVELOPERS.md).

$global:ProgressPreference = 'SilentlyContinue'
$global:WarningPreference = 'SilentlyContinue'
$global:InformationPreference = 'SilentlyContinue'
$global:VerbosePreference = 'SilentlyContinue'
$global:DebugPreference = 'SilentlyContinue'
$global:ConfirmPreference = 'None'
try {
    [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false
} catch {
    $null = $_
}
$global:OutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false

$global:SoaScriptRoot = $PSScriptRoot
$global:SoaScriptNamePattern = '^[A-Z][a-z]+-Soa[A-Za-z0-9]+$'

function ConvertFrom-SoaArgument {
    # Decodes Base64 UTF-8 JSON into a hashtable (for splatting). Dates stay strings in every edition.
    param([string]$Base64)
    $result = @{}
    if ([string]::IsNullOrEmpty($Base64)) { return $result }
    $json = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Base64))
    if ($PSVersionTable.PSVersion.Major -ge 7) {
        # PowerShell 7 turns ISO strings into DateTime; keep every value exactly as sent.
        $object = ConvertFrom-Json -InputObject $json -DateKind String
    } else {
        $object = ConvertFrom-Json -InputObject $json
    }
    if ($null -eq $object) { return $result }
    foreach ($property in $object.PSObject.Properties) {
        $result[$property.Name] = $property.Value
    }
    return $result
}

function ConvertTo-SoaIsoDate {
    # ISO 8601 UTC string for a DateTime, a DateTimeOffset or a date string; $null stays $null.
    # A DateTime of kind Unspecified is taken as UTC (ADSync reports UTC dates).
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [string]) {
        if ($Value -eq '') { return $null }
        $parsed = [DateTime]::Parse($Value, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind)
        return ConvertTo-SoaIsoDate -Value $parsed
    }
    if ($Value -is [DateTimeOffset]) {
        return $Value.UtcDateTime.ToString('o')
    }
    if ($Value -is [DateTime]) {
        if ($Value.Kind -eq [DateTimeKind]::Unspecified) {
            $Value = [DateTime]::SpecifyKind($Value, [DateTimeKind]::Utc)
        }
        return $Value.ToUniversalTime().ToString('o')
    }
    return ConvertTo-SoaIsoDate -Value ([string]$Value)
}

function ConvertTo-SoaUtcDate {
    # A DateTime (kind Utc) from an ISO string or a DateTime.
    param($Value)
    $iso = ConvertTo-SoaIsoDate -Value $Value
    if ($null -eq $iso) { return $null }
    return [DateTime]::Parse($iso, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToUniversalTime()
}

function New-SoaError {
    # An ErrorRecord that the envelope reports with a soa-pilot error code (FullyQualifiedErrorId "Soa.<code>").
    param(
        [Parameter(Mandatory = $true)][string]$Code,
        [Parameter(Mandatory = $true)][string]$Message,
        [string]$Category = 'NotSpecified'
    )
    $exception = New-Object System.InvalidOperationException -ArgumentList $Message
    return New-Object System.Management.Automation.ErrorRecord -ArgumentList @($exception, ('Soa.' + $Code), [System.Management.Automation.ErrorCategory]$Category, $null)
}

function ConvertTo-SoaErrorInfo {
    param($ErrorRecord)
    $exception = $ErrorRecord.Exception
    $fqid = [string]$ErrorRecord.FullyQualifiedErrorId
    $code = 'powershell'
    if ($fqid -like 'Soa.*') {
        $code = $fqid.Substring(4)
    } elseif ($exception -is [System.Management.Automation.CommandNotFoundException]) {
        $code = 'unavailable'
    } elseif ($exception -is [System.Management.Automation.ParameterBindingException]) {
        $code = 'validation'
    }
    $message = ''
    if ($null -ne $exception) { $message = [string]$exception.Message }
    $type = ''
    if ($null -ne $exception) { $type = $exception.GetType().FullName }
    return [ordered]@{
        code     = $code
        message  = $message
        fqid     = $fqid
        category = [string]$ErrorRecord.CategoryInfo.Category
        type     = $type
    }
}

function Write-SoaEnvelope {
    param([string]$Nonce, $Envelope)
    $json = ConvertTo-Json -InputObject $Envelope -Depth 12 -Compress
    [Console]::Out.WriteLine('<<SOA:' + $Nonce + '>>' + $json)
}

function Invoke-SoaCommand {
    # The one entry point the bridge calls: dot-sources resources/powershell/<Name>.ps1, calls the
    # function of the same name with the decoded arguments, and writes one envelope line.
    param(
        [string]$Name,
        [string]$ArgumentsBase64,
        [string]$Nonce
    )
    $envelope = $null
    try {
        $ErrorActionPreference = 'Stop'
        if ($Name -notmatch $global:SoaScriptNamePattern) {
            throw (New-SoaError -Code 'validation' -Message ('Not a soa-pilot script name: ' + $Name) -Category 'InvalidArgument')
        }
        $path = Join-Path -Path $global:SoaScriptRoot -ChildPath ($Name + '.ps1')
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
            throw (New-SoaError -Code 'unavailable' -Message ('Script not found: ' + $Name + '.ps1') -Category 'ObjectNotFound')
        }
        $arguments = ConvertFrom-SoaArgument -Base64 $ArgumentsBase64
        . $path
        $output = @(& $Name @arguments 3>$null 4>$null 5>$null 6>$null)
        $data = $null
        if ($output.Count -gt 0) { $data = $output[$output.Count - 1] }
        $envelope = [ordered]@{ ok = $true; data = $data }
    } catch {
        $envelope = [ordered]@{ ok = $false; error = (ConvertTo-SoaErrorInfo -ErrorRecord $_) }
    }
    try {
        Write-SoaEnvelope -Nonce $Nonce -Envelope $envelope
    } catch {
        $fallback = [ordered]@{ ok = $false; error = (ConvertTo-SoaErrorInfo -ErrorRecord $_) }
        $fallback.error.code = 'powershell'
        Write-SoaEnvelope -Nonce $Nonce -Envelope $fallback
    }
}

function Get-SoaSessionInfo {
    return [ordered]@{
        psEdition = [string]$PSVersionTable.PSEdition
        psVersion = $PSVersionTable.PSVersion.ToString()
        processId = $PID
        modules   = @($global:SoaLoadedModules)
    }
}

# Extra modules (e.g. the lab's stand-ins) from $env:SOA_PS_MODULE_PATHS, separated by the path separator.
$global:SoaLoadedModules = @()
if (-not [string]::IsNullOrEmpty($env:SOA_PS_MODULE_PATHS)) {
    foreach ($soaModuleDir in $env:SOA_PS_MODULE_PATHS.Split([System.IO.Path]::PathSeparator)) {
        if ([string]::IsNullOrEmpty($soaModuleDir)) { continue }
        if (-not (Test-Path -LiteralPath $soaModuleDir -PathType Container)) { continue }
        $env:PSModulePath = $soaModuleDir + [System.IO.Path]::PathSeparator + $env:PSModulePath
        foreach ($soaManifest in @(Get-ChildItem -LiteralPath $soaModuleDir -Filter '*.psd1' -File)) {
            Import-Module -Name $soaManifest.FullName -Global -Force -DisableNameChecking -ErrorAction Stop
            $global:SoaLoadedModules += $soaManifest.BaseName
        }
    }
}
