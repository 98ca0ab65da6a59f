# SPDX-License-Identifier: GPL-2.0
# A guest's console against what its tests expect: xalloc's reports matched
# with the KUnit cases that provoke them, and the kernel's splats. Used by
# scripts/lib.sh's splats and report_windows; awk -v mode=... -f console.awk.
#
# Case windows. A suite's console lies between the marker lines
# "<tag>: suite <name> begin" and "<tag>: suite <name> end" of the guest's
# /init. From KUnit's "# Subtest: <name>" header of the suite on, its result
# lines cut it into windows: each result line ("ok N name", "not ok N name",
# at any depth) ends a window, and the next begins right after it. A case
# has one window; a parameterized case has one per parameter (nested result
# lines, "suite/case/param"), then one for its statistics. The lines before
# the header (module load, suite_init errors) and after the suite's own
# result line lie outside every window.
#
# kunit/xalloc_kunit.h makes every case, every parameter of one, print
#     # <case>: xalloc-check: reports R expected E
# in its exit hook, so inside its window. An "xalloc: BUG" line is expected
# if its window has exactly E of them; any other one is not: in a window with
# a different count, or outside every window.
#
# Unload messages. "pages still allocated at unload", "was not destroyed" and
# "objects never freed" are splats, except those a case announced:
#     xalloc-check: unload expects cache NAME with S slabs, P pages
# excuses one "xalloc: cache NAME: ... objects never freed, S slabs kept"
# line, and "pages still allocated at unload" lines if their pages add up to
# the P of all announcements.
#
# mode=windows CONSOLE: one line per case or parameter window, and per other
# window that has reports or an xalloc-check line, with tabs between the
# fields (a parameter's name may have blanks),
#     ok|bad SUITE CASE REPORTS EXPECTED [why]
# then "outside TEXT" per report outside every window, "unload ok|bad TEXT"
# per announced unload message, and "total EXPECTED" (of all windows).
#
# mode=splats CONSOLE CONSOLE (the same file twice): the splats, one per line:
# the unexpected xalloc reports (with why) and the Call Trace of their
# dump_stack, kernel warnings and errors; the dump_stack of an expected
# report and the announced unload messages are left out, and with -v oom=1
# the dump_stack of each "invoked oom-killer" report and of the killed hog's
# "page allocation failure".

function strip(s) {
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", s)
	return s
}

# A window opens; close_window() names it after the result line that ends it.
function open_window() {
	nw++
	w = nw
	wsuite[w] = suite
	wname[w] = ""
	wkind[w] = ""
	wbugs[w] = 0
	wexp[w] = 0
	wlines[w] = 0
	wskip[w] = 0
}

