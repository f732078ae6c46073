# want: 3:12 here-string without its closing "@ at the start of a line
# A here-string whose closing "@ is missing.
$message = @"
Account $reference could not be found
$x = 1
