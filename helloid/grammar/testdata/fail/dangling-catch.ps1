# want: 4:1 "catch" without the statement it belongs to
# A catch whose try was lost.
$stdin.Close()
catch {
    $outputContext.Success = $false
}
