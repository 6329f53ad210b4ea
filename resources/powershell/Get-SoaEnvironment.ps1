# soa-pilot: what runs on this server, checked against the floors for Source of Authority transfers.
# Windows PowerShell 5.1 syntax only.

$script:SoaFloorContacts = '2.5.79.0'
$script:SoaFloorUsersGroups = '2.5.76.0'
$script:SoaFloorCloudSync = '1.1.1370.0'

function ConvertTo-SoaVersion {
    param($Text)
    if ($null -eq $Text) { return $null }
    $match = [regex]::Match([string]$Text, '\d+(\.\d+){1,3}')
    if (-not $match.Success) { return $null }
    $parsed = $null
    if ([System.Version]::TryParse($match.Value, [ref]$parsed)) { return $parsed }
    return $null
}

function New-SoaCheck {
    param([string]$Id, [string]$Title, [string]$Status, [string]$Message, $Observed = $null, $Expected = $null, $Fix = $null)
    $check = [ordered]@{ id = $Id; title = $Title; status = $Status; message = $Message }
    if ($null -ne $Observed) { $check.observed = [string]$Observed }
    if ($null -ne $Expected) { $check.expected = [string]$Expected }
    if ($null -ne $Fix) { $check.fix = [string]$Fix }
    return $check
}

function Test-SoaVersionFloor {
    # pass / fail (below the floor) / warn (unreadable) / fail (missing) for one version against one floor.
    param([string]$Id, [string]$Title, $Version, [string]$Floor, [string]$Product, [string]$Purpose, [bool]$MissingIsFail = $true)
    $expected = '>= ' + $Floor
    if ($null -eq $Version -or [string]$Version -eq '') {
        if ($MissingIsFail) {
            return New-SoaCheck -Id $Id -Title $Title -Status 'fail' -Message ($Product + ' was not found on this server.') -Expected $expected -Fix ('Run soa-pilot on the server where ' + $Product + ' is installed.')
        }
        return New-SoaCheck -Id $Id -Title $Title -Status 'notChecked' -Message ($Product + ' is not installed; this check applies only where it is used.') -Expected $expected
    }
    $parsed = ConvertTo-SoaVersion -Text $Version
    if ($null -eq $parsed) {
        return New-SoaCheck -Id $Id -Title $Title -Status 'warn' -Message ('The ' + $Product + ' version "' + $Version + '" could not be read.') -Observed $Version -Expected $expected -Fix ('Check the version of ' + $Product + ' in Programs and Features.')
    }
    if ($parsed -ge [System.Version]$Floor) {
        return New-SoaCheck -Id $Id -Title $Title -Status 'pass' -Message ($Product + ' ' + $parsed.ToString() + ' supports ' + $Purpose + '.') -Observed $parsed.ToString() -Expected $expected
    }
    return New-SoaCheck -Id $Id -Title $Title -Status 'fail' -Message ($Product + ' ' + $parsed.ToString() + ' is older than ' + $Floor + ', the minimum for ' + $Purpose + '.') -Observed $parsed.ToString() -Expected $expected -Fix ('Upgrade ' + $Product + ' to ' + $Floor + ' or later before transferring Source of Authority.')
}

