# want: 3:43 -replace with a script block as replacement is PowerShell 6.1
# A script block as -replace's replacement is PowerShell 6.1; 5.1 inserts its text.
$masked = $message -replace 'secret=\S+', { 'secret=' + '*' * $_.Value.Length }
