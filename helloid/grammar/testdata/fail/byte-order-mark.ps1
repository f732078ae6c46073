$action = 'create'
# want: 1:1 a byte-order mark
