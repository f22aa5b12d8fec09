#!/bin/bash
# Runs one WASI guest scenario through `wasmaot run` and checks what it
# printed, the files it left and its exit status.
#   run_guest.sh WASMAOT GUEST_DIR CASE
# GUEST_DIR holds NAME.wasm / NAME.so built from guest/NAME.c. The guests
# check errno values themselves and print "FAIL ..." lines; this script
# prepares their world (directories, links, stdin, a client socket) and
# checks the outside view.
set -u

wasmaot=$1
guests=$2
case_name=$3

work=$(mktemp -d "${TMPDIR:-/tmp}/wasi-test.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run NAME [wasmaot run args...]: runs and captures stdout, stderr, status.
run() {
  "$wasmaot" run "$@" >"$work/out" 2>"$work/err"
  status=$?
  out=$(cat "$work/out")
  err=$(cat "$work/err")
}

show() {
  echo "--- stdout"
  cat "$work/out"
  echo "--- stderr"
  cat "$work/err"
}

expect_status() {
  if [ "$status" != "$1" ]; then
    fail "$2: exit status $status, expected $1"
    show
  fi
}

expect_out() {
  if ! grep -qF -- "$1" "$work/out"; then
    fail "stdout lacks '$1'"
    show
  fi
}

expect_err() {
  if ! grep -qF -- "$1" "$work/err"; then
    fail "stderr lacks '$1'"
    show
  fi
}

expect_file() {
  if [ ! -f "$1" ] || [ "$(cat "$1")" != "$2" ]; then
    fail "$1 should hold '$2'"
  fi
}

# ---- scenarios ------------------------------------------------------------

case_args_env() {
  for ext in so wasm; do
    local file=$guests/args_env.$ext
    run --env FOO=bar --env EMPTY= --env "SP=a b" "$file" one "two words" ""
    expect_status 0 "args_env.$ext"
    expect_out "argv0=$file"
  done
}

case_clock_random() {
  run "$guests/clock_random.so"
  expect_status 0 clock_random
}

case_fd_io() {
  mkdir "$work/w"
  run --dir "$work/w::/work" "$guests/fd_io.so" </dev/null
  expect_status 0 fd_io
  expect_out "stdout-line"
  expect_err "stderr-line"
  expect_file "$work/w/data.txt" "hello WORLD
tail"
}

case_stdio_renumber() {
  mkdir "$work/w"
  run --dir "$work/w::/w" "$guests/stdio_renumber.so" </dev/null
  expect_status 0 stdio_renumber
  # The whole stdout, in order: nothing printed after the restore is lost
  # and the captured line went to the file only.
  local want="before-capture
after-restore
after-round-trips"
  if [ "$(sed '$d' "$work/out")" != "$want" ] ||
     ! tail -1 "$work/out" | grep -qE '^stdio_renumber: [0-9]+ checks, 0 failed$'; then
    fail "stdout is not the uncaptured lines"
    show
  fi
  expect_err "stderr-line"
  expect_file "$work/w/captured.txt" "captured-line"
  local left
  left=$(cd "$work/w" && ls | tr '\n' ' ')
  [ "$left" = "captured.txt " ] || fail "stdio_renumber left: $left"
}

case_dir_ops() {
  mkdir "$work/w"
  run --dir "$work/w::/sandbox" "$guests/dir_ops.so"
  expect_status 0 dir_ops
  expect_file "$work/w/kept/renamed.txt" "payload"
  expect_file "$work/w/kept/hard.txt" "payload"
  if [ "$(stat -c %i "$work/w/kept/renamed.txt")" != \
       "$(stat -c %i "$work/w/kept/hard.txt")" ]; then
    fail "kept/hard.txt is not a hard link of kept/renamed.txt"
  fi
  local left
  left=$(cd "$work/w" && find . | sort | tr '\n' ' ')
  if [ "$left" != ". ./kept ./kept/hard.txt ./kept/renamed.txt " ]; then
    fail "dir_ops left: $left"
  fi
}

make_sandbox_tree() {
  local root=$1
  mkdir -p "$root/outside" "$root/box/sub/deeper" "$root/other"
  echo secret >"$root/outside/secret.txt"
  printf inside >"$root/box/inside.txt"
  ln -s "$root/outside" "$root/box/link_abs"
  ln -s "$root/box/inside.txt" "$root/box/link_abs_in"
  ln -s ../outside "$root/box/link_up"
  ln -s ../../outside/secret.txt "$root/box/sub/link_up2"
  ln -s chain2 "$root/box/chain1"
  ln -s sub/chain3 "$root/box/chain2"
  ln -s ../../outside "$root/box/sub/chain3"
  ln -s sub/../inside.txt "$root/box/link_ok"
  ln -s .. "$root/box/sub/link_dot"
  ln -s loop2 "$root/box/loop1"
  ln -s loop1 "$root/box/loop2"
  ln -s ../outside/created_by_guest "$root/box/dangle_out"
}

case_sandbox() {
  local root=$work/root
  make_sandbox_tree "$root"
  local before
  before=$(cd "$root/outside" && find . -printf '%p %s %T@\n' | sort)
  run --dir "$root/box::/box" --dir "$root/other::/other" \
    "$guests/sandbox.so"
  expect_status 0 sandbox
  local after
  after=$(cd "$root/outside" && find . -printf '%p %s %T@\n' | sort)
  if [ "$before" != "$after" ]; then
    fail "the guest changed the outside: $before -> $after"
  fi
  [ -e "$root/outside/created_by_guest" ] && fail "created outside the box"
  [ -e "$root/box/sub/link_up2" ] && fail "sub/link_up2 not removed"
  [ -f "$root/other/moved.txt" ] || fail "no other/moved.txt"
  [ -f "$root/box/back.txt" ] || fail "no box/back.txt"
  expect_file "$root/outside/secret.txt" secret
}

case_poll() {
  mkdir "$work/w"
  printf 0123456789 >"$work/w/f.txt"
  # stdin: a pipe that stays empty for two seconds, gets "hello", closes.
  run --dir "$work/w::/w" "$guests/poll.so" < <(sleep 2; printf hello)
  expect_status 0 poll
}

case_proc() {
  run "$guests/proc.so" exit 3
  expect_status 3 "exit 3"
  expect_out bye
  run "$guests/proc.so" rawexit 0
  expect_status 0 "rawexit 0"
  run "$guests/proc.so" rawexit 300
  expect_status 44 "rawexit 300 (8-bit status)"
  run "$guests/proc.so" return 5
  expect_status 5 "return 5"
  run "$guests/proc.so" raise
  expect_status 143 "raise SIGTERM"
  expect_out "proc: 6 checks, 0 failed"
  grep -q "still running" "$work/out" && fail "ran on after SIGTERM"
  run "$guests/proc.so" trap
  expect_status 134 trap
  expect_err "wasmaot: trap:"
  # Exports called with --invoke: proc_exit from one, a plain result.
  run --invoke quit "$guests/proc.so"
  expect_status 7 "--invoke quit"
  run --invoke add "$guests/proc.so" 2 40
  expect_status 0 "--invoke add"
  expect_out 42
}

# A free-looking port in the ephemeral-free range; the caller retries.
pick_port() {
  echo $((20000 + RANDOM % 30000))
}

# Connects to 127.0.0.1:$1 (retrying while the server starts), sends
# "ping" and prints the reply.
tcp_client() {
  local port=$1
  for _ in $(seq 1 100); do
    if exec 7<>"/dev/tcp/127.0.0.1/$port"; then
      printf ping >&7
      cat <&7
      exec 7>&-
      return 0
    fi 2>/dev/null
    sleep 0.05
  done
  return 1
}

case_sock() {
  local attempt port reply
  for attempt in 1 2 3 4 5; do
    port=$(pick_port)
    "$wasmaot" run --tcplisten "127.0.0.1:$port" "$guests/sock.so" \
      >"$work/out" 2>"$work/err" &
    local server=$!
    reply=$(tcp_client "$port")
    wait "$server"
    status=$?
    if grep -q "Address already in use" "$work/err"; then
      continue
    fi
    break
  done
  expect_status 0 sock
  [ "$reply" = "pong:ping" ] || fail "client got '$reply'"
}

# Random calls (seeded, so reproducible): the host must answer every one
# with an errno and never let the guest touch anything beside its box.
case_chaos() {
  mkdir -p "$work/box/sub" "$work/outside"
  echo untouched >"$work/outside/file"
  local dir="--dir $work/box::/c" seed
  for seed in 1 2 3; do
    # shellcheck disable=SC2086 # five preopens of the same box
    run $dir $dir $dir $dir $dir "$guests/chaos.so" 20000 "$seed" </dev/null
    expect_status 0 "chaos seed $seed"
    expect_out "chaos done"
  done
  expect_file "$work/outside/file" untouched
  local top
  top=$(cd "$work" && ls | tr '\n' ' ')
  [ "$top" = "box err out outside " ] || fail "chaos left: $top"
}

case_cli() {
  run --help
  expect_status 0 "--help"
  expect_out "--tcplisten HOST:PORT"
  run --dir "$work/does-not-exist" "$guests/proc.so" return 0
  expect_status 1 "--dir of a missing directory"
  expect_err "does-not-exist"
  run --env NO_EQUALS_SIGN "$guests/proc.so"
  expect_status 2 "--env without ="
  run --tcplisten nonsense "$guests/proc.so"
  expect_status 1 "--tcplisten without a port"
  expect_err "HOST:PORT"
  run
  expect_status 2 "no module"
  # A reactor: no _start; --invoke runs _initialize first.
  run "$guests/reactor.so"
  expect_status 1 "reactor without --invoke"
  expect_err "_start"
  run --invoke greet "$guests/reactor.so" 21
  expect_status 0 "--invoke greet"
  expect_out "hello 21 from a reactor (initialized=1)"
  expect_out 42
}

# wasi-threads (guest/threads.c): real host threads sharing one memory;
# proc_exit and traps in a spawned thread end the whole process, and each
# thread has its own stack limit.
case_threads() {
  for i in 1 2 3; do
    run "$guests/threads.so"
    expect_status 0 "four threads adding (run $i)"
    expect_out "threads ok: 4 x 100000"
  done
  run "$guests/threads.so" trap
  expect_status 134 "a trap in a spawned thread"
  expect_err "trap: unreachable"
  run "$guests/threads.so" exit
  expect_status 7 "proc_exit(7) in a spawned thread"
  run "$guests/threads.so" recurse
  expect_status 134 "unbounded recursion in a spawned thread"
  expect_err "call stack exhausted"
  run "$guests/threads.so" oob
  expect_status 134 "an out-of-bounds load in a spawned thread"
  expect_err "out of bounds memory access"
  # Closing a directory while other threads read it: the host must never
  # use the freed stream (ASan catches it), each read is whole or EBADF.
  mkdir "$work/race"
  touch "$work/race/a" "$work/race/b"
  for i in 1 2; do
    run --dir "$work/race::/race" "$guests/threads.so" dirs
    expect_status 0 "readdir racing close (run $i)"
    expect_out "dirs ok: 3000 opens"
  done
}

"case_$case_name"
if [ "$failures" -ne 0 ]; then
  echo "$case_name: $failures failure(s)"
  exit 1
fi
echo "$case_name: ok"
