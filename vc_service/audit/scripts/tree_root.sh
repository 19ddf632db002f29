#!/bin/sh
# tree_root.sh FILE [N]
# RFC 6962 Merkle tree root of the first N lines (default: all) of a JSON Lines file, where
# leaf i is line i without its newline: leaf hash SHA-256(0x00 || line), node hash
# SHA-256(0x01 || left || right); a level's odd last node moves up unchanged, which gives the
# same tree as RFC 6962's largest-power-of-two split. Prints the root as 64 hex digits.
# Needs only sh, sha256sum and xxd.
set -eu

file=${1:?usage: tree_root.sh FILE [N]}
limit=${2:-}
work=${TMPDIR:-/tmp}/tree_root.$$
mkdir -m 700 "$work"
trap 'rm -rf "$work"' EXIT
trap 'exit 2' INT TERM

hash_node() {  # hex(SHA-256(0x01 || left || right)) of two hex hashes
  set -- $(printf '01%s%s' "$1" "$2" | xxd -r -p | sha256sum)
  printf '%s\n' "$1"
}

current=$work/a
next=$work/b
: > "$current"
count=0
# Lines must end in a newline; canonical JSON never contains a raw one, so "line" = event.
while IFS= read -r line; do
  if [ -n "$limit" ] && [ "$count" -ge "$limit" ]; then
    break
  fi
  set -- $({ printf '\000'; printf '%s' "$line"; } | sha256sum)
  printf '%s\n' "$1" >> "$current"
  count=$((count + 1))
done < "$file"

if [ -n "$limit" ] && [ "$count" -ne "$limit" ]; then
  echo "tree_root.sh: $file has only $count complete lines, not $limit" >&2
  exit 1
fi
if [ "$count" -eq 0 ]; then
  set -- $(printf '' | sha256sum)
  printf '%s\n' "$1"
  exit 0
fi

while [ "$count" -gt 1 ]; do
  : > "$next"
  left=
  while IFS= read -r hash; do
    if [ -z "$left" ]; then
      left=$hash
    else
      hash_node "$left" "$hash" >> "$next"
      left=
    fi
  done < "$current"
  if [ -n "$left" ]; then
    printf '%s\n' "$left" >> "$next"
  fi
  swap=$current
  current=$next
  next=$swap
  count=$(((count + 1) / 2))
done
head -n 1 "$current"
