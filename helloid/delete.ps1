#####################################################################
# HelloID-Conn-Prov-Target-IPassan: delete (account lifecycle: Delete script)
# A thin wrapper: ipassan-connector does the work. This script hands it
# HelloID's context as UTF-8 JSON on standard input and copies the
# outputContext it prints back onto $outputContext.
# It starts a local program, so it needs HelloID's on-premises agent
# (Windows PowerShell 5.1) with "Execute on-premises" on.
#####################################################################
$stopwatch = [System.Diagnostics.Stopwatch]::StartNew() # HelloID's time limit counts from here
$action = 'delete'
$auditAction = 'DeleteAccount'
$arguments = $action
# HelloID stops this script 30 s after it started; the binary ends itself within
# actionTimeoutSeconds (default 25 s, at most 28), so the wait counts from the first line.
$waitMilliseconds = 28000

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
    $stdoutTask = $process.StandardOutput.ReadToEndAsync()
    #region hand ipassan-connector HelloID's context (the same in every wrapper)
    try {
        $stdin = [System.IO.StreamWriter]::new($process.StandardInput.BaseStream, $utf8)
        $stdin.Write($contextJson)
        $stdin.Close()
    } catch {
        # The binary ended before it read its input; its own words (stderr) say why, below.
    }
    #endregion
    #region wait for ipassan-connector's outputContext (the same in every wrapper that gets one)
    $remaining = [Math]::Max(1000, $waitMilliseconds - $stopwatch.ElapsedMilliseconds)
    if (-not $process.WaitForExit([int]$remaining)) {
        $process.Kill()
        throw "ipassan-connector $action did not finish within $($waitMilliseconds / 1000) seconds"
    }
    $stdout = $stdoutTask.Result
    $stderr = $stderrTask.Result

    $result = $null
    try { $result = $stdout | ConvertFrom-Json } catch { $result = $null }
    if ($null -eq $result -or $null -eq $result.Success) {
        $tail = (($stderr -split "`r?`n") | Where-Object { $_ } | Select-Object -Last 5) -join ' | '
        throw "ipassan-connector $action (exit code $($process.ExitCode)) did not answer with JSON: $tail"
    }
    #endregion

    foreach ($name in 'Success', 'AccountReference', 'AccountCorrelated', 'Data', 'PreviousData') {
        if ($null -ne $result.$name) { $outputContext.$name = $result.$name }
    }
    foreach ($log in $result.AuditLogs) {
        $outputContext.AuditLogs.Add([PSCustomObject]@{ Action = $log.Action; Message = $log.Message; IsError = [bool]$log.IsError })
    }
} catch {
    $outputContext.Success = $false
    $outputContext.AuditLogs.Add([PSCustomObject]@{ Action = $auditAction; Message = "$($_.Exception.Message)"; IsError = $true })
}
