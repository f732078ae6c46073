# want: 3:12 the character U+00EB
# Non-ASCII text reads differently under 5.1 without a byte-order mark.
$name = 'Zoë'
