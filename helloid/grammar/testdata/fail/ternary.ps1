# want: 3:31 the ternary operator ? : is PowerShell 7
# The ternary operator is PowerShell 7.
$waitMilliseconds = ($preview ? 88000 : -1)
