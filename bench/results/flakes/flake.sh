#!/usr/bin/env bash
# 10 runs of the fleet and freshness classes in a row, on whatever else the machine runs
cd /tmp/flakewt # a worktree of the commit under test, test-compiled (./mvnw -o test-compile)
tests='FleetIntegrationTests*,FleetEventsIntegrationTests,FleetTracingIntegrationTests,PageCacheIntegrationTests*'
for i in $(seq 1 10); do
  start=$(date +%s)
  rm -rf target/surefire-reports
  ./mvnw -B -o -q surefire:test -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false > /tmp/flake-run$i.log 2>&1
  rc=$?
  total=$(cat target/surefire-reports/TEST-*.xml | grep -c '<testcase ')
  failed=$(python3 - <<'PY'
import glob,re
out=[]
for f in glob.glob('target/surefire-reports/TEST-*.xml'):
    t=open(f).read()
    for m in re.finditer(r'<testcase name="([^"]*)" classname="([^"]*)"[^>]*?(/>|>(.*?)</testcase>)', t, re.S):
        body=m.group(4) or ''
        if '<failure' in body or '<error' in body:
            out.append(m.group(2).split('.')[-1]+'.'+m.group(1))
print(';'.join(sorted(set(out))))
PY
)
  echo "run $i rc=$rc testcases=$total seconds=$(( $(date +%s) - start )) load=$(cut -d' ' -f1 /proc/loadavg) failed=[$failed]"
done
