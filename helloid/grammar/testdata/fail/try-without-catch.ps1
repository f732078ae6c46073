# want: 3:1 try without catch or finally
# PowerShell refuses a try without catch or finally.
try {
    $stdin.Close()
}
$stderr = $stderrTask.Result
