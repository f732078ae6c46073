# want: 3:57 ?? is PowerShell 7
# ?? is PowerShell 7.
$connector = $actionContext.Configuration.connectorPath ?? 'C:\ipassan\ipassan-connector.exe'
