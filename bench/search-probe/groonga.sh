#!/bin/sh
# Search probe, Groonga peer: build /tmp/search-probe/groonga/db from the .grn (timed) and serve it
# over HTTP on 127.0.0.1:10041 (groonga -s -d; query cache disabled per request with --cache no).
# Run: sh bench/search-probe/groonga.sh   (after gen.ts and `node bench/search-probe/groonga-load.ts`)
set -e
D=/tmp/search-probe/groonga
[ -f $D/groonga.pid ] && kill "$(cat $D/groonga.pid)" 2>/dev/null || true
rm -rf $D && mkdir -p $D
start=$(date +%s.%N)
groonga -n $D/db < /tmp/search-probe/groonga.grn > $D/load.out
end=$(date +%s.%N)
echo "groonga load+index: $(echo "$end - $start" | bc) s; db size: $(du -sh $D | cut -f1)"
groonga -d -s --protocol http --bind-address 127.0.0.1 --port 10041 --pid-path $D/groonga.pid --cache-limit 0 $D/db
sleep 1; echo "groonga http pid $(cat $D/groonga.pid)"
