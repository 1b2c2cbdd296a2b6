# forecast --help: its options, defaults and how several forecasts of a run are told apart
$PF forecast --help
