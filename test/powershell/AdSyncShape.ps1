# Holds an object against the checked-in description of a real ADSync type (test/powershell/adsync-types/<Type>.json).
# Test-SoaAdSyncShape returns the list of differences (empty when the object has exactly the real members with the
# real types). Dot-sourced by the tests.

$script:AdSyncTypeDir = Join-Path $PSScriptRoot 'adsync-types'
$script:AdSyncVocabulary = Get-Content -LiteralPath (Join-Path $script:AdSyncTypeDir '_vocabulary.json') -Raw | ConvertFrom-Json

function global:Get-SoaAdSyncTypeDescription {
    param([string]$TypeName)
    $path = Join-Path $script:AdSyncTypeDir ($TypeName + '.json')
    if (-not (Test-Path -LiteralPath $path)) { throw "No description of the ADSync type $TypeName in $script:AdSyncTypeDir" }
    return (Get-Content -LiteralPath $path -Raw | ConvertFrom-Json)
}

function global:Test-SoaAdSyncValue {
    # $null when $Value fits $Type, else a short reason.
    param($Value, [string]$Type, [string]$Path)
    $nullable = $Type.EndsWith('?')
    $t = $Type.TrimEnd('?')
    if ($t -eq 'Object') { return $null }
    if ($null -eq $Value) {
        if ($nullable -or $script:AdSyncVocabulary.valueTypes -notcontains $t) { return $null }
        return "$Path is null but $t is a value type"
    }
    $enum = $script:AdSyncVocabulary.enums.PSObject.Properties[$t]
    if ($null -ne $enum) {
        if (@($enum.Value) -contains [string]$Value) { return $null }
        return "$Path = '$Value' is not a $t ($(@($enum.Value) -join ', '))"
    }
    switch ($t) {
        'Guid' { if ($Value -is [guid]) { return $null }; return "$Path is $($Value.GetType().Name), not Guid" }
        'Boolean' { if ($Value -is [bool]) { return $null }; return "$Path is $($Value.GetType().Name), not Boolean" }
        'Int32' { if ($Value -is [int] -or $Value -is [long]) { return $null }; return "$Path is $($Value.GetType().Name), not Int32" }
        'DateTime' { if ($Value -is [DateTime]) { return $null }; return "$Path is $($Value.GetType().Name), not DateTime" }
        'TimeSpan' { if ($Value -is [TimeSpan]) { return $null }; return "$Path is $($Value.GetType().Name), not TimeSpan" }
        'String' { if ($Value -is [string]) { return $null }; return "$Path is $($Value.GetType().Name), not String" }
        'Byte[]' { if ($Value -is [byte[]]) { return $null }; return "$Path is $($Value.GetType().Name), not Byte[]" }
        'String[]' {
            foreach ($item in @($Value)) { if ($null -ne $item -and -not ($item -is [string])) { return "$Path holds a $($item.GetType().Name), not String" } }
            return $null
        }
    }
    if ($t.EndsWith('[]')) {
        $element = $t.Substring(0, $t.Length - 2)
        $problems = @()
        $i = 0
        foreach ($item in @($Value)) {
            $problems += @(Test-SoaAdSyncShape -Object $item -TypeName $element -Path ("$Path[$i]"))
            $i += 1
        }
        if ($problems.Count -gt 0) { return ($problems -join '; ') }
        return $null
    }
    $nested = @(Test-SoaAdSyncShape -Object $Value -TypeName $t -Path $Path)
    if ($nested.Count -gt 0) { return ($nested -join '; ') }
    return $null
}

function global:Test-SoaAdSyncShape {
    # Differences between $Object and the real type: members the real type lacks, members missing, wrong types.
    param($Object, [string]$TypeName, [string]$Path = '')
    if ($Path -eq '') { $Path = $TypeName }
    $description = Get-SoaAdSyncTypeDescription -TypeName $TypeName
    $problems = @()
    if ($null -eq $Object) { return @("$Path is null") }
    $expected = @{}
    foreach ($m in $description.members) { $expected[[string]$m.name] = [string]$m.type }
    $actual = @{}
    foreach ($p in $Object.PSObject.Properties) {
        if (@('NoteProperty', 'Property') -notcontains [string]$p.MemberType) { continue }
        $actual[$p.Name] = $true
        if (-not $expected.ContainsKey($p.Name)) { $problems += "$Path.$($p.Name) is not a member of the real $TypeName" }
    }
    foreach ($name in $expected.Keys) {
        if (-not $actual.ContainsKey($name)) { $problems += "$Path.$name (a member of the real $TypeName) is missing"; continue }
        $why = Test-SoaAdSyncValue -Value $Object.$name -Type $expected[$name] -Path "$Path.$name"
        if ($null -ne $why) { $problems += $why }
    }
    return $problems
}
