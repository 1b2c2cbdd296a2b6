# the sample data: import, close, verify, show funds
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv >/dev/null
$PF close --as-of 2024-06-30 --benchmark csi300
$PF verify
$PF show funds
