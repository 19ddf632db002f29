#!/bin/sh
# verify_inclusion.sh LEAF_FILE INDEX SIZE PROOF_FILE ROOT_HEX
# Checks that the single line in LEAF_FILE (its exact bytes, without a final newline) is leaf INDEX of the RFC 6962 tree of SIZE leaves
# whose root is ROOT_HEX (take SIZE and the root from the verified checkpoint, never from
# elsewhere). PROOF_FILE holds the proof hashes in hex, one per line, lowest level first.
# The walk is RFC 9162 section 2.1.3.2. Needs only sh, awk, sha256sum and xxd.
set -eu
LC_ALL=C
export LC_ALL

fail() {
  echo "inclusion FAILED: $*" >&2
  exit 1
}
[ "$#" -eq 5 ] || fail "usage: verify_inclusion.sh LEAF_FILE INDEX SIZE PROOF_FILE ROOT_HEX"
leaf_file=$1
index=$2
size=$3
proof=$4
root=$5
for number in "$index" "$size"; do
  case $number in '' | *[!0-9]*) fail "'$number' is not a decimal number" ;; esac
done
[ "$index" -lt "$size" ] || fail "index $index is not below size $size"
[ -f "$leaf_file" ] || fail "no file $leaf_file"

hash_node() {
  set -- $(printf '01%s%s' "$1" "$2" | xxd -r -p | sha256sum)
  printf '%s' "$1"
}

# The line as hex, byte for byte (`read` would drop NUL bytes): one byte per line from xxd,
# joined by awk up to the newline byte 0a, after which nothing may follow.
leaf=$(xxd -p -c 1 "$leaf_file" | awk '
  ended { extra = 1; next }
  $0 == "0a" { ended = 1; next }
  { hex = hex $0 }
  END { if (extra || hex == "") exit 3; print hex }') || fail "$leaf_file must hold one line"
set -- $(printf '00%s' "$leaf" | xxd -r -p | sha256sum)
hash=$1
fn=$index
sn=$((size - 1))
count=0
while IFS= read -r sibling; do
  count=$((count + 1))
  case $sibling in *[!0-9a-f]*) fail "proof line $count is not lowercase hex" ;; esac
  [ "${#sibling}" -eq 64 ] || fail "proof line $count is not 64 hex digits"
  [ "$sn" -ne 0 ] || fail "proof is too long"
  if [ $((fn & 1)) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
    hash=$(hash_node "$sibling" "$hash")
    while [ $((fn & 1)) -eq 0 ] && [ "$fn" -ne 0 ]; do
      fn=$((fn >> 1))
      sn=$((sn >> 1))
    done
  else
    hash=$(hash_node "$hash" "$sibling")
  fi
  fn=$((fn >> 1))
  sn=$((sn >> 1))
done < "$proof"
[ "$sn" -eq 0 ] || fail "proof is too short"
[ "$hash" = "$root" ] || fail "proof gives root $hash, expected $root"
echo "inclusion OK: leaf $index of $size"
