# Every lab stand-in returns exactly the members (names and types) of the real ADSync type, as described with
# their public sources in test/powershell/adsync-types/*.json. The lab part needs a running lab: the integration
# test test/integration/powershell/stand-in-shapes.test.ts starts one and runs this file with
# SOA_LAB_CONTROL_URL/SOA_LAB_CONTROL_TOKEN/SOA_TEST_DN set; without them (run-pester.ps1) only the checker's
# own tests run.
BeforeDiscovery {
    $script:HasLab = -not [string]::IsNullOrEmpty($env:SOA_LAB_CONTROL_URL) -and -not [string]::IsNullOrEmpty($env:SOA_TEST_DN)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'AdSyncShape.ps1')
}

Describe 'the shape checker' {
    It 'accepts an object with exactly the real members' {
        $o = [pscustomobject]@{ SyncRuleInternalId = 'x'; SyncRuleName = 'In from AD - User Join'; Operation = 'Join' }
        @(Test-SoaAdSyncShape -Object $o -TypeName 'CsObjectLineage') | Should -BeNullOrEmpty
    }
    It 'rejects a member the real type lacks (an ExportState on a connector-space object)' {
        $o = [pscustomobject]@{ SyncRuleInternalId = 'x'; SyncRuleName = 'r'; Operation = 'Join'; ExportState = 'None' }
        @(Test-SoaAdSyncShape -Object $o -TypeName 'CsObjectLineage') -join "`n" | Should -Match 'ExportState is not a member'
    }
    It 'rejects a missing member' {
        $o = [pscustomobject]@{ SyncRuleName = 'r'; Operation = 'Join' }
        @(Test-SoaAdSyncShape -Object $o -TypeName 'CsObjectLineage') -join "`n" | Should -Match 'SyncRuleInternalId .* is missing'
    }
    It 'rejects a Guid member given as a string, and a null value type' {
        $o = [pscustomobject]@{ LineageId = '00000000-0000-0000-0000-000000000000'; ConnectedCsObjectDN = 'CN=a'; ConnectedCsObjectId = $null; ConnectorName = 'c'; ConnectorId = [guid]::NewGuid() }
        $p = @(Test-SoaAdSyncShape -Object $o -TypeName 'MvObjectLineage') -join "`n"
        $p | Should -Match 'LineageId is String, not Guid'
        $p | Should -Match 'ConnectedCsObjectId is null'
    }
    It 'checks nested lists element by element and enum names' {
        $bad = [pscustomobject]@{ Name = 'a'; Type = 'Text'; IsMultiValued = $false; SyncRuleName = 'r'; ConnectorName = 'c'; LineageId = [guid]::Empty; LastModificationTime = [DateTime]::UtcNow; Values = @('x') }
        $o = [pscustomobject]@{ ObjectId = [guid]::Empty; Lineage = @(); Attributes = @($bad) }
        @(Test-SoaAdSyncShape -Object $o -TypeName 'MvObject') -join "`n" | Should -Match "Attributes\[0\]\.Type = 'Text' is not a SchemaAttributeType"
    }
    It 'has a source for every description' {
        foreach ($f in Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'adsync-types') -Filter '*.json' | Where-Object { $_.Name -ne '_vocabulary.json' }) {
            $d = Get-Content -LiteralPath $f.FullName -Raw | ConvertFrom-Json
            @($d.sources).Count | Should -BeGreaterThan 0 -Because $f.Name
            foreach ($s in $d.sources) { [string]$s.path | Should -Not -BeNullOrEmpty -Because $f.Name }
        }
    }
}

Describe 'lab stand-ins against the real ADSync types' -Skip:(-not $script:HasLab) {
    BeforeAll {
        Import-Module (Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'resources/powershell/lab/SoaLab.psd1') -Force
        $script:Connectors = @(Get-ADSyncConnector)
        $script:Ad = @($script:Connectors | Where-Object { $_.ConnectorTypeName -eq 'AD' })[0]
        $script:Entra = @($script:Connectors | Where-Object { $_.ConnectorTypeName -ne 'AD' })[0]
        $script:AdCs = Get-ADSyncCSObject -ConnectorName $script:Ad.Name -DistinguishedName $env:SOA_TEST_DN
        $script:Mv = Get-ADSyncMVObject -Identifier $script:AdCs.ConnectedMVObjectId
        $lineage = @($script:Mv.Lineage | Where-Object { $_.ConnectorId -eq $script:Entra.Identifier })[0]
        $script:EntraCs = Get-ADSyncCSObject -ConnectorName $lineage.ConnectorName -DistinguishedName $lineage.ConnectedCsObjectDN
    }
    It 'Get-ADSyncConnector returns Connector objects with their partitions' {
        $script:Connectors.Count | Should -BeGreaterOrEqual 2
        foreach ($c in $script:Connectors) { @(Test-SoaAdSyncShape -Object $c -TypeName 'Connector') | Should -BeNullOrEmpty }
        @($script:Ad.Partitions).Count | Should -BeGreaterThan 0
    }
    It 'Get-ADSyncCSObject returns CsObject (AD side and Entra side), without ExportState' {
        @(Test-SoaAdSyncShape -Object $script:AdCs -TypeName 'CsObject') | Should -BeNullOrEmpty
        @(Test-SoaAdSyncShape -Object $script:EntraCs -TypeName 'CsObject') | Should -BeNullOrEmpty
        $script:EntraCs.PSObject.Properties['ExportState'] | Should -BeNullOrEmpty
    }
    It 'Get-ADSyncMVObject returns MvObject' {
        @(Test-SoaAdSyncShape -Object $script:Mv -TypeName 'MvObject') | Should -BeNullOrEmpty
    }
    It 'Get-ADSyncRule returns SynchronizationRule objects with attribute flows' {
        $rules = @(Get-ADSyncRule)
        $rules.Count | Should -BeGreaterThan 0
        foreach ($r in $rules) { @(Test-SoaAdSyncShape -Object $r -TypeName 'SyncRule') | Should -BeNullOrEmpty }
        @($rules | Where-Object { @($_.AttributeFlowMappings).Count -gt 0 }).Count | Should -BeGreaterThan 0
    }
    It 'Get-ADSyncRunProfileResult returns RunProfileResult objects, with step details on request' {
        $runs = @(Get-ADSyncRunProfileResult -NumberRequested 5 -RunStepDetails)
        $runs.Count | Should -BeGreaterThan 0
        foreach ($r in $runs) { @(Test-SoaAdSyncShape -Object $r -TypeName 'RunProfileResult') | Should -BeNullOrEmpty }
        @($runs[0].RunStepResults).Count | Should -BeGreaterThan 0
    }
    It 'Get-ADSyncScheduler returns the scheduler settings' {
        @(Test-SoaAdSyncShape -Object (Get-ADSyncScheduler) -TypeName 'Scheduler') | Should -BeNullOrEmpty
    }
    It 'Get-ADSyncConnectorStatistics returns the counters' {
        @(Test-SoaAdSyncShape -Object (Get-ADSyncConnectorStatistics -ConnectorName $script:Entra.Name) -TypeName 'ConnectorStatistics') | Should -BeNullOrEmpty
    }
}
