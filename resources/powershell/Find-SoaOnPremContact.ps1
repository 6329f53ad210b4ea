# soa-pilot: find the on-premises contact by mail, display name or DN. Uses the ActiveDirectory
# module where present; without it, a known DN is read from the AD connector space.
# Windows PowerShell 5.1 syntax only.

function ConvertTo-SoaLdapValue {
    # RFC 4515 escaping of an assertion value: \ * ( ) NUL.
    param([string]$Value)
    $builder = New-Object System.Text.StringBuilder
    foreach ($ch in $Value.ToCharArray()) {
        switch ([int]$ch) {
            0x5C { [void]$builder.Append('\5c') }
            0x2A { [void]$builder.Append('\2a') }
            0x28 { [void]$builder.Append('\28') }
            0x29 { [void]$builder.Append('\29') }
            0x00 { [void]$builder.Append('\00') }
            default { [void]$builder.Append($ch) }
        }
    }
    return $builder.ToString()
}

function ConvertTo-SoaContact {
    param($AdObject)
    return [ordered]@{
        distinguishedName = [string]$AdObject.DistinguishedName
        objectGuid        = [string]$AdObject.ObjectGUID
        displayName       = (ConvertTo-SoaString -Value $AdObject.displayName)
        mail              = (ConvertTo-SoaString -Value $AdObject.mail)
        description       = (ConvertTo-SoaString -Value (@($AdObject.description) | Select-Object -First 1))
    }
}

function Find-SoaOnPremContact {
    param(
        [string]$Mail = '',
        [string]$DisplayName = '',
        [string]$DistinguishedName = '',
        [int]$ResultSetSize = 50
    )
    if ($Mail -eq '' -and $DisplayName -eq '' -and $DistinguishedName -eq '') {
        throw (New-SoaError -Code 'validation' -Message 'Give a mail address, a display name or a DN.' -Category 'InvalidArgument')
    }
    $properties = @('displayName', 'mail', 'description')
    if (Import-SoaActiveDirectoryModule) {
        $contacts = @()
        if ($DistinguishedName -ne '') {
            try {
                $found = @(Get-ADObject -Identity $DistinguishedName -Properties $properties -ErrorAction Stop)
            } catch {
                if ([string]$_.FullyQualifiedErrorId -like '*ADIdentityNotFoundException*') { $found = @() } else { throw }
            }
        } else {
            $terms = @('(objectClass=contact)')
            if ($Mail -ne '') { $terms += ('(mail=' + (ConvertTo-SoaLdapValue -Value $Mail) + ')') }
            if ($DisplayName -ne '') { $terms += ('(displayName=' + (ConvertTo-SoaLdapValue -Value $DisplayName) + ')') }
            $filter = '(&' + ($terms -join '') + ')'
            $found = @(Get-ADObject -LDAPFilter $filter -Properties $properties -ResultSetSize $ResultSetSize -ErrorAction Stop)
        }
        foreach ($o in $found) {
            if ($null -eq $o) { continue }
            if ($DistinguishedName -ne '' -and [string]$o.ObjectClass -ne 'contact') { continue }
            if ($DistinguishedName -ne '' -and $Mail -ne '' -and [string]$o.mail -ne $Mail) { continue }
            if ($DistinguishedName -ne '' -and $DisplayName -ne '' -and [string]$o.displayName -ne $DisplayName) { continue }
            $contacts += (ConvertTo-SoaContact -AdObject $o)
        }
        return [ordered]@{ matches = $contacts; via = 'activeDirectory' }
    }
    if ($DistinguishedName -eq '') {
        throw (New-SoaError -Code 'unavailable' -Message 'The ActiveDirectory PowerShell module is not installed, so only a search by DN (through the AD connector space) is possible. Give the DN, or install the RSAT ActiveDirectory module.' -Category 'NotInstalled')
    }
    Assert-SoaADSyncModule
    $connectors = Get-SoaConnectorSet
    $contacts = @()
    foreach ($connector in $connectors.AD) {
        try {
            $found = @(Get-ADSyncCSObject -ConnectorName ([string]$connector.Name) -DistinguishedName $DistinguishedName -ErrorAction Stop)
        } catch {
            $found = @()
        }
        foreach ($cs in $found) {
            if ($null -eq $cs) { continue }
            $values = @{}
            foreach ($attribute in @($cs.Attributes)) {
                $first = @($attribute.Values) | Select-Object -First 1
                $values[[string]$attribute.Name] = $first
            }
            if ($values.ContainsKey('objectClass') -and [string]$values['objectClass'] -ne 'contact') { continue }
            $guid = ''
            if ($values.ContainsKey('objectGUID') -and $null -ne $values['objectGUID']) {
                $raw = $values['objectGUID']
                try {
                    if ($raw -is [byte[]]) { $guid = (New-Object System.Guid -ArgumentList @(, $raw)).ToString() }
                    else { $guid = (New-Object System.Guid -ArgumentList @(, [System.Convert]::FromBase64String([string]$raw))).ToString() }
                } catch {
                    $guid = [string]$raw
                }
            }
            $contacts += [ordered]@{
                distinguishedName = [string]$cs.DistinguishedName
                objectGuid        = $guid
                displayName       = (ConvertTo-SoaString -Value $values['displayName'])
                mail              = (ConvertTo-SoaString -Value $values['mail'])
                description       = (ConvertTo-SoaString -Value $values['description'])
            }
        }
        if ($contacts.Count -gt 0) { break }
    }
    return [ordered]@{ matches = $contacts; via = 'connectorSpace' }
}
