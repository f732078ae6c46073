# want: 3:25 "(" is never closed: missing ")"
# A method call whose closing parenthesis was lost.
$remaining = [Math]::Max(1000, $waitMilliseconds - $stopwatch.ElapsedMilliseconds
$process.WaitForExit([int]$remaining)
