# soa-pilot lab stand-ins. Loaded only when the lab is the target (config.powershell.modulePaths).
# Every command here is defined ONLY where the real one is absent, and calls the lab's on-premises
# control API ($env:SOA_LAB_CONTROL_URL + '/onprem', bearer $env:SOA_LAB_CONTROL_TOKEN). Objects
# carry the real property names; errors are real ErrorRecords with the real exception type (where
# it can be loaded), message, FullyQualifiedErrorId prefix and category.
# Written in Windows PowerShell 5.1 syntax.

Set-StrictMode -Off

function Test-SoaLabCommandAbsent {
    param([string]$Name)
    return (-not (Get-Command -Name $Name -CommandType Cmdlet, Function, Alias -ErrorAction SilentlyContinue))
}

$script:SoaLabDefined = @()

function Get-SoaLabExceptionType {
    # The real exception type where it exists; lab copies of the AD exceptions otherwise.
    param([string]$TypeName)
    $type = $TypeName -as [type]
    if ($null -ne $type) { return $type }
    if ($TypeName -like 'Microsoft.ActiveDirectory.Management.*' -or $TypeName -eq 'Microsoft.PowerShell.Commands.ServiceCommandException') {
        if (-not ('Microsoft.ActiveDirectory.Management.ADException' -as [type])) {
            Add-Type -TypeDefinition @'
namespace Microsoft.ActiveDirectory.Management {
    public class ADException : System.Exception { public ADException(string m) : base(m) {} }
    public class ADIdentityNotFoundException : ADException { public ADIdentityNotFoundException(string m) : base(m) {} }
}
'@
        }
        if (-not ('Microsoft.PowerShell.Commands.ServiceCommandException' -as [type])) {
            if (-not ('SoaLab.ServiceCommandException' -as [type])) {
                Add-Type -TypeDefinition 'namespace SoaLab { public class ServiceCommandException : System.InvalidOperationException { public ServiceCommandException(string m) : base(m) {} } }'
            }
            if ($TypeName -eq 'Microsoft.PowerShell.Commands.ServiceCommandException') { return [SoaLab.ServiceCommandException] }
        }
        $type = $TypeName -as [type]
        if ($null -ne $type) { return $type }
    }
    return [System.Exception]
}

function New-SoaLabErrorRecord {
    param($ErrorBody, [string]$Fallback)
    $typeName = 'System.Exception'
    $message = $Fallback
    $fqid = 'LabError'
    $category = 'NotSpecified'
    if ($null -ne $ErrorBody -and $null -ne $ErrorBody.error) {
        $typeName = [string]$ErrorBody.error.type
        $message = [string]$ErrorBody.error.message
        $fqid = [string]$ErrorBody.error.fqid
        $category = [string]$ErrorBody.error.category
    }
    $type = Get-SoaLabExceptionType -TypeName $typeName
    $exception = New-Object -TypeName $type.FullName -ArgumentList $message
    $cat = [System.Management.Automation.ErrorCategory]::NotSpecified
    [void][System.Enum]::TryParse([string]$category, [ref]$cat)
    return New-Object System.Management.Automation.ErrorRecord -ArgumentList @($exception, $fqid, $cat, $null)
}

function ConvertTo-SoaLabQuery {
    param([hashtable]$Query)
    if ($null -eq $Query -or $Query.Count -eq 0) { return '' }
    $parts = @()
    foreach ($key in $Query.Keys) {
        foreach ($value in @($Query[$key])) {
            if ($null -eq $value) { continue }
            $text = $value
            if ($value -is [DateTime]) { $text = $value.ToUniversalTime().ToString('o') }
            elseif ($value -is [bool]) { $text = ([string]$value).ToLowerInvariant() }
            $parts += ([System.Uri]::EscapeDataString([string]$key) + '=' + [System.Uri]::EscapeDataString([string]$text))
        }
    }
    if ($parts.Count -eq 0) { return '' }
    return '?' + ($parts -join '&')
}

function Invoke-SoaLabRequest {
    # Returns @{ ok = $true; body = <parsed JSON> } or @{ ok = $false; record = <ErrorRecord> }.
    param([string]$Method = 'GET', [string]$Path, [hashtable]$Query = @{}, $Body = $null)
    $base = [string]$env:SOA_LAB_CONTROL_URL
    if ($base -eq '') {
        $ex = New-Object System.InvalidOperationException -ArgumentList 'SOA_LAB_CONTROL_URL is not set: the lab stand-ins need the lab control API.'
        return @{ ok = $false; record = (New-Object System.Management.Automation.ErrorRecord -ArgumentList @($ex, 'SoaLabNotConfigured', 'NotInstalled', $null)) }
    }
    $uri = $base.TrimEnd('/') + '/onprem' + $Path + (ConvertTo-SoaLabQuery -Query $Query)
    $params = @{
        Uri             = $uri
        Method          = $Method
        Headers         = @{ Authorization = ('Bearer ' + [string]$env:SOA_LAB_CONTROL_TOKEN) }
        UseBasicParsing = $true
        ErrorAction     = 'Stop'
    }
    if ($null -ne $Body) {
        $params.Body = [System.Text.Encoding]::UTF8.GetBytes((ConvertTo-Json -InputObject $Body -Depth 10 -Compress))
        $params.ContentType = 'application/json; charset=utf-8'
    }
    try {
        $response = Invoke-WebRequest @params
    } catch {
        $text = [string]$_.ErrorDetails.Message
        $parsed = $null
        if ($text -ne '') {
            try { $parsed = ConvertFrom-SoaLabJson -Json $text } catch { $parsed = $null }
        }
        return @{ ok = $false; record = (New-SoaLabErrorRecord -ErrorBody $parsed -Fallback ('Lab request failed: ' + $_.Exception.Message)) }
    }
    $bytes = $response.RawContentStream.ToArray()
    if ($bytes.Length -ge $script:SoaLabCompiledMinBytes -and $script:SoaLabTypingMode -eq 'auto') { [void](Import-SoaLabCompiledTyping) }
    if ($script:SoaLabJsonReady -and $script:SoaLabTypingMode -ne 'script' -and $bytes.Length -gt 0) {
        return @{ ok = $true; body = [SoaLab.LabTyping]::Parse($bytes, $script:SoaLabMemberKind) }
    }
    $content = [System.Text.Encoding]::UTF8.GetString($bytes)
    $json = $null
    if ($content.Trim() -ne '') { $json = ConvertFrom-SoaLabJson -Json $content }
    return @{ ok = $true; body = $json }
}

