# soa-pilot: find the on-premises contact by mail, display name or DN. Uses the ActiveDirectory
# module where present; without it, a known DN is read from the AD connector space. A search by mail or
# display name looks in the server's own domain, every domain the AD connectors sync and every domain the app
# names (-Domains: the Cloud Sync jobs' DomainFQDN), with -Server per domain; a DN goes to its own domain.
# Windows PowerShell 5.1 syntax only.

function ConvertTo-SoaLdapValue {
    # RFC 4515 escaping of an assertion value: \ * ( ) NUL (the backslash first, so no escape is escaped twice).
    # String replaces, not a loop over the characters: a batched lookup escapes thousands of values.
    param([string]$Value)
    return $Value.Replace('\', '\5c').Replace('*', '\2a').Replace('(', '\28').Replace(')', '\29').Replace([string][char]0, '\00')
}

function ConvertTo-SoaContact {
    param($AdObject)
    return [ordered]@{
        distinguishedName = [string]$AdObject.DistinguishedName
        objectGuid        = [string]$AdObject.ObjectGUID
        displayName       = (ConvertTo-SoaString -Value $AdObject.displayName)
        mail              = (ConvertTo-SoaString -Value $AdObject.mail)
        description       = (ConvertTo-SoaString -Value (Get-SoaFirstValue -Value $AdObject.description))
    }
}

function Get-SoaFirstValue {
    # The first value of a possibly multi-valued attribute ($null when none); indexing, not a pipeline: a
    # batched lookup does this for every contact.
    param($Value)
    if ($null -eq $Value) { return $null }
    $all = @($Value)
    if ($all.Count -eq 0) { return $null }
    return $all[0]
}

function Test-SoaDomainName {
    # True for a DNS name such as fabrikam.com (what -Server is given; never anything else).
    param([string]$Name)
    return ($Name.Length -le 253 -and $Name -match '^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]$')
}

function Get-SoaContactSearchScopes {
    # Where a search by mail or display name looks: the server's own domain (@{}) first, then one
    # @{ Server = <domain> } per other domain that the AD connectors' selected partitions sync (a server that
    # syncs several forests reaches each one only through its own domain), then one per domain in $Named
    # (the Cloud Sync jobs' DomainFQDN, given by the app as data: Cloud Sync domains may be in forests no
    # Connect Sync connector names). The own domain always stays in. Callers drop the contacts a later scope
    # finds again (same DN).
    param([string[]]$Named = @())
    foreach ($d in @($Named)) {
        if (-not (Test-SoaDomainName -Name ([string]$d))) {
            throw (New-SoaError -Code 'validation' -Message ('Not an AD domain name: ' + [string]$d + '. Give DNS names such as fabrikam.com.') -Category 'InvalidArgument')
        }
    }
    $domains = New-Object System.Collections.ArrayList
    if (Import-SoaADSyncModule) {
        try {
            foreach ($connector in @((Get-SoaConnectorSet).AD)) {
                if ($null -eq $connector) { continue }
                foreach ($partition in @($connector.Partitions)) {
                    if ($null -eq $partition) { continue }
                    if ($null -ne $partition.PSObject.Properties['Selected'] -and $partition.Selected -eq $false) { continue }
                    $domain = Get-SoaAdServerOf -Dn ([string]$partition.DN)
                    if ($domain -ne '' -and -not ($domains -contains $domain)) { [void]$domains.Add($domain) }
                }
            }
        } catch {
            $domains.Clear()
        }
    }
    foreach ($d in @($Named)) {
        $domain = ([string]$d).ToLowerInvariant()
        if (-not ($domains -contains $domain)) { [void]$domains.Add($domain) }
    }
    # The own-domain search (no -Server) already covers the computer's own domain: asking it again with -Server
    # would fetch every contact of that domain twice (docs/reference/adsync-types.md, "The server's own domain").
    $own = Get-SoaComputerDomain
    $scopes = @(, @{})
    foreach ($domain in $domains) {
        if ($own -ne '' -and [string]::Equals($domain, $own, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        $scopes += , @{ Server = $domain }
    }
    return $scopes
}

function Get-SoaComputerDomain {
    # The DNS name of this computer's domain (Get-ADDomain -Current LocalComputer: DNSRoot), which is where the
    # ActiveDirectory cmdlets go without -Server; '' when it cannot be read (then no search scope is dropped).
    if (-not (Get-Command -Name Get-ADDomain -ErrorAction SilentlyContinue)) { return '' }
    try {
        $domain = Get-ADDomain -Current LocalComputer -ErrorAction Stop
    } catch {
        return ''
    }
    if ($null -eq $domain) { return '' }
    $name = ([string]$domain.DNSRoot).Trim().TrimEnd('.')
    if (-not (Test-SoaDomainName -Name $name)) { return '' }
    return $name.ToLowerInvariant()
}

function Find-SoaContactsByAttribute {
    # The contacts whose $Attribute equals one of $Values, by OR-filters of at most $ChunkSize terms (one
    # Get-ADObject per chunk and search scope). Returns a hashtable: lower-cased value -> list of contacts.
    param([string]$Attribute, [string[]]$Values, [int]$ChunkSize = 50, [object[]]$Scopes = @(, @{}))
    $byValue = @{}
    $seen = @{}
    $distinct = @($Values | Where-Object { -not [string]::IsNullOrEmpty($_) } | Sort-Object -Unique)
    for ($i = 0; $i -lt $distinct.Count; $i += $ChunkSize) {
        $last = [Math]::Min($i + $ChunkSize, $distinct.Count) - 1
        $terms = @()
        foreach ($value in $distinct[$i..$last]) { $terms += ('(' + $Attribute + '=' + (ConvertTo-SoaLdapValue -Value $value) + ')') }
        $filter = '(&(objectClass=contact)(|' + ($terms -join '') + '))'
        foreach ($scope in $Scopes) {
            foreach ($o in @(Get-ADObject -LDAPFilter $filter -Properties @('displayName', 'mail', 'description') @scope -ErrorAction Stop)) {
                if ($null -eq $o) { continue }
                $dnKey = ([string]$o.DistinguishedName).ToLowerInvariant()
                if ($seen.ContainsKey($dnKey)) { continue }
                $seen[$dnKey] = $true
                $value = [string]$o.$Attribute
                if ($value -eq '') { continue }
                $k = $value.ToLowerInvariant()
                if (-not $byValue.ContainsKey($k)) { $byValue[$k] = New-Object System.Collections.ArrayList }
                [void]$byValue[$k].Add((ConvertTo-SoaContact -AdObject $o))
            }
        }
    }
    return $byValue
}

function Find-SoaOnPremContactBatch {
    # Many lookups in one call: each query { key; mail; displayName } is answered like a lookup by mail,
    # then (when the mail finds nothing) by display name. Needs the ActiveDirectory module.
    param($Queries, [string[]]$Domains = @())
    if (-not (Import-SoaActiveDirectoryModule)) {
        throw (New-SoaError -Code 'unavailable' -Message 'The ActiveDirectory PowerShell module is not installed, so contacts cannot be found by mail or display name. Install the RSAT ActiveDirectory module.' -Category 'NotInstalled')
    }
    $list = @(@($Queries) | Where-Object { $null -ne $_ })
    $scopes = Get-SoaContactSearchScopes -Named $Domains
    $byMail = Find-SoaContactsByAttribute -Attribute 'mail' -Values @($list | ForEach-Object { [string]$_.mail }) -Scopes $scopes
    $names = @()
    foreach ($q in $list) {
        $m = [string]$q.mail
        if ($m -eq '' -or -not $byMail.ContainsKey($m.ToLowerInvariant())) { $names += [string]$q.displayName }
    }
    $byName = Find-SoaContactsByAttribute -Attribute 'displayName' -Values $names -Scopes $scopes
    $results = New-Object System.Collections.ArrayList
    foreach ($q in $list) {
        $m = ([string]$q.mail).ToLowerInvariant()
        $n = ([string]$q.displayName).ToLowerInvariant()
        $found = @()
        if ($m -ne '' -and $byMail.ContainsKey($m)) { $found = @($byMail[$m].ToArray()) }
        elseif ($n -ne '' -and $byName.ContainsKey($n)) { $found = @($byName[$n].ToArray()) }
        [void]$results.Add([ordered]@{ key = [string]$q.key; matches = $found })
    }
    return [ordered]@{ results = @($results.ToArray()); via = 'activeDirectory' }
}

function Find-SoaOnPremContact {
    # One lookup (-Mail, -DisplayName, -DistinguishedName), or many in one call (-Queries, see Find-SoaOnPremContactBatch).
    param(
        [string]$Mail = '',
        [string]$DisplayName = '',
        [string]$DistinguishedName = '',
        [int]$ResultSetSize = 50,
        [object[]]$Queries = @(),
        [string[]]$Domains = @()
    )
    if (@($Queries).Count -gt 0) { return (Find-SoaOnPremContactBatch -Queries $Queries -Domains $Domains) }
    if ($Mail -eq '' -and $DisplayName -eq '' -and $DistinguishedName -eq '') {
        throw (New-SoaError -Code 'validation' -Message 'Give a mail address, a display name or a DN.' -Category 'InvalidArgument')
    }
    $properties = @('displayName', 'mail', 'description')
    if (Import-SoaActiveDirectoryModule) {
        $contacts = @()
        if ($DistinguishedName -ne '') {
            try {
                $at = Get-SoaAdServerArgument -Dn $DistinguishedName
                $found = @(Get-ADObject -Identity $DistinguishedName -Properties $properties @at -ErrorAction Stop)
            } catch {
                if ([string]$_.FullyQualifiedErrorId -like '*ADIdentityNotFoundException*') { $found = @() } else { throw }
            }
        } else {
            $terms = @('(objectClass=contact)')
            if ($Mail -ne '') { $terms += ('(mail=' + (ConvertTo-SoaLdapValue -Value $Mail) + ')') }
            if ($DisplayName -ne '') { $terms += ('(displayName=' + (ConvertTo-SoaLdapValue -Value $DisplayName) + ')') }
            $filter = '(&' + ($terms -join '') + ')'
            # every forest the server syncs (see Get-SoaContactSearchScopes)
            $found = @()
            foreach ($scope in (Get-SoaContactSearchScopes -Named $Domains)) {
                $found += @(Get-ADObject -LDAPFilter $filter -Properties $properties -ResultSetSize $ResultSetSize @scope -ErrorAction Stop)
            }
        }
        $seenDn = @{}
        foreach ($o in $found) {
            if ($null -eq $o) { continue }
            $dnKey = ([string]$o.DistinguishedName).ToLowerInvariant()
            if ($seenDn.ContainsKey($dnKey)) { continue }
            $seenDn[$dnKey] = $true
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
