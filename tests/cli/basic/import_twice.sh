# the same content twice: the second is a no-op that names the batch
$PF init 2>/dev/null
cp $SRC/models/sample/*.csv .
$PF import *.csv > /dev/null
$PF import *.csv