# End window w with the result line s, of indentation ind.
function close_window(s, ind,    name) {
	name = s
	sub(/^ *(not )?ok [0-9]+ (- )?/, "", name)
	if (name ~ / # SKIP/) {
		wskip[w] = 1
		sub(/ # SKIP.*$/, "", name)
	}
	sub(/ +$/, "", name)
	if (ind == 0) {
		wkind[w] = "tail"
		wname[w] = "(after the last case)"
	} else if (ind >= 8) {
		wkind[w] = "param"
		wname[w] = param_case "/" name
		params = 1
	} else {
		wkind[w] = params ? "tail" : "case"
		wname[w] = params ? name " (statistics)" : name
		params = 0
	}
	w = 0
}

# Why window i is wrong, or "".
function window_error(i) {
	if (wbugs[i] != wexp[i])
		return wbugs[i] " reports, expected " wexp[i]
	if (wlines[i] > 1)
		return wlines[i] " xalloc-check lines in one window"
	if ((wkind[i] == "case" || wkind[i] == "param") && !wlines[i] && !wskip[i])
		return "no xalloc-check line (case crashed, or the suite does not use kunit/xalloc_kunit.h)"
	return ""
}

# Pass 1 (and the only pass of mode=windows): windows, reports, unload lines.
function classify(raw,    line, ind, a, name) {
	line = strip(raw)
	if (line ~ /^[A-Za-z0-9_-]+: suite [^ ]+ begin$/) {
		split(line, a, " ")
		suite = a[3]
		state = 1		# in the suite, before its header
		w = 0
		params = 0
		return
	}
	if (state && line ~ /^[A-Za-z0-9_-]+: suite [^ ]+ end$/) {
		if (w) {
			wkind[w] = "open"
			wname[w] = "(no result line: crashed?)"
		}
		state = 0
		w = 0
		return
	}
	if (line ~ /xalloc: BUG/) {
		isbug[FNR] = 1
		if (state == 2 && w) {
			bugwin[FNR] = w
			wbugs[w]++
		} else {
			outside[++nout] = raw
		}
		return
	}
	if (match(line, /xalloc-check: reports [0-9]+ expected [0-9]+/)) {
		if (state == 2 && w) {
			split(substr(line, RSTART, RLENGTH), a, " ")
			wexp[w] += a[5]
			wlines[w]++
		}
		return
	}
	if (match(line, /xalloc-check: unload expects cache [^ ]+ with [0-9]+ slabs, [0-9]+ pages/)) {
		split(substr(line, RSTART, RLENGTH), a, " ")
		leak_slabs[a[5]] += a[7]
		leak_pages += a[9]
		return
	}
	if (match(line, /xalloc: cache [^ ]+: [0-9]+ objects never freed, [0-9]+ slabs kept/)) {
		split(substr(line, RSTART, RLENGTH), a, " ")
		name = a[3]
		sub(/:$/, "", name)
		unload_slabs[name] += a[8]
		unload_lines[name]++
		return
	}
	if (match(line, /xalloc: node [0-9]+: [0-9]+ pages still allocated at unload/)) {
		split(substr(line, RSTART, RLENGTH), a, " ")
		unload_pages += a[4]
		return
	}
	if (!state)
		return
	match(line, /^ */)
	ind = RLENGTH
	if (state == 1 && line ~ /^ *# Subtest: / && ind < 8) {
		state = 2		# the suite's header: the first window opens
		open_window()
		return
	}
	if (state != 2)
		return
	if (ind >= 8 && line ~ /^ *# Subtest: /) {
		param_case = line
		sub(/^ *# Subtest: /, "", param_case)
		return
	}
	if (line ~ /^ *(not )?ok [0-9]+ /) {
		close_window(line, ind)
		if (ind == 0)
			state = 3	# after the suite's result line
		else
			open_window()
	}
}

# A declared cache leak, excused once if its slabs match.
function unload_excused(line,    a, name) {
	if (match(line, /xalloc: cache [^ ]+: [0-9]+ objects never freed, [0-9]+ slabs kept/)) {
		split(substr(line, RSTART, RLENGTH), a, " ")
		name = a[3]
		sub(/:$/, "", name)
		return (name in leak_slabs) && unload_lines[name] == 1 &&
			unload_slabs[name] == leak_slabs[name]
	}
	if (line ~ /xalloc: node [0-9]+: [0-9]+ pages still allocated at unload/)
		return leak_pages > 0 && unload_pages == leak_pages
	return 0
}

function finish_pass1(    i) {
	for (i = 1; i <= nw; i++)
		good[i] = window_error(i) == ""
}

mode == "windows" {
	classify($0)
	next
}

mode == "splats" && NR == FNR {
	classify($0)
	next
}

mode == "splats" && FNR == 1 {
	finish_pass1()
}

mode == "splats" {
	line = strip($0)
	if (FNR in isbug) {
		i = (FNR in bugwin) ? bugwin[FNR] : 0
		if (i && good[i]) {
			expect = 1	# its dump_stack is not a splat
			next
		}
		expect = 0
		if (i)
			print $0 "  [" wsuite[i] " " wname[i] ": " window_error(i) "]"
		else
			print $0 "  [xalloc report outside every KUnit case window]"
		next
	}
	# With -v oom=1, the OOM killer's report (its dump_stack) is expected,
	# and so is the failed page fault of the hog it killed (warn_alloc).
	if (oom && (line ~ / invoked oom-killer: / || line ~ /xalloc_hog: page allocation failure: /)) {
		expect = 1
		next
	}
	if (line ~ /Call Trace:/) {
		if (expect) {
			expect = 0
			next
		}
		print
		next
	}
	if (unload_excused(line))
		next
	# Kernel splats. Stalls and lockups ("rcu: INFO: rcu_preempt detected
	# stalls", "rcu_sched self-detected stall", "watchdog: BUG: soft
	# lockup") are also matched by "INFO: " and "watchdog: BUG"; a report
	# that taints the kernel turns lockdep off ("Disabling lock debugging").
	if (line ~ /Oops|BUG:|WARNING:|KASAN:|UBSAN:|possible circular locking|INFO: |unreferenced object|Kernel panic|general protection fault|watchdog: BUG|kernel BUG|soft lockup|hard LOCKUP|detected stall|self-detected stall|Disabling lock debugging|pages still allocated at unload|was not destroyed|objects never freed/)
		print
}

END {
	if (mode != "windows")
		exit
	for (i = 1; i <= nw; i++) {
		err = window_error(i)
		total += wexp[i]
		if (wkind[i] != "case" && wkind[i] != "param" && !wbugs[i] && !wlines[i])
			continue
		printf "%s\t%s\t%s\t%d\t%d%s\n", err == "" ? "ok" : "bad", wsuite[i],
			wname[i], wbugs[i], wexp[i], err == "" ? "" : "\t" err
	}
	for (i = 1; i <= nout; i++)
		print "outside " outside[i]
	for (name in leak_slabs) {
		if (unload_lines[name] == 1 && unload_slabs[name] == leak_slabs[name])
			print "unload ok cache " name ": " leak_slabs[name] " slabs never freed, as announced"
		else
			print "unload bad cache " name ": announced " leak_slabs[name] " slabs, " \
				unload_lines[name] + 0 " unload lines with " unload_slabs[name] + 0 " slabs"
	}
	if (leak_pages > 0) {
		st = unload_pages == leak_pages ? "ok" : "bad"
		print "unload " st " " unload_pages + 0 " pages still allocated at unload, " \
			leak_pages " announced"
	}
	print "total " total + 0
}
