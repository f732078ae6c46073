# want: 6:12 ProcessStartInfo.ArgumentList is .NET Core 2.1+
# want: 7:12 ProcessStartInfo.StandardInputEncoding is .NET Core 2.1+
# want: 8:10 Process.Kill(bool)
# .NET Core members: the .NET Framework under 5.1 has none of them.
$startInfo = [System.Diagnostics.ProcessStartInfo]::new($connector)
$startInfo.ArgumentList.Add($action)
$startInfo.StandardInputEncoding = $utf8
$process.Kill($true)
