# a CSV whose name says no kind and no --kind: usage error (exit 2)
$PF init 2>/dev/null
printf 'a,b\n1,2\n' > data.csv
$PF import data.csv
