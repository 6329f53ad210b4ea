@{
    RootModule        = 'SoaLab.psm1'
    ModuleVersion     = '0.1.0'
    GUID              = '6a1f7f0e-2f7c-4d55-9a53-0c2b1d8e4a11'
    Author            = 'soa-pilot team'
    Description       = 'soa-pilot lab stand-ins for the Windows-only commands (ADSync, Get-WinEvent, ActiveDirectory, services, host probes). Each is defined only where the real command is absent.'
    PowerShellVersion = '5.1'
    FunctionsToExport = '*'
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
