# want: 4:30 string without its closing '
# A single-quoted string that never ends.
$action = 'create
$auditAction = 'CreateAccount'