function ConvertFrom-SoaLabJson {
    param([string]$Json)
    # PowerShell 7: ordered hashtables (see ConvertTo-SoaLabTyped); every caller reads them by member name.
    if ($PSVersionTable.PSVersion.Major -ge 7) { return (ConvertFrom-Json -InputObject $Json -DateKind String -AsHashtable) }
    return (ConvertFrom-Json -InputObject $Json)
}

function ConvertTo-SoaLabDate {
    param($Value)
    if ($null -eq $Value -or [string]$Value -eq '') { return $null }
    if ($Value -is [DateTime]) { return $Value }
    return [DateTime]::Parse([string]$Value, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToUniversalTime()
}

function Get-SoaLabValue {
    # The `value` list of a wrapped response, one object at a time, with the real member types; with -Members,
    # each object holds exactly those members, in that order (a missing one is $null), as Get-ADObject -Properties
    # gives them. A list of $script:SoaLabCompiledMinObjects objects or more loads the compiled typing first.
    param($Body, [string[]]$Members = $null)
    if ($null -eq $Body) { return }
    $items = @($Body.value)
    if ($items.Count -ge $script:SoaLabCompiledMinObjects -and $script:SoaLabTypingMode -eq 'auto') { [void](Import-SoaLabCompiledTyping) }
    $kinds = $script:SoaLabMemberKind
    if ($Body.PSObject.TypeNames[0] -eq 'SoaLab.Typed') {
        # read by the compiled JSON reader: already typed
        foreach ($item in $items) {
            if ($null -eq $item) { continue }
            if ($null -ne $Members) { [SoaLab.LabTyping]::Select($item, $kinds, $Members) } else { $item }
        }
        return
    }
    if ($script:SoaLabCompiledReady -and $script:SoaLabTypingMode -ne 'script') {
        if ($null -ne $Members) {
            foreach ($item in $items) { if ($null -ne $item) { [SoaLab.LabTyping]::Select($item, $kinds, $Members) } }
            return
        }
        foreach ($item in $items) { if ($null -ne $item) { [SoaLab.LabTyping]::Convert($item, $kinds) } }
        return
    }
    foreach ($item in $items) {
        if ($null -eq $item) { continue }
        $typed = ConvertTo-SoaLabTyped -Value $item
        if ($null -eq $Members) { $typed; continue }
        $selected = [ordered]@{}
        foreach ($name in $Members) { $selected[$name] = $typed.$name }
        [pscustomobject]$selected
    }
}

# Members that the real ADSync types hold as Guid, DateTime, TimeSpan or byte[] (JSON carries them
# as strings). The shapes are described, with their sources, in test/powershell/adsync-types/.
$script:SoaLabMemberKind = @{}
foreach ($n in @('ObjectId', 'ConnectorId', 'PartitionId', 'ConnectedMVObjectId', 'LineageId', 'ConnectedCsObjectId', 'Identifier', 'RunHistoryId', 'RunProfileId', 'StepHistoryId', 'InternalId', 'Connector', 'PrecedenceAfter', 'PrecedenceBefore')) { $script:SoaLabMemberKind[$n] = 'guid' }
foreach ($n in @('LastModificationTime', 'CreationTime', 'StartDate', 'EndDate', 'InitialOccurrence', 'LatestOccurrence', 'NextSyncCycleStartTimeInUTC')) { $script:SoaLabMemberKind[$n] = 'date' }
foreach ($n in @('AllowedSyncCycleInterval', 'CurrentlyEffectiveSyncCycleInterval', 'CustomizedSyncCycleInterval', 'PurgeRunHistoryInterval', 'SoftDeleteExpiryInterval')) { $script:SoaLabMemberKind[$n] = 'timespan' }
$script:SoaLabMemberKind['AnchorValue'] = 'bytes'

function ConvertTo-SoaLabTypedMember {
    # One member value: a string typed by the member's name; nested objects and arrays converted.
    param([string]$Name, $Value)
    if ($Value -is [string]) {
        $kind = $script:SoaLabMemberKind[$Name]
        if ($null -eq $kind) { return $Value }
        if ($kind -eq 'guid') { return [guid]$Value }
        if ($kind -eq 'date') {
            if ($Value -eq '') { return $null }
            return [DateTime]::Parse($Value, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToUniversalTime()
        }
        if ($kind -eq 'timespan') { return [TimeSpan]::Parse($Value, [System.Globalization.CultureInfo]::InvariantCulture) }
        # the comma keeps the byte[] whole (a function output would unroll it)
        return , [System.Convert]::FromBase64String($Value)
    }
    return $Value
}

function ConvertTo-SoaLabTyped {
    # A lab JSON object with Guid / DateTime / TimeSpan / byte[] members typed as the real cmdlet types them.
    # Speed matters here (a bulk trace types thousands of objects): PowerShell 7 parses the JSON into
    # hashtables (ConvertFrom-SoaLabJson), whose keys enumerate far faster than a PSCustomObject's members;
    # strings are typed in place and arrays of plain values copied in a loop, so only nested objects cost
    # a function call (New-Object and ArrayList cost more than the work itself).
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($script:SoaLabCompiledReady -and $script:SoaLabTypingMode -ne 'script') {
        $typed = [SoaLab.LabTyping]::Convert($Value, $script:SoaLabMemberKind)
        if ($typed -is [array]) { return , $typed }
        return $typed
    }
    if ($Value -is [array]) {
        $items = [object[]]::new($Value.Count)
        for ($i = 0; $i -lt $Value.Count; $i++) { $items[$i] = ConvertTo-SoaLabTyped -Value $Value[$i] }
        return , $items
    }
    $members = $null
    if ($Value -is [System.Collections.IDictionary]) { $members = $Value }
    elseif ($Value -is [System.Management.Automation.PSCustomObject]) {
        $members = [ordered]@{}
        foreach ($p in $Value.PSObject.Properties) { $members[$p.Name] = $p.Value }
    } else {
        return $Value
    }
    $result = [ordered]@{}
    foreach ($key in $members.Keys) {
        $name = [string]$key
        $v = $members[$key]
        if ($null -eq $v) { $result[$name] = $null; continue }
        if ($v -is [string]) {
            if ($script:SoaLabMemberKind.ContainsKey($name)) { $v = ConvertTo-SoaLabTypedMember -Name $name -Value $v }
        } elseif ($v -is [array]) {
            $items = [object[]]::new($v.Count)
            for ($i = 0; $i -lt $v.Count; $i++) {
                $item = $v[$i]
                if ($item -is [System.Collections.IDictionary] -or $item -is [System.Management.Automation.PSCustomObject] -or $item -is [array]) { $item = ConvertTo-SoaLabTyped -Value $item }
                $items[$i] = $item
            }
            $v = $items
        } elseif ($v -is [System.Collections.IDictionary] -or $v -is [System.Management.Automation.PSCustomObject]) {
            $v = ConvertTo-SoaLabTyped -Value $v
        }
        $result[$name] = $v
    }
    return [pscustomobject]$result
}

# The same typing compiled from C#: ~20x less CPU per object than ConvertTo-SoaLabTyped's script path,
# which matters when a batched trace reads whole connector spaces. The compiler costs seconds of CPU, so it
# runs only when a response lists $script:SoaLabCompiledMinObjects objects or more, and only once per machine:
# the assembly is kept under the user's local application data, named after a hash of this source and the
# PowerShell version. Anything that fails here leaves the script path in use. The shape tests
# (test/powershell/StandInShapes.Tests.ps1) hold both paths against the real ADSync types.
# Set-SoaLabTyping -Mode script|compiled|auto picks the path (tests); auto is the default.
$script:SoaLabTypingSource = @'
using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
#if SOA_JSON
using System.Text.Json;
#endif

namespace SoaLab
{
    public static class LabTyping
    {
#if SOA_JSON
        // PowerShell 7 only (System.Text.Json): the response's JSON read straight into typed objects, as
        // ConvertFrom-Json -AsHashtable -DateKind String followed by Convert gives them (integers Int64, other
        // numbers Double), without the hashtables in between. The top object is marked SoaLab.Typed.
        public static object Parse(byte[] utf8, IDictionary kinds)
        {
            using (JsonDocument doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 1024 }))
            {
                object value = Read(doc.RootElement, null, kinds);
                PSObject top = value as PSObject;
                if (top != null) top.TypeNames.Insert(0, "SoaLab.Typed");
                return value;
            }
        }

        private static object Read(JsonElement e, string name, IDictionary kinds)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                {
                    PSObject o = new PSObject();
                    foreach (JsonProperty p in e.EnumerateObject()) o.Properties.Add(new PSNoteProperty(p.Name, Read(p.Value, p.Name, kinds)));
                    return o;
                }
                case JsonValueKind.Array:
                {
                    object[] items = new object[e.GetArrayLength()];
                    int i = 0;
                    foreach (JsonElement x in e.EnumerateArray()) items[i++] = Read(x, null, kinds);
                    return items;
                }
                case JsonValueKind.String:
                    return name == null ? e.GetString() : TypeString(name, e.GetString(), kinds);
                case JsonValueKind.Number:
                {
                    long l;
                    if (e.TryGetInt64(out l)) return l;
                    return e.GetDouble();
                }
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    return null;
            }
        }
