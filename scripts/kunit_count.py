#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count KUnit results in the JSON written by `kunit.py parse --json`.

usage: kunit_count.py RESULTS.json

Prints one line per top-level suite: "<suite> <passed> <failed> <skipped>".
Every leaf test case counts (each parameter of a parameterised case is one
case). A suite that has no cases at all (it crashed or never ran) counts as
one failed case, so a broken suite can never report zero failures.
"""
import json
import sys


def count(group):
    passed = failed = skipped = 0
    for case in group.get('test_cases', []):
        status = case.get('status')
        if status == 'PASS':
            passed += 1
        elif status == 'SKIP':
            skipped += 1
        else:
            failed += 1
    for sub in group.get('sub_groups', []):
        p, f, s = count(sub)
        passed, failed, skipped = passed + p, failed + f, skipped + s
    return passed, failed, skipped


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        top = json.load(f)
    for suite in top.get('sub_groups', []):
        print(suite['name'], *count(suite))
    # A top-level entry without subtests is a suite that produced no cases.
    for case in top.get('test_cases', []):
        print(case['name'], 0, 1, 0)


if __name__ == '__main__':
    main()
