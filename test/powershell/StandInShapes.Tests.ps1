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
    It 'the lab''s compiled typing gives the same members, types and values as its script typing' {
        # The stand-ins type the lab's JSON in C# for large responses (SoaLab.psm1); both paths must agree.
        Import-Module (Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'resources/powershell/lab/SoaLab.psd1') -Force
        $json = '{"value":[{"ObjectId":"b6337bc0-f7a9-5e02-adc5-81a7b9c33bd7","AnchorValue":"AQID","ObjectType":"contact","IsConnector":true,"TotalConnectors":3,' +
            '"ExportError":null,"LastModificationTime":"2026-12-02T04:30:30.449Z","CreationTime":"",' +
            '"AllowedSyncCycleInterval":"00:30:00","Lineage":[{"SyncRuleInternalId":"x","ConnectedCsObjectId":"da4ca0b2-fdf9-57e8-a8f5-b8ca923686d8","Operation":"Join"}],' +
            '"Attributes":[{"Name":"mail","IsMultiValued":false,"LastModificationTime":"2026-12-01T10:00:00Z","Values":["a@b.c","da4ca0b2-fdf9-57e8-a8f5-b8ca923686d8"]}],' +
            '"Nested":{"PartitionId":"7d278b3f-9933-568e-914f-f8a3b93ab92a","Matrix":[[1,2],[{"ObjectId":"7d278b3f-9933-568e-914f-f8a3b93ab92a"}]]}}]}'
        $dump = {
            param($Value, [string]$Path)
            if ($null -eq $Value) { return ,("$Path = null") }
            $lines = @()
            if ($Value -is [System.Management.Automation.PSCustomObject]) {
                foreach ($p in $Value.PSObject.Properties) { $lines += & $dump $p.Value ($Path + '.' + $p.Name) }
                return ,$lines
            }
            if ($Value -is [array]) {
                $lines += "$Path : $($Value.GetType().FullName)[$($Value.Count)]"
                for ($i = 0; $i -lt $Value.Count; $i++) { $lines += & $dump $Value[$i] ($Path + '[' + $i + ']') }
                return ,$lines
            }
            $text = [string]$Value
            if ($Value -is [DateTime]) { $text = $Value.ToString('o') + ' ' + $Value.Kind }
            return ,("$Path : $($Value.GetType().FullName) = $text")
        }
        $typed = @{}
        foreach ($mode in @('script', 'compiled')) {
            Set-SoaLabTyping -Mode $mode
            $typed[$mode] = & (Get-Module SoaLab) { param($j) @(Get-SoaLabValue -Body (ConvertFrom-SoaLabJson -Json $j)) } $json
        }
        Set-SoaLabTyping -Mode auto
        $script = (& $dump $typed['script'][0] 'o') -join "`n"
        $compiled = (& $dump $typed['compiled'][0] 'o') -join "`n"
        $compiled | Should -Be $script
        # and the typing itself happened (a path that typed nothing would agree with itself too)
        $script | Should -Match 'o\.ObjectId : System\.Guid = b6337bc0'
        $script | Should -Match 'o\.AnchorValue : System\.Byte\[\]\[3\]'
        $script | Should -Match 'o\.Attributes\[0\]\.LastModificationTime : System\.DateTime = 2026-12-01T10:00:00\.0000000Z Utc'
        $script | Should -Match 'o\.CreationTime = null'
        $script | Should -Match 'o\.AllowedSyncCycleInterval : System\.TimeSpan = 00:30:00'
        $script | Should -Match 'o\.Attributes\[0\]\.Values\[1\] : System\.String = da4ca0b2'
        $script | Should -Match 'o\.Nested\.Matrix\[1\]\[0\]\.ObjectId : System\.Guid'
        # PowerShell 7: the compiled JSON reader (the response read straight into typed objects) gives the same
        if ($PSVersionTable.PSVersion.Major -ge 7) {
            Set-SoaLabTyping -Mode compiled
            & (Get-Module SoaLab) { $script:SoaLabJsonReady } | Should -BeTrue
            $viaJson = & (Get-Module SoaLab) { param($j) @(Get-SoaLabValue -Body ([SoaLab.LabTyping]::Parse([System.Text.Encoding]::UTF8.GetBytes($j), $script:SoaLabMemberKind))) } $json
            Set-SoaLabTyping -Mode auto
            (& $dump $viaJson[0] 'o') -join "`n" | Should -Be $script
        }
        # -Members (Get-ADObject -Properties): the same members in the same order on both paths, a missing one null
        $members = @('DistinguishedName', 'ObjectId', 'mail', 'Lineage', 'NotThere')
        $selected = @{}
        foreach ($mode in @('script', 'compiled')) {
            Set-SoaLabTyping -Mode $mode
            $selected[$mode] = & (Get-Module SoaLab) { param($j, $m) @(Get-SoaLabValue -Body (ConvertFrom-SoaLabJson -Json $j) -Members $m) } $json $members
        }
        Set-SoaLabTyping -Mode auto
        @($selected['compiled'][0].PSObject.Properties | ForEach-Object { $_.Name }) | Should -Be $members
        $scriptSelected = (& $dump $selected['script'][0] 'o') -join "`n"
        (& $dump $selected['compiled'][0] 'o') -join "`n" | Should -Be $scriptSelected
        $scriptSelected | Should -Match 'o\.ObjectId : System\.Guid = b6337bc0'
        $scriptSelected | Should -Match 'o\.NotThere = null'
        $scriptSelected | Should -Match 'o\.DistinguishedName = null'
    }
    It 'has a source for every description' {
        foreach ($f in Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'adsync-types') -Filter '*.json' | Where-Object { $_.Name -ne '_vocabulary.json' }) {
            $d = Get-Content -LiteralPath $f.FullName -Raw | ConvertFrom-Json
            @($d.sources).Count | Should -BeGreaterThan 0 -Because $f.Name
            foreach ($s in $d.sources) { [string]$s.path | Should -Not -BeNullOrEmpty -Because $f.Name }
        }
    }
}

