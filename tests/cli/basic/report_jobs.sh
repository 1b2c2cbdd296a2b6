# issue 12: report --jobs 3 writes the files --jobs 1 writes, byte for byte, listed in the
# same order; a statement that cannot be written (a folder where its file goes) fails in a
# worker with the sequential path's message and exit status, and the files before it stay
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv > /dev/null
$PF -q close --as-of 2024-06-30 > /dev/null
$PF -q report --jobs 1 --out one > one.txt; echo "jobs 1: exit $?"
$PF -q report --jobs 3 --out three > three.txt; echo "jobs 3: exit $?"
sed 's|^one/||' one.txt > one.names
sed 's|^three/||' three.txt > three.names
cmp one.names three.names && echo "same files, same order: $(wc -l < one.names)"
while read -r f; do cmp "one/$f" "three/$f" || echo "differs: $f"; done < one.names
# the third statement's name taken by a folder
bad=$(sed -n 4p one.names)
mkdir -p seq/"$bad" par/"$bad"
$PF -q report --jobs 1 --out seq > /dev/null 2> seq.err; echo "jobs 1, a folder in the way: exit $?"
$PF -q report --jobs 3 --out par > /dev/null 2> par.err; echo "jobs 3, a folder in the way: exit $?"
sed 's|seq/|OUT/|g' seq.err > seq.msg
sed 's|par/|OUT/|g' par.err > par.msg
cmp seq.msg par.msg && echo "same message:" && cat par.msg
sed -n 1,3p one.names | while read -r f; do cmp "one/$f" "par/$f" && echo "kept: $f"; done
ls -a par | grep -c '\.tmp\.' | sed 's/^/temporary files left: /'
