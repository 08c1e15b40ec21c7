# Count TAP results per suite in a guest console log.
# Input: the console log with GUEST-TAP-BEGIN/END sections (guest/suites.sh).
# Output: one line per suite:  SUITE PASSED FAILED SKIPPED RC SECONDS
# and, for every failed case, a line  FAIL SUITE <tap line>.
# A suite whose plan announces more cases than it reported counts the
# missing ones as failed; a non-zero exit status with no failed case counts
# one failure (the binary crashed or errored outside a test).
function flush() {
	missing = (plan > 0 && plan > seen) ? plan - seen : 0
	failed += missing
	if (missing > 0)
		print "FAIL " suite " # " missing " planned case(s) never reported"
	if (rc != 0 && rc != 4 && failed == 0) {
		failed = 1
		print "FAIL " suite " # exit status " rc " with no failed case"
	}
	if (rc == 4 && passed + failed + skipped == 0)
		skipped = 1
	printf "%s %d %d %d %d %.1f\n", suite, passed, failed, skipped, rc, secs
}
/GUEST-TAP-BEGIN / {
	sub(/\r$/, "")
	suite = $2; insuite = 1; plan = 0; seen = 0
	passed = failed = skipped = 0; next
}
/GUEST-TAP-END / && insuite {
	sub(/\r$/, "")
	rc = 0; secs = 0
	for (i = 3; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "rc") rc = kv[2] + 0
		if (kv[1] == "start") t0 = kv[2] + 0
		if (kv[1] == "end") t1 = kv[2] + 0
	}
	secs = t1 - t0
	flush(); insuite = 0; next
}
insuite {
	line = $0
	sub(/\r$/, "", line)
	if (line ~ /^1\.\.[0-9]+/ && plan == 0) {
		p = line; sub(/^1\.\./, "", p); sub(/[^0-9].*$/, "", p); plan = p + 0
	} else if (line ~ /^not ok [0-9]+/) {
		seen++
		if (line ~ /# *(SKIP|skip)/) skipped++
		else { failed++; print "FAIL " suite " " line }
	} else if (line ~ /^ok [0-9]+/) {
		seen++
		if (line ~ /# *(SKIP|skip)/) skipped++
		else passed++
	}
}