#endif

        public static object Convert(object value, IDictionary kinds)
        {
            if (value == null) return null;
            PSObject pso = value as PSObject;
            if (pso != null && !(pso.BaseObject is PSCustomObject)) value = pso.BaseObject;
            IDictionary dict = value as IDictionary;
            if (dict != null || pso != null && pso.BaseObject is PSCustomObject) return ConvertObject(value, kinds);
            if (value is object[]) return ConvertArray((object[])value, kinds, true);
            return value;
        }

        // Exactly the named members, in that order (a missing one is null), each typed as Convert types it.
        public static PSObject Select(object value, IDictionary kinds, string[] members)
        {
            PSObject pso = value as PSObject;
            IDictionary dict = (pso != null ? pso.BaseObject : value) as IDictionary;
            PSObject result = new PSObject();
            foreach (string name in members)
            {
                object v = null;
                if (dict != null)
                {
                    if (dict.Contains(name)) v = dict[name];
                }
                else if (pso != null)
                {
                    PSPropertyInfo p = pso.Properties[name];
                    if (p != null) v = p.Value;
                }
                result.Properties.Add(new PSNoteProperty(name, ConvertMember(name, v, kinds)));
            }
            return result;
        }

        // A member's string typed by the member's name (Guid, DateTime, TimeSpan, byte[]); other names keep the string.
        private static object TypeString(string name, string s, IDictionary kinds)
        {
            string kind = kinds[name] as string;
            if (kind == null) return s;
            if (kind == "guid") return new Guid(s);
            if (kind == "date")
            {
                if (s.Length == 0) return null;
                return DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).ToUniversalTime();
            }
            if (kind == "timespan") return TimeSpan.Parse(s, CultureInfo.InvariantCulture);
            return System.Convert.FromBase64String(s);
        }

        private static bool IsNested(object item)
        {
            if (item is IDictionary || item is object[]) return true;
            PSObject p = item as PSObject;
            return p != null && (p.BaseObject is PSCustomObject || p.BaseObject is IDictionary || p.BaseObject is object[]);
        }

        private static object[] ConvertArray(object[] items, IDictionary kinds, bool all)
        {
            object[] result = new object[items.Length];
            for (int i = 0; i < items.Length; i++)
            {
                object item = items[i];
                result[i] = (all || IsNested(item)) ? Convert(item, kinds) : item;
            }
            return result;
        }

        private static PSObject ConvertObject(object value, IDictionary kinds)
        {
            PSObject result = new PSObject();
            IDictionary dict = value as IDictionary;
            if (dict != null)
            {
                foreach (DictionaryEntry e in dict) result.Properties.Add(new PSNoteProperty((string)e.Key, ConvertMember((string)e.Key, e.Value, kinds)));
            }
            else
            {
                foreach (PSPropertyInfo p in ((PSObject)value).Properties) result.Properties.Add(new PSNoteProperty(p.Name, ConvertMember(p.Name, p.Value, kinds)));
            }
            return result;
        }

        private static object ConvertMember(string name, object v, IDictionary kinds)
        {
            if (v == null) return null;
            string s = v as string;
            if (s != null) return TypeString(name, s, kinds);
            object[] arr = v as object[];
            if (arr != null) return ConvertArray(arr, kinds, false);
            if (IsNested(v)) return Convert(v, kinds);
            return v;
        }
    }
}
'@
$script:SoaLabTypingMode = 'auto'
$script:SoaLabCompiledReady = ($null -ne ('SoaLab.LabTyping' -as [type]))
$script:SoaLabJsonReady = $script:SoaLabCompiledReady -and ($null -ne ([type]'SoaLab.LabTyping').GetMethod('Parse'))
$script:SoaLabCompiledFailed = $false
# A response body of this many bytes or more loads the compiled typing first (and, on PowerShell 7, is read by it).
$script:SoaLabCompiledMinBytes = 65536
$script:SoaLabCompiledMinObjects = 50

