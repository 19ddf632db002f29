#!/bin/sh
# verify_consistency.sh OLD_SIZE NEW_SIZE OLD_ROOT_HEX NEW_ROOT_HEX PROOF_FILE
# Checks that the RFC 6962 tree of OLD_SIZE leaves with OLD_ROOT is a prefix of the tree of
# NEW_SIZE leaves with NEW_ROOT (RFC 9162 section 2.1.4.2). PROOF_FILE holds hex hashes, one
# per line, lowest level first. Needs only sh, awk, sha256sum and xxd.
set -eu

fail() {
  echo "consistency FAILED: $*" >&2
  exit 1
}
[ "$#" -eq 5 ] || fail "usage: verify_consistency.sh OLD NEW OLD_ROOT NEW_ROOT PROOF_FILE"
old=$1
new=$2
old_root=$3
new_root=$4
proof=$5
for number in "$old" "$new"; do
  case $number in '' | *[!0-9]*) fail "'$number' is not a decimal number" ;; esac
done
[ "$old" -ge 1 ] || fail "a proof from the empty tree is meaningless"
[ "$old" -le "$new" ] || fail "old size $old is larger than new size $new"
hashes=$(awk '!/^[0-9a-f]+$/ || length($0) != 64 { bad = 1 } { print } END { exit bad }' \
  "$proof") || fail "proof lines must be 64 lowercase hex digits"
if [ "$old" -eq "$new" ]; then
  [ -z "$hashes" ] || fail "equal sizes need an empty proof"
  [ "$old_root" = "$new_root" ] || fail "equal sizes but different roots"
  echo "consistency OK: $old = $new"
  exit 0
fi
[ -n "$hashes" ] || fail "empty proof"

hash_node() {
  set -- $(printf '01%s%s' "$1" "$2" | xxd -r -p | sha256sum)
  printf '%s' "$1"
}

set -- $hashes
# When the old tree is a complete subtree, its root is the implied first node of the proof.
if [ $((old & (old - 1))) -eq 0 ]; then
  set -- "$old_root" "$@"
fi
fn=$((old - 1))
sn=$((new - 1))
while [ $((fn & 1)) -eq 1 ]; do
  fn=$((fn >> 1))
  sn=$((sn >> 1))
done
first=$1
second=$1
shift
for node in "$@"; do
  [ "$sn" -ne 0 ] || fail "proof is too long"
  if [ $((fn & 1)) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
    first=$(hash_node "$node" "$first")
    second=$(hash_node "$node" "$second")
    while [ $((fn & 1)) -eq 0 ] && [ "$fn" -ne 0 ]; do
      fn=$((fn >> 1))
      sn=$((sn >> 1))
    done
  else
    second=$(hash_node "$second" "$node")
  fi
  fn=$((fn >> 1))
  sn=$((sn >> 1))
done
[ "$sn" -eq 0 ] || fail "proof is too short"
[ "$first" = "$old_root" ] || fail "proof gives old root $first, expected $old_root"
[ "$second" = "$new_root" ] || fail "proof gives new root $second, expected $new_root"
echo "consistency OK: $old -> $new"
