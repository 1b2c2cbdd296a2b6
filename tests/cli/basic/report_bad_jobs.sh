# issue 12: report --jobs takes a number of processes from 1: anything else is a usage error
$PF init 2>/dev/null
$PF report --jobs 0
