BeforeAll {
    $script:ScriptRoot = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'resources/powershell'
    . (Join-Path $PSScriptRoot 'TestStubs.ps1')
    . (Join-Path $script:ScriptRoot 'Initialize-SoaSession.ps1')
    # Main sends each script's text (after its hash check) on its first call in a shell; these tests do the same.
    function script:Get-TestScriptBase64([string]$Name) {
        $text = [System.IO.File]::ReadAllText((Join-Path $script:ScriptRoot ($Name + '.ps1')))
        return [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($text))
    }
    function script:ConvertTo-TestBase64([string]$Text) {
        return [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($Text))
    }
}

Describe 'ConvertFrom-SoaArgument' {
    It 'decodes Base64 UTF-8 JSON into a hashtable with every value intact' {
        $hostile = "a'b`"c``d`$(New-Item x);e`nf" + [char]0 + 'g' + [char]0x200F + [char]0x2018 + [char]0x201D
        $json = ConvertTo-Json -InputObject @{ Value = $hostile; Since = '2026-11-27T12:00:00Z'; N = 5 } -Compress
        $b64 = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json))
        $result = ConvertFrom-SoaArgument -Base64 $b64
        $result.Value | Should -BeExactly $hostile
        $result.Since | Should -BeOfType [string]
        $result.Since | Should -BeExactly '2026-11-27T12:00:00Z'
        $result.N | Should -Be 5
    }
    It 'returns an empty hashtable for no arguments' {
        (ConvertFrom-SoaArgument -Base64 '').Count | Should -Be 0
    }
}

Describe 'ConvertTo-SoaIsoDate' {
    It 'treats an unspecified DateTime as UTC and keeps UTC strings' {
        $d = New-Object DateTime -ArgumentList 2026, 11, 27, 12, 0, 0, ([DateTimeKind]::Unspecified)
        ConvertTo-SoaIsoDate -Value $d | Should -BeExactly '2026-11-27T12:00:00.0000000Z'
        ConvertTo-SoaIsoDate -Value '2026-11-27T12:00:00.000Z' | Should -BeExactly '2026-11-27T12:00:00.0000000Z'
        ConvertTo-SoaIsoDate -Value $null | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-SoaCommand envelope' {
    BeforeAll {
        $script:Captured = $null
        Mock Write-SoaEnvelope { $script:Captured = $Envelope }
    }
    It 'wraps a successful call as ok=true with the data' {
        $b64 = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('{"Value":"x"}'))
        Invoke-SoaCommand -Name 'Test-SoaEcho' -ArgumentsBase64 $b64 -Nonce 'n1' -ScriptBase64 (Get-TestScriptBase64 'Test-SoaEcho')
        $script:Captured.ok | Should -BeTrue
        $script:Captured.data.value | Should -BeExactly 'x'
    }
    It 'keeps the FullyQualifiedErrorId, category and type of a failure' {
        Mock Get-ADSyncScheduler {
            throw (New-TestErrorRecord -Message 'Access to the sync engine was denied.' -Fqid 'System.UnauthorizedAccessException,Microsoft.IdentityManagement.PowerShell.Cmdlet.GetADSyncSchedulerCmdlet' -Category 'PermissionDenied' -TypeName 'System.UnauthorizedAccessException')
        }
        Invoke-SoaCommand -Name 'Get-SoaScheduler' -ArgumentsBase64 '' -Nonce 'n2' -ScriptBase64 (Get-TestScriptBase64 'Get-SoaScheduler')
        $script:Captured.ok | Should -BeFalse
        $script:Captured.error.code | Should -Be 'powershell'
        $script:Captured.error.fqid | Should -BeExactly 'System.UnauthorizedAccessException,Microsoft.IdentityManagement.PowerShell.Cmdlet.GetADSyncSchedulerCmdlet'
        $script:Captured.error.category | Should -Be 'PermissionDenied'
        $script:Captured.error.type | Should -Be 'System.UnauthorizedAccessException'
    }
    It 'reports a soa-pilot error code from New-SoaError' {
        $b64 = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('{"DistinguishedName":"CN=x","Confirmed":false}'))
        Invoke-SoaCommand -Name 'Set-SoaOnPremDescription' -ArgumentsBase64 $b64 -Nonce 'n3' -ScriptBase64 (Get-TestScriptBase64 'Set-SoaOnPremDescription')
        $script:Captured.ok | Should -BeFalse
        $script:Captured.error.code | Should -Be 'refused'
        $script:Captured.error.fqid | Should -Be 'Soa.refused'
    }
    It 'refuses names that are not soa-pilot scripts' {
        Invoke-SoaCommand -Name 'Remove-Item' -ArgumentsBase64 '' -Nonce 'n4'
        $script:Captured.ok | Should -BeFalse
        $script:Captured.error.code | Should -Be 'validation'
    }
    It 'runs a script from the text it was sent; no file of that name exists' {
        $text = "function Test-SoaFromText { param([string]`$Value) return ('text:' + `$Value) }"
        $b64 = ConvertTo-TestBase64 '{"Value":"v"}'
        Test-Path -LiteralPath (Join-Path $script:ScriptRoot 'Test-SoaFromText.ps1') | Should -BeFalse
        Invoke-SoaCommand -Name 'Test-SoaFromText' -ArgumentsBase64 $b64 -Nonce 'n5' -ScriptBase64 (ConvertTo-TestBase64 $text)
        $script:Captured.ok | Should -BeTrue
        $script:Captured.data | Should -BeExactly 'text:v'
    }
    It 'keeps the text for the next call in the same shell' {
        $b64 = ConvertTo-TestBase64 '{"Value":"again"}'
        Invoke-SoaCommand -Name 'Test-SoaFromText' -ArgumentsBase64 $b64 -Nonce 'n6'
        $script:Captured.ok | Should -BeTrue
        $script:Captured.data | Should -BeExactly 'text:again'
    }
    It 'refuses a script whose text was never sent, even when its file exists' {
        Test-Path -LiteralPath (Join-Path $script:ScriptRoot 'Get-SoaRunProfileResult.ps1') | Should -BeTrue
        Invoke-SoaCommand -Name 'Get-SoaRunProfileResult' -ArgumentsBase64 '' -Nonce 'n7'
        $script:Captured.ok | Should -BeFalse
        $script:Captured.error.code | Should -Be 'unavailable'
        $script:Captured.error.message | Should -BeLike '*Get-SoaRunProfileResult.ps1 was not loaded*'
    }
    It 'writes one framed line with the nonce' {
        $writer = New-Object System.IO.StringWriter
        $old = [Console]::Out
        [Console]::SetOut($writer)
        try {
            & (Get-Command Write-SoaEnvelope -CommandType Function).ScriptBlock -Nonce 'abc' -Envelope ([ordered]@{ ok = $true; data = @{ a = 1 } })
        } finally {
            [Console]::SetOut($old)
        }
        $line = $writer.ToString().Trim()
        $line | Should -BeLike '<<SOA:abc>>{*}'
        ($line.Substring(11) | ConvertFrom-Json).data.a | Should -Be 1
    }
}

