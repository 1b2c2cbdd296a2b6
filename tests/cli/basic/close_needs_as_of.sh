# close without --as-of: usage error, exit 2
$PF init 2>/dev/null
$PF close
