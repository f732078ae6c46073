# want: 4:50 -Encoding utf8nobom is PowerShell 6 or 7
# want: 5:41 -Encoding utf8bom is PowerShell 6 or 7
# 5.1 has no spelling for UTF-8 without a byte-order mark.
$contextJson | Set-Content -Path $file -Encoding utf8NoBOM
$contextJson | Out-File $file -Encoding:UTF8BOM
