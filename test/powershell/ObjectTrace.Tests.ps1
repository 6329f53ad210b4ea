BeforeAll {
    $script:ScriptRoot = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'resources/powershell'
    . (Join-Path $PSScriptRoot 'TestStubs.ps1')
    . (Join-Path $script:ScriptRoot 'Initialize-SoaSession.ps1')
    . (Join-Path $script:ScriptRoot 'Get-SoaObjectTrace.ps1')
    . (Join-Path $script:ScriptRoot 'Find-SoaOnPremContact.ps1')
    . (Join-Path $script:ScriptRoot 'Set-SoaOnPremDescription.ps1')

    function script:New-Attr($Name, $Values) { [pscustomobject]@{ Name = $Name; Values = @($Values) } }
}

Describe 'Get-SoaObjectTrace' {
    BeforeEach {
        Mock Get-ADSyncConnector {
            [pscustomobject]@{ Name = 'contoso.com'; ConnectorTypeName = 'AD' }
            [pscustomobject]@{ Name = 'contoso.onmicrosoft.com - AAD'; ConnectorTypeName = 'Extensible2' }
        }
    }
    It 'reports an unknown DN' {
        Mock Get-ADSyncCSObject { }
        $r = Get-SoaObjectTrace -DistinguishedName 'CN=Nobody,DC=contoso,DC=com'
        $r.status | Should -Be 'unknownDn'
    }
    It 'reports an object that is not joined to the metaverse' {
        Mock Get-ADSyncCSObject { [pscustomobject]@{ ConnectorName = 'contoso.com'; DistinguishedName = $DistinguishedName; ObjectId = 'o1'; ConnectedMVObjectId = '00000000-0000-0000-0000-000000000000'; Attributes = @() } }
        $r = Get-SoaObjectTrace -DistinguishedName 'CN=Filtered,DC=contoso,DC=com'
        $r.status | Should -Be 'notJoined'
        $r.adObject.distinguishedName | Should -Be 'CN=Filtered,DC=contoso,DC=com'
    }
    It 'follows AD CS -> MV -> Entra CS and reads blockOnPremisesSync' {
        Mock Get-ADSyncCSObject {
            [pscustomobject]@{ ConnectorName = 'contoso.com'; DistinguishedName = $DistinguishedName; ObjectId = 'o1'; ConnectedMVObjectId = 'mv1'; HasExportError = $false; HasSyncError = $false; Attributes = @(New-Attr 'mail' 'a@contoso.com') }
        } -ParameterFilter { $ConnectorName -eq 'contoso.com' }
        Mock Get-ADSyncCSObject {
            [pscustomobject]@{ ConnectorName = $ConnectorName; DistinguishedName = 'CN={ABC}'; ObjectId = 'o2'; ConnectedMVObjectId = 'mv1'; HasExportError = $false; HasSyncError = $false
                Attributes = @((New-Attr 'blockOnPremisesSync' 'True'), (New-Attr 'cloudAnchor' 'Contact_123'), (New-Attr 'cloudMastered' 'False')) }
        } -ParameterFilter { $ConnectorName -eq 'contoso.onmicrosoft.com - AAD' -and $DistinguishedName -eq 'CN={ABC}' }
        Mock Get-ADSyncMVObject {
            [pscustomobject]@{ ObjectId = 'mv1'; Lineage = @(
                [pscustomobject]@{ ConnectorName = 'contoso.com'; ConnectedCsObjectDN = 'CN=A,DC=contoso,DC=com' },
                [pscustomobject]@{ ConnectorName = 'contoso.onmicrosoft.com - AAD'; ConnectedCsObjectDN = 'CN={ABC}' }) }
        }
        $r = Get-SoaObjectTrace -DistinguishedName 'CN=A,DC=contoso,DC=com'
        $r.status | Should -Be 'traced'
        $r.metaverseObjectId | Should -Be 'mv1'
        $r.blockOnPremisesSync | Should -BeTrue
        $r.cloudMastered | Should -BeFalse
        $r.cloudAnchor | Should -Be 'Contact_123'
        $r.entraObject.attributes['cloudAnchor'] | Should -Be @('Contact_123')
        $r.adObject.attributes['mail'] | Should -Be @('a@contoso.com')
    }
}

