# Test-only: simulates a machine Group Policy of AllSigned in a PowerShell that cannot set one (pwsh on Linux
# has no execution policy). Every lookup of a script file (.ps1, command type ExternalScript) is answered with a
# command that refuses, as Windows PowerShell refuses an unsigned file under AllSigned. Script text turned into
# a script block is not a file and is not refused, as under the real policy.
$ExecutionContext.InvokeCommand.PostCommandLookupAction = {
    param($Name, $EventArgs)
    if ($null -ne $EventArgs.Command -and [string]$EventArgs.Command.CommandType -eq 'ExternalScript') {
        $path = [string]$EventArgs.Command.Path
        $EventArgs.CommandScriptBlock = [ScriptBlock]::Create(
            "throw 'AllSigned (simulated): the file " + $path.Replace("'", "''") + " is not digitally signed. You cannot run this script on the current system.'"
        )
        $EventArgs.StopSearch = $true
    }
}
