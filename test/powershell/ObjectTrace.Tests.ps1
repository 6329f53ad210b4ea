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
            [pscustomobject]@{ ConnectorName = $ConnectorName; DistinguishedName = 'CN={ABC}'; ObjectId = 'o2'; ConnectedMVObjectId = 'mv1'; HasExportError = $false; HasSyncError = $false; ExportState = 'None'
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
    It 'clears the attribute when restoring an empty value' {
        Mock Get-ADObject { [pscustomobject]@{ DistinguishedName = 'CN=A,DC=c'; ObjectClass = 'contact'; ObjectGUID = $script:Guid; description = 'new' } }
        Mock Set-ADObject { }
        $r = Set-SoaOnPremDescription -DistinguishedName 'CN=A,DC=c' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description $null -Confirmed $true
        $r.newDescription | Should -BeNullOrEmpty
        Should -Invoke Set-ADObject -Times 1 -Exactly -ParameterFilter { $Clear -contains 'description' }
    }
    It 'maps ADIdentityNotFound to notFound' {
        Mock Get-ADObject { throw (New-TestErrorRecord -TypeName 'System.Exception' -Message 'Cannot find an object with identity' -Fqid 'ActiveDirectoryCmdlet:Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException,Microsoft.ActiveDirectory.Management.Commands.GetADObject' -Category 'ObjectNotFound') }
        { Set-SoaOnPremDescription -DistinguishedName 'CN=Nobody' -ObjectGuid $script:Guid -ObjectClass 'contact' -Description 'x' -Confirmed $true } | Should -Throw -ErrorId 'Soa.notFound'
    }
}