function Get-SoaLabTypingCacheFile {
    # The cached assembly's path, or $null when there is no local application data folder.
    $base = [System.Environment]::GetFolderPath('LocalApplicationData')
    if ([string]::IsNullOrEmpty($base)) { return $null }
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        $key = $script:SoaLabTypingSource + '|' + $PSVersionTable.PSEdition + '|' + $PSVersionTable.PSVersion.ToString()
        $hash = [System.BitConverter]::ToString($sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($key))).Replace('-', '').Substring(0, 16)
    } finally {
        $sha.Dispose()
    }
    return (Join-Path (Join-Path (Join-Path $base 'soa-pilot') 'lab-typing') ('SoaLab.LabTyping.' + $hash + '.dll'))
}

function Add-SoaLabTypingType {
    # Compiles the typing source (into $OutputAssembly when given); on PowerShell 7 with the JSON reader
    # (SOA_JSON), and without it when that fails.
    param([string]$OutputAssembly = '')
    $out = @{}
    if ($OutputAssembly -ne '') { $out = @{ OutputAssembly = $OutputAssembly; OutputType = 'Library' } }
    if ($PSVersionTable.PSVersion.Major -ge 7) {
        try {
            Add-Type -TypeDefinition $script:SoaLabTypingSource -CompilerOptions '-define:SOA_JSON' @out -ErrorAction Stop
            return
        } catch {
            if ($OutputAssembly -ne '') { Remove-Item -LiteralPath $OutputAssembly -Force -ErrorAction SilentlyContinue }
        }
    }
    Add-Type -TypeDefinition $script:SoaLabTypingSource @out -ErrorAction Stop
}

