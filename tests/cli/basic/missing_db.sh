# a command on a database that does not exist: exit 66, with a hint
$PF --db nothere.db close --as-of 2024-06-30
