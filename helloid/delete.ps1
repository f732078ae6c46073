#####################################################################
# HelloID-Conn-Prov-Target-IPassan: delete
# A thin wrapper: ipassan-connector does the work. This script hands it
# HelloID's context as UTF-8 JSON on standard input and copies the
# outputContext it prints back onto $outputContext.
#####################################################################
$stopwatch = [System.Diagnostics.Stopwatch]::StartNew() # HelloID's 30 s start now
$action = 'delete'
$auditAction = 'DeleteAccount'

try {
    $connector = $actionContext.Configuration.connectorPath
    if ([string]::IsNullOrWhiteSpace($connector)) {
        throw 'configuration key connectorPath is empty: set it to the full path of ipassan-connector.exe on the agent'
    }
    $utf8 = [System.Text.UTF8Encoding]::new($false)
    $contextJson = [ordered]@{ actionContext = $actionContext; personContext = $personContext } |
        ConvertTo-Json -Depth 50 -Compress

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($connector, $action)
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $stdoutTask = $process.StandardOutput.ReadToEndAsync()
    $stderrTask = $process.StandardError.ReadToEndAsync()
    try {
        $stdin = [System.IO.StreamWriter]::new($process.StandardInput.BaseStream, $utf8)
        $stdin.Write($contextJson)
        $stdin.Close()
    } catch {
        # The binary ended before it read its input; its own words (stderr) say why, below.
    }
    # The binary ends itself within actionTimeoutSeconds (default 25 s). HelloID kills the
    # script 30 s after it started, so the wait counts from this script's first line.
    $remaining = [Math]::Max(1000, 28000 - $stopwatch.ElapsedMilliseconds)
    if (-not $process.WaitForExit([int]$remaining)) {
        $process.Kill()
        throw "ipassan-connector $action did not finish within 28 seconds"
    }
    $stdout = $stdoutTask.Result
    $stderr = $stderrTask.Result

    $result = $null
    try { $result = $stdout | ConvertFrom-Json } catch { $result = $null }
    if ($null -eq $result -or $null -eq $result.Success) {
        $tail = (($stderr -split "`r?`n") | Where-Object { $_ } | Select-Object -Last 5) -join ' | '
        throw "ipassan-connector $action (exit code $($process.ExitCode)) did not answer with JSON: $tail"
    }
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