function Import-SoaLabCompiledTyping {
    # $true when [SoaLab.LabTyping] is loaded: from the cached assembly, or compiled (and cached) now.
    if ($script:SoaLabCompiledReady) { return $true }
    if ($script:SoaLabCompiledFailed) { return $false }
    try {
        $file = Get-SoaLabTypingCacheFile
        if ($null -eq $file) {
            Add-SoaLabTypingType
        } else {
            if (-not (Test-Path -LiteralPath $file)) {
                $dir = Split-Path -Parent $file
                if (-not (Test-Path -LiteralPath $dir)) { [void](New-Item -ItemType Directory -Path $dir -Force) }
                # Compiled under a name of its own, then moved into place: a shell never loads a half-written file,
                # and when two shells compile at once the first move wins.
                $own = Join-Path $dir ('SoaLab.LabTyping.' + [guid]::NewGuid().ToString('N') + '.dll')
                Add-SoaLabTypingType -OutputAssembly $own
                try { [System.IO.File]::Move($own, $file) } catch { Remove-Item -LiteralPath $own -Force -ErrorAction SilentlyContinue }
            }
            if ($null -eq ('SoaLab.LabTyping' -as [type])) { Add-Type -LiteralPath $file }
        }
        $script:SoaLabCompiledReady = ($null -ne ('SoaLab.LabTyping' -as [type]))
        $script:SoaLabJsonReady = $script:SoaLabCompiledReady -and ($null -ne ([type]'SoaLab.LabTyping').GetMethod('Parse'))
    } catch {
        $script:SoaLabCompiledReady = $false
    }
    if (-not $script:SoaLabCompiledReady) { $script:SoaLabCompiledFailed = $true }
    return $script:SoaLabCompiledReady
}

function Set-SoaLabTyping {
    # script: always the script path; compiled: always the compiled one (fails if it cannot be loaded);
    # auto: compiled once a large response has loaded it (the default).
    param([Parameter(Mandatory = $true)][ValidateSet('auto', 'script', 'compiled')][string]$Mode)
    if ($Mode -eq 'compiled' -and -not (Import-SoaLabCompiledTyping)) { throw 'The lab''s compiled typing could not be loaded (Add-Type failed).' }
    $script:SoaLabTypingMode = $Mode
}