Describe 'Get-SoaObjectTrace: awaiting export confirmation from the run history' {
    BeforeEach {
        Mock Get-ADSyncConnector {
            [pscustomobject]@{ Name = 'contoso.com'; ConnectorTypeName = 'AD'; Identifier = [guid]'11111111-1111-1111-1111-111111111111'; Partitions = @([pscustomobject]@{ DN = 'DC=contoso,DC=com'; Selected = $true }) }
            [pscustomobject]@{ Name = 'contoso.onmicrosoft.com - AAD'; ConnectorTypeName = 'Extensible2'; Identifier = [guid]'b891884f-051e-4a83-95af-2544101c9083'; Partitions = @() }
        }
        Mock Get-ADSyncCSObject {
            [pscustomobject]@{ ConnectorName = 'contoso.com'; DistinguishedName = $DistinguishedName; ObjectId = [guid]::NewGuid(); ConnectedMVObjectId = [guid]'22222222-2222-2222-2222-222222222222'; HasExportError = $false; HasSyncError = $false; Attributes = @() }
        } -ParameterFilter { $ConnectorName -eq 'contoso.com' }
        Mock Get-ADSyncCSObject {
            [pscustomobject]@{ ConnectorName = $ConnectorName; DistinguishedName = 'CN={ABC}'; ObjectId = [guid]::NewGuid(); ConnectedMVObjectId = [guid]'22222222-2222-2222-2222-222222222222'; HasExportError = $false; HasSyncError = $false
                Attributes = @((New-Attr 'blockOnPremisesSync' $script:Block)) }
        } -ParameterFilter { $ConnectorName -eq 'contoso.onmicrosoft.com - AAD' }
        Mock Get-ADSyncMVObject {
            [pscustomobject]@{ ObjectId = [guid]'22222222-2222-2222-2222-222222222222'; Lineage = @(
                [pscustomobject]@{ ConnectorName = 'contoso.com'; ConnectedCsObjectDN = 'CN=A,DC=contoso,DC=com' },
                [pscustomobject]@{ ConnectorName = 'contoso.onmicrosoft.com - AAD'; ConnectedCsObjectDN = 'CN={ABC}' }) }
        }
        Mock Get-ADSyncConnectorStatistics { [pscustomobject]@{ ExportAdds = 0; ExportUpdates = 2; ExportDeletes = 0; ImportAdds = 0; ImportUpdates = 0; ImportDeletes = 0; ImportNoChange = 0; TotalConnectors = 9 } }
        $script:Block = 'False'
        $script:Runs = @()
        Mock Get-ADSyncRunProfileResult { $script:Runs }
        function script:New-Run([string]$Profile, [DateTime]$Start, [int]$Updates, [bool]$Complete = $true) {
            [pscustomobject]@{ RunHistoryId = [guid]::NewGuid(); RunNumber = 7; RunProfileName = $Profile; Result = 'success'; IsRunComplete = $Complete; StartDate = $Start
                RunStepResults = @([pscustomobject]@{ ExportAdd = 0; ExportUpdate = $Updates }) }
        }
    }
    It 'is not observable without a time to tie the run history to (and reads no run history)' {
        $r = Get-SoaObjectTrace -DistinguishedName 'CN=A,DC=contoso,DC=com'
        $r.awaitingExportConfirmation | Should -BeNullOrEmpty
        $r.exportEvidence.source | Should -Be 'notObservable'
        $r.exportEvidence.pendingExports | Should -Be 2
        Should -Invoke Get-ADSyncRunProfileResult -Times 0 -Exactly
    }
    It 'is awaiting when an Export run of the Entra connector since the rollback exported changes' {
        $since = [DateTime]::UtcNow.AddMinutes(-5)
        $script:Runs = @((New-Run 'Delta Import' $since.AddMinutes(2) 0), (New-Run 'Export' $since.AddMinutes(1) 1))
        $r = Get-SoaObjectTrace -DistinguishedName 'CN=A,DC=contoso,DC=com' -Since $since.ToString('o')
        $r.awaitingExportConfirmation | Should -BeTrue
        $r.exportEvidence.source | Should -Be 'runHistory'
        $r.exportEvidence.exportRun.exported | Should -Be 1
        Should -Invoke Get-ADSyncRunProfileResult -Times 1 -Exactly -ParameterFilter { $ConnectorId -eq 'b891884f-051e-4a83-95af-2544101c9083' -and $RunStepDetails }
    }
    It 'is not awaiting when the Export runs since the rollback exported nothing' {
        $since = [DateTime]::UtcNow.AddMinutes(-5)
        $script:Runs = @((New-Run 'Export' $since.AddMinutes(1) 0))
        $r = Get-SoaObjectTrace -DistinguishedName 'CN=A,DC=contoso,DC=com' -Since $since.ToString('o')
        $r.awaitingExportConfirmation | Should -BeFalse
        $r.exportEvidence.source | Should -Be 'runHistory'
    }
    It 'ignores Export runs before the rollback and unfinished runs: not observable' {
        $since = [DateTime]::UtcNow.AddMinutes(-5)
        $script:Runs = @((New-Run 'Export' $since.AddMinutes(1) 3 $false), (New-Run 'Export' $since.AddMinutes(-1) 3))
        $r = Get-SoaObjectTrace -DistinguishedName 'CN=A,DC=contoso,DC=com' -Since $since.ToString('o')
        $r.awaitingExportConfirmation | Should -BeNullOrEmpty
        $r.exportEvidence.source | Should -Be 'notObservable'
    }
    It 'is not awaiting while blockOnPremisesSync is still True, whatever the run history says' {
        $script:Block = 'True'
        $since = [DateTime]::UtcNow.AddMinutes(-5)
        $script:Runs = @((New-Run 'Export' $since.AddMinutes(1) 4))
        $r = Get-SoaObjectTrace -DistinguishedName 'CN=A,DC=contoso,DC=com' -Since $since.ToString('o')
        $r.awaitingExportConfirmation | Should -BeFalse
        $r.exportEvidence.source | Should -Be 'csObject'
    }
}

Describe 'Get-SoaObjectTrace on a server with several forests' {
    BeforeEach {
        Mock Get-ADSyncConnector {
            [pscustomobject]@{ Name = 'contoso.com'; ConnectorTypeName = 'AD'; Partitions = @([pscustomobject]@{ DN = 'DC=contoso,DC=com'; Selected = $true }) }
            [pscustomobject]@{ Name = 'fabrikam.com'; ConnectorTypeName = 'AD'; Partitions = @([pscustomobject]@{ DN = 'DC=fabrikam,DC=com'; Selected = $true }, [pscustomobject]@{ DN = 'DC=emea,DC=fabrikam,DC=com'; Selected = $false }) }
            [pscustomobject]@{ Name = 'corp.fabrikam.com'; ConnectorTypeName = 'AD'; Partitions = @([pscustomobject]@{ DN = 'DC=corp,DC=fabrikam,DC=com'; Selected = $true }) }
            [pscustomobject]@{ Name = 'contoso.onmicrosoft.com - AAD'; ConnectorTypeName = 'Extensible2' }
        }
        Mock Get-ADSyncCSObject { }
    }
    It 'asks only the connector whose partition holds the DN' {
        $r = Get-SoaObjectTrace -DistinguishedName 'CN=B,OU=People,DC=fabrikam,DC=com'
        $r.adConnector.name | Should -BeNullOrEmpty
        $r.adConnector.via | Should -Be 'partition'
        $r.adConnector.partition | Should -Be 'DC=fabrikam,DC=com'
        Should -Invoke Get-ADSyncCSObject -Times 1 -Exactly -ParameterFilter { $ConnectorName -eq 'fabrikam.com' }
        Should -Invoke Get-ADSyncCSObject -Times 1 -Exactly
        $r.message | Should -Match 'fabrikam.com'
    }
    It 'prefers the longest matching partition (a child domain with its own connector)' {
        $null = Get-SoaObjectTrace -DistinguishedName 'CN=C,DC=corp,DC=fabrikam,DC=com'
        Should -Invoke Get-ADSyncCSObject -Times 1 -Exactly -ParameterFilter { $ConnectorName -eq 'corp.fabrikam.com' }
        Should -Invoke Get-ADSyncCSObject -Times 1 -Exactly
    }
    It 'skips partitions that are not selected' {
        $null = Get-SoaObjectTrace -DistinguishedName 'CN=D,DC=emea,DC=fabrikam,DC=com'
        Should -Invoke Get-ADSyncCSObject -Times 1 -Exactly -ParameterFilter { $ConnectorName -eq 'fabrikam.com' }
    }
    It 'does not take a look-alike suffix for a partition' {
        Test-SoaDnUnder -Dn 'CN=E,DC=notcontoso,DC=com' -Root 'DC=contoso,DC=com' | Should -BeFalse
        Test-SoaDnUnder -Dn 'CN=E, DC=Contoso, DC=COM' -Root 'DC=contoso,DC=com' | Should -BeTrue
    }
    It 'asks every AD connector when no partition holds the DN, and says so' {
        $r = Get-SoaObjectTrace -DistinguishedName 'CN=F,DC=elsewhere,DC=org'
        $r.adConnector.via | Should -Be 'allConnectors'
        Should -Invoke Get-ADSyncCSObject -Times 3 -Exactly
    }
}

