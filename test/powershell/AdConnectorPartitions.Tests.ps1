BeforeAll {
    $script:ScriptRoot = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'resources/powershell'
    . (Join-Path $PSScriptRoot 'TestStubs.ps1')
    . (Join-Path $script:ScriptRoot 'Initialize-SoaSession.ps1')
    . (Join-Path $script:ScriptRoot 'Get-SoaAdConnectorPartitions.ps1')
}

Describe 'Get-SoaAdConnectorPartitions' {
    It 'lists each AD connector with its selected partitions only' {
        Mock Import-SoaADSyncModule { $true }
        Mock Get-ADSyncConnector {
            [pscustomobject]@{ Name = 'contoso.com'; ConnectorTypeName = 'AD'; Partitions = @(
                    [pscustomobject]@{ DN = 'DC=contoso,DC=com'; Selected = $true },
                    [pscustomobject]@{ DN = 'DC=ForestDnsZones,DC=contoso,DC=com'; Selected = $false }) }
            [pscustomobject]@{ Name = 'fabrikam.com'; ConnectorTypeName = 'AD'; Partitions = @([pscustomobject]@{ DN = 'DC=fabrikam,DC=com' }) }
            [pscustomobject]@{ Name = 'contoso.onmicrosoft.com - AAD'; ConnectorTypeName = 'Extensible2'; Partitions = @([pscustomobject]@{ DN = 'default'; Selected = $true }) }
        }
        $r = Get-SoaAdConnectorPartitions
        $r.available | Should -BeTrue
        @($r.connectors).Count | Should -Be 2
        $r.connectors[0].name | Should -Be 'contoso.com'
        @($r.connectors[0].partitions) | Should -Be @('DC=contoso,DC=com')
        @($r.connectors[1].partitions) | Should -Be @('DC=fabrikam,DC=com')
    }
    It 'says Connect Sync does not run here when the ADSync module is missing (a Cloud Sync-only server)' {
        Mock Import-SoaADSyncModule { $false }
        Mock Get-ADSyncConnector { throw 'must not be called' }
        $r = Get-SoaAdConnectorPartitions
        $r.available | Should -BeFalse
        @($r.connectors).Count | Should -Be 0
        $r.message | Should -Match 'Cloud Sync'
    }
    It 'serialises an empty partition list as an array' {
        Mock Import-SoaADSyncModule { $true }
        Mock Get-ADSyncConnector { [pscustomobject]@{ Name = 'empty.local'; ConnectorTypeName = 'AD'; Partitions = @() } }
        $json = Get-SoaAdConnectorPartitions | ConvertTo-Json -Depth 5 -Compress
        $json | Should -Match '"partitions":\[\]'
    }
}
