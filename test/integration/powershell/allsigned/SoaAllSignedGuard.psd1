@{
    RootModule        = 'SoaAllSignedGuard.psm1'
    ModuleVersion     = '1.0.0'
    GUID              = '5d0f7b62-1f55-4f0e-9a53-2a4cc1c1e6a1'
    Author            = 'soa-pilot tests'
    Description       = 'Simulates a machine execution policy of AllSigned: every script file is refused.'
    FunctionsToExport = @()
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
