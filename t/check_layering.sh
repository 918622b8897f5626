#!/bin/sh
# The dependency arrow (STYLE.md): src/ -> proto/, src/ -> slab/. proto/ and slab/
# include nothing from src/, libevent, gflags or glog, and not each other.
# Prints "ok" or the offending lines; exits non-zero on a violation.
cd "$(dirname "$0")/.."
bad=0
for d in proto slab; do
  other=proto; [ "$d" = proto ] && other=slab
  hits=$(grep -rnE "#include[[:space:]]*[<\"](event2/|event\.h|gflags/|glog/|src/|$other/)" "$d" 2>/dev/null)
  if [ -n "$hits" ]; then echo "$hits"; bad=1; fi
done
[ $bad -eq 0 ] && echo "layering ok"
exit $bad
