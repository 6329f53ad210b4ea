BeforeAll {
    $script:ScriptRoot = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'resources/powershell'
    . (Join-Path $PSScriptRoot 'TestStubs.ps1')
    . (Join-Path $script:ScriptRoot 'Initialize-SoaSession.ps1')
    . (Join-Path $script:ScriptRoot 'Get-SoaEvent6956.ps1')

    function script:New-TestEvent($RecordId, $Message, $Properties = @()) {
        [pscustomobject]@{
            TimeCreated = (Get-Date '2026-11-27T12:00:00Z'); Id = 6956; ProviderName = 'ADSync'; RecordId = $RecordId
            Message = $Message; Properties = @($Properties | ForEach-Object { [pscustomobject]@{ Value = $_ } })
        }
    }
}

Describe 'Get-SoaEvent6956Dn' {
    It 'parses the DN from the message: <Dn>' -ForEach @(
        @{ Dn = 'CN=Alex Wilber,OU=Contacts,DC=contoso,DC=com' }
        @{ Dn = 'CN=O''Brien\, Pat,OU=Contacts,DC=contoso,DC=com' }
        @{ Dn = 'CN=has not been synced (x),OU=A,DC=contoso,DC=com' }
        @{ Dn = "CN=Line`nBreak,OU=A,DC=contoso,DC=com" }
    ) {
        $message = 'The object ' + $Dn + ' has not been synced to the cloud because the source of authority of the object is in the cloud.'
        Get-SoaEvent6956Dn -Message $message -Properties @() | Should -BeExactly $Dn
    }
    It 'uses a DN-shaped event property when the message is localised' {
        $props = @([pscustomobject]@{ Value = 'CN=Anna,OU=Kontakte,DC=contoso,DC=de' })
        Get-SoaEvent6956Dn -Message 'Das Objekt wurde nicht synchronisiert.' -Properties $props | Should -BeExactly 'CN=Anna,OU=Kontakte,DC=contoso,DC=de'
    }
    It 'finds a DN inside a localised message without properties' {
        Get-SoaEvent6956Dn -Message "L'objet CN=Zoé,OU=Contacts,DC=contoso,DC=fr n'a pas été synchronisé." -Properties @() | Should -BeExactly 'CN=Zoé,OU=Contacts,DC=contoso,DC=fr'
    }
    It 'reads the DN from the event data before the message' {
        $props = @([pscustomobject]@{ Value = 'CN=From Data,OU=A,DC=contoso,DC=com' })
        $message = 'The object CN=From Message,OU=A,DC=contoso,DC=com has not been synced to the cloud because the source of authority of the object is in the cloud.'
        $info = Get-SoaEvent6956DnInfo -Message $message -Properties $props
        $info.dn | Should -BeExactly 'CN=From Data,OU=A,DC=contoso,DC=com'
        $info.source | Should -Be 'eventData'
    }
    It 'falls back to the message when the event data holds no AD DN, and says so' {
        $props = @([pscustomobject]@{ Value = 'contoso.onmicrosoft.com - AAD' }, [pscustomobject]@{ Value = 'CN={4948347051}' })
        $info = Get-SoaEvent6956DnInfo -Message 'The object CN=M,OU=A,DC=contoso,DC=com has not been synced to the cloud because x' -Properties $props
        $info.dn | Should -BeExactly 'CN=M,OU=A,DC=contoso,DC=com'
        $info.source | Should -Be 'message'
    }
    It 'skips the Entra-side DN in the event data and takes the AD DN after it' {
        $props = @('contoso.onmicrosoft.com - AAD', 'CN={4948347051574A3D3D}', 'CN=Alex,OU=Contacts,DC=contoso,DC=com') | ForEach-Object { [pscustomobject]@{ Value = $_ } }
        (Get-SoaEvent6956DnInfo -Message 'No DN in this text.' -Properties $props).dn | Should -BeExactly 'CN=Alex,OU=Contacts,DC=contoso,DC=com'
    }
    It 'never takes the Entra-side DN from the message, even in the documented sentence' {
        Get-SoaEvent6956Dn -Message 'The object CN={4948347051574A3D3D} has not been synced to the cloud because the source of authority of the object is in the cloud.' -Properties @() | Should -BeNullOrEmpty
        Get-SoaEvent6956Dn -Message 'Export of CN={4948} skipped: source of authority is in the cloud. On-premises object: CN=Alex,OU=Contacts,DC=contoso,DC=com. The change was not synchronized.' -Properties @() | Should -BeExactly 'CN=Alex,OU=Contacts,DC=contoso,DC=com'
        Get-SoaEvent6956Dn -Message 'Export of CN={4948} skipped.' -Properties @([pscustomobject]@{ Value = 'CN={4948}' }) | Should -BeNullOrEmpty
    }
    It 'does not take a value without domain components for a DN' {
        Test-SoaAdDn -Text 'CN=Alex,OU=Contacts' | Should -BeFalse
        Test-SoaAdDn -Text 'CN=Alex, OU=Contacts, DC=contoso, DC=com' | Should -BeTrue
        Test-SoaEntraSideDn -Text 'CN={ABC}' | Should -BeTrue
        Test-SoaEntraSideDn -Text 'CN=Alex,DC=contoso,DC=com' | Should -BeFalse
    }
    It 'returns null when there is no DN' {
        Get-SoaEvent6956Dn -Message 'Nothing here' -Properties @() | Should -BeNullOrEmpty
    }
}

