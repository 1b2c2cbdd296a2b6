# issue 12: report --partner loads only the partner's funds' part of the run; each
# statement must be the same bytes as the one a whole report writes (the full-load
# path). The sample plus a partner with a flow into a fund before its commitment
# there (LP-SDIC in F-CN: a flow but no commitment at the as-of date), and one whose
# only commitment comes after the as-of date (no statement: today's error).
mkdir data
cp "$SRC"/models/sample/*.csv data/
echo 'LP-LATE,Late Partner,soe,' >>data/partners.csv
echo 'LP-LATE,F-US,2025-01-15,1000000.00' >>data/commitments.csv
echo 'LP-SDIC,F-CN,2025-01-15,2000000.00' >>data/commitments.csv
echo 'X-SDIC-CN,F-CN,LP-SDIC,2023-03-01,contribution,investment,500000.00,,,without a commitment' >>data/partner_flows.csv
$PF init 2>/dev/null
$PF import data/*.csv >/dev/null || exit 1
$PF close --as-of 2024-06-30 --benchmark csi300 >/dev/null 2>&1 || exit 1
$PF report --out whole --quiet >/dev/null || exit 1
n=0
for f in whole/statement-*.xlsx; do
    p=${f#whole/statement-}
    p=${p%-2024-06-30.xlsx}
    rm -rf one
    $PF report --partner "$p" --out one --quiet >/dev/null || { echo "report --partner $p failed"; exit 1; }
    if cmp -s "$f" "one/statement-$p-2024-06-30.xlsx"; then
        echo "same bytes: $p"
    else
        echo "DIFFERENT: $p"
    fi
    n=$((n + 1))
done
echo "$n statements"
$PF report --partner LP-LATE --out one --quiet
