# a named file that does not exist: exit 66, nothing imported
$PF init 2>/dev/null
$PF import nosuch/parks.csv
