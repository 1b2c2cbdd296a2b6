# a close that needs an FX rate nobody imported: exit 65 naming currency and date
$PF init 2>/dev/null
cp $SRC/models/sample/*.csv .
grep -v ',EUR,' fx_rates.csv > fx.tmp && mv fx.tmp fx_rates.csv
$PF import *.csv > /dev/null
$PF close --as-of 2024-06-30
