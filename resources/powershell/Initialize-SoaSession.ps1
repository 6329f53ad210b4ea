# soa-pilot: the shared session helper, loaded once when the bridge starts a shell.
#
# - Loaded as text, never run as a file: main checks this file's SHA-256 against the hashes made at build time
#   and sends its text, which the shell turns into a script block. Text is not subject to the file execution
#   policy, so a machine Group Policy of AllSigned or RemoteSigned does not stop it (see src-main/powershell/README.md).
#   The other scripts arrive the same way, once per shell, in Invoke-SoaCommand's -ScriptBase64.
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
# A failed switch to UTF-8 is recorded, never ignored: preflight reports it (Get-SoaEncodingProblem), because
# the bridge reads stdout as UTF-8 and any other code page would garble non-ASCII names.
$global:SoaEncodingSetupError = ''
try {
    [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false
} catch {
    $global:SoaEncodingSetupError = [string]$_.Exception.Message
}
$global:OutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false

function Get-SoaConsoleCodePage {
    # The code page of the console output encoding (65001 = UTF-8).
    return [int][Console]::OutputEncoding.CodePage
}

function Get-SoaEncodingProblem {
    # '' when the console writes UTF-8; otherwise what went wrong, in words.
    if ($global:SoaEncodingSetupError -ne '') {
        return ('Switching the console output to UTF-8 failed: ' + $global:SoaEncodingSetupError)
    }
    $codePage = Get-SoaConsoleCodePage
    if ($codePage -ne 65001) { return ('The console output encoding is code page ' + $codePage + ', not UTF-8 (65001).') }
    return ''
}

$global:SoaScriptBlocks = @{}
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

function Register-SoaScript {
    # Keeps the text of resources/powershell/<Name>.ps1 (sent by main after its hash check) as a script block.
    param([string]$Name, [string]$ScriptBase64)
    $text = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ScriptBase64))
    $global:SoaScriptBlocks[$Name] = [ScriptBlock]::Create($text)
}

function Invoke-SoaCommand {
    # The one entry point the bridge calls: dot-sources the script block of <Name> (its text arrives in
    # -ScriptBase64 on the first call in a shell, kept for the next ones), calls the function of the same
    # name with the decoded arguments, and writes one envelope line. No script file is ever run.
    param(
        [string]$Name,
        [string]$ArgumentsBase64,
        [string]$Nonce,
        [string]$ScriptBase64 = ''
    )
    $envelope = $null
    try {
        $ErrorActionPreference = 'Stop'
        if ($Name -notmatch $global:SoaScriptNamePattern) {
            throw (New-SoaError -Code 'validation' -Message ('Not a soa-pilot script name: ' + $Name) -Category 'InvalidArgument')
        }
        if ($ScriptBase64 -ne '') { Register-SoaScript -Name $Name -ScriptBase64 $ScriptBase64 }
        if (-not $global:SoaScriptBlocks.ContainsKey($Name)) {
            throw (New-SoaError -Code 'unavailable' -Message ('The script ' + $Name + '.ps1 was not loaded into this PowerShell session.') -Category 'ObjectNotFound')
        }
        $arguments = ConvertFrom-SoaArgument -Base64 $ArgumentsBase64
        . $global:SoaScriptBlocks[$Name]
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

# ---------------------------------------------------------------------------------------------
# Shared helpers for the Connect Sync scripts
# ---------------------------------------------------------------------------------------------

function ConvertTo-SoaBool {
    # $true/$false from a Boolean or its string form ("True"/"False"); anything else is $null.
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [bool]) { return $Value }
    $text = ([string]$Value).Trim()
    if ($text -eq 'True') { return $true }
    if ($text -eq 'False') { return $false }
    return $null
}

function ConvertTo-SoaString {
    # A value as text: byte arrays as Base64, Guids in their string form, $null as $null.
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [byte[]]) { return [System.Convert]::ToBase64String($Value) }
    return [string]$Value
}

function Test-SoaEmptyGuid {
    param($Value)
    if ($null -eq $Value) { return $true }
    $text = [string]$Value
    if ($text -eq '') { return $true }
    return ($text -eq [System.Guid]::Empty.ToString())
}

