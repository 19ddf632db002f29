#!/bin/sh
# tree_root.sh FILE [N]
# RFC 6962 Merkle tree root of the first N lines (default: all) of a JSON Lines file, where
# leaf i is the exact bytes of line i without its newline: leaf hash SHA-256(0x00 || line),
# node hash SHA-256(0x01 || left || right); a level's odd last node moves up unchanged, which
# gives the same tree as RFC 6962's largest-power-of-two split. Prints the root as 64 hex
# digits. Without N the file must end with a newline. Needs only sh, awk, sha256sum and xxd.
set -eu
LC_ALL=C
export LC_ALL

file=${1:?usage: tree_root.sh FILE [N]}
limit=${2:-}
case $limit in *[!0-9]*) echo "tree_root.sh: '$limit' is not a number" >&2; exit 1 ;; esac
work=${TMPDIR:-/tmp}/tree_root.$$
mkdir -m 700 "$work"
trap 'rm -rf "$work"' EXIT
trap 'exit 2' INT TERM

hash_node() {  # hex(SHA-256(0x01 || left || right)) of two hex hashes
  set -- $(printf '01%s%s' "$1" "$2" | xxd -r -p | sha256sum)
  printf '%s\n' "$1"
}

# Each line as hex, byte for byte: xxd writes one byte per line and awk joins a line's bytes
# until the newline byte 0a. Nothing is lost on the way (the shell's `read` drops NUL bytes,
# so it hashed "record\0ing" as "recording").
xxd -p -c 1 "$file" | awk -v limit="$limit" '
  BEGIN { done = limit != "" && limit + 0 == 0 }
  done { next }
  $0 == "0a" { print "00" hex; hex = ""; n++; if (limit != "" && n == limit + 0) done = 1; next }
  { hex = hex $0 }
  END { if (!done && (hex != "" || limit != "")) exit 3 }' > "$work/lines" || {
  if [ -n "$limit" ]; then
    echo "tree_root.sh: $file has fewer than $limit complete lines" >&2
  else
    echo "tree_root.sh: $file does not end with a newline" >&2
  fi
  exit 1
}

current=$work/a
next=$work/b
: > "$current"
count=0
while IFS= read -r hex; do
  set -- $(printf '%s' "$hex" | xxd -r -p | sha256sum)
  printf '%s\n' "$1" >> "$current"
  count=$((count + 1))
done < "$work/lines"

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
