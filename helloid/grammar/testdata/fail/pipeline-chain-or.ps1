# want: 3:21 pipeline chain operator ||
# Pipeline chain operators are PowerShell 7.
Get-Item $connector || throw 'connectorPath names no file'