# ---------------------------------------------------------------------------------------------
# ADSync
# ---------------------------------------------------------------------------------------------
if (Test-SoaLabCommandAbsent -Name 'Start-ADSyncSyncCycle') {
    $script:SoaLabDefined += 'Start-ADSyncSyncCycle', 'Get-ADSyncScheduler', 'Get-ADSyncConnector', 'Get-ADSyncCSObject', 'Get-ADSyncMVObject', 'Get-ADSyncRunProfileResult', 'Get-ADSyncConnectorRunStatus', 'Get-ADSyncRule', 'Get-ADSyncConnectorStatistics'

    function Start-ADSyncSyncCycle {
        [CmdletBinding()]
        param(
            [Parameter(Position = 0)][ValidateSet('Unspecified', 'Delta', 'Initial')][string]$PolicyType = 'Unspecified',
            [Parameter(Position = 1)][bool]$InteractiveMode = $true
        )
        $r = Invoke-SoaLabRequest -Method 'POST' -Path '/sync/cycle' -Body @{ PolicyType = $PolicyType; InteractiveMode = $InteractiveMode }
        if (-not $r.ok) { $PSCmdlet.WriteError($r.record); return }
        [pscustomobject]@{ Result = [string]$r.body.Result }
    }

    function Get-ADSyncScheduler {
        [CmdletBinding()]
        param()
        $r = Invoke-SoaLabRequest -Path '/sync/scheduler'
        if (-not $r.ok) { $PSCmdlet.ThrowTerminatingError($r.record) }
        $s = ConvertTo-SoaLabTyped -Value $r.body
        [pscustomobject]@{
            AllowedSyncCycleInterval            = $s.AllowedSyncCycleInterval
            CurrentlyEffectiveSyncCycleInterval = $s.CurrentlyEffectiveSyncCycleInterval
            CustomizedSyncCycleInterval         = $s.CustomizedSyncCycleInterval
            NextSyncCyclePolicyType             = [string]$s.NextSyncCyclePolicyType
            NextSyncCycleStartTimeInUTC         = $s.NextSyncCycleStartTimeInUTC
            PurgeRunHistoryInterval             = $s.PurgeRunHistoryInterval
            SyncCycleEnabled                    = [bool]$s.SyncCycleEnabled
            MaintenanceEnabled                  = [bool]$s.MaintenanceEnabled
            StagingModeEnabled                  = [bool]$s.StagingModeEnabled
            SchedulerSuspended                  = [bool]$s.SchedulerSuspended
            SyncCycleInProgress                 = [bool]$s.SyncCycleInProgress
        }
    }

    function Get-ADSyncConnector {
        [CmdletBinding()]
        param([Parameter(Position = 0)][string]$Name, [string]$Identifier)
        $q = @{}
        if ($PSBoundParameters.ContainsKey('Name')) { $q.Name = $Name }
        if ($PSBoundParameters.ContainsKey('Identifier')) { $q.Identifier = $Identifier }
        $r = Invoke-SoaLabRequest -Path '/sync/connectors' -Query $q
        if (-not $r.ok) { $PSCmdlet.ThrowTerminatingError($r.record) }
        Get-SoaLabValue -Body $r.body
    }

    function Get-ADSyncCSObject {
        [CmdletBinding()]
        param(
            [string]$Identifier,
            [string]$ConnectorName,
            [string]$ConnectorIdentifier,
            [string]$DistinguishedName,
            [switch]$SkipDNValidation,
            [switch]$Transient,
            [int]$StartIndex = 0,
            [int]$MaxResultCount = 1000
        )
        $q = @{}
        foreach ($key in @('Identifier', 'ConnectorName', 'ConnectorIdentifier', 'DistinguishedName', 'StartIndex', 'MaxResultCount')) {
            if ($PSBoundParameters.ContainsKey($key)) { $q[$key] = $PSBoundParameters[$key] }
        }
        $r = Invoke-SoaLabRequest -Path '/sync/cs-objects' -Query $q
        if (-not $r.ok) { $PSCmdlet.ThrowTerminatingError($r.record) }
        Get-SoaLabValue -Body $r.body
    }

    function Get-ADSyncMVObject {
        [CmdletBinding()]
        param([Parameter(Mandatory = $true)][string]$Identifier)
        $r = Invoke-SoaLabRequest -Path '/sync/mv-objects' -Query @{ Identifier = $Identifier }
        if (-not $r.ok) { $PSCmdlet.ThrowTerminatingError($r.record) }
        Get-SoaLabValue -Body $r.body
    }

    function Get-ADSyncRunProfileResult {
        [CmdletBinding()]
        param(
            [string]$RunHistoryId,
            [string]$ConnectorId,
            [string]$RunProfileId,
            [int]$RunNumber,
            [int]$NumberRequested,
            [switch]$RunStepDetails,
            [int]$StepNumber
        )
        $q = @{}
        foreach ($key in @('RunHistoryId', 'ConnectorId', 'RunProfileId', 'RunNumber', 'NumberRequested')) {
            if ($PSBoundParameters.ContainsKey($key)) { $q[$key] = $PSBoundParameters[$key] }
        }
        if ($RunStepDetails) { $q.RunStepDetails = $true }
        $r = Invoke-SoaLabRequest -Path '/sync/run-history' -Query $q
        if (-not $r.ok) { $PSCmdlet.ThrowTerminatingError($r.record) }
        Get-SoaLabValue -Body $r.body
    }

    function Get-ADSyncRule {
        [CmdletBinding()]
        param([Guid]$Identifier)
        $q = @{}
        if ($PSBoundParameters.ContainsKey('Identifier')) { $q.Identifier = $Identifier.ToString() }
        $r = Invoke-SoaLabRequest -Path '/sync/rules' -Query $q
        if (-not $r.ok) { $PSCmdlet.ThrowTerminatingError($r.record) }
        Get-SoaLabValue -Body $r.body
    }

    function Get-ADSyncConnectorStatistics {
        [CmdletBinding()]
        param([Parameter(Mandatory = $true, Position = 0)][string]$ConnectorName)
        $r = Invoke-SoaLabRequest -Path '/sync/connector-statistics' -Query @{ ConnectorName = $ConnectorName }
        if (-not $r.ok) { $PSCmdlet.ThrowTerminatingError($r.record) }
        ConvertTo-SoaLabTyped -Value $r.body
    }

    function Get-ADSyncConnectorRunStatus {
        [CmdletBinding()]
        param()
        $r = Invoke-SoaLabRequest -Path '/sync/run-status'
        if (-not $r.ok) { $PSCmdlet.ThrowTerminatingError($r.record) }
        Get-SoaLabValue -Body $r.body
    }
}

# ---------------------------------------------------------------------------------------------
# Event log
# ---------------------------------------------------------------------------------------------
if (Test-SoaLabCommandAbsent -Name 'Get-WinEvent') {
    $script:SoaLabDefined += 'Get-WinEvent'

    function Get-WinEvent {
        [CmdletBinding()]
        param(
            [Parameter(Mandatory = $true)][hashtable[]]$FilterHashtable,
            [long]$MaxEvents = -1
        )
        foreach ($filter in $FilterHashtable) {
            $q = @{}
            foreach ($key in $filter.Keys) {
                $name = [string]$key
                if ($name -eq 'ID') { $name = 'Id' }
                $q[$name] = $filter[$key]
            }
            if ($MaxEvents -gt 0) { $q.MaxEvents = $MaxEvents }
            $r = Invoke-SoaLabRequest -Path '/events' -Query $q
            if (-not $r.ok) { $PSCmdlet.WriteError($r.record); continue }
            foreach ($e in @(Get-SoaLabValue -Body $r.body)) {
                $properties = @()
                foreach ($p in @($e.Properties)) { if ($null -ne $p) { $properties += [pscustomobject]@{ Value = $p.Value } } }
                [pscustomobject]@{
                    TimeCreated      = (ConvertTo-SoaLabDate -Value $e.TimeCreated).ToLocalTime()
                    Id               = [int]$e.Id
                    ProviderName     = [string]$e.ProviderName
                    LogName          = [string]$e.LogName
                    Level            = [int]$e.Level
                    LevelDisplayName = [string]$e.LevelDisplayName
                    RecordId         = [long]$e.RecordId
                    MachineName      = [string]$e.MachineName
                    Message          = [string]$e.Message
                    Properties       = $properties
                }
            }
        }
    }
}

