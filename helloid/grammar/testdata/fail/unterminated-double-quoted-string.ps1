# want: 4:7 string without its closing "
# A double-quoted string that never ends.
$process = [System.Diagnostics.Process]::Start($startInfo)
throw "ipassan-connector $action did not finish within 28 seconds
$stdout = $stdoutTask.Result