Describe 'Get-SoaObjectTrace with many DNs in one call' {
    BeforeEach {
        Mock Get-ADSyncConnector {
            [pscustomobject]@{ Name = 'contoso.com'; ConnectorTypeName = 'AD'; Partitions = @([pscustomobject]@{ DN = 'DC=contoso,DC=com'; Selected = $true }) }
            [pscustomobject]@{ Name = 'fabrikam.com'; ConnectorTypeName = 'AD'; Partitions = @([pscustomobject]@{ DN = 'DC=fabrikam,DC=com'; Selected = $true }) }
            [pscustomobject]@{ Name = 'contoso.onmicrosoft.com - AAD'; ConnectorTypeName = 'Extensible2' }
        }
        Mock Get-ADSyncConnectorStatistics { [pscustomobject]@{ ExportAdds = 0; ExportUpdates = 0; ExportDeletes = 0 } }
        Mock Get-ADSyncCSObject {
            [pscustomobject]@{ ConnectorName = $ConnectorName; DistinguishedName = $DistinguishedName; ObjectId = 'o'; ConnectedMVObjectId = ('mv-' + $DistinguishedName); HasExportError = $false; HasSyncError = $false; Attributes = @() }
        } -ParameterFilter { $ConnectorName -ne 'contoso.onmicrosoft.com - AAD' }
        Mock Get-ADSyncCSObject {
            [pscustomobject]@{ ConnectorName = $ConnectorName; DistinguishedName = $DistinguishedName; ObjectId = 'e'; ConnectedMVObjectId = 'mv'; HasExportError = $false; HasSyncError = $false; Attributes = @(New-Attr 'blockOnPremisesSync' 'True') }
        } -ParameterFilter { $ConnectorName -eq 'contoso.onmicrosoft.com - AAD' }
        Mock Get-ADSyncMVObject {
            if ($Identifier -like '*CN=Broken*') { throw 'The metaverse object could not be read.' }
            [pscustomobject]@{ ObjectId = $Identifier; Lineage = @([pscustomobject]@{ ConnectorName = 'contoso.onmicrosoft.com - AAD'; ConnectedCsObjectDN = ('CN={' + $Identifier + '}') }) }
        }
    }
    It 'reads the connectors and the pending exports once, and traces every DN in order' {
        $dns = @('CN=A,DC=contoso,DC=com', 'CN=B,DC=fabrikam,DC=com', 'CN=C,DC=contoso,DC=com')
        $r = Get-SoaObjectTrace -DistinguishedNames $dns
        @($r.traces | ForEach-Object { $_.dn }) | Should -Be $dns
        @($r.traces | ForEach-Object { $_.status }) | Should -Be @('traced', 'traced', 'traced')
        @($r.failures).Count | Should -Be 0
        Should -Invoke Get-ADSyncConnector -Times 1 -Exactly
        # the pending exports once; each connector's size once (for reading it in pages)
        Should -Invoke Get-ADSyncConnectorStatistics -Times 4 -Exactly
        # each DN is looked up on its own forest's connector only
        @($r.traces | ForEach-Object { $_.adConnector.name }) | Should -Be @('contoso.com', 'fabrikam.com', 'contoso.com')
        Should -Invoke Get-ADSyncCSObject -Times 1 -Exactly -ParameterFilter { $ConnectorName -eq 'fabrikam.com' -and -not [string]::IsNullOrEmpty($DistinguishedName) }
        $r.traces[1].blockOnPremisesSync | Should -BeTrue
    }
    It 'lists a DN whose trace fails in failures and still returns the others' {
        $r = Get-SoaObjectTrace -DistinguishedNames @('CN=A,DC=contoso,DC=com', 'CN=Broken,DC=contoso,DC=com', 'CN=Nobody,DC=elsewhere,DC=org')
        @($r.traces | ForEach-Object { $_.dn }) | Should -Be @('CN=A,DC=contoso,DC=com', 'CN=Nobody,DC=elsewhere,DC=org')
        @($r.failures).Count | Should -Be 1
        $r.failures[0].dn | Should -Be 'CN=Broken,DC=contoso,DC=com'
        $r.failures[0].message | Should -Match 'metaverse object could not be read'
    }
    It 'refuses a call with neither a DN nor a list of DNs' {
        { Get-SoaObjectTrace } | Should -Throw -ErrorId 'Soa.validation'
        { Get-SoaObjectTrace -DistinguishedNames @('') } | Should -Throw -ErrorId 'Soa.validation'
    }
}

