# soa-pilot: bridge diagnostics. Returns the values it received (so callers can prove they arrive
# intact) and, when asked, waits first (used to prove that timeouts stop the work).
# Windows PowerShell 5.1 syntax only.

function Test-SoaEcho {
    param(
        $Value = $null,
        [int]$DelayMs = 0
    )
    if ($DelayMs -gt 0) {
        Start-Sleep -Milliseconds ([Math]::Min($DelayMs, 3600000))
    }
    $codePoints = @()
    if ($Value -is [string]) {
        $codePoints = @($Value.ToCharArray() | ForEach-Object { [int]$_ })
    }
    return [ordered]@{
        value      = $Value
        type       = $(if ($null -eq $Value) { 'null' } else { $Value.GetType().Name })
        length     = $(if ($Value -is [string]) { $Value.Length } else { $null })
        codePoints = $codePoints
        processId  = $PID
        at         = [DateTime]::UtcNow.ToString('o')
    }
}
