# Windows PowerShell 5.1 code that looks like what the check refuses: none of it may be flagged.
# In comments anything goes: ?? ??= ?. ? : && || -AsHashtable Get-Error $PSStyle clean { } Zoe
$message = "a ?? b, a && b, a || b, $($x) ? 1 : 2, -AsHashtable, Get-Error, clean { }"
$literal = 'it''s ?? and && and ?.'
$here = @"
?? && || ?. `$PSStyle
"@
$byName = $accounts | Group-Object -Property number -AsHashTable -AsString
$json = $byName | ConvertTo-Json -Depth 10 -Compress
$objects = $json | ConvertFrom-Json
$objects | ForEach-Object -Begin { $n = 0 } -Process { $n++ } -End { $n }
$objects | % { $_.uuid }
$kept = $objects | Where-Object -Property mail -NotLike '*@example.org'
$kept = $objects | ? { $_.mail -ne $null }
$kept = $objects | where mail -NE $null
Get-Content -Path $file -Encoding UTF8 -Raw
Set-Content -Path $file -Value $json -Encoding:UTF8
Invoke-RestMethod -Uri $uri -Method Get -TimeoutSec 20 -UseBasicParsing -Headers @{ Accept = 'application/json' }
Split-Path -Path $file -Leaf
Start-Process -FilePath $connector -ArgumentList $action -NoNewWindow -Wait
$startInfo = [System.Diagnostics.ProcessStartInfo]::new($connector, $arguments)
$startInfo.Arguments = "$action --preview"
$process = [System.Diagnostics.Process]::Start($startInfo)
$process.Kill()
$bytes = [System.Text.Encoding]::UTF8.GetBytes($json)
$masked = $message -replace 'secret=\S+', 'secret=***'
$masked = $message -replace ('a' + 'b'), ('c' + 'd')
$IsWindowsAgent = $true
$isWin = $env:OS -eq 'Windows_NT'
$items = [System.Collections.Generic.List[object]]::new()
$value = if ($preview) { 88000 } else { -1 }
if ($a -and -not $b) {
    Write-Output 1
}
elseif ($b -or $c) {
    Write-Output 2
}
else {
    Write-Output 3
}
try {
    $stdin.Close()
}
catch {
    Write-Error "Could not write: $($_.Exception.Message)"
}
finally {
    $process.Dispose()
}
do {
    $line = $reader.ReadLine()
}
until ($null -eq $line)
function Get-Items {
    param($Value)
    begin { $list = @() }
    process { $list += $Value }
    end { return , $list }
}