# Both of the lab's typing paths (script, and compiled from C# for large responses; SoaLab.psm1).
Describe 'lab stand-ins against the real ADSync types (<Typing> typing)' -Skip:(-not $script:HasLab) -ForEach @(@{ Typing = 'script' }, @{ Typing = 'compiled' }) {
    BeforeAll {
        Import-Module (Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'resources/powershell/lab/SoaLab.psd1') -Force
        Set-SoaLabTyping -Mode $Typing
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
    It 'Get-ADDomain returns an ADDomain: the computer''s domain, or the one -Identity names' {
        $d = Get-ADDomain -Current LocalComputer
        @(Test-SoaAdSyncShape -Object $d -TypeName 'ADDomain') | Should -BeNullOrEmpty
        $dnsRoot = [string]$d.DNSRoot
        $dnsRoot | Should -Not -BeNullOrEmpty
        # the computer's domain is the one that holds the synced test contact (the lab's server is joined to it)
        $env:SOA_TEST_DN | Should -BeLike ('*,' + [string]$d.DistinguishedName)
        [string](Get-ADDomain -Identity $dnsRoot).DNSRoot | Should -Be $dnsRoot
        { Get-ADDomain -Identity 'nowhere.invalid' -ErrorAction Stop } | Should -Throw
    }
    It 'Get-ADObject gives the default members, then the ones -Properties names' {
        $o = @(Get-ADObject -LDAPFilter '(objectClass=contact)' -Properties @('mail', 'displayName', 'Mail'))
        $o.Count | Should -BeGreaterThan 0
        @($o[0].PSObject.Properties | ForEach-Object { $_.Name }) | Should -Be @('DistinguishedName', 'Name', 'ObjectClass', 'ObjectGUID', 'mail', 'displayName')
    }
    It 'Get-ADSyncConnectorStatistics returns the counters' {
        @(Test-SoaAdSyncShape -Object (Get-ADSyncConnectorStatistics -ConnectorName $script:Entra.Name) -TypeName 'ConnectorStatistics') | Should -BeNullOrEmpty
    }
    AfterAll {
        Set-SoaLabTyping -Mode auto
    }
}
