#!/bin/sh
# Checks a shared library against a footprint budget (make test-footprint):
# its size once stripped, and that every NEEDED entry is one the budget allows.
#   tools/check-footprint.sh LIBRARY BUDGET
set -eu
lib=$1; budget=$2
limit=$(awk '$1 == "max_stripped_bytes" {print $2}' "$budget")
allowed=$(awk '$1 == "needed" {$1 = ""; print}' "$budget")
[ -n "$limit" ] || { echo "footprint: no max_stripped_bytes in $budget"; exit 1; }

strip -o "$lib.stripped" "$lib"
size=$(wc -c < "$lib.stripped")
needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')

failed=0
if [ "$size" -gt "$limit" ]; then
  echo "footprint: stripped $lib is $size bytes, over the budget of $limit ($budget)"; failed=1
fi
for n in $needed; do
  case " $allowed " in
    *" $n "*) ;;
    *) echo "footprint: $lib needs $n, which $budget does not allow"; failed=1 ;;
  esac
done
if ldd "$lib" | grep -q "not found"; then
  echo "footprint: ldd cannot resolve every library $lib needs:"; ldd "$lib"; failed=1
fi
echo "footprint: stripped $size bytes (budget $limit), needs" $needed
[ "$failed" -eq 0 ] && echo "footprint: 1 passed, 0 failed"
[ "$failed" -eq 0 ]
