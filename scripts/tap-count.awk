# Count TAP results per suite in a guest console log.
# Input: the console log with GUEST-TAP-BEGIN/END sections (guest/suites.sh).
# Output: tab-separated records, one per line:
#   SUITE    suite passed failed skipped timeouts rc seconds
#   FAIL     suite <tap line or reason>
#   TIMEOUT  suite case
#   SKIP     suite case reason
# A suite whose plan announces more cases than it reported counts the
# missing ones as failed; a non-zero exit status with no failed case counts
# one failure (the binary crashed or errored outside a test). A suite that
# exits with KSFT_SKIP (4) having reported no case is one skip, of the case
# "(whole suite)", with the reason it printed.
#
# A SKIP directive counts only on an "ok" line: kselftest.h prints
# " # SKIP " only after "ok" (ksft_test_result_code, ksft_test_result_skip,
# ksft_exit_skip), so a "not ok" line that mentions a skip is a failure.
# kselftest_harness.h prints "# NAME: Test terminated by timeout" (NAME is
# the test's name without fixture and variant) before the case's "not ok"
# line: that case is a failure and also a timeout.
BEGIN { OFS = "\t" }
function clean(s) {
	gsub(/[\t\r]/, " ", s)
	sub(/^ +/, "", s); sub(/ +$/, "", s)
	return s
}
# The case name and the text after "#" of an "ok"/"not ok" line.
function parse_result(line, code,    rest, i) {
	rest = line
	sub("^" code " [0-9]+ ?", "", rest)
	i = index(rest, "#")
	if (i == 0) { case_name = clean(rest); directive = ""; return }
	case_name = clean(substr(rest, 1, i - 1))
	directive = clean(substr(rest, i + 1))
}
function flush(    missing, reason) {
	missing = (plan > 0 && plan > seen) ? plan - seen : 0
	failed += missing
	if (missing > 0)
		print "FAIL", suite, missing " planned case(s) never reported"
	if (rc != 0 && rc != 4 && failed == 0) {
		failed = 1
		print "FAIL", suite, "exit status " rc " with no failed case"
	}
	if (rc == 4 && passed + failed + skipped == 0) {
		skipped = 1
		reason = skip_plan != "" ? skip_plan : last_text
		print "SKIP", suite, "(whole suite)", reason != "" ? reason : "no reason printed"
	}
	print "SUITE", suite, passed, failed, skipped, timeouts, rc, sprintf("%.1f", secs)
}
/GUEST-TAP-BEGIN / {
	sub(/\r$/, "")
	suite = $2; insuite = 1; plan = 0; seen = 0
	passed = failed = skipped = timeouts = 0
	timed_out = skip_plan = last_text = ""
	next
}
/GUEST-TAP-END / && insuite {
	sub(/\r$/, "")
	rc = 0; secs = 0; t0 = t1 = 0
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
		if (plan == 0 && line ~ /# *[Ss][Kk][Ii][Pp]/) {
			skip_plan = line; sub(/^[^#]*# *[Ss][Kk][Ii][Pp] */, "", skip_plan)
			skip_plan = clean(skip_plan)
		}
	} else if (line ~ /^# .*: Test terminated by timeout$/) {
		timed_out = line
		sub(/^# /, "", timed_out); sub(/: Test terminated by timeout$/, "", timed_out)
	} else if (line ~ /^not ok [0-9]+/) {
		seen++
		failed++
		print "FAIL", suite, line
		parse_result(line, "not ok")
		if (timed_out != "" && (case_name == timed_out ||
		    substr(case_name, length(case_name) - length(timed_out)) == "." timed_out)) {
			timeouts++
			print "TIMEOUT", suite, case_name
		}
		timed_out = ""
	} else if (line ~ /^ok [0-9]+/) {
		seen++
		timed_out = ""
		parse_result(line, "ok")
		if (directive ~ /^[Ss][Kk][Ii][Pp]/) {
			skipped++
			sub(/^[Ss][Kk][Ii][Pp][A-Za-z]* */, "", directive)
			if (case_name == "")
				case_name = "#" seen
			print "SKIP", suite, case_name, directive != "" ? directive : "no reason printed"
		} else
			passed++
	} else if (clean(line) != "") {
		last_text = clean(line)
		sub(/^# */, "", last_text)
	}
}
