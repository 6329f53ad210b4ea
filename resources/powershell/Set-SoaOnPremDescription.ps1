# soa-pilot: a harmless AD change (the description attribute), used only after the admin confirmed
# it, to prove that Event 6956 fires. Returns the old value so that it can be restored.
# Changes only the object main picked for the run: the object read back must carry the expected
# objectGUID and object class, and the change is made by that GUID (see docs/security.md).
# Windows PowerShell 5.1 syntax only.

function Set-SoaOnPremDescription {
    param(
        [Parameter(Mandatory = $true)][string]$DistinguishedName,
        [string]$ObjectGuid = '',
        [string]$ObjectClass = '',
        [AllowNull()][AllowEmptyString()][string]$Description = $null,
        [bool]$Confirmed = $false
    )
    if (-not $Confirmed) {
        throw (New-SoaError -Code 'refused' -Message 'Changing an AD object needs explicit confirmation.' -Category 'PermissionDenied')
    }
    $expectedGuid = [guid]::Empty
    if (-not [guid]::TryParse($ObjectGuid, [ref]$expectedGuid) -or @('contact', 'user', 'group') -notcontains $ObjectClass) {
        throw (New-SoaError -Code 'refused' -Message 'soa-pilot changes only the object picked for this run, named by its objectGUID and object class; neither was given. Nothing was changed.' -Category 'PermissionDenied')
    }
    if (-not (Import-SoaActiveDirectoryModule)) {
        throw (New-SoaError -Code 'unavailable' -Message 'The ActiveDirectory PowerShell module is not installed on this server; install RSAT AD PowerShell to change AD objects from soa-pilot.' -Category 'NotInstalled')
    }
    try {
        $object = Get-ADObject -Identity $DistinguishedName -Properties 'description' -ErrorAction Stop
    } catch {
        if ([string]$_.FullyQualifiedErrorId -like '*ADIdentityNotFoundException*') {
            throw (New-SoaError -Code 'notFound' -Message ('No AD object has this DN: ' + (Get-SoaErrorSummary -Message $_.Exception.Message)) -Category 'ObjectNotFound')
        }
        throw
    }
    $actualClass = [string]$object.ObjectClass
    if ($actualClass -ne $ObjectClass) {
        throw (New-SoaError -Code 'refused' -Message ('soa-pilot changes only the ' + $ObjectClass + ' picked for this run; ' + [string]$object.DistinguishedName + ' is a ' + $actualClass + '. Nothing was changed.') -Category 'PermissionDenied')
    }
    $actualGuid = [guid]::Empty
    if (-not [guid]::TryParse([string]$object.ObjectGUID, [ref]$actualGuid) -or $actualGuid -ne $expectedGuid) {
        throw (New-SoaError -Code 'refused' -Message ('The object at ' + [string]$object.DistinguishedName + ' is not the one picked for this run (its objectGUID differs). Pick the contact again, then retry. Nothing was changed.') -Category 'PermissionDenied')
    }
    $identity = $actualGuid.ToString()
    $old = ConvertTo-SoaString -Value (@($object.description) | Select-Object -First 1)
    if ([string]::IsNullOrEmpty($Description)) {
        Set-ADObject -Identity $identity -Clear 'description' -ErrorAction Stop
        $new = $null
    } else {
        Set-ADObject -Identity $identity -Replace @{ description = $Description } -ErrorAction Stop
        $new = $Description
    }
    return [ordered]@{ dn = [string]$object.DistinguishedName; oldDescription = $old; newDescription = $new }
}
