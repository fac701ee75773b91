# SPDX-License-Identifier: GPL-2.0
"""Turn what upstream-check.sh left in its work directory into one JSON
result, and print the table of such a result.

  python3 -m kit.upstreamcheck collect --work DIR --ksrc K --kver V --series-dir D --series-hash H
                                       --seconds S [kernel options] > result.json
  python3 -m kit.upstreamcheck table result.json

collect exits 1 when the series fails any check: a patch does not apply,
tools/testing/vma does not build, a test fails with the whole series, a
patch that changes the kernel adds no test that fails without it, or
checkpatch reports anything.
"""

import argparse
import json
import os
import re
import sys

SUMMARY_RE = re.compile(r'^(\d+) tests run, (\d+) passed, (\d+) failed\.$', re.M)
FAILED_RE = re.compile(r'^Test (\w+) FAILED$', re.M)
ADDED_TEST_RE = re.compile(r'^\+\s*TEST\((\w+)\);$', re.M)
SUBJECT_RE = re.compile(r'^Subject: (?:\[PATCH[^\]]*\] )?(.*(?:\n .*)*)$', re.M)
DIFF_RE = re.compile(r'^diff --git a/(\S+) b/', re.M)


def read(path, default=None):
    """The text of path, or default when the stage did not run."""
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except FileNotFoundError:
        return default


def read_rc(path):
    text = read(path)
    return None if text is None else int(text.strip())


def parse_patch(path):
    """Subject, changed paths and tests a git format-patch file adds."""
    text = read(path)
    subject = SUBJECT_RE.search(text)
    files = sorted(set(DIFF_RE.findall(text)))
    return {
        'file': os.path.basename(path),
        'subject': ' '.join(subject.group(1).split()) if subject else None,
        'files': files,
        'kernel_change': any(not f.startswith('tools/testing/') for f in files),
        'tests_added': ADDED_TEST_RE.findall(text),
    }


def parse_vma_run(out, err, rc):
    """The counts tools/testing/vma prints, checked against its failures."""
    if out is None:
        return None
    summary = SUMMARY_RE.search(out)
    failed = FAILED_RE.findall(err or '')
    run = {'exit_code': rc, 'failed_tests': failed, 'summary': bool(summary)}
    if summary:
        total, passed, nfail = (int(x) for x in summary.groups())
        run.update(tests=total, passed=passed, failed=nfail)
        run['consistent'] = total == passed + nfail and nfail == len(failed)
    else:
        run['consistent'] = False
    return run


def stage(work, name):
    """Apply, build and run results of the before or after tree."""
    d = os.path.join(work, name)
    applied = {}
    for f in sorted(os.listdir(os.path.join(d, 'apply'))) if os.path.isdir(
            os.path.join(d, 'apply')) else []:
        if f.endswith('.rc'):
            applied[f[:-3]] = read_rc(os.path.join(d, 'apply', f)) == 0
    return {
        'applied': applied,
        'build_ok': read_rc(os.path.join(d, 'build.rc')) == 0
        if read(os.path.join(d, 'build.rc')) is not None else None,
        'run': parse_vma_run(read(os.path.join(d, 'run.out')),
                             read(os.path.join(d, 'run.err')),
                             read_rc(os.path.join(d, 'run.rc'))),
    }


