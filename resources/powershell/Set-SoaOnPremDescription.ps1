# soa-pilot: a harmless AD change (the description attribute), used only after the admin confirmed
# it, to prove that Event 6956 fires. Returns the old value so that it can be restored.
# Windows PowerShell 5.1 syntax only.

function Set-SoaOnPremDescription {
    param(
        [Parameter(Mandatory = $true)][string]$DistinguishedName,
        [AllowNull()][AllowEmptyString()][string]$Description = $null,
        [bool]$Confirmed = $false
    )
    if (-not $Confirmed) {
        throw (New-SoaError -Code 'refused' -Message 'Changing an AD object needs explicit confirmation.' -Category 'PermissionDenied')
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
    $old = ConvertTo-SoaString -Value (@($object.description) | Select-Object -First 1)
    if ([string]::IsNullOrEmpty($Description)) {
        Set-ADObject -Identity $DistinguishedName -Clear 'description' -ErrorAction Stop
        $new = $null
    } else {
        Set-ADObject -Identity $DistinguishedName -Replace @{ description = $Description } -ErrorAction Stop
        $new = $Description
    }
    return [ordered]@{ dn = [string]$object.DistinguishedName; oldDescription = $old; newDescription = $new }
}
