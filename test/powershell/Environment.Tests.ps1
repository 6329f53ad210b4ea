BeforeAll {
    $script:ScriptRoot = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'resources/powershell'
    . (Join-Path $PSScriptRoot 'TestStubs.ps1')
    . (Join-Path $script:ScriptRoot 'Initialize-SoaSession.ps1')
    . (Join-Path $script:ScriptRoot 'Get-SoaEnvironment.ps1')

    function script:Get-Check($Result, $Id) { @($Result.checks | Where-Object { $_.id -eq $Id })[0] }
}

Describe 'Get-SoaEnvironment version floors' {
    BeforeEach {
        $script:Version = '2.5.79.0'
        $script:AgentVersion = '1.1.1370.0'
        Mock Get-SoaRegistryValue {
            if ($Path -like '*\Services\ADSync\Parameters') { return 'C:\Program Files\Microsoft Azure AD Sync\' }
            if ($Path -like '*\Services\AADConnectProvisioningAgent' -and $null -ne $script:AgentVersion) { return '"C:\Agent\AADConnectProvisioningAgent.exe"' }
            return $null
        }
        Mock Get-SoaFileVersion {
            if ($Path -eq 'C:\Program Files\Microsoft Azure AD Sync\Bin\miiserver.exe') { return $script:Version }
            if ($Path -eq 'C:\Agent\AADConnectProvisioningAgent.exe') { return $script:AgentVersion }
            return $null
        }
        Mock Get-SoaUninstallEntry { }
        Mock Get-Service { [pscustomobject]@{ Name = $Name; Status = 'Running' } }
        Mock Get-ADSyncScheduler { [pscustomobject]@{ StagingModeEnabled = $false } }
    }

    It 'Connect Sync <Version>: contacts <Contacts>, users and groups <UsersGroups>' -ForEach @(
        @{ Version = '2.5.79.0'; Contacts = 'pass'; UsersGroups = 'pass' }
        @{ Version = '2.5.190.0'; Contacts = 'pass'; UsersGroups = 'pass' }
        @{ Version = '2.5.78.9'; Contacts = 'fail'; UsersGroups = 'pass' }
        @{ Version = '2.5.76.0'; Contacts = 'fail'; UsersGroups = 'pass' }
        @{ Version = '2.5.75.0'; Contacts = 'fail'; UsersGroups = 'fail' }
        @{ Version = '2.4.131.0'; Contacts = 'fail'; UsersGroups = 'fail' }
        @{ Version = 'garbage'; Contacts = 'warn'; UsersGroups = 'warn' }
    ) {
        $script:Version = $Version
        $r = Get-SoaEnvironment
        (Get-Check $r 'connectSyncContacts').status | Should -Be $Contacts
        (Get-Check $r 'connectSyncUsersGroups').status | Should -Be $UsersGroups
        (Get-Check $r 'connectSyncContacts').message | Should -Not -BeNullOrEmpty
        if ($Contacts -eq 'fail') { (Get-Check $r 'connectSyncContacts').fix | Should -Match 'Upgrade' }
    }

    It 'Cloud Sync agent <Agent>: <Status>' -ForEach @(
        @{ Agent = '1.1.1370.0'; Status = 'pass' }
        @{ Agent = '1.1.1369.0'; Status = 'fail' }
        @{ Agent = $null; Status = 'notChecked' }
    ) {
        $script:AgentVersion = $Agent
        $r = Get-SoaEnvironment
        (Get-Check $r 'cloudSyncAgent').status | Should -Be $Status
        $r.cloudSyncAgentVersion | Should -Be $Agent
    }

    It 'falls back to the uninstall entries when miiserver.exe cannot be read' {
        Mock Get-SoaFileVersion { $null }
        Mock Get-SoaUninstallEntry {
            [pscustomobject]@{ DisplayName = 'Microsoft Entra Connect Sync'; DisplayVersion = '2.5.80.0' }
            [pscustomobject]@{ DisplayName = 'Something else'; DisplayVersion = '9.9.9.9' }
        }
        $r = Get-SoaEnvironment
        $r.connectSyncVersion | Should -Be '2.5.80.0'
        (Get-Check $r 'connectSyncContacts').status | Should -Be 'pass'
    }

    It 'fails both Connect Sync checks when nothing is installed' {
        Mock Get-SoaRegistryValue { $null }
        $r = Get-SoaEnvironment
        $r.connectSyncVersion | Should -BeNullOrEmpty
        (Get-Check $r 'connectSyncContacts').status | Should -Be 'fail'
    }

    It 'fails the staging check on a staging server and reports stopped services' {
        Mock Get-ADSyncScheduler { [pscustomobject]@{ StagingModeEnabled = $true } }
        Mock Get-Service { [pscustomobject]@{ Name = $Name; Status = 'Stopped' } } -ParameterFilter { $Name -eq 'ADSync' }
        $r = Get-SoaEnvironment
        $r.stagingMode | Should -BeTrue
        (Get-Check $r 'stagingMode').status | Should -Be 'fail'
        (Get-Check $r 'adSyncService').status | Should -Be 'fail'
        (Get-Check $r 'adSyncService').fix | Should -Match 'Start-Service ADSync'
        @($r.services | Where-Object { $_.name -eq 'ADSync' })[0].status | Should -Be 'Stopped'
    }
}

Describe 'Get-SoaEnvironment: each branch of the other checks' {
    BeforeEach {
        $script:Version = '2.5.79.0'
        $script:AgentPath = '"C:\Agent\AADConnectProvisioningAgent.exe"'
        Mock Get-SoaRegistryValue {
            if ($Path -like '*\Services\ADSync\Parameters') { return 'C:\Program Files\Microsoft Azure AD Sync\' }
            if ($Path -like '*\Services\AADConnectProvisioningAgent') { return $script:AgentPath }
            return $null
        }
        Mock Get-SoaFileVersion {
            if ($Path -eq 'C:\Program Files\Microsoft Azure AD Sync\Bin\miiserver.exe') { return $script:Version }
            if ($Path -eq 'C:\Agent\AADConnectProvisioningAgent.exe') { return '1.1.1400.0' }
            return $null
        }
        Mock Get-SoaUninstallEntry { }
        Mock Get-Service { [pscustomobject]@{ Name = $Name; Status = 'Running' } }
        Mock Get-ADSyncScheduler { [pscustomobject]@{ StagingModeEnabled = $false } }
    }

    It 'passes the PowerShell check on Windows PowerShell (Desktop) and warns on PowerShell 7 (Core)' {
        $r = Get-SoaEnvironment
        $check = Get-Check $r 'powershell'
        if ($r.psEdition -eq 'Desktop') { $check.status | Should -Be 'pass' }
        else {
            $check.status | Should -Be 'warn'
            $check.fix | Should -Match 'powershell.exe'
        }
    }

    It 'passes the UTF-8 check when the console writes UTF-8' {
        Mock Get-SoaConsoleCodePage { 65001 }
        (Get-Check (Get-SoaEnvironment) 'utf8Console').status | Should -Be 'pass'
    }
    It 'fails the UTF-8 check, with the fix, when the console stays on another code page' {
        Mock Get-SoaConsoleCodePage { 850 }
        $check = Get-Check (Get-SoaEnvironment) 'utf8Console'
        $check.status | Should -Be 'fail'
        $check.message | Should -Match 'code page 850, not UTF-8'
        $check.message | Should -Match 'garbled'
        $check.fix | Should -Match 'OutputEncoding'
    }
    It 'fails the UTF-8 check when switching the console to UTF-8 threw' {
        $saved = $global:SoaEncodingSetupError
        try {
            $global:SoaEncodingSetupError = 'The handle is invalid.'
            $check = Get-Check (Get-SoaEnvironment) 'utf8Console'
            $check.status | Should -Be 'fail'
            $check.message | Should -Match 'Switching the console output to UTF-8 failed: The handle is invalid.'
        } finally {
            $global:SoaEncodingSetupError = $saved
        }
    }

    It 'passes the active server, the running service and the module when all are there' {
        Mock Import-SoaADSyncModule { $true }
        $r = Get-SoaEnvironment
        (Get-Check $r 'adSyncModule').status | Should -Be 'pass'
        (Get-Check $r 'adSyncService').status | Should -Be 'pass'
        (Get-Check $r 'stagingMode').status | Should -Be 'pass'
        $r.stagingMode | Should -Be $false
        @($r.checks | Where-Object { $_.id -eq 'cloudSyncService' }).Count | Should -Be 0
    }

    It 'fails the module check when the ADSync module is not available, and then cannot read staging mode (warn)' {
        Mock Import-SoaADSyncModule { $false }
        $r = Get-SoaEnvironment
        (Get-Check $r 'adSyncModule').status | Should -Be 'fail'
        $r.adSyncModule | Should -BeFalse
        (Get-Check $r 'stagingMode').status | Should -Be 'warn'
        $r.stagingMode | Should -BeNullOrEmpty
        Should -Invoke Get-ADSyncScheduler -Times 0 -Exactly
    }

    It 'warns (not pass) when Get-ADSyncScheduler throws' {
        Mock Import-SoaADSyncModule { $true }
        Mock Get-ADSyncScheduler { throw 'access denied' }
        $r = Get-SoaEnvironment
        (Get-Check $r 'stagingMode').status | Should -Be 'warn'
        $r.stagingMode | Should -BeNullOrEmpty
    }

    It 'fails the service check when the ADSync service does not exist' {
        Mock Get-Service { $null } -ParameterFilter { $Name -eq 'ADSync' }
        $r = Get-SoaEnvironment
        (Get-Check $r 'adSyncService').status | Should -Be 'fail'
        (Get-Check $r 'adSyncService').message | Should -Match 'not found'
    }

    It 'warns when the Cloud Sync agent is installed but its service is not running' {
        Mock Get-Service { [pscustomobject]@{ Name = $Name; Status = 'Stopped' } } -ParameterFilter { $Name -eq 'AADConnectProvisioningAgent' }
        $r = Get-SoaEnvironment
        (Get-Check $r 'cloudSyncService').status | Should -Be 'warn'
        (Get-Check $r 'cloudSyncService').observed | Should -Be 'Stopped'
    }

    It 'reads the agent from an unquoted ImagePath with arguments' {
        $script:AgentPath = 'C:\Agent\AADConnectProvisioningAgent.exe -service'
        $r = Get-SoaEnvironment
        $r.cloudSyncAgentVersion | Should -Be '1.1.1400.0'
        (Get-Check $r 'cloudSyncAgent').status | Should -Be 'pass'
    }

    It 'takes the highest of several uninstall entries for the agent, and warns on an unreadable version' {
        $script:AgentPath = $null
        Mock Get-SoaUninstallEntry {
            [pscustomobject]@{ DisplayName = 'Microsoft Entra Provisioning Agent'; DisplayVersion = '1.1.1370.0' }
            [pscustomobject]@{ DisplayName = 'Microsoft Azure AD Connect Provisioning Agent'; DisplayVersion = '1.1.1500.0' }
            [pscustomobject]@{ DisplayName = 'Microsoft Entra Connect Provisioning Agent'; DisplayVersion = '1.1.1300.0' }
        }
        $r = Get-SoaEnvironment
        $r.cloudSyncAgentVersion | Should -Be '1.1.1500.0'
        Mock Get-SoaUninstallEntry { }
        Mock Get-SoaFileVersion { 'unknown build' } -ParameterFilter { $Path -like '*AADConnectProvisioningAgent.exe' }
        $script:AgentPath = '"C:\Agent\AADConnectProvisioningAgent.exe"'
        (Get-Check (Get-SoaEnvironment) 'cloudSyncAgent').status | Should -Be 'warn'
    }

    It 'takes the highest Connect Sync uninstall entry and ignores entries without a version' {
        Mock Get-SoaFileVersion { $null }
        Mock Get-SoaUninstallEntry {
            [pscustomobject]@{ DisplayName = 'Microsoft Azure AD Connect'; DisplayVersion = '2.4.131.0' }
            [pscustomobject]@{ DisplayName = 'Microsoft Entra Connect'; DisplayVersion = '2.5.79.0' }
            [pscustomobject]@{ DisplayName = 'Microsoft Entra Connect Sync'; DisplayVersion = '' }
        }
        $r = Get-SoaEnvironment
        $r.connectSyncVersion | Should -Be '2.5.79.0'
        (Get-Check $r 'connectSyncContacts').status | Should -Be 'pass'
    }
}

Describe 'ConvertTo-SoaVersion' {
    It 'reads "<Text>" as <Expected>' -ForEach @(
        @{ Text = '2.5.79.0'; Expected = '2.5.79.0' }
        @{ Text = 'Version 2.5.79'; Expected = '2.5.79' }
        @{ Text = 'v1.1'; Expected = '1.1' }
        @{ Text = 'none'; Expected = $null }
        @{ Text = $null; Expected = $null }
    ) {
        $v = ConvertTo-SoaVersion -Text $Text
        if ($null -eq $Expected) { $v | Should -BeNullOrEmpty } else { $v.ToString() | Should -Be $Expected }
    }
}
