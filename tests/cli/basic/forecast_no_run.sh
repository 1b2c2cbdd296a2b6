# forecast with no run yet: exit 66, says what to do
$PF --db empty.db init 2>/dev/null
$PF --db empty.db forecast