Describe 'Get-SoaEvent6956' {
    It 'maps NoMatchingEventsFound to an empty list' {
        Mock Get-WinEvent {
            throw (New-TestErrorRecord -TypeName 'System.Exception' -Message 'Keine Ereignisse gefunden (localised).' -Fqid 'NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand' -Category 'ObjectNotFound')
        }
        $r = Get-SoaEvent6956 -Since '2026-11-27T11:00:00Z'
        @($r.events).Count | Should -Be 0
        $r.provider | Should -BeNullOrEmpty
    }
    It 'lets other Get-WinEvent errors through with their id' {
        Mock Get-WinEvent {
            throw (New-TestErrorRecord -TypeName 'System.Exception' -Message 'There is not an event provider on the localhost computer that matches "X".' -Fqid 'NoMatchingProvidersFound,Microsoft.PowerShell.Commands.GetWinEventCommand' -Category 'ObjectNotFound')
        }
        { Get-SoaEvent6956 -Since '2026-11-27T11:00:00Z' -ProviderName 'X' } | Should -Throw -ErrorId 'NoMatchingProvidersFound,Microsoft.PowerShell.Commands.GetWinEventCommand'
    }
    It 'queries Application / 6956 / StartTime with MaxEvents and filters by DN' {
        Mock Get-WinEvent {
            New-TestEvent 2 'The object CN=B,OU=C,DC=contoso,DC=com has not been synced to the cloud because the source of authority of the object is in the cloud.'
            New-TestEvent 1 'The object CN=A,OU=C,DC=contoso,DC=com has not been synced to the cloud because the source of authority of the object is in the cloud.'
        }
        $r = Get-SoaEvent6956 -Since '2026-11-27T11:00:00Z' -DistinguishedName 'cn=a,ou=c,dc=contoso,dc=com' -MaxEvents 10
        @($r.events).Count | Should -Be 1
        $r.events[0].dn | Should -BeExactly 'CN=A,OU=C,DC=contoso,DC=com'
        $r.events[0].recordId | Should -Be 1
        $r.events[0].time | Should -BeExactly '2026-11-27T12:00:00.0000000Z'
        $r.provider | Should -Be 'ADSync'
        Should -Invoke Get-WinEvent -Times 1 -Exactly -ParameterFilter {
            $FilterHashtable[0].LogName -eq 'Application' -and $FilterHashtable[0].Id -eq 6956 -and $FilterHashtable[0].StartTime -is [DateTime] -and $MaxEvents -eq 10 -and -not $FilterHashtable[0].ContainsKey('ProviderName')
        }
    }
    It 'sweeps for several DNs in one query (bulk), reporting where each DN was read' {
        Mock Get-WinEvent {
            New-TestEvent 4 'Skipped: source of authority is in the cloud.' @('c - AAD', 'CN={AB}', 'CN=D,OU=C,DC=contoso,DC=com')
            New-TestEvent 3 'The object CN=C,OU=C,DC=contoso,DC=com has not been synced to the cloud because the source of authority of the object is in the cloud.'
            New-TestEvent 2 'The object CN=B,OU=C,DC=contoso,DC=com has not been synced to the cloud because the source of authority of the object is in the cloud.'
            New-TestEvent 1 'The object CN={AB} has not been synced to the cloud because the source of authority of the object is in the cloud.'
        }
        $r = Get-SoaEvent6956 -Since '2026-11-27T11:00:00Z' -DistinguishedNames @('cn=d,ou=c,dc=contoso,dc=com', 'CN=B,OU=C,DC=contoso,DC=com', 'CN=Z,DC=contoso,DC=com')
        @($r.events | ForEach-Object { $_.dn }) | Should -Be @('CN=D,OU=C,DC=contoso,DC=com', 'CN=B,OU=C,DC=contoso,DC=com')
        @($r.events | ForEach-Object { $_.dnSource }) | Should -Be @('eventData', 'message')
        Should -Invoke Get-WinEvent -Times 1 -Exactly
    }
    It 'asks for the named provider, and reports it even when no event matched' {
        Mock Get-WinEvent { New-TestEvent 1 'The object CN=A,OU=C,DC=contoso,DC=com has not been synced to the cloud because x' }
        $r = Get-SoaEvent6956 -Since '2026-11-27T11:00:00Z' -ProviderName 'Directory Synchronization' -DistinguishedName 'CN=Other,DC=c'
        @($r.events).Count | Should -Be 0
        $r.provider | Should -Be 'Directory Synchronization'
        Should -Invoke Get-WinEvent -Times 1 -Exactly -ParameterFilter { $FilterHashtable[0].ProviderName -eq 'Directory Synchronization' -and $MaxEvents -eq 500 }
    }
    It 'reads event data given as plain values (no Value member)' {
        (Get-SoaEvent6956DnInfo -Message '' -Properties @('x', 'CN=Plain,OU=A,DC=contoso,DC=com')).dn | Should -BeExactly 'CN=Plain,OU=A,DC=contoso,DC=com'
    }
    It 'keeps an event without a readable DN out of a DN-filtered result, and in an unfiltered one' {
        Mock Get-WinEvent { New-TestEvent 1 'The object CN={AB} has not been synced to the cloud because x' }
        @((Get-SoaEvent6956 -Since '2026-11-27T11:00:00Z' -DistinguishedName 'CN=A,DC=c').events).Count | Should -Be 0
        $all = Get-SoaEvent6956 -Since '2026-11-27T11:00:00Z'
        @($all.events).Count | Should -Be 1
        $all.events[0].dn | Should -BeNullOrEmpty
    }
}
