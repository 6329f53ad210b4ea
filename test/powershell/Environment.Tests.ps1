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
