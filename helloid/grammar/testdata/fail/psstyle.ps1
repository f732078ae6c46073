# want: 4:1 $PSStyle is PowerShell 7.2
# want: 5:5 $IsWindows is PowerShell 6
# $PSStyle is PowerShell 7.2, $IsWindows 6.
$PSStyle.OutputRendering = 'PlainText'
if ($global:IsWindows) { $connector = 'ipassan-connector.exe' }
