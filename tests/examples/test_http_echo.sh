#!/usr/bin/env bash
# The http-echo example, compiled ahead of time and served by `wasmaot run
# --tcplisten` on a loopback port: checks the greeting, the echo, the
# error answers, a slow client that goes quiet, then a bounded load with wrk
# (0 errors) after which the server still answers.
#   test_http_echo.sh WASMAOT HTTP_ECHO.wasm WORKDIR [WRK_SECONDS]
set -uo pipefail
wasmaot=$1 wasm=$2 work=$3 wrk_seconds=${4:-10}
fail=0
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then
    echo "ok   $1"
  else
    echo "FAIL $1: expected [$2], got [$3]"
    fail=1
  fi
}
for tool in curl wrk; do
  command -v $tool >/dev/null || { echo "skip: $tool missing (scripts/setup.sh installs it)"; exit 77; }
done
rm -rf "$work" && mkdir -p "$work"
"$wasmaot" aot-compile "$wasm" -o "$work/http-echo.so" || exit 1

server=
stop_server() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; }
trap stop_server EXIT

# A random high port; retry when it is taken.
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  "$wasmaot" run --tcplisten "127.0.0.1:$port" "$work/http-echo.so" \
    >"$work/server.out" 2>"$work/server.err" &
  server=$!
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break 2
    kill -0 $server 2>/dev/null || break
    sleep 0.1
  done
  stop_server; server=
done
[ -n "$server" ] || { echo "FAIL: server did not start"; cat "$work/server.err"; exit 1; }
url="http://127.0.0.1:$port"

greeting='Hello world from C running with Wasm! Send POST data to /echo to have it echoed back to you'
check "GET /" "$greeting" "$(curl -s "$url/")"
check "POST /echo" "some posted data" "$(curl -s --data-binary 'some posted data' "$url/echo")"
head -c 200000 /dev/urandom >"$work/big.bin"
curl -s --data-binary @"$work/big.bin" "$url/echo" -o "$work/big.echo"
check "POST /echo 200 kB binary" "" "$(cmp "$work/big.bin" "$work/big.echo" 2>&1)"
check "POST /echo empty" "200:" "$(curl -s -w '%{http_code}:' -X POST -H 'Content-Length: 0' "$url/echo")"
check "GET /nope" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$url/nope")"
check "PUT /" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$url/")"
head -c 1100000 /dev/zero >"$work/huge.bin"
check "POST /echo over 1 MiB" 413 "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$work/huge.bin" "$url/echo")"
raw() { # raw REQUEST: send bytes, print the status line
  timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; printf '$1' >&3; head -1 <&3" | tr -d '\r'
}
check "garbage request" "HTTP/1.1 400 Bad Request" "$(raw 'GARBAGE\r\n\r\n')"
check "bad Content-Length" "HTTP/1.1 400 Bad Request" "$(raw 'POST /echo HTTP/1.1\r\nContent-Length: -5\r\n\r\n')"
check "POST without length" "HTTP/1.1 411 Length Required" "$(raw 'POST /echo HTTP/1.1\r\n\r\n')"
# A body shorter than its Content-Length: the server stops waiting after
# its read timeout and says so.
check "short body" 400 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
  -H 'Content-Length: 10' --data-binary abc "$url/echo")"
# A client that connects and says nothing is dropped after the server's read
# timeout; the next client is served.
(exec 3<>/dev/tcp/127.0.0.1/$port; sleep 8) &
quiet=$!
sleep 0.5
check "GET / behind a quiet client" "$greeting" "$(curl -s --max-time 20 "$url/")"
kill $quiet 2>/dev/null; wait $quiet 2>/dev/null

wrk -t2 -c4 -d"${wrk_seconds}s" "$url/" >"$work/wrk.out" 2>&1
cat "$work/wrk.out"
requests=$(sed -nE 's/^ *([0-9]+) requests in.*/\1/p' "$work/wrk.out")
[ "${requests:-0}" -gt 100 ] && echo "ok   wrk: $requests requests" || { echo "FAIL wrk: ${requests:-no} requests"; fail=1; }
check "wrk socket errors" "" "$(grep 'Socket errors' "$work/wrk.out")"
check "wrk non-2xx responses" "" "$(grep 'Non-2xx' "$work/wrk.out")"
check "GET / after load" "$greeting" "$(curl -s "$url/")"
kill -0 $server 2>/dev/null && echo "ok   server alive" || { echo "FAIL server died"; fail=1; }
if [ -s "$work/server.err" ]; then
  echo "server stderr:"; cat "$work/server.err"
fi
exit $fail