def collect(args):
    series = [p for p in read(os.path.join(args.work, 'series')).split('\n') if p]
    patches = [parse_patch(p) for p in series]
    before, after = stage(args.work, 'before'), stage(args.work, 'after')
    problems = []

    for p in patches:
        name = p['file']
        if after['applied'].get(name) is False:
            problems.append(f'{name} does not apply')
        cp = read(os.path.join(args.work, 'checkpatch', name + '.txt'), '')
        cp_rc = read_rc(os.path.join(args.work, 'checkpatch', name + '.rc'))
        p['checkpatch'] = {'clean': cp_rc == 0, 'output': cp.strip()}
        if cp_rc != 0:
            problems.append(f'{name}: checkpatch --strict reports problems')
        brun, arun = before['run'], after['run']
        p['fail_before'] = [t for t in p['tests_added']
                            if brun and t in brun['failed_tests']]
        p['pass_after'] = [t for t in p['tests_added']
                           if arun and arun['summary'] and t not in arun['failed_tests']]
        if p['kernel_change'] and brun and not p['fail_before']:
            problems.append(f'{name} changes the kernel but adds no test that '
                            'fails without it')

    for name, st in (('before', before), ('after', after)):
        if st['build_ok'] is False:
            problems.append(f'tools/testing/vma does not build in the {name} tree')
        if st['run'] and not st['run']['consistent']:
            problems.append(f'the {name} run of tools/testing/vma printed no '
                            'consistent summary (crash?)')
    if before['applied'] and not all(before['applied'].values()):
        problems.append('the tests alone do not apply: ' + ', '.join(
            n for n, ok in before['applied'].items() if not ok))
    if after['run']:
        if after['run']['exit_code'] != 0:
            problems.append('tools/testing/vma fails with the whole series: '
                            + ', '.join(after['run']['failed_tests'] or
                                        ['exit code %d' % after['run']['exit_code']]))
    elif not problems:
        problems.append('tools/testing/vma did not run with the whole series')
    if before['run']:
        new = {t for p in patches for t in p['tests_added']}
        old_broken = [t for t in before['run']['failed_tests'] if t not in new]
        if old_broken:
            problems.append('tests that were there before fail with the new '
                            'tests alone: ' + ', '.join(old_broken))

    kernel = None
    if args.kernel_failed:
        problems.append('the lab kernel does not build from the patched tree')
        kernel = {'built': False}
    elif args.kobj:
        kernel = {'built': True, 'kobj': args.kobj, 'source': args.kernel_src,
                  'seconds': args.kernel_seconds,
                  'cached': args.kernel_built_at < args.started}
    elif not problems:
        problems.append('the lab kernel was not built')

    result = {
        'kernel': {'version': args.kver, 'source': args.ksrc},
        'series': {'dir': args.series_dir, 'hash': args.series_hash, 'patches': patches},
        'vma_tests': {'before': before['run'], 'after': after['run']},
        'lab_kernel': kernel,
        'seconds': args.seconds,
        'problems': problems,
        'verdict': 'FAIL' if problems else 'PASS',
    }
    json.dump(result, sys.stdout, indent=2)
    print()
    return 1 if problems else 0


def table(args):
    with open(args.json, encoding='utf-8') as f:
        r = json.load(f)
    print(f"\nLinux {r['kernel']['version']} + {r['series']['dir']} "
          f"(series {r['series']['hash']})")
    print(f"{'PATCH':<6} {'CHECKPATCH':<10} {'TESTS':<5} {'FAIL BEFORE':<11} "
          f"{'PASS AFTER':<10} SUBJECT")
    for p in r['series']['patches']:
        n = len(p['tests_added'])
        print(f"{p['file'][:4]:<6} "
              f"{'clean' if p['checkpatch']['clean'] else 'PROBLEMS':<10} "
              f"{n:<5} {len(p['fail_before']):<11} {len(p['pass_after']):<10} "
              f"{p['subject']}")
    for name in ('before', 'after'):
        run = r['vma_tests'][name]
        label = 'tests only' if name == 'before' else 'whole series'
        if run and run['summary']:
            print(f"tools/testing/vma, {label}: {run['tests']} run, "
                  f"{run['passed']} passed, {run['failed']} failed"
                  + (f" ({', '.join(run['failed_tests'])})" if run['failed_tests'] else ''))
        else:
            print(f'tools/testing/vma, {label}: did not run to the end')
    k = r['lab_kernel']
    if k and k['built']:
        print(f"patched lab kernel: {k['kobj']} "
              f"({'cached' if k['cached'] else 'built in %d s' % k['seconds']})")
    for prob in r['problems']:
        print(f'PROBLEM: {prob}')
    print(f"upstream-check: {r['verdict']} ({r['seconds']} s)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('collect')
    c.add_argument('--work', required=True)
    c.add_argument('--ksrc', required=True)
    c.add_argument('--kver', required=True)
    c.add_argument('--series-dir', required=True)
    c.add_argument('--series-hash', required=True)
    c.add_argument('--seconds', type=int, required=True)
    c.add_argument('--kobj')
    c.add_argument('--kernel-src')
    c.add_argument('--kernel-seconds', type=int)
    c.add_argument('--kernel-built-at', type=int)
    c.add_argument('--started', type=int)
    c.add_argument('--kernel-failed', action='store_true')
    t = sub.add_parser('table')
    t.add_argument('json')
    args = ap.parse_args()
    return collect(args) if args.cmd == 'collect' else table(args)


if __name__ == '__main__':
    sys.exit(main())