function Import-SoaADSyncModule {
    # $true when the ADSync cmdlets are available (importing the module from its install path if needed).
    if (Get-Command -Name Start-ADSyncSyncCycle -ErrorAction SilentlyContinue) { return $true }
    Import-Module -Name ADSync -ErrorAction SilentlyContinue
    if (Get-Command -Name Start-ADSyncSyncCycle -ErrorAction SilentlyContinue) { return $true }
    $installPath = Get-SoaRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\ADSync\Parameters' -Name 'Path'
    if (-not [string]::IsNullOrEmpty($installPath)) {
        $manifest = Join-Path -Path $installPath -ChildPath 'Bin\ADSync\ADSync.psd1'
        if (Test-Path -LiteralPath $manifest -PathType Leaf) {
            Import-Module -Name $manifest -ErrorAction SilentlyContinue
        }
    }
    return [bool](Get-Command -Name Start-ADSyncSyncCycle -ErrorAction SilentlyContinue)
}

function Assert-SoaADSyncModule {
    if (-not (Import-SoaADSyncModule)) {
        throw (New-SoaError -Code 'unavailable' -Message 'The ADSync PowerShell module is not available here. Run soa-pilot on the Entra Connect Sync server (Windows PowerShell 5.1).' -Category 'NotInstalled')
    }
}

function Import-SoaActiveDirectoryModule {
    # $true when Get-ADObject and Set-ADObject are available (the RSAT ActiveDirectory module).
    if (Get-Command -Name Get-ADObject -ErrorAction SilentlyContinue) { return $true }
    Import-Module -Name ActiveDirectory -ErrorAction SilentlyContinue
    return [bool](Get-Command -Name Get-ADObject -ErrorAction SilentlyContinue)
}

function Get-SoaConnectorSet {
    # The AD connectors and the Entra ID connector of this server.
    $all = @(Get-ADSyncConnector -ErrorAction Stop)
    $ad = @($all | Where-Object { [string]$_.ConnectorTypeName -eq 'AD' })
    $entra = @($all | Where-Object { [string]$_.ConnectorTypeName -ne 'AD' -and [string]$_.Name -like '* - AAD' })
    if ($entra.Count -eq 0) {
        $entra = @($all | Where-Object { [string]$_.ConnectorTypeName -ne 'AD' -and [string]$_.Subtype -like '*Azure Active Directory*' })
    }
    $entraConnector = $null
    if ($entra.Count -gt 0) { $entraConnector = $entra[0] }
    return [pscustomobject]@{ AD = $ad; Entra = $entraConnector }
}

function Test-SoaDnUnder {
    # True when $Dn is $Root or lies under it (whole RDN components, case-insensitive).
    param([string]$Dn, [string]$Root)
    if ([string]::IsNullOrEmpty($Dn) -or [string]::IsNullOrEmpty($Root)) { return $false }
    $d = ($Dn -replace '\s*,\s*', ',').Trim()
    $r = ($Root -replace '\s*,\s*', ',').Trim()
    if ([string]::Equals($d, $r, [System.StringComparison]::OrdinalIgnoreCase)) { return $true }
    return $d.EndsWith(',' + $r, [System.StringComparison]::OrdinalIgnoreCase)
}

function Select-SoaAdConnector {
    # The AD connector whose selected partitions hold $Dn (the longest matching partition DN wins),
    # so a server with several forests uses the object's own connector. Returns
    # @{ connector; partition; via = 'partition' } or @{ connector = $null; partition = $null; via = 'none' }.
    param($AdConnectors, [string]$Dn)
    $best = $null
    $bestPartition = $null
    foreach ($connector in @($AdConnectors)) {
        if ($null -eq $connector) { continue }
        foreach ($partition in @($connector.Partitions)) {
            if ($null -eq $partition) { continue }
            if ($null -ne $partition.PSObject.Properties['Selected'] -and $partition.Selected -eq $false) { continue }
            $root = [string]$partition.DN
            if (-not (Test-SoaDnUnder -Dn $Dn -Root $root)) { continue }
            if ($null -eq $bestPartition -or $root.Length -gt ([string]$bestPartition.DN).Length) {
                $best = $connector
                $bestPartition = $partition
            }
        }
    }
    if ($null -eq $best) { return [ordered]@{ connector = $null; partition = $null; via = 'none' } }
    return [ordered]@{ connector = $best; partition = [string]$bestPartition.DN; via = 'partition' }
}

function Get-SoaAdConnectorOrder {
    # The AD connectors to search for $Dn: the one whose partition holds it, else all of them (in order).
    param($Connectors, [string]$Dn)
    $pick = Select-SoaAdConnector -AdConnectors $Connectors.AD -Dn $Dn
    if ($null -ne $pick.connector) {
        return [pscustomobject]@{ Connectors = @($pick.connector); Via = 'partition'; Partition = $pick.partition }
    }
    return [pscustomobject]@{ Connectors = @($Connectors.AD); Via = 'allConnectors'; Partition = $null }
}