Describe 'Get-SoaObjectTrace with many DNs: connector spaces read in pages' {
    BeforeEach {
        Mock Get-ADSyncConnector {
            [pscustomobject]@{ Name = 'contoso.com'; ConnectorTypeName = 'AD'; Partitions = @([pscustomobject]@{ DN = 'DC=contoso,DC=com'; Selected = $true }) }
            [pscustomobject]@{ Name = 'contoso.onmicrosoft.com - AAD'; ConnectorTypeName = 'Extensible2' }
        }
        # five joined contacts (A..E) and a disconnector; the Entra object of each is CN={<mv id>}
        $script:Ad = @(foreach ($n in 'A', 'B', 'C', 'D', 'E') {
                [pscustomobject]@{ ConnectorName = 'contoso.com'; DistinguishedName = ('CN=' + $n + ',OU=Contacts,DC=contoso,DC=com'); ObjectId = ('ad-' + $n); ConnectedMVObjectId = ('mv-' + $n); HasExportError = $false; HasSyncError = $false; Attributes = @(New-Attr 'mail' ($n + '@contoso.com')) }
            }) + @([pscustomobject]@{ ConnectorName = 'contoso.com'; DistinguishedName = 'OU=Contacts,DC=contoso,DC=com'; ObjectId = 'ad-ou'; ConnectedMVObjectId = '00000000-0000-0000-0000-000000000000'; HasExportError = $false; HasSyncError = $false; Attributes = @() })
        $script:Entra = @(foreach ($n in 'A', 'B', 'C', 'D', 'E') {
                [pscustomobject]@{ ConnectorName = 'contoso.onmicrosoft.com - AAD'; DistinguishedName = ('CN={mv-' + $n + '}'); ObjectId = ('e-' + $n); ConnectedMVObjectId = ('mv-' + $n); HasExportError = $false; HasSyncError = $false
                    Attributes = @((New-Attr 'blockOnPremisesSync' ([string]($n -eq 'B'))), (New-Attr 'cloudAnchor' ('Contact_' + $n))) }
            })
        $script:Size = 1000
        Mock Get-SoaPageSize { $script:Size }
        Mock Get-ADSyncConnectorStatistics { [pscustomobject]@{ ExportAdds = 0; ExportUpdates = 0; ExportDeletes = 0; TotalConnectors = $script:Total } }
        Mock Get-ADSyncCSObject {
            $space = $script:Ad
            if ($ConnectorName -like '* - AAD') { $space = $script:Entra }
            if (-not [string]::IsNullOrEmpty($DistinguishedName)) { return @($space | Where-Object { (Get-SoaDnKey -Dn $_.DistinguishedName) -eq (Get-SoaDnKey -Dn $DistinguishedName) }) }
            $last = [Math]::Min($StartIndex + $MaxResultCount, $space.Count) - 1
            if ($StartIndex -le $last) { $space[$StartIndex..$last] }
        }
        Mock Get-ADSyncMVObject {
            [pscustomobject]@{ ObjectId = $Identifier; Lineage = @([pscustomobject]@{ ConnectorName = 'contoso.onmicrosoft.com - AAD'; ConnectedCsObjectDN = ('CN={' + $Identifier + '}') }) }
        }
        $script:Dns = @('CN=A,OU=Contacts,DC=contoso,DC=com', 'cn=b, ou=Contacts, dc=contoso, dc=com', 'CN=E,OU=Contacts,DC=contoso,DC=com', 'CN=Nobody,OU=Contacts,DC=contoso,DC=com')
    }
    It 'reads both connector spaces in pages and looks up no DN or metaverse object by itself, with the same traces' {
        $script:Total = 1000000
        $one = Get-SoaObjectTrace -DistinguishedNames $script:Dns
        Should -Invoke Get-ADSyncCSObject -Times 0 -Exactly -ParameterFilter { $MaxResultCount -gt 0 }
        Should -Invoke Get-ADSyncMVObject -Times 3 -Exactly
        $script:Total = 6
        $script:Size = 2
        $paged = Get-SoaObjectTrace -DistinguishedNames $script:Dns
        # 3 pages of the AD space (2 + 2 + 2, then an empty one), 3 of the Entra space; nothing else except the unknown DN
        Should -Invoke Get-ADSyncCSObject -Times 7 -Exactly -ParameterFilter { $MaxResultCount -gt 0 }
        # (counts are of both calls: the first looked up every DN by itself)
        Should -Invoke Get-ADSyncCSObject -Times 2 -Exactly -ParameterFilter { $DistinguishedName -eq 'CN=Nobody,OU=Contacts,DC=contoso,DC=com' }
        # 3 AD and 3 Entra objects by DN, all from the first call
        Should -Invoke Get-ADSyncCSObject -Times 6 -Exactly -ParameterFilter { -not [string]::IsNullOrEmpty($DistinguishedName) -and $DistinguishedName -ne 'CN=Nobody,OU=Contacts,DC=contoso,DC=com' }
        Should -Invoke Get-ADSyncMVObject -Times 3 -Exactly
        (ConvertTo-Json -InputObject $paged -Depth 10) | Should -Be (ConvertTo-Json -InputObject $one -Depth 10)
        @($paged.traces | ForEach-Object { $_.status }) | Should -Be @('traced', 'traced', 'traced', 'unknownDn')
        # the unknown DN has no block value: not observed, never false
        @($paged.traces | ForEach-Object { $_.blockOnPremisesSync }) | Should -Be @($false, $true, $false, $null)
    }
    It 'does not read a connector space that holds more than 10 objects per DN traced' {
        $script:Total = 41
        $r = Get-SoaObjectTrace -DistinguishedNames $script:Dns
        Should -Invoke Get-ADSyncCSObject -Times 0 -Exactly -ParameterFilter { $MaxResultCount -gt 0 }
        Should -Invoke Get-ADSyncMVObject -Times 3 -Exactly
        @($r.traces | ForEach-Object { $_.status }) | Should -Be @('traced', 'traced', 'traced', 'unknownDn')
    }
    It 'stops reading pages at 10 objects per DN when the size is not readable, and looks each DN up instead' {
        Mock Get-ADSyncConnectorStatistics { throw 'no statistics' }
        $script:Size = 1
        $script:Ad += @(foreach ($i in 1..10) { [pscustomobject]@{ ConnectorName = 'contoso.com'; DistinguishedName = ('OU=Empty' + $i + ',DC=contoso,DC=com'); ObjectId = ('ad-ou' + $i); ConnectedMVObjectId = '00000000-0000-0000-0000-000000000000'; HasExportError = $false; HasSyncError = $false; Attributes = @() } })
        $r = Get-SoaObjectTrace -DistinguishedNames @('CN=A,OU=Contacts,DC=contoso,DC=com')
        # the AD space (16 objects): 10 pages of one object, then given up and the DN looked up by itself;
        # the Entra space (5 objects) is read whole
        Should -Invoke Get-ADSyncCSObject -Times 10 -Exactly -ParameterFilter { $MaxResultCount -gt 0 -and $ConnectorName -eq 'contoso.com' }
        Should -Invoke Get-ADSyncCSObject -Times 1 -Exactly -ParameterFilter { $DistinguishedName -eq 'CN=A,OU=Contacts,DC=contoso,DC=com' }
        Should -Invoke Get-ADSyncMVObject -Times 0 -Exactly
        $r.traces[0].status | Should -Be 'traced'
        $r.traces[0].cloudAnchor | Should -Be 'Contact_A'
    }
    It 'looks each DN up when a page cannot be read' {
        $script:Total = 6
        Mock Get-ADSyncCSObject { throw 'paging is not supported' } -ParameterFilter { $MaxResultCount -gt 0 }
        $r = Get-SoaObjectTrace -DistinguishedNames $script:Dns
        @($r.traces | ForEach-Object { $_.status }) | Should -Be @('traced', 'traced', 'traced', 'unknownDn')
        @($r.failures).Count | Should -Be 0
    }
    It 'leaves the attribute lists out of a summary, and nothing else' {
        $script:Total = 6
        $full = Get-SoaObjectTrace -DistinguishedNames $script:Dns
        $summary = Get-SoaObjectTrace -DistinguishedNames $script:Dns -Summary
        foreach ($t in $summary.traces) {
            if ($t.status -ne 'traced') { continue }
            $t.adObject.Contains('attributes') | Should -BeFalse
            $t.entraObject.Contains('attributes') | Should -BeFalse
        }
        foreach ($t in $full.traces) {
            if ($t.status -ne 'traced') { continue }
            $t.adObject.Remove('attributes')
            $t.entraObject.Remove('attributes')
        }
        (ConvertTo-Json -InputObject $summary -Depth 10) | Should -Be (ConvertTo-Json -InputObject $full -Depth 10)
    }
}

