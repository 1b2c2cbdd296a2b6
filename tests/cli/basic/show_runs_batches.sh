# an auditor lists the batches and runs to pick one for verify/export
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv > /dev/null
$PF import $SRC/tests/e2e/data/restate/*.csv > /dev/null
$PF close --as-of 2024-06-30 > /dev/null
$PF close --as-of 2023-12-31 --benchmark csi300 > /dev/null
$PF show batches
$PF show runs
