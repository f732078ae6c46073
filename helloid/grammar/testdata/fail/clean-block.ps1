# want: 5:5 the clean block is PowerShell 7.3
# The clean block is PowerShell 7.3.
function Stop-Connector {
    process { $process.WaitForExit(1000) }
    clean { $process.Dispose() }
}
