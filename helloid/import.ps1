#####################################################################
# HelloID-Conn-Prov-Target-IPassan: account import (account data import script)
# A thin wrapper: ipassan-connector does the work. This script hands it
# HelloID's context as UTF-8 JSON on standard input and passes on each
# JSON line it prints (one account) as a hashtable, while it prints them.
# It starts a local program, so it needs HelloID's on-premises agent
# (Windows PowerShell 5.1) with "Execute on-premises" on.
#####################################################################
$stopwatch = [System.Diagnostics.Stopwatch]::StartNew() # HelloID's time limit counts from here
$action = 'import'
# How many accounts a preview shows. HelloID asks for no number: as in its own template,
# the script sets it. A full import passes on every one of them.
$numberOfAccounts = 100
# HelloID sets $dryRun in a preview; $actionContext.DryRun counts too, where present.
$preview = ($dryRun -eq $true) -or ($actionContext.DryRun -eq $true)
$arguments = $action
$waitMilliseconds = -1 # a full import: HelloID sets no limit, and neither does this script
if ($preview) {
    $arguments = "$action --preview --max-accounts $numberOfAccounts"
    # HelloID stops a preview after 90 s; the binary stops itself at importTimeoutSeconds (default 85).
    $waitMilliseconds = 88000
}

# What HelloID takes for one account: a hashtable whose Data is a hashtable too. Data
# holds the import fields and always the correlation field (number), even when empty.
function ConvertTo-ImportedObject {
    param($Printed)
    $data = $Printed.Data
    if ($null -eq $data) { $data = @{} }
    return @{
        AccountReference = $Printed.AccountReference
        DisplayName      = $Printed.DisplayName
        UserName         = $Printed.UserName
        Enabled          = [bool]$Printed.Enabled
        Data             = $data
    }
}

#region import helpers (the same in every import wrapper)
# ConvertFrom-Json makes PSCustomObjects, and Windows PowerShell 5.1 has no -AsHashtable;
# HelloID's import takes hashtables, nested ones too. Arrays stay arrays: the leading
# comma keeps PowerShell from unrolling an empty or one-item array on return.
function ConvertTo-HelloIDHashtable {
    param($Value)
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $table = @{}
        foreach ($property in $Value.PSObject.Properties) {
            $table[$property.Name] = ConvertTo-HelloIDHashtable $property.Value
        }
        return $table
    }
    if ($Value -is [System.Collections.IList]) {
        $items = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $Value) {
            $items.Add((ConvertTo-HelloIDHashtable $item))
        }
        return , $items.ToArray()
    }
    return $Value
}

# Milliseconds still to wait for the binary: without end in a full import (-1), else
# what is left of the preview's limit, counted from the script's first line.
function Get-ImportWait {
    if ($waitMilliseconds -lt 0) { return -1 }
    return [int][Math]::Max(0, $waitMilliseconds - $stopwatch.ElapsedMilliseconds)
}
#endregion

$process = $null
try {
    #region start ipassan-connector (the same in every wrapper)
    # A path pasted with quotes around it (as Explorer's "Copy as path" gives it) still starts.
    $connector = "$($actionContext.Configuration.connectorPath)".Trim().Trim('"')
    if ([string]::IsNullOrWhiteSpace($connector)) {
        throw 'configuration key connectorPath is empty: set it to the full path of ipassan-connector.exe on the agent'
    }
    # UTF-8 without a byte-order mark both ways, so names with diacritics survive.
    $utf8 = [System.Text.UTF8Encoding]::new($false)
    # Windows PowerShell 5.1 writes an array held in a PowerShell object as {"value": [...], "Count": n}
    # while this type data is loaded; without it every list reaches the binary as a list.
    Remove-TypeData System.Array -ErrorAction Ignore
    $contextJson = [ordered]@{ actionContext = $actionContext; personContext = $personContext } |
        ConvertTo-Json -Depth 50 -Compress

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($connector, $arguments)
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8
    $process = [System.Diagnostics.Process]::Start($startInfo)
    # Its logs are read while it runs, so a talkative binary never blocks on a full pipe.
    $stderrTask = $process.StandardError.ReadToEndAsync()
    #endregion
    #region hand ipassan-connector HelloID's context (the same in every wrapper)
    try {
        $stdin = [System.IO.StreamWriter]::new($process.StandardInput.BaseStream, $utf8)
        $stdin.Write($contextJson)
        $stdin.Close()
    } catch {
        # The binary ended before it read its input; its own words (stderr) say why, below.
    }
    #endregion
    #region pass on ipassan-connector's lines while it prints them (the same in every import wrapper)
    $line = ''
    while ($null -ne $line) {
        $readTask = $process.StandardOutput.ReadLineAsync()
        if (-not $readTask.Wait((Get-ImportWait))) {
            throw "it did not finish within $($waitMilliseconds / 1000) seconds, and HelloID stops a preview at 90"
        }
        $line = $readTask.Result
        if ($null -eq $line -or -not $line.Trim()) { continue }
        $printed = $null
        try { $printed = $line | ConvertFrom-Json } catch { $printed = $null }
        if ($null -eq $printed) {
            throw "it printed a line that is not a JSON object: $($line.Substring(0, [Math]::Min(80, $line.Length)))"
        }
        Write-Output (ConvertTo-ImportedObject (ConvertTo-HelloIDHashtable $printed))
    }
    if (-not $process.WaitForExit((Get-ImportWait))) {
        throw "it did not finish within $($waitMilliseconds / 1000) seconds, and HelloID stops a preview at 90"
    }
    $stderr = $stderrTask.Result
    if ($process.ExitCode -ne 0) {
        # The lines already passed on stand; the import as a whole failed.
        $tail = (($stderr -split "`r?`n") | Where-Object { $_ } | Select-Object -Last 5) -join ' | '
        throw "exit code $($process.ExitCode): $tail"
    }
    #endregion
} catch {
    # An import shows no audit log: the error stream is the way to be seen.
    Write-Error "ipassan-connector $action failed: $($_.Exception.Message)"
} finally {
    # Never leave the binary running behind a failed or stopped import.
    if ($null -ne $process -and -not $process.HasExited) {
        try { $process.Kill() } catch { }
    }
}
