# --help on a subcommand goes to stdout with exit 0
$PF close --help
