# want: 4:37 ConvertFrom-Json -AsHashtable is PowerShell 6 or 7
# want: 5:34 ConvertFrom-Json -Depth is PowerShell 6 or 7
# -AsHashtable is PowerShell 6; 5.1 must convert by hand.
$account = $line | ConvertFrom-Json -AsHashtable
$deep = $line | ConvertFrom-Json -Depth 5
