#####################################################################
# HelloID-Conn-Prov-Target-IPassan: permission import
# A thin wrapper: ipassan-connector does the work. This script hands it
# HelloID's context as UTF-8 JSON on standard input and passes on each
# JSON line it prints (one permission with at most 500 accounts) as an object, while it prints them.
#####################################################################
$action = 'import-permissions'

$connector = $actionContext.Configuration.connectorPath
if ([string]::IsNullOrWhiteSpace($connector)) {
    throw 'configuration key connectorPath is empty: set it to the full path of ipassan-connector.exe on the agent'
}
$utf8 = [System.Text.UTF8Encoding]::new($false)
$contextJson = [ordered]@{ actionContext = $actionContext; personContext = $null } |
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
$stderrTask = $process.StandardError.ReadToEndAsync()
try {
    $stdin = [System.IO.StreamWriter]::new($process.StandardInput.BaseStream, $utf8)
    $stdin.Write($contextJson)
    $stdin.Close()
} catch {
    # The binary ended before it read its input; its own words (stderr) say why, below.
}

# One JSON line per one permission with at most 500 accounts, streamed while IPassan's pages arrive.
while ($null -ne ($line = $process.StandardOutput.ReadLine())) {
    if ($line.Trim()) { Write-Output ($line | ConvertFrom-Json) }
}
$process.WaitForExit()
$stderr = $stderrTask.Result
if ($process.ExitCode -ne 0) {
    # The lines already passed on stand; the import as a whole failed.
    $tail = (($stderr -split "`r?`n") | Where-Object { $_ } | Select-Object -Last 5) -join ' | '
    throw "ipassan-connector $action failed (exit code $($process.ExitCode)): $tail"
}