function Get-SoaConnectSyncVersion {
    # miiserver.exe under the ADSync service's Path; else the uninstall entries.
    $installPath = Get-SoaRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\ADSync\Parameters' -Name 'Path'
    if (-not [string]::IsNullOrEmpty([string]$installPath)) {
        $version = Get-SoaFileVersion -Path (([string]$installPath).TrimEnd('\') + '\Bin\miiserver.exe')
        if (-not [string]::IsNullOrEmpty([string]$version)) {
            return [pscustomobject]@{ Version = [string]$version; Source = 'miiserver.exe' }
        }
    }
    $names = @('Microsoft Entra Connect Sync', 'Microsoft Entra Connect', 'Microsoft Azure AD Connect', 'Microsoft Azure AD Connect synchronization services')
    $entries = @(Get-SoaUninstallEntry | Where-Object { $names -contains [string]$_.DisplayName -and -not [string]::IsNullOrEmpty([string]$_.DisplayVersion) })
    $best = $null
    foreach ($entry in $entries) {
        $v = ConvertTo-SoaVersion -Text $entry.DisplayVersion
        if ($null -ne $v -and ($null -eq $best -or $v -gt $best)) { $best = $v }
    }
    if ($null -ne $best) { return [pscustomobject]@{ Version = $best.ToString(); Source = 'uninstall entry' } }
    return $null
}

function Get-SoaCloudSyncAgentVersion {
    # AADConnectProvisioningAgent.exe (the service's ImagePath, then the documented folders); else the uninstall entries.
    $candidates = @()
    $imagePath = Get-SoaRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\AADConnectProvisioningAgent' -Name 'ImagePath'
    if (-not [string]::IsNullOrEmpty([string]$imagePath)) {
        $exe = [string]$imagePath
        $m = [regex]::Match($exe, '^\s*"([^"]+)"')
        if ($m.Success) { $exe = $m.Groups[1].Value } else { $exe = ($exe -split '\s+-')[0].Trim() }
        $candidates += $exe
    }
    if (-not [string]::IsNullOrEmpty($env:ProgramFiles)) {
        $candidates += (Join-Path -Path $env:ProgramFiles -ChildPath 'Microsoft Azure AD Connect Provisioning Agent\AADConnectProvisioningAgent.exe')
        $candidates += (Join-Path -Path $env:ProgramFiles -ChildPath 'Azure AD Connect Provisioning Agent\AADConnectProvisioningAgent.exe')
    }
    foreach ($candidate in $candidates) {
        $version = Get-SoaFileVersion -Path $candidate
        if (-not [string]::IsNullOrEmpty([string]$version)) { return [string]$version }
    }
    $names = @('Microsoft Entra Provisioning Agent', 'Microsoft Azure AD Connect Provisioning Agent', 'Microsoft Entra Connect Provisioning Agent')
    $best = $null
    foreach ($entry in @(Get-SoaUninstallEntry | Where-Object { $names -contains [string]$_.DisplayName })) {
        $v = ConvertTo-SoaVersion -Text $entry.DisplayVersion
        if ($null -ne $v -and ($null -eq $best -or $v -gt $best)) { $best = $v }
    }
    if ($null -ne $best) { return $best.ToString() }
    return $null
}

function Get-SoaServiceStatus {
    param([string]$Name)
    if (-not (Get-Command -Name Get-Service -ErrorAction SilentlyContinue)) { return $null }
    $service = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $service) { return $null }
    return [string]$service.Status
}

function Get-SoaEnvironment {
    $checks = @()
    $edition = [string]$PSVersionTable.PSEdition
    if ($edition -eq '') { $edition = 'Desktop' }
    $psVersion = $PSVersionTable.PSVersion.ToString()
    if ($edition -eq 'Desktop') {
        $checks += New-SoaCheck -Id 'powershell' -Title 'PowerShell' -Status 'pass' -Message ('Windows PowerShell ' + $psVersion + ' runs the ADSync module.') -Observed ($edition + ' ' + $psVersion)
    } else {
        $checks += New-SoaCheck -Id 'powershell' -Title 'PowerShell' -Status 'warn' -Message ('PowerShell ' + $psVersion + ' (' + $edition + ') is not the supported host for the ADSync module.') -Observed ($edition + ' ' + $psVersion) -Expected 'Windows PowerShell 5.1' -Fix 'Configure soa-pilot to use powershell.exe (Windows PowerShell 5.1) on the Connect Sync server.'
    }

    $encodingProblem = Get-SoaEncodingProblem
    if ($encodingProblem -eq '') {
        $checks += New-SoaCheck -Id 'utf8Console' -Title 'UTF-8 output' -Status 'pass' -Message 'PowerShell writes UTF-8, so names with accents and non-Latin characters arrive intact.' -Observed 'code page 65001'
    } else {
        $checks += New-SoaCheck -Id 'utf8Console' -Title 'UTF-8 output' -Status 'fail' -Message ($encodingProblem + ' Names with accents or non-Latin characters would arrive garbled, so soa-pilot cannot trust what the server reports for them.') -Observed $encodingProblem -Expected 'code page 65001 (UTF-8)' -Fix 'On the server, open Windows PowerShell and run [Console]::OutputEncoding = [Text.UTF8Encoding]::new($false) to see the error; check that no Group Policy, profile or console host locks the code page, then restart soa-pilot.'
    }

    $adSync = Import-SoaADSyncModule
    if ($adSync) {
        $checks += New-SoaCheck -Id 'adSyncModule' -Title 'ADSync module' -Status 'pass' -Message 'The ADSync PowerShell module is available.'
    } else {
        $checks += New-SoaCheck -Id 'adSyncModule' -Title 'ADSync module' -Status 'fail' -Message 'The ADSync PowerShell module is not available.' -Fix 'Run soa-pilot on the Entra Connect Sync server, or run Import-Module ADSync there to check the installation.'
    }

    $services = @()
    foreach ($name in @('ADSync', 'AADConnectProvisioningAgent')) {
        $services += [ordered]@{ name = $name; status = (Get-SoaServiceStatus -Name $name) }
    }
    $adSyncStatus = $services[0].status
    if ($adSyncStatus -eq 'Running') {
        $checks += New-SoaCheck -Id 'adSyncService' -Title 'ADSync service' -Status 'pass' -Message 'The ADSync service (Microsoft Azure AD Sync) is running.' -Observed $adSyncStatus
    } elseif ($null -eq $adSyncStatus) {
        $checks += New-SoaCheck -Id 'adSyncService' -Title 'ADSync service' -Status 'fail' -Message 'The ADSync service was not found on this server.' -Expected 'Running' -Fix 'Run soa-pilot on the Entra Connect Sync server.'
    } else {
        $checks += New-SoaCheck -Id 'adSyncService' -Title 'ADSync service' -Status 'fail' -Message ('The ADSync service is ' + $adSyncStatus + '.') -Observed $adSyncStatus -Expected 'Running' -Fix 'Start the service: Start-Service ADSync.'
    }

    $connect = Get-SoaConnectSyncVersion
    $connectVersion = $null
    if ($null -ne $connect) { $connectVersion = $connect.Version }
    $checks += Test-SoaVersionFloor -Id 'connectSyncContacts' -Title 'Connect Sync version for contacts' -Version $connectVersion -Floor $script:SoaFloorContacts -Product 'Entra Connect Sync' -Purpose 'contact Source of Authority (versions below it stopped syncing on 30 September 2026)'
    $checks += Test-SoaVersionFloor -Id 'connectSyncUsersGroups' -Title 'Connect Sync version for users and groups' -Version $connectVersion -Floor $script:SoaFloorUsersGroups -Product 'Entra Connect Sync' -Purpose 'user and group Source of Authority'

    $agentVersion = Get-SoaCloudSyncAgentVersion
    $agentStatus = $services[1].status
    $checks += Test-SoaVersionFloor -Id 'cloudSyncAgent' -Title 'Cloud Sync agent version' -Version $agentVersion -Floor $script:SoaFloorCloudSync -Product 'Cloud Sync provisioning agent' -Purpose 'Source of Authority with Cloud Sync' -MissingIsFail $false
    if ($null -ne $agentVersion -and $null -ne $agentStatus -and $agentStatus -ne 'Running') {
        $checks += New-SoaCheck -Id 'cloudSyncService' -Title 'Cloud Sync agent service' -Status 'warn' -Message ('The AADConnectProvisioningAgent service is ' + $agentStatus + '.') -Observed $agentStatus -Expected 'Running' -Fix 'Start-Service AADConnectProvisioningAgent'
    }

    $staging = $null
    if ($adSync) {
        try {
            $staging = ConvertTo-SoaBool -Value (Get-ADSyncScheduler -ErrorAction Stop).StagingModeEnabled
        } catch {
            $staging = $null
        }
    }
    if ($staging -eq $true) {
        $checks += New-SoaCheck -Id 'stagingMode' -Title 'Staging mode' -Status 'fail' -Message 'This server is in staging mode: it imports and synchronises but does not export, so changes never reach Entra ID from here.' -Observed 'True' -Expected 'False' -Fix 'Run soa-pilot on the active Connect Sync server.'
    } elseif ($staging -eq $false) {
        $checks += New-SoaCheck -Id 'stagingMode' -Title 'Staging mode' -Status 'pass' -Message 'This server is the active (exporting) server.' -Observed 'False'
    } else {
        $checks += New-SoaCheck -Id 'stagingMode' -Title 'Staging mode' -Status 'warn' -Message 'Staging mode could not be read (Get-ADSyncScheduler).' -Fix 'Run Get-ADSyncScheduler on the server and check StagingModeEnabled.'
    }

    return [ordered]@{
        psEdition             = $edition
        psVersion             = $psVersion
        adSyncModule          = [bool]$adSync
        connectSyncVersion    = $connectVersion
        cloudSyncAgentVersion = $agentVersion
        services              = $services
        stagingMode           = $staging
        checks                = $checks
    }
}
