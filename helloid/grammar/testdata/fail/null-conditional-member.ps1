# want: 3:30 ?. and ?[] are PowerShell 7
# ?. is PowerShell 7.
$reference = ${actionContext}?.References.Account
