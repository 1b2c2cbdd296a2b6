# an unknown command is a usage error: exit 2, usage on stderr
$PF frobnicate