# ---------------------------------------------------------------------------------------------
# ActiveDirectory
# ---------------------------------------------------------------------------------------------
if (Test-SoaLabCommandAbsent -Name 'Get-ADObject') {
    $script:SoaLabDefined += 'Get-ADObject', 'Set-ADObject'

    function Get-SoaLabAdMemberNames {
        # The members an ADObject carries for -Properties: the four default ones, then each one asked for
        # (* = all the lab holds), in the lab's spelling.
        param([string[]]$Properties)
        $all = @('displayName', 'mail', 'description', 'givenName', 'sn', 'company', 'department', 'member', 'memberOf', 'whenCreated', 'whenChanged', 'uSNChanged', 'uSNCreated')
        $names = @('DistinguishedName', 'Name', 'ObjectClass', 'ObjectGUID')
        foreach ($p in @($Properties)) {
            if ($p -eq '*') { return ($names + $all) }
            foreach ($a in $all) { if ($a -eq $p -and $names -notcontains $a) { $names += $a } }
        }
        return $names
    }

    function Get-ADObject {
        [CmdletBinding(DefaultParameterSetName = 'Identity')]
        param(
            [Parameter(ParameterSetName = 'Identity', Mandatory = $true, Position = 0)]$Identity,
            [Parameter(ParameterSetName = 'LdapFilter', Mandatory = $true)][string]$LDAPFilter,
            [string[]]$Properties = @(),
            [string]$SearchBase,
            [string]$SearchScope,
            [int]$ResultSetSize = 0,
            [string]$Server
        )
        $q = @{}
        if ($PSBoundParameters.ContainsKey('Server')) { $q.Server = $Server }
        if ($PSCmdlet.ParameterSetName -eq 'Identity') {
            $q.Identity = [string]$Identity
        } else {
            $q.LDAPFilter = $LDAPFilter
            if ($PSBoundParameters.ContainsKey('SearchBase')) { $q.SearchBase = $SearchBase }
            if ($PSBoundParameters.ContainsKey('SearchScope')) { $q.SearchScope = $SearchScope }
            if ($ResultSetSize -gt 0) { $q.ResultSetSize = $ResultSetSize }
        }
        $r = Invoke-SoaLabRequest -Path '/ad/objects' -Query $q
        if (-not $r.ok) { $PSCmdlet.ThrowTerminatingError($r.record) }
        Get-SoaLabValue -Body $r.body -Members (Get-SoaLabAdMemberNames -Properties $Properties)
    }

    function Set-ADObject {
        [CmdletBinding()]
        param(
            [Parameter(Mandatory = $true, Position = 0)]$Identity,
            [hashtable]$Replace,
            [string[]]$Clear,
            [hashtable]$Add,
            [hashtable]$Remove,
            [switch]$PassThru,
            [string]$Server
        )
        $body = @{ Identity = [string]$Identity }
        if ($PSBoundParameters.ContainsKey('Server')) { $body.Server = $Server }
        if ($PSBoundParameters.ContainsKey('Replace')) { $body.Replace = $Replace }
        if ($PSBoundParameters.ContainsKey('Clear')) { $body.Clear = @($Clear) }
        if ($PSBoundParameters.ContainsKey('Add')) { $body.Add = $Add }
        if ($PSBoundParameters.ContainsKey('Remove')) { $body.Remove = $Remove }
        $r = Invoke-SoaLabRequest -Method 'POST' -Path '/ad/objects/set' -Body $body
        if (-not $r.ok) { $PSCmdlet.ThrowTerminatingError($r.record) }
        if ($PassThru) { Get-SoaLabValue -Body @{ value = @(, $r.body) } -Members (Get-SoaLabAdMemberNames -Properties @('*')) }
    }
}

