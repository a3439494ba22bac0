# Shared by the benchmark scripts: start nodes from server/target/surge.jar, run wrk, take medians.
# Callers set DURATION, WARMUP, REPEAT, CONNECTIONS and the array `common` (node arguments).

ensure_tools() {
  [ -n "${SKIP_STACK_UP:-}" ] || bin/stack up >/dev/null
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  bin/build-jars bench
}

pids=()
stop_nodes() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=(); }

start_node() { # port [extra args]
  # management.port=0: two nodes on one machine must not both take the default 9464
  java -jar server/target/surge.jar --http.port="$1" --management.port=0 "${common[@]}" "${@:2}" >"/tmp/surge-bench-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 60); do curl -fs "localhost:$1/health/ready" >/dev/null && return; sleep 0.5; done
  echo "node on :$1 did not start; see /tmp/surge-bench-$1.log" >&2; exit 1
}

wrk_once() { # port path -> "req/s p50 p99 non2xx"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$1$2" >"/tmp/wrk-$1.txt"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {print rps, p50, p99, bad + 0}' "/tmp/wrk-$1.txt"
}

# Median of wrk values with units (us, ms, s), printed as wrk printed it.
median() { awk '{v = $1 + 0; if ($1 ~ /ms$/) v *= 1000; else if ($1 ~ /[0-9]s$/) v *= 1000000; print v, $1}' | sort -n \
  | awk '{v[NR]=$2} END {print v[int((NR + 1) / 2)]}'; }

# Warms both nodes, alternates REPEAT runs (drift hits both alike), prints one Markdown row:
# label | req/s A | req/s B | p50/p99 A | p50/p99 B | ratio (B ÷ A, or A ÷ B when the 5th argument is "a/b")
compare_row() { # portA portB path label [a/b]
  local a=$1 b=$2 path=$3 label=$4 order=${5:-b/a} i ra rb
  for port in $a $b; do wrk -t2 -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$port$path" >/dev/null; done
  : >/tmp/cmp-a.txt; : >/tmp/cmp-b.txt
  for ((i = 0; i < REPEAT; i++)); do wrk_once "$a" "$path" >>/tmp/cmp-a.txt; wrk_once "$b" "$path" >>/tmp/cmp-b.txt; done
  ra=$(cut -d' ' -f1 /tmp/cmp-a.txt | median); rb=$(cut -d' ' -f1 /tmp/cmp-b.txt | median)
  echo "| $label | $ra | $rb | $(cut -d' ' -f2 /tmp/cmp-a.txt | median) / $(cut -d' ' -f3 /tmp/cmp-a.txt | median) | $(cut -d' ' -f2 /tmp/cmp-b.txt | median) / $(cut -d' ' -f3 /tmp/cmp-b.txt | median) | $(awk -v x="$ra" -v y="$rb" -v o="$order" 'BEGIN {printf "%.2f×", o == "a/b" ? x / y : y / x}') |"
}
