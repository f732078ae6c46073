# want: 6:1 "}" closes nothing
# One closing brace too many.
foreach ($log in $result.AuditLogs) {
    $outputContext.AuditLogs.Add([PSCustomObject]@{ Message = $log.Message; IsError = [bool]$log.IsError })
}
}
$outputContext.Success = $true
