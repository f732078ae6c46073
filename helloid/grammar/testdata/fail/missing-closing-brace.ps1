# want: 4:47 "{" is never closed: missing "}"
# A block whose closing brace was lost: the rest of the script would run inside it.
$connector = $actionContext.Configuration.connectorPath
if ([string]::IsNullOrWhiteSpace($connector)) {
    throw 'configuration key connectorPath is empty'

$utf8 = [System.Text.UTF8Encoding]::new($false)
