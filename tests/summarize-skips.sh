#!/usr/bin/env bash
# The test run's closing line about skips, read by after.LockLab.sln.targets from the record the tests keep
# (TestResults/skipped-prerequisites.txt: one line per skipped test, its missing programs tab-separated, each as
# "name (apt-get install package)"). Prints nothing when no test was skipped.
set -euo pipefail
record=${1:?skip record}
[ -s "$record" ] || exit 0
awk -F '\t' '
  function tests(n) { return n == 1 ? "1 test" : n " tests" }
  { for (i = 1; i <= NF; i++) { if (!($i in count)) order[++programs] = $i; count[$i]++ } }
  END {
    line = "Skipped " tests(NR) " for missing programs: "
    for (p = 1; p <= programs; p++) line = line (p > 1 ? "; " : "") order[p] ": " tests(count[order[p]])
    print line ". Set LOCKLAB_TESTS_REQUIRE_ALL=1 to make these failures."
  }' "$record"
