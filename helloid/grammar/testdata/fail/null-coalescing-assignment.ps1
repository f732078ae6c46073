# want: 4:10 ??= is PowerShell 7
# ??= is PowerShell 7.
$timeout = $actionContext.Configuration.actionTimeoutSeconds
$timeout ??= 25