Describe 'Test-SoaBusyError' {
    It 'classifies "<Message>" as busy=<Busy>' -ForEach @(
        @{ Message = "System.InvalidOperationException: Connector: contoso.onmicrosoft.com - AAD is busy.`r`n   at Microsoft.MetadirectoryServices.Scheduler.Scheduler.StartSyncCycle(String overridePolicy, Boolean interactiveMode)"; Busy = $true; Type = 'System.InvalidOperationException' }
        @{ Message = 'Sync is already running. Please try again later.'; Busy = $true; Type = 'System.InvalidOperationException' }
        @{ Message = 'Synchronization is currently in progress.'; Busy = $true; Type = 'System.InvalidOperationException' }
        @{ Message = 'The connector configuration is invalid.'; Busy = $false; Type = 'System.InvalidOperationException' }
        @{ Message = 'Connector is busy.'; Busy = $false; Type = 'System.ArgumentException' }
        @{ Message = 'The scheduler is suspended by another operation.'; Busy = $true; Type = 'System.InvalidOperationException' }
        @{ Message = 'The scheduler is running.'; Busy = $false; Type = 'System.InvalidOperationException' }
    ) {
        $record = New-TestErrorRecord -TypeName $Type -Message $Message -Fqid 'X'
        Test-SoaBusyError -ErrorRecord $record | Should -Be $Busy
    }
    It 'reads a busy message whose record names InvalidOperationException only in its FullyQualifiedErrorId' {
        $record = New-TestErrorRecord -TypeName 'System.Management.Automation.RuntimeException' -Message 'AAD is busy.' -Fqid 'System.InvalidOperationException,Microsoft.IdentityManagement.PowerShell.Cmdlet.StartADSyncSyncCycleCmdlet'
        Test-SoaBusyError -ErrorRecord $record | Should -BeTrue
    }
    It 'does not call a busy message busy when neither the exception nor the FullyQualifiedErrorId is an InvalidOperationException' {
        $record = New-TestErrorRecord -TypeName 'System.Management.Automation.RuntimeException' -Message 'AAD is busy.' -Fqid 'System.ArgumentException,Start-ADSyncSyncCycle'
        Test-SoaBusyError -ErrorRecord $record | Should -BeFalse
    }
    It 'does not call a wrapped non-busy InvalidOperationException busy' {
        $inner = New-Object System.InvalidOperationException -ArgumentList 'The connector configuration is invalid.'
        $record = New-TestErrorRecord -TypeName 'System.Management.Automation.RuntimeException' -Message 'wrapped' -Fqid 'Y' -Inner $inner
        Test-SoaBusyError -ErrorRecord $record | Should -BeFalse
    }
    It 'finds a busy InvalidOperationException wrapped in another exception' {
        $inner = New-Object System.InvalidOperationException -ArgumentList 'Connector: c - AAD is busy.'
        $record = New-TestErrorRecord -TypeName 'System.Management.Automation.RuntimeException' -Message 'wrapped' -Fqid 'Y' -Inner $inner
        Test-SoaBusyError -ErrorRecord $record | Should -BeTrue
    }
}
