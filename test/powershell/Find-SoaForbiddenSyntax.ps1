# Windows PowerShell 5.1 syntax guard (used by test/unit/main/powershell/syntax-guard.test.ts).
# Parses each file with PowerShell's own parser and walks tokens and the AST, so text inside strings
# and comments never counts. Prints one JSON array of { file, line, rule, text }.
param([Parameter(Mandatory = $true, ValueFromRemainingArguments = $true)][string[]]$Path)

$violations = New-Object System.Collections.Generic.List[object]
function Add-Violation($File, $Extent, [string]$Rule) {
    $line = 0; $text = ''
    if ($null -ne $Extent) { $line = $Extent.StartLineNumber; $text = $Extent.Text }
    if ($text.Length -gt 120) { $text = $text.Substring(0, 120) }
    $violations.Add([ordered]@{ file = $File; line = $line; rule = $Rule; text = $text })
}

$forbiddenTokens = @{
    'QuestionQuestion'       = 'operator ??'
    'QuestionQuestionEquals' = 'operator ??='
    'QuestionDot'            = 'operator ?.'
    'QuestionLBracket'       = 'operator ?['
    'AndAnd'                 = 'pipeline chain &&'
    'OrOr'                   = 'pipeline chain ||'
}
# command (and aliases) -> forbidden parameters (any unambiguous prefix counts)
$forbiddenParameters = @(
    @{ Commands = @('ConvertTo-Json'); Parameters = @('AsArray', 'EnumsAsStrings', 'EscapeHandling') }
    @{ Commands = @('ForEach-Object', '%', 'foreach'); Parameters = @('Parallel', 'ThrottleLimit', 'TimeoutSeconds', 'AsJob') }
    @{ Commands = @('ConvertFrom-Json'); Parameters = @('AsHashtable', 'Depth', 'NoEnumerate') }
    @{ Commands = @('Get-Content'); Parameters = @('AsByteStream') }
    @{ Commands = @('Join-Path'); Parameters = @('AdditionalChildPath') }
)
$forbiddenCommands = @('Test-Json')

foreach ($file in $Path) {
    $tokens = $null; $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref]$tokens, [ref]$errors)
    foreach ($e in @($errors)) { if ($null -ne $e) { Add-Violation $file $e.Extent ('parse error: ' + $e.Message) } }
    foreach ($t in @($tokens)) {
        $kind = [string]$t.Kind
        if ($forbiddenTokens.ContainsKey($kind)) { Add-Violation $file $t.Extent $forbiddenTokens[$kind] }
    }
    $nodes = $ast.FindAll({ $true }, $true)
    foreach ($node in $nodes) {
        $type = $node.GetType().Name
        if ($type -eq 'TernaryExpressionAst') { Add-Violation $file $node.Extent 'ternary a ? b : c' }
        elseif ($type -eq 'PipelineChainAst') { Add-Violation $file $node.Extent 'pipeline chain && / ||' }
        elseif ($type -eq 'VariableExpressionAst' -and $node.VariablePath.UserPath -eq 'PSStyle') { Add-Violation $file $node.Extent '$PSStyle' }
        elseif ($type -eq 'VariableExpressionAst' -and $node.VariablePath.UserPath.EndsWith('?')) { Add-Violation $file $node.Extent 'variable name ending in ? (meant ?. or ?[)' }
        elseif ($type -eq 'ScriptBlockAst' -and $null -ne $node.PSObject.Properties['CleanBlock'] -and $null -ne $node.CleanBlock) { Add-Violation $file $node.CleanBlock.Extent 'clean {} block' }
        elseif ($type -eq 'PropertyMemberAst' -and $node.IsStatic -and $null -ne $node.InitialValue) { Add-Violation $file $node.Extent 'class static property initialiser' }
        elseif ($type -eq 'CommandAst') {
            $name = $node.GetCommandName()
            if ($null -eq $name) { continue }
            if ($forbiddenCommands -contains $name) { Add-Violation $file $node.Extent ('command ' + $name) }
            foreach ($rule in $forbiddenParameters) {
                if ($rule.Commands -notcontains $name) { continue }
                foreach ($element in $node.CommandElements) {
                    if ($element.GetType().Name -ne 'CommandParameterAst') { continue }
                    $p = $element.ParameterName
                    foreach ($forbidden in $rule.Parameters) {
                        if ($p.Length -gt 0 -and $forbidden.StartsWith($p, [System.StringComparison]::OrdinalIgnoreCase)) {
                            Add-Violation $file $element.Extent ($name + ' -' + $forbidden)
                        }
                    }
                }
            }
        }
    }
    # `using` statements must come first (5.1 rejects them after other statements).
    $firstStatement = $null
    foreach ($s in @($ast.EndBlock.Statements)) { $firstStatement = $s; break }
    foreach ($u in @($ast.UsingStatements)) {
        if ($null -ne $firstStatement -and $u.Extent.StartOffset -gt $firstStatement.Extent.StartOffset) { Add-Violation $file $u.Extent 'using after other statements' }
    }
}
[Console]::Out.WriteLine((ConvertTo-Json -InputObject @($violations.ToArray()) -Depth 4 -Compress))