Describe 'Find-SoaOnPremContact with many queries in one call' {
    BeforeEach {
        $script:directory = @(
            [pscustomobject]@{ DistinguishedName = 'CN=Ann,DC=c'; ObjectGUID = 'g1'; ObjectClass = 'contact'; displayName = 'Ann'; mail = 'Ann@C.com'; description = $null }
            [pscustomobject]@{ DistinguishedName = 'CN=Bo,DC=c'; ObjectGUID = 'g2'; ObjectClass = 'contact'; displayName = 'Bo'; mail = $null; description = $null }
            [pscustomobject]@{ DistinguishedName = 'CN=Twin1,DC=c'; ObjectGUID = 'g3'; ObjectClass = 'contact'; displayName = 'Twin'; mail = 'twin@c.com'; description = $null }
            [pscustomobject]@{ DistinguishedName = 'CN=Twin2,DC=c'; ObjectGUID = 'g4'; ObjectClass = 'contact'; displayName = 'Twin'; mail = 'twin@c.com'; description = $null }
        )
        # a minimal evaluator of the OR-filters the batch sends: (&(objectClass=contact)(|(attr=value)...))
        Mock Get-ADObject {
            $terms = [regex]::Matches($LDAPFilter, '\((mail|displayName)=([^()]*)\)')
            foreach ($o in $script:directory) {
                foreach ($t in $terms) {
                    if ([string]$o.($t.Groups[1].Value) -eq $t.Groups[2].Value) { $o; break }
                }
            }
        }
    }
    It 'answers by mail, then by display name, case-insensitively, with one search per chunk' {
        $queries = @(
            [pscustomobject]@{ key = 'k1'; mail = 'ann@c.com' },
            [pscustomobject]@{ key = 'k2'; mail = 'gone@c.com'; displayName = 'Bo' },
            [pscustomobject]@{ key = 'k3'; mail = 'twin@c.com' },
            [pscustomobject]@{ key = 'k4'; displayName = 'Nobody' }
        )
        $r = Find-SoaOnPremContact -Queries $queries
        $r.via | Should -Be 'activeDirectory'
        @($r.results | ForEach-Object { $_.key }) | Should -Be @('k1', 'k2', 'k3', 'k4')
        @($r.results[0].matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Ann,DC=c')
        @($r.results[1].matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Bo,DC=c')
        @($r.results[2].matches).Count | Should -Be 2
        @($r.results[3].matches).Count | Should -Be 0
        # one search for the three distinct mails, one for the names the mails did not find
        Should -Invoke Get-ADObject -Times 2 -Exactly
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { $LDAPFilter -eq '(&(objectClass=contact)(|(mail=ann@c.com)(mail=gone@c.com)(mail=twin@c.com)))' }
    }
    It 'splits long lists into chunks and escapes every value' {
        $byValue = Find-SoaContactsByAttribute -Attribute 'mail' -Values @('a(1)@c.com', 'b@c.com', 'c@c.com') -ChunkSize 2
        $byValue.Count | Should -Be 0
        Should -Invoke Get-ADObject -Times 2 -Exactly
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { $LDAPFilter -eq '(&(objectClass=contact)(|(mail=a\281\29@c.com)(mail=b@c.com)))' }
    }
    It 'needs the ActiveDirectory module' {
        Mock Import-SoaActiveDirectoryModule { $false }
        { Find-SoaOnPremContact -Queries @([pscustomobject]@{ key = 'k'; mail = 'a@c.com' }) } | Should -Throw -ErrorId 'Soa.unavailable'
    }
}

Describe 'Find-SoaOnPremContact on a server with several forests' {
    BeforeEach {
        Mock Get-ADSyncConnector {
            [pscustomobject]@{ Name = 'contoso.com'; ConnectorTypeName = 'AD'; Partitions = @([pscustomobject]@{ DN = 'DC=contoso,DC=com'; Selected = $true }) }
            [pscustomobject]@{ Name = 'fabrikam.com'; ConnectorTypeName = 'AD'; Partitions = @([pscustomobject]@{ DN = 'DC=fabrikam,DC=com'; Selected = $true }, [pscustomobject]@{ DN = 'DC=emea,DC=fabrikam,DC=com'; Selected = $false }) }
            [pscustomobject]@{ Name = 'contoso.onmicrosoft.com - AAD'; ConnectorTypeName = 'Extensible2' }
        }
        # each domain answers only for its own objects, as a domain controller of that domain would
        $script:forests = @{
            'contoso.com'  = @([pscustomobject]@{ DistinguishedName = 'CN=Ann,DC=contoso,DC=com'; ObjectGUID = 'g1'; ObjectClass = 'contact'; displayName = 'Ann'; mail = 'ann@contoso.com'; description = $null },
                [pscustomobject]@{ DistinguishedName = 'CN=Same,DC=contoso,DC=com'; ObjectGUID = 'g3'; ObjectClass = 'contact'; displayName = 'Same'; mail = 'same@example.com'; description = $null })
            'fabrikam.com' = @([pscustomobject]@{ DistinguishedName = 'CN=Fay,DC=fabrikam,DC=com'; ObjectGUID = 'g2'; ObjectClass = 'contact'; displayName = 'Fay'; mail = 'fay@fabrikam.com'; description = $null },
                [pscustomobject]@{ DistinguishedName = 'CN=Same,DC=fabrikam,DC=com'; ObjectGUID = 'g4'; ObjectClass = 'contact'; displayName = 'Same'; mail = 'same@example.com'; description = $null })
        }
        Mock Get-ADObject {
            $domain = $Server
            if ([string]::IsNullOrEmpty($domain)) { $domain = 'contoso.com' }
            $terms = [regex]::Matches($LDAPFilter, '\((mail|displayName)=([^()]*)\)')
            foreach ($o in @($script:forests[$domain])) {
                foreach ($t in $terms) {
                    if ([string]$o.($t.Groups[1].Value) -eq $t.Groups[2].Value) { $o; break }
                }
            }
        }
    }
    It 'finds a contact of the second forest by mail, asking the own domain and each synced domain once' {
        $r = Find-SoaOnPremContact -Mail 'fay@fabrikam.com'
        @($r.matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Fay,DC=fabrikam,DC=com')
        Should -Invoke Get-ADObject -Times 3 -Exactly
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { [string]::IsNullOrEmpty($Server) }
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { $Server -eq 'contoso.com' }
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { $Server -eq 'fabrikam.com' }
        Should -Invoke Get-ADObject -Times 0 -Exactly -ParameterFilter { $Server -eq 'emea.fabrikam.com' }
    }
    It 'returns both contacts when the same mail exists in two forests (never a guess)' {
        $r = Find-SoaOnPremContact -Mail 'same@example.com'
        @($r.matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Same,DC=contoso,DC=com', 'CN=Same,DC=fabrikam,DC=com')
    }
    It 'answers a batch across both forests, by mail and by display name' {
        $queries = @(
            [pscustomobject]@{ key = 'k1'; mail = 'ann@contoso.com' },
            [pscustomobject]@{ key = 'k2'; mail = 'fay@fabrikam.com' },
            [pscustomobject]@{ key = 'k3'; displayName = 'Fay' }
        )
        $r = Find-SoaOnPremContact -Queries $queries
        @($r.results[0].matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Ann,DC=contoso,DC=com')
        @($r.results[1].matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Fay,DC=fabrikam,DC=com')
        @($r.results[2].matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Fay,DC=fabrikam,DC=com')
        # one mail search and one name search, each in the own domain and in both synced domains
        Should -Invoke Get-ADObject -Times 6 -Exactly
    }
    It 'finds a contact of a domain no AD connector syncs (e.g. synced by the Cloud Sync agent) through the own domain' {
        $script:forests['contoso.com'] = @($script:forests['contoso.com']) + @([pscustomobject]@{ DistinguishedName = 'CN=Ada,OU=Cloud,DC=adatum,DC=com'; ObjectGUID = 'g5'; ObjectClass = 'contact'; displayName = 'Ada'; mail = 'ada@adatum.com'; description = $null })
        $r = Find-SoaOnPremContact -Mail 'ada@adatum.com'
        @($r.matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Ada,OU=Cloud,DC=adatum,DC=com')
        $b = Find-SoaOnPremContact -Queries @([pscustomobject]@{ key = 'k'; mail = 'ada@adatum.com' })
        @($b.results[0].matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Ada,OU=Cloud,DC=adatum,DC=com')
    }
    It 'finds a contact of a Cloud Sync domain in another forest only when the app names the domain (-Server <DomainFQDN>)' {
        # northwind.com: a forest that no Connect Sync connector syncs, and not the server's own domain
        $script:forests['northwind.com'] = @([pscustomobject]@{ DistinguishedName = 'CN=Nia,OU=Cloud,DC=northwind,DC=com'; ObjectGUID = 'g6'; ObjectClass = 'contact'; displayName = 'Nia'; mail = 'nia@northwind.com'; description = $null })
        @((Find-SoaOnPremContact -Mail 'nia@northwind.com').matches).Count | Should -Be 0
        Should -Invoke Get-ADObject -Times 0 -Exactly -ParameterFilter { $Server -eq 'northwind.com' }
        $r = Find-SoaOnPremContact -Mail 'nia@northwind.com' -Domains @('Northwind.com', 'fabrikam.com')
        @($r.matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Nia,OU=Cloud,DC=northwind,DC=com')
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { $Server -eq 'northwind.com' }
        # a domain the connectors already sync is asked once, not twice
        Should -Invoke Get-ADObject -Times 2 -Exactly -ParameterFilter { $Server -eq 'fabrikam.com' }
        $b = Find-SoaOnPremContact -Queries @([pscustomobject]@{ key = 'k'; mail = 'nia@northwind.com' }) -Domains @('northwind.com')
        @($b.results[0].matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Nia,OU=Cloud,DC=northwind,DC=com')
    }
    It 'also asks the named domains when the connectors cannot be read' {
        Mock Get-ADSyncConnector { throw 'The sync service is not running.' }
        $r = Find-SoaOnPremContact -Mail 'fay@fabrikam.com' -Domains @('fabrikam.com')
        @($r.matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Fay,DC=fabrikam,DC=com')
    }
    It 'refuses a domain that is not a DNS name, before any search' {
        { Find-SoaOnPremContact -Mail 'fay@fabrikam.com' -Domains @('fabrikam.com; Remove-Item x') } | Should -Throw -ErrorId 'Soa.validation'
        { Find-SoaOnPremContact -Queries @([pscustomobject]@{ key = 'k'; mail = 'a@b.c' }) -Domains @('-Server x') } | Should -Throw -ErrorId 'Soa.validation'
        Should -Invoke Get-ADObject -Times 0 -Exactly
    }
    It 'does not ask the own domain twice: a synced domain that is the computer''s domain (<own>) has no -Server search of its own' -ForEach @(@{ own = 'contoso.com' }, @{ own = 'Contoso.COM.' }) {
        $script:Own = $own
        Mock Get-ADDomain { [pscustomobject]@{ DNSRoot = $script:Own; Forest = $script:Own } } -ParameterFilter { $Current -eq 'LocalComputer' }
        $r = Find-SoaOnPremContact -Mail 'ann@contoso.com'
        @($r.matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Ann,DC=contoso,DC=com')
        Should -Invoke Get-ADObject -Times 2 -Exactly
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { [string]::IsNullOrEmpty($Server) }
        Should -Invoke Get-ADObject -Times 0 -Exactly -ParameterFilter { $Server -eq 'contoso.com' }
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { $Server -eq 'fabrikam.com' }
        $b = Find-SoaOnPremContact -Queries @([pscustomobject]@{ key = 'k1'; mail = 'ann@contoso.com' }, [pscustomobject]@{ key = 'k2'; mail = 'fay@fabrikam.com' })
        @($b.results[0].matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Ann,DC=contoso,DC=com')
        @($b.results[1].matches | ForEach-Object { $_.distinguishedName }) | Should -Be @('CN=Fay,DC=fabrikam,DC=com')
        Should -Invoke Get-ADObject -Times 0 -Exactly -ParameterFilter { $Server -eq 'contoso.com' }
    }
    It 'keeps every synced domain when the computer''s domain is another one (<case>)' -ForEach @(
        @{ case = 'a domain no connector syncs'; own = 'corp.contoso.com'; fails = $false },
        @{ case = 'a parent of a synced domain'; own = 'com'; fails = $false },
        @{ case = 'Get-ADDomain fails'; own = ''; fails = $true }
    ) {
        $script:Own = $own
        if ($fails) { Mock Get-ADDomain { throw 'Unable to contact the server.' } }
        else { Mock Get-ADDomain { [pscustomobject]@{ DNSRoot = $script:Own } } }
        $null = Find-SoaOnPremContact -Mail 'ann@contoso.com'
        Should -Invoke Get-ADObject -Times 3 -Exactly
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { $Server -eq 'contoso.com' }
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { $Server -eq 'fabrikam.com' }
    }
    It 'reads the computer''s domain, not the logged-on user''s (the domain Get-ADObject uses without -Server)' {
        Mock Get-ADDomain { [pscustomobject]@{ DNSRoot = 'contoso.com' } }
        $null = Find-SoaOnPremContact -Mail 'ann@contoso.com'
        Should -Invoke Get-ADDomain -Times 1 -Exactly -ParameterFilter { $Current -eq 'LocalComputer' -and [string]::IsNullOrEmpty($Server) }
        Should -Invoke Get-ADDomain -Times 1 -Exactly
    }
    It 'searches the own domain only, without -Server, when the connectors cannot be read' {
        Mock Get-ADSyncConnector { throw 'The sync service is not running.' }
        $r = Find-SoaOnPremContact -Mail 'fay@fabrikam.com'
        @($r.matches).Count | Should -Be 0
        Should -Invoke Get-ADObject -Times 1 -Exactly
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { [string]::IsNullOrEmpty($Server) }
    }
}

Describe 'Find-SoaOnPremContact' {
    It 'escapes LDAP filter values' {
        ConvertTo-SoaLdapValue -Value 'a*b(c)d\e' | Should -BeExactly 'a\2ab\28c\29d\5ce'
        ConvertTo-SoaLdapValue -Value ("x" + [char]0 + "y") | Should -BeExactly 'x\00y'
    }
    It 'searches by mail through the ActiveDirectory module with an escaped filter' {
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=A,DC=c'; ObjectGUID = 'g'; ObjectClass = 'contact'; displayName = 'A'; mail = 'a(1)@c.com'; description = $null } }
        $r = Find-SoaOnPremContact -Mail 'a(1)@c.com'
        $r.via | Should -Be 'activeDirectory'
        @($r.matches).Count | Should -Be 1
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { $LDAPFilter -eq '(&(objectClass=contact)(mail=a\281\29@c.com))' }
    }
    It 'returns no match for an unknown DN' {
        Mock Get-ADObject { throw (New-TestErrorRecord -TypeName 'System.Exception' -Message 'Cannot find an object' -Fqid 'ActiveDirectoryCmdlet:Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException,Microsoft.ActiveDirectory.Management.Commands.GetADObject' -Category 'ObjectNotFound') }
        $r = Find-SoaOnPremContact -DistinguishedName 'CN=Nobody,DC=c'
        @($r.matches).Count | Should -Be 0
    }
    It 'looks a DN up through the domain that holds it' {
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=F,DC=fabrikam,DC=com'; ObjectGUID = 'g'; ObjectClass = 'contact'; displayName = 'F'; mail = $null; description = $null } }
        $r = Find-SoaOnPremContact -DistinguishedName 'CN=F,DC=fabrikam,DC=com'
        @($r.matches).Count | Should -Be 1
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { $Server -eq 'fabrikam.com' }
    }
    It 'reads a known DN from the connector space without the ActiveDirectory module' {
        Mock Import-SoaActiveDirectoryModule { $false }
        Mock Get-ADSyncConnector { [pscustomobject]@{ Name = 'contoso.com'; ConnectorTypeName = 'AD' } }
        $guid = [Guid]'3f2504e0-4f89-11d3-9a0c-0305e82c3301'
        Mock Get-ADSyncCSObject { [pscustomobject]@{ DistinguishedName = $DistinguishedName; Attributes = @((New-Attr 'objectClass' 'contact'), (New-Attr 'mail' 'a@c.com'), (New-Attr 'objectGUID' ([Convert]::ToBase64String($guid.ToByteArray())))) } }
        $r = Find-SoaOnPremContact -DistinguishedName 'CN=A,DC=c'
        $r.via | Should -Be 'connectorSpace'
        $r.matches[0].mail | Should -Be 'a@c.com'
        $r.matches[0].objectGuid | Should -Be $guid.ToString()
    }
    It 'needs the ActiveDirectory module to search by name' {
        Mock Import-SoaActiveDirectoryModule { $false }
        { Find-SoaOnPremContact -DisplayName 'A' } | Should -Throw -ErrorId 'Soa.unavailable'
    }
}

Describe 'Set-SoaOnPremDescription' {
    BeforeAll {
        $script:Guid = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f'
        $script:AdId = [guid]'11111111-1111-1111-1111-111111111111'
        $script:EntraId = [guid]'b891884f-051e-4a83-95af-2544101c9083'
        function script:New-Rule([string]$Direction, [guid]$Connector, [string]$Source, [string]$Target, [string[]]$Attrs, [bool]$Disabled = $false) {
            [pscustomobject]@{ Name = ($Direction + ' ' + $Target); Direction = $Direction; Connector = $Connector; SourceObjectType = $Source; TargetObjectType = $Target; Disabled = $Disabled
                AttributeFlowMappings = @($Attrs | ForEach-Object { [pscustomobject]@{ Source = @($_); Destination = $_; FlowType = 'Direct' } }) }
        }
    }
    BeforeEach {
        Mock Get-ADSyncConnector {
            [pscustomobject]@{ Name = 'c'; ConnectorTypeName = 'AD'; Identifier = $script:AdId; Partitions = @([pscustomobject]@{ DN = 'DC=c'; Selected = $true }) }
            [pscustomobject]@{ Name = 't.onmicrosoft.com - AAD'; ConnectorTypeName = 'Extensible2'; Identifier = $script:EntraId }
        }
        $script:OutAttrs = @('displayName', 'description', 'department')
        Mock Get-ADSyncRule {
            New-Rule 'Inbound' $script:AdId 'contact' 'person' @('displayName', 'description', 'department', 'company')
            New-Rule 'Outbound' $script:EntraId 'person' 'contact' $script:OutAttrs
        }
    }
    It 'refuses without confirmation' {
        { Set-SoaOnPremDescription -DistinguishedName 'CN=A' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'x' } | Should -Throw -ErrorId 'Soa.refused'
    }
    It 'refuses without the picked objectGUID and class, before reading AD' {
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=A,DC=c'; ObjectClass = 'contact'; ObjectGUID = $script:Guid; description = 'old' } }
        Mock Set-ADObject { }
        { Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -Description 'x' -Confirmed $true } | Should -Throw -ErrorId 'Soa.refused'
        { Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid 'not-a-guid' -ObjectClass 'contact' -Description 'x' -Confirmed $true } | Should -Throw -ErrorId 'Soa.refused'
        { Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid -ObjectClass 'computer' -Description 'x' -Confirmed $true } | Should -Throw -ErrorId 'Soa.refused'
        Should -Invoke Get-ADObject -Times 0 -Exactly
        Should -Invoke Set-ADObject -Times 0 -Exactly
    }
    It 'refuses a <class> at the DN, and changes nothing' -ForEach @(@{ class = 'user' }, @{ class = 'group' }) {
        $script:Class = $class
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=Admins,DC=c'; ObjectClass = $script:Class; ObjectGUID = $script:Guid; description = 'old' } }
        Mock Set-ADObject { }
        { Set-SoaOnPremDescription -DistinguishedName 'CN=Admins,DC=c' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'x' -Confirmed $true } | Should -Throw -ErrorId 'Soa.refused'
        Should -Invoke Set-ADObject -Times 0 -Exactly
    }
    It 'refuses another object under the picked DN (its objectGUID differs)' {
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=A,DC=c'; ObjectClass = 'contact'; ObjectGUID = '11111111-2222-3333-4444-555555555555'; description = 'old' } }
        Mock Set-ADObject { }
        { Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'x' -Confirmed $true } | Should -Throw -ErrorId 'Soa.refused'
        Should -Invoke Set-ADObject -Times 0 -Exactly
    }
    It 'records the old value and replaces it, by the objectGUID it checked' {
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=A,DC=c'; ObjectClass = 'contact'; ObjectGUID = [guid]$script:Guid; description = 'old' } }
        Mock Set-ADObject { }
        $r = Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid.ToUpperInvariant() -ObjectClass 'contact' -Description 'new' -Confirmed $true
        $r.oldDescription | Should -Be 'old'
        $r.newDescription | Should -Be 'new'
        Should -Invoke Set-ADObject -Times 1 -Exactly -ParameterFilter { $Replace.description -eq 'new' -and [string]$Identity -eq $script:Guid }
    }
    It 'reads and changes the object through its own domain (-Server from the DN), on a server with several forests' {
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=F,OU=X,DC=fabrikam,DC=com'; ObjectClass = 'contact'; ObjectGUID = [guid]$script:Guid; description = 'old' } }
        Mock Set-ADObject { }
        $null = Set-SoaOnPremDescription -DistinguishedName 'CN=F,OU=X,DC=fabrikam,DC=com' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'new' -Attribute 'description' -Restore $true -Confirmed $true
        Should -Invoke Get-ADObject -Times 1 -Exactly -ParameterFilter { $Server -eq 'fabrikam.com' }
        Should -Invoke Set-ADObject -Times 1 -Exactly -ParameterFilter { $Server -eq 'fabrikam.com' }
    }
    It 'names the domain of a DN for -Server (escaped commas, spacing and case kept)' {
        Get-SoaAdServerOf -Dn 'CN=A\, B,OU=X,DC=corp, dc=Fabrikam,DC=com' | Should -BeExactly 'corp.Fabrikam.com'
        Get-SoaAdServerOf -Dn 'CN={6f1c2d3e}' | Should -BeExactly ''
        (Get-SoaAdServerArgument -Dn 'CN={6f1c2d3e}').Count | Should -Be 0
    }
    It 'clears the attribute when restoring an empty value' {
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=A,DC=c'; ObjectClass = 'contact'; ObjectGUID = $script:Guid; description = 'new' } }
        Mock Set-ADObject { }
        $r = Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description $null -Restore $true -Confirmed $true
        $r.newDescription | Should -BeNullOrEmpty
        Should -Invoke Set-ADObject -Times 1 -Exactly -ParameterFilter { $Clear -contains 'description' }
    }
    It 'restores the attribute the probe changed, without reading the rules' {
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=A,DC=c'; ObjectClass = 'contact'; ObjectGUID = $script:Guid; department = 'probe' } }
        Mock Set-ADObject { }
        $r = Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'Sales' -Attribute 'department' -Restore $true -Confirmed $true
        $r.attribute | Should -Be 'department'
        Should -Invoke Set-ADObject -Times 1 -Exactly -ParameterFilter { $Replace.department -eq 'Sales' }
        Should -Invoke Get-ADSyncRule -Times 0 -Exactly
    }
    It 'says where the flow was read: the sync rules' {
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=A,DC=c'; ObjectClass = 'contact'; ObjectGUID = $script:Guid; description = 'old' } }
        Mock Set-ADObject { }
        $r = Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'new' -Confirmed $true
        $r.attribute | Should -Be 'description'
        $r.attributeSource | Should -Be 'syncRules'
        $r.attributeReason | Should -Match 'Get-ADSyncRule'
    }
    It 'picks the next attribute that flows when description does not flow for contacts' {
        $script:OutAttrs = @('displayName', 'department')
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=A,DC=c'; ObjectClass = 'contact'; ObjectGUID = $script:Guid; department = 'Sales' } }
        Mock Set-ADObject { }
        $r = Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'probe' -Confirmed $true
        $r.attribute | Should -Be 'department'
        $r.oldDescription | Should -Be 'Sales'
        Should -Invoke Set-ADObject -Times 1 -Exactly -ParameterFilter { $Replace.department -eq 'probe' -and -not $Replace.ContainsKey('description') }
    }
    It 'refuses description when the rules do not flow it, and changes nothing' {
        $script:OutAttrs = @('displayName', 'department')
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=A,DC=c'; ObjectClass = 'contact'; ObjectGUID = $script:Guid; description = 'old' } }
        Mock Set-ADObject { }
        { Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'x' -Attribute 'description' -Confirmed $true } | Should -Throw -ErrorId 'Soa.refused'
        Should -Invoke Set-ADObject -Times 0 -Exactly
    }
    It 'ignores disabled rules and flows of other object types; refuses when nothing flows' {
        Mock Get-ADSyncRule {
            New-Rule 'Inbound' $script:AdId 'contact' 'person' @('description', 'department')
            New-Rule 'Outbound' $script:EntraId 'person' 'contact' @('description', 'department') $true
            New-Rule 'Outbound' $script:EntraId 'person' 'user' @('description', 'department')
        }
        Mock Set-ADObject { }
        { Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'x' -Confirmed $true } | Should -Throw -ErrorId 'Soa.refused'
        Should -Invoke Set-ADObject -Times 0 -Exactly
    }
    It 'refuses an attribute outside the harmless list' {
        Mock Set-ADObject { }
        { Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'x' -Attribute 'mail' -Confirmed $true } | Should -Throw -ErrorId 'Soa.refused'
        Should -Invoke Set-ADObject -Times 0 -Exactly
    }
    It 'falls back to the documented default list when Get-ADSyncRule fails, and says why' {
        Mock Get-ADSyncRule { throw 'access denied' }
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=A,DC=c'; ObjectClass = 'contact'; ObjectGUID = $script:Guid; department = $null } }
        Mock Set-ADObject { }
        $r = Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'probe' -Confirmed $true
        $r.attribute | Should -Be 'department'
        $r.attributeSource | Should -Be 'defaultList'
        $r.attributeReason | Should -Match 'Get-ADSyncRule failed'
        $r.attributeReason | Should -Match 'SharePoint Online'
    }
    It 'maps ADIdentityNotFound to notFound' {
        Mock Get-ADObject { throw (New-TestErrorRecord -TypeName 'System.Exception' -Message 'Cannot find an object with identity' -Fqid 'ActiveDirectoryCmdlet:Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException,Microsoft.ActiveDirectory.Management.Commands.GetADObject' -Category 'ObjectNotFound') }
        { Set-SoaOnPremDescription -DistinguishedName 'CN=Nobody' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'x' -Confirmed $true } | Should -Throw -ErrorId 'Soa.notFound'
    }
}
