# Stubs for the ADSync, ActiveDirectory and Windows-only commands, with the real parameter names,
# so that Pester can mock them on any platform. Dot-sourced by the tests.
function global:Start-ADSyncSyncCycle { param([string]$PolicyType, [bool]$InteractiveMode) }
function global:Get-ADSyncScheduler { param() }
function global:Get-ADSyncConnector { param([string]$Name, [string]$Identifier) }
function global:Get-ADSyncCSObject { param([string]$Identifier, [string]$ConnectorName, [string]$ConnectorIdentifier, [string]$DistinguishedName, [switch]$SkipDNValidation, [switch]$Transient, [int]$StartIndex, [int]$MaxResultCount) }
function global:Get-ADSyncMVObject { param([string]$Identifier) }
function global:Get-ADSyncRunProfileResult { param([string]$RunHistoryId, [string]$ConnectorId, [string]$RunProfileId, [int]$RunNumber, [int]$NumberRequested, [switch]$RunStepDetails, [int]$StepNumber) }
function global:Get-ADSyncConnectorRunStatus { param() }
function global:Get-ADSyncRule { param([Guid]$Identifier) }
function global:Get-ADSyncConnectorStatistics { param([string]$ConnectorName) }
function global:Get-WinEvent { param([hashtable[]]$FilterHashtable, [long]$MaxEvents) }
function global:Get-ADObject { param($Identity, [string]$LDAPFilter, [string[]]$Properties, [string]$SearchBase, [int]$ResultSetSize, [string]$Server) }
function global:Get-ADDomain { param($Identity, [string]$Current, [string]$Server) }
function global:Set-ADObject { param($Identity, [hashtable]$Replace, [string[]]$Clear, [hashtable]$Add, [hashtable]$Remove, [switch]$PassThru, [string]$Server) }
if (-not (Get-Command -Name Get-Service -ErrorAction SilentlyContinue)) {
    function global:Get-Service { param([string[]]$Name) }
}

function global:New-TestErrorRecord {
    param([string]$TypeName = 'System.InvalidOperationException', [string]$Message, [string]$Fqid, [string]$Category = 'NotSpecified', $Inner = $null)
    if ($null -ne $Inner) { $ex = New-Object -TypeName $TypeName -ArgumentList @($Message, $Inner) }
    else { $ex = New-Object -TypeName $TypeName -ArgumentList $Message }
    return New-Object System.Management.Automation.ErrorRecord -ArgumentList @($ex, $Fqid, [System.Management.Automation.ErrorCategory]$Category, $null)
}
