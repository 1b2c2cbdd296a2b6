# issue 9: report --unit takes yuan, wan or yi: anything else is a usage error, exit 2
$PF init 2>/dev/null
$PF report --unit thousand
