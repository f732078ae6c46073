# want: 3:10 System.Text.Json is .NET Core 3.0+, not the .NET Framework that Windows PowerShell 5.1 runs on
# System.Text.Json is .NET Core 3.0+.
$json = [System.Text.Json.JsonSerializer]::Serialize($outputContext)
