# Sourced by scripts/screenshots and scripts/bench: starts the private swarm of `scripts/test --serve` in the
# background and sets `host` and `image` for it. The caller sets `work` (a directory of its own) and defines `die`;
# its EXIT trap calls stop_private_swarm.

serve=""

start_private_swarm() {
    scripts/test --serve "$work/swarm.env" >"$work/serve.log" 2>&1 &
    serve=$!
    for _ in $(seq 1 240); do [ -s "$work/swarm.env" ] && break; kill -0 "$serve" 2>/dev/null || break; sleep 0.5; done
    [ -s "$work/swarm.env" ] || { cat "$work/serve.log" >&2; die "the private swarm did not start"; }
    # shellcheck disable=SC1091
    source "$work/swarm.env"
    host=$CLAWTOP_TEST_DOCKER_HOST
    image=$CLAWTOP_TEST_IMAGE
}

stop_private_swarm() {
    if [ -n "$serve" ]; then kill -TERM "$serve" 2>/dev/null || true; wait "$serve" 2>/dev/null || true; fi
}
