# want: 5:25 ForEach-Object -Parallel is PowerShell 6 or 7
# want: 6:12 % -Par is PowerShell 6 or 7
# want: 6:24 % -ThrottleLimit is PowerShell 6 or 7
# ForEach-Object -Parallel is PowerShell 7, also through an alias and abbreviated.
$lines | ForEach-Object -Parallel { $_ | ConvertFrom-Json }
$lines | % -Par { $_ } -ThrottleLimit 4
