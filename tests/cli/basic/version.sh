# --version prints the engine version and exits 0
$PF --version
