# want: 3:48 operator "??" is PowerShell 7
# ?? among a command's arguments, where the grammar takes it for a bare word.
Write-Output $actionContext.References.Account ?? 'none'
