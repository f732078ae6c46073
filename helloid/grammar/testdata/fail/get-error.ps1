# want: 3:33 Get-Error is PowerShell 7
# Get-Error is PowerShell 7.
try { $process.Kill() } catch { Get-Error }