if (Test-SoaLabCommandAbsent -Name 'Get-ADDomain') {
    $script:SoaLabDefined += 'Get-ADDomain'

    function Get-ADDomain {
        # The ADDomain members as Get-ADDomain lists them (test/powershell/adsync-types/ADDomain.json).
        [CmdletBinding(DefaultParameterSetName = 'Current')]
        param(
            [Parameter(ParameterSetName = 'Identity', Mandatory = $true, Position = 0)]$Identity,
            [Parameter(ParameterSetName = 'Current')][ValidateSet('LocalComputer', 'LoggedOnUser')][string]$Current,
            [string]$Server
        )
        $q = @{}
        if ($PSBoundParameters.ContainsKey('Server')) { $q.Server = $Server }
        if ($PSCmdlet.ParameterSetName -eq 'Identity') { $q.Identity = [string]$Identity }
        elseif ($PSBoundParameters.ContainsKey('Current')) { $q.Current = $Current }
        $r = Invoke-SoaLabRequest -Path '/ad/domain' -Query $q
        if (-not $r.ok) { $PSCmdlet.ThrowTerminatingError($r.record) }
        $d = $r.body
        $lists = @('AllowedDNSSuffixes', 'ChildDomains', 'LinkedGroupPolicyObjects', 'ReadOnlyReplicaDirectoryServers', 'ReplicaDirectoryServers', 'SubordinateReferences')
        $result = [ordered]@{}
        foreach ($name in @('AllowedDNSSuffixes', 'ChildDomains', 'ComputersContainer', 'DeletedObjectsContainer', 'DistinguishedName', 'DNSRoot', 'DomainControllersContainer', 'DomainMode', 'DomainSID', 'ForeignSecurityPrincipalsContainer', 'Forest', 'InfrastructureMaster', 'LastLogonReplicationInterval', 'LinkedGroupPolicyObjects', 'LostAndFoundContainer', 'ManagedBy', 'Name', 'NetBIOSName', 'ObjectClass', 'ObjectGUID', 'ParentDomain', 'PDCEmulator', 'QuotasContainer', 'ReadOnlyReplicaDirectoryServers', 'ReplicaDirectoryServers', 'RIDMaster', 'SubordinateReferences', 'SystemsContainer', 'UsersContainer')) {
            $v = $d.$name
            if ($lists -contains $name) { $v = [string[]]@($v | Where-Object { $null -ne $_ }) }
            elseif ($name -eq 'ObjectGUID') { $v = [guid][string]$v }
            elseif ($name -eq 'LastLogonReplicationInterval' -and $null -ne $v) { $v = [TimeSpan]::Parse([string]$v, [System.Globalization.CultureInfo]::InvariantCulture) }
            $result[$name] = $v
        }
        [pscustomobject]$result
    }
}

# ---------------------------------------------------------------------------------------------
# Services and host probes
# ---------------------------------------------------------------------------------------------
if (Test-SoaLabCommandAbsent -Name 'Get-Service') {
    $script:SoaLabDefined += 'Get-Service'

    function Get-Service {
        [CmdletBinding()]
        param([Parameter(Position = 0)][string[]]$Name)
        $names = @($Name)
        if ($null -eq $Name -or $names.Count -eq 0) { $names = @($null) }
        foreach ($n in $names) {
            $q = @{}
            if ($null -ne $n) { $q.Name = $n }
            $r = Invoke-SoaLabRequest -Path '/host/services' -Query $q
            if (-not $r.ok) { $PSCmdlet.WriteError($r.record); continue }
            foreach ($s in @(Get-SoaLabValue -Body $r.body)) {
                [pscustomobject]@{ Name = [string]$s.Name; DisplayName = [string]$s.DisplayName; Status = [string]$s.Status; StartType = [string]$s.StartType }
            }
        }
    }
}

# The registry and file-version probes of Initialize-SoaSession.ps1, only where there is no registry.
if (-not (Get-PSProvider -PSProvider Registry -ErrorAction SilentlyContinue)) {
    $script:SoaLabDefined += 'Get-SoaRegistryValue', 'Get-SoaUninstallEntry', 'Get-SoaFileVersion'

    function Get-SoaLabHostProbe {
        $r = Invoke-SoaLabRequest -Path '/host/probe'
        if (-not $r.ok) { throw $r.record }
        return $r.body
    }

    function Get-SoaRegistryValue {
        param([string]$Path, [string]$Name)
        $probe = Get-SoaLabHostProbe
        $key = $Path.TrimEnd('\')
        if ($key -eq 'HKLM:\SYSTEM\CurrentControlSet\Services\ADSync\Parameters' -and $Name -eq 'Path') { return $probe.ADSyncParametersPath }
        if ($key -eq 'HKLM:\SYSTEM\CurrentControlSet\Services\AADConnectProvisioningAgent' -and $Name -eq 'ImagePath') {
            if ($null -ne $probe.CloudSyncAgent) { return ('"' + [string]$probe.CloudSyncAgent.Path + '"') }
        }
        return $null
    }

    function Get-SoaUninstallEntry {
        $probe = Get-SoaLabHostProbe
        foreach ($e in @($probe.UninstallEntries)) {
            if ($null -eq $e) { continue }
            [pscustomobject]@{
                DisplayName     = [string]$e.DisplayName
                DisplayVersion  = [string]$e.DisplayVersion
                Publisher       = [string]$e.Publisher
                InstallLocation = [string]$e.InstallLocation
            }
        }
    }

    function Get-SoaFileVersion {
        param([string]$Path)
        $probe = Get-SoaLabHostProbe
        if ($null -ne $probe.ConnectSync -and [string]::Equals([string]$probe.ConnectSync.MiiServerPath, $Path, [System.StringComparison]::OrdinalIgnoreCase)) {
            return [string]$probe.ConnectSync.FileVersion
        }
        if ($null -ne $probe.CloudSyncAgent -and [string]::Equals([string]$probe.CloudSyncAgent.Path, $Path, [System.StringComparison]::OrdinalIgnoreCase)) {
            return [string]$probe.CloudSyncAgent.Version
        }
        return $null
    }
}

# Set-SoaLabTyping is the lab's own switch (tests), not a stand-in.
Export-ModuleMember -Function ($script:SoaLabDefined + 'Set-SoaLabTyping')
