# a pinned clock that cannot be read is refused, not silently replaced by the real one
PARKFUND_NOW=garbage $PF init
echo "garbage: $?"
PARKFUND_NOW=2024-07-01T08:00:00 $PF init
echo "no Z: $?"
PARKFUND_NOW=12x $PF init
echo "12x: $?"
test -e parkfund.db && echo "database created" || echo "no database"
PARKFUND_NOW=1719820800 $PF init 2>/dev/null
echo "epoch: $?"