function Get-SoaAdServerOf {
    # The DNS name of the domain that holds $Dn, from its DC= components (CN=A,OU=B,DC=fabrikam,DC=com ->
    # fabrikam.com), for the ActiveDirectory cmdlets' -Server: on a server that syncs several forests, an object
    # of another forest is reached only through a domain controller of its own domain. '' without DC= components.
    param([string]$Dn)
    $parts = @()
    foreach ($rdn in @([regex]::Split([string]$Dn, '(?<!\\),'))) {
        $t = $rdn.Trim()
        if ($t -match '^[Dd][Cc]\s*=\s*(.+)$') { $parts += $Matches[1].Trim() }
    }
    return ($parts -join '.')
}

function Get-SoaAdServerArgument {
    # @{ Server = <domain of $Dn> } to splat into Get-ADObject / Set-ADObject, or @{} when the DN names no domain.
    param([string]$Dn)
    $server = Get-SoaAdServerOf -Dn $Dn
    if ($server -eq '') { return @{} }
    return @{ Server = $server }
}

function Test-SoaBusyError {
    # True for "the sync engine is busy": an InvalidOperationException (anywhere in the chain) whose
    # message says busy / already running / suspended / in progress.
    param($ErrorRecord)
    $pattern = 'is busy|already running|scheduler is suspended|currently in progress'
    $exception = $ErrorRecord.Exception
    while ($null -ne $exception) {
        if ($exception -is [System.InvalidOperationException] -and $exception.Message -match $pattern) { return $true }
        $exception = $exception.InnerException
    }
    $fqid = [string]$ErrorRecord.FullyQualifiedErrorId
    if ($fqid -like 'System.InvalidOperationException*' -and [string]$ErrorRecord.Exception.Message -match $pattern) { return $true }
    return $false
}

function Get-SoaErrorSummary {
    # The first meaningful line of an exception message (drops "System.X: " prefixes and stack frames).
    param([string]$Message)
    if ($null -eq $Message) { return '' }
    $lines = @($Message -split "`r?`n" | Where-Object { $_.Trim() -ne '' -and $_.Trim() -notlike 'at *' })
    $first = ''
    if ($lines.Count -gt 0) { $first = $lines[0].Trim() }
    return ($first -replace '^System\.[A-Za-z.]+Exception:\s*', '')
}

# Host probes. On Windows they read the registry and file versions; on a host without a registry
# (the lab), a stand-in module may provide functions of the same names.
function Get-SoaRegistryValue {
    param([string]$Path, [string]$Name)
    if (-not (Test-Path -LiteralPath $Path -ErrorAction SilentlyContinue)) { return $null }
    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $item) { return $null }
    return $item.$Name
}

function Get-SoaUninstallEntry {
    # DisplayName, DisplayVersion, Publisher and InstallLocation of every uninstall entry (both registry views).
    $roots = @(
        'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall',
        'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
    )
    foreach ($root in $roots) {
        if (-not (Test-Path -LiteralPath $root -ErrorAction SilentlyContinue)) { continue }
        foreach ($key in @(Get-ChildItem -LiteralPath $root -ErrorAction SilentlyContinue)) {
            $p = Get-ItemProperty -LiteralPath $key.PSPath -ErrorAction SilentlyContinue
            if ($null -eq $p -or [string]::IsNullOrEmpty([string]$p.DisplayName)) { continue }
            [pscustomobject]@{
                DisplayName     = [string]$p.DisplayName
                DisplayVersion  = [string]$p.DisplayVersion
                Publisher       = [string]$p.Publisher
                InstallLocation = [string]$p.InstallLocation
            }
        }
    }
}

function Get-SoaFileVersion {
    param([string]$Path)
    if ([string]::IsNullOrEmpty($Path)) { return $null }
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf -ErrorAction SilentlyContinue)) { return $null }
    $info = [System.Diagnostics.FileVersionInfo]::GetVersionInfo($Path)
    if ([string]::IsNullOrEmpty($info.FileVersion)) { return $null }
    return ('{0}.{1}.{2}.{3}' -f $info.FileMajorPart, $info.FileMinorPart, $info.FileBuildPart, $info.FilePrivatePart)
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
