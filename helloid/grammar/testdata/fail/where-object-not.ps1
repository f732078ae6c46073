# want: 3:44 Where-Object -Not is PowerShell 6 or 7
# Where-Object -Not is PowerShell 6.1.
$failed = $result.AuditLogs | Where-Object -Not IsError
