#!/bin/sh
# verify.sh -p POLICY -k LOG_KEY.pem -n LOG_KEY_NAME -o ORIGIN
#           [-w COSIGNER.pem -m COSIGNER_NAME] [-t TSA_ROOT.pem [-u TSA_CHAIN.pem]] [BUNDLE_DIR]
#
# Verifies an unzipped vc-service audit bundle with stock tools only: sh, awk, grep, sed, tr,
# wc, find, iconv, base64, head, tail, xxd, sha256sum and openssl (plus mkdir/rm for a
# scratch directory). Everything it trusts comes from you, out of band, never from the
# bundle: the trust policy (it pins this verifier's files by SHA-256), the log key and its
# name, the origin of the hearing you were asked about, the cosigner's key, the TSA root.
#
#  0. the scripts this one runs are those the policy pins (check this one too, before running
#     it: VERIFY.md step 0); the bundle holds no symbolic link;
#  1. final checkpoint: Ed25519 signature of the trusted log key (name and key ID must match;
#     a matching line that fails to verify rejects the bundle), origin = ORIGIN, optional
#     cosignature (cosignature/v1) and RFC 3161 timestamp over the note text;
#  2. events.jsonl: its structure (check_events.sh: `size` lines, seq, log, type, ts, actor,
#     closed by its last event only, segments, the role of each bound file), then the Merkle
#     root recomputed from the exact bytes of its lines;
#  3. every interim checkpoint: signature, origin, size, and consistency with the final one;
#  4. an inclusion proof, verified, for every event that binds a file or concerns media or
#     consent, and no other;
#  5. every file an event binds is present at the path its role gives, with the sha256 and
#     length the event records (recording segments: all of them or none); no unbound file.
# The strict canonical-JSON check of each event's every byte needs a JSON parser: `vc-service
# log verify` does it, along with everything above.
set -eu
LC_ALL=C
export LC_ALL

fail() {
  echo "FAILED: $*" >&2
  exit 1
}
say() {
  echo "ok: $*"
}

policy= key= name= origin= wkey= wname= tsa_root= tsa_chain=
while getopts p:k:n:o:w:m:t:u: option; do
  case $option in
    p) policy=$OPTARG ;;
    k) key=$OPTARG ;;
    n) name=$OPTARG ;;
    o) origin=$OPTARG ;;
    w) wkey=$OPTARG ;;
    m) wname=$OPTARG ;;
    t) tsa_root=$OPTARG ;;
    u) tsa_chain=$OPTARG ;;
    *) fail "unknown option" ;;
  esac
done
shift $((OPTIND - 1))
[ -n "$key" ] && [ -n "$name" ] || fail "give the trusted log key with -k FILE.pem -n NAME"
[ -n "$origin" ] || fail "give the hearing you were asked about with -o ORIGIN (not the bundle's)"
[ -n "$policy" ] || fail "give the trust policy with -p POLICY (it pins the verifier scripts)"
[ -z "$wkey" ] || [ -n "$wname" ] || fail "-w needs -m COSIGNER_NAME"

here=.
case $0 in */*) here=${0%/*} ;; esac
case $here in /*) ;; *) here=$(pwd)/$here ;; esac
case $key in /*) ;; *) key=$(pwd)/$key ;; esac
case $policy in /*) ;; *) policy=$(pwd)/$policy ;; esac
case $wkey in /* | '') ;; *) wkey=$(pwd)/$wkey ;; esac
case $tsa_root in /* | '') ;; *) tsa_root=$(pwd)/$tsa_root ;; esac
case $tsa_chain in /* | '') ;; *) tsa_chain=$(pwd)/$tsa_chain ;; esac
cd "${1:-.}"

work=${TMPDIR:-/tmp}/vc-verify.$$
mkdir -m 700 "$work"
trap 'rm -rf "$work"' EXIT
trap 'exit 2' INT TERM

# hex(SHA-256(name || 0x0A || type || raw key))[:8], the C2SP key ID.
key_id() {
  raw=$(openssl pkey -pubin -in "$1" -outform DER | tail -c 32 | xxd -p -c 32)
  [ "${#raw}" -eq 64 ] || fail "$1 is not an Ed25519 public key"
  set -- $({ printf '%s\n' "$2"; printf '%s%s' "$3" "$raw" | xxd -r -p; } | sha256sum)
  printf '%s' "${1%"${1#????????}"}"
}

# The note text: every line before the last empty line.
note_text() {
  awk '{ line[NR] = $0; if ($0 == "") blank = NR }
       END { for (i = 1; i < blank; i++) print line[i] }' "$1"
}

# The base64 signatures of the lines "— NAME <base64>" after the last empty line.
signatures() {
  awk -v who="$2" '{ line[NR] = $0; if ($0 == "") blank = NR }
       END { for (i = blank + 1; i <= NR; i++) {
               n = split(line[i], f, " ")
               if (n == 3 && f[1] == "—" && f[2] == who) print f[3] } }' "$1"
}

byte_count() {
  xxd -p "$1" | awk '{ n += length($0) } END { print n / 2 }'
}

# verify_note FILE KEY.pem NAME: the note in FILE carries a valid signature of that key.
verify_note() {
  note_text "$1" > "$work/note.txt"
  id=$(key_id "$2" "$3" 01)
  good=0
  for blob in $(signatures "$1" "$3"); do
    printf '%s' "$blob" | base64 -d > "$work/sig.raw" 2>/dev/null || fail "$1: bad base64"
    [ "$(head -c 4 "$work/sig.raw" | xxd -p)" = "$id" ] || continue  # same name, other key
    [ "$(byte_count "$work/sig.raw")" -eq 68 ] || fail "$1: signature of $3 is not 64 bytes"
    tail -c 64 "$work/sig.raw" > "$work/sig.bin"
    openssl pkeyutl -verify -pubin -inkey "$2" -rawin -in "$work/note.txt" \
      -sigfile "$work/sig.bin" > "$work/out" 2>&1 || fail "$1: signature of $3 does not verify"
    grep -q 'Signature Verified Successfully' "$work/out" || fail "$1: bad signature of $3"
    good=$((good + 1))
  done
  [ "$good" -gt 0 ] || fail "$1: no signature line of $3 with key ID $id"
}

# --- 0. the verifier's own files, and no links ------------------------------------------
# pinned FILE: the SHA-256 the policy pins for FILE ("<hex>  FILE" in verifier_sha256).
pinned() {
  grep -o '"[0-9a-f]\{64\}  [A-Za-z0-9_./]*"' "$policy" | tr -d '"' \
    | awk -v f="$1" '$2 == f { print $1; n++ } END { exit n != 1 }'
}
for script in verify.sh check_events.sh tree_root.sh verify_inclusion.sh verify_consistency.sh; do
  want=$(pinned "scripts/$script") || fail "the policy pins no single scripts/$script"
  set -- $(sha256sum < "$here/$script")
  [ "$1" = "$want" ] || fail "$here/$script is not the verifier the policy pins; do not use it"
done
say "verifier scripts are those the policy pins"
[ -z "$(find . -type l)" ] || fail "the bundle holds symbolic links: $(find . -type l | head -n 3)"

# --- 1. the final checkpoint -------------------------------------------------------------
[ -f checkpoint ] && [ -f events.jsonl ] || fail "no checkpoint or events.jsonl here"
verify_note checkpoint "$key" "$name"
cp_origin=$(sed -n 1p "$work/note.txt")
size=$(sed -n 2p "$work/note.txt")
root=$(sed -n 3p "$work/note.txt" | base64 -d | xxd -p -c 32)
[ "$(awk 'END { print NR }' "$work/note.txt")" -eq 3 ] || fail "checkpoint is not 3 lines"
[ "$cp_origin" = "$origin" ] || fail "origin is $cp_origin, not $origin (another hearing)"
case $cp_origin in *'"'* | *'\'*) fail "origin contains a quote or backslash" ;; esac
case $size in '' | *[!0-9]*) fail "size '$size' is not a number" ;; esac
[ "${#root}" -eq 64 ] || fail "root is not 32 bytes"
say "checkpoint signed by $name: $cp_origin, size $size, root $root"
note_text checkpoint > "$work/final-note.txt"

if [ -n "$wkey" ]; then
  id=$(key_id "$wkey" "$wname" 04)
  good=0
  for blob in $(signatures checkpoint "$wname"); do
    printf '%s' "$blob" | base64 -d > "$work/cosig.raw" 2>/dev/null || fail "bad base64"
    [ "$(head -c 4 "$work/cosig.raw" | xxd -p)" = "$id" ] || continue
    [ "$(byte_count "$work/cosig.raw")" -eq 76 ] || fail "cosignature of $wname is not 72 bytes"
    time=$((0x$(head -c 12 "$work/cosig.raw" | tail -c 8 | xxd -p)))
    { printf 'cosignature/v1\ntime %s\n' "$time"; sed -n p "$work/final-note.txt"; } > "$work/cosigned.txt"
    tail -c 64 "$work/cosig.raw" > "$work/cosig.bin"
    openssl pkeyutl -verify -pubin -inkey "$wkey" -rawin -in "$work/cosigned.txt" \
      -sigfile "$work/cosig.bin" > "$work/out" 2>&1 || fail "cosignature of $wname fails"
    good=$((good + 1))
  done
  [ "$good" -gt 0 ] || fail "no cosignature of $wname with key ID $id"
  say "cosigned by $wname at unix time $time"
fi

if [ -n "$tsa_root" ]; then
  [ -f checkpoint.tsr ] || fail "no checkpoint.tsr, but a TSA root was given"
  set -- -CAfile "$tsa_root"
  [ -z "$tsa_chain" ] || set -- "$@" -untrusted "$tsa_chain"
  openssl ts -verify -data "$work/final-note.txt" -in checkpoint.tsr "$@" > "$work/out" 2>&1 \
    || fail "timestamp does not verify: $(tail -n 1 "$work/out")"
  say "timestamp: $(openssl ts -reply -in checkpoint.tsr -text | grep '^Time stamp')"
fi

# --- 2. the events and the root ----------------------------------------------------------
# The structure first: it counts the lines before anything reads them one by one.
sh "$here/check_events.sh" events.jsonl "$cp_origin" "$size" > "$work/events" \
  || fail "events.jsonl is not this hearing's closed log of $size events"
computed=$(sh "$here/tree_root.sh" events.jsonl) || fail "events.jsonl cannot be hashed"
[ "$computed" = "$root" ] || fail "events.jsonl gives root $computed, checkpoint says $root"
say "$size events, seq 0..$((size - 1)), closed by the last; root recomputed from their bytes"

# --- 3. interim checkpoints --------------------------------------------------------------
for file in checkpoints/*; do
  [ -f "$file" ] || continue
  m=${file#checkpoints/}
  verify_note "$file" "$key" "$name"
  [ "$(sed -n 1p "$work/note.txt")" = "$cp_origin" ] || fail "$file is for another log"
  [ "$(sed -n 2p "$work/note.txt")" = "$m" ] || fail "$file does not hold size $m"
  m_root=$(sed -n 3p "$work/note.txt" | base64 -d | xxd -p -c 32)
  if [ "$m" -eq "$size" ]; then
    [ "$m_root" = "$root" ] || fail "$file: same size, different root (a fork)"
  else
    sh "$here/verify_consistency.sh" "$m" "$size" "$m_root" "$root" \
      "proofs/consistency-$m-$size.txt" > /dev/null || fail "$file is not consistent (a fork)"
  fi
  say "checkpoint $m is consistent with $size"
done

# --- 4. inclusion proofs -----------------------------------------------------------------
awk '$1 == "proof" { print "proofs/inclusion-" $2 ".txt" }' "$work/events" > "$work/proofs"
for file in proofs/inclusion-*.txt; do
  [ -f "$file" ] || continue
  grep -qxF "$file" "$work/proofs" || fail "$file: its event needs no proof (a stray file)"
done
proofs=0
while read -r file; do
  [ -f "$file" ] || fail "$file is missing"
  i=${file#proofs/inclusion-}
  i=${i%.txt}
  sed -n "$((i + 1))p" events.jsonl > "$work/leaf"
  sh "$here/verify_inclusion.sh" "$work/leaf" "$i" "$size" "$file" "$root" > /dev/null \
    || fail "inclusion proof of event $i"
  proofs=$((proofs + 1))
done < "$work/proofs"
say "$proofs inclusion proof(s), one per event that needs one, verify against the checkpoint"

# --- 5. files bound to events ------------------------------------------------------------
[ -f bindings.txt ] || fail "no bindings.txt"
# Each row "seq sha256 bytes path" must be a binding the events make (check_events.sh read
# the role, hence the path, from the event), and each binding a row.
awk '
  FNR == NR { if ($1 == "bind") { sha[$2] = $3; len[$2] = $4; role[$2] = $5; kind[$2] = $6 }
              next }
  function bad(message) { print "bindings.txt line " FNR ": " message > "/dev/stderr"; exit 1 }
  NF != 4 { bad("is not \"seq sha256 bytes path\"") }
  !($1 in role) { bad($4 " is bound to event " $1 ", which binds no file") }
  $1 in seen { bad("event " $1 " binds one file, not two") }
  { seen[$1] = 1
    if ($2 != sha[$1] || $3 != len[$1]) bad($4 ": sha256/bytes differ from event " $1)
    if (kind[$1] == "segment") {
      ext = substr($4, length(role[$1]) + 2)
      if (index($4, role[$1] ".") != 1 || ext !~ /^[a-z0-9]+$/ || length(ext) > 8)
        bad($4 " is not where event " $1 " puts its segment (" role[$1] ".*)")
      segments++
    } else if ($4 != role[$1]) bad($4 " is not where event " $1 " puts its file (" role[$1] ")")
    print $4 }
  END { for (seq in role) if (!(seq in seen) && !(kind[seq] == "segment" && !segments)) {
          print "event " seq " binds " role[seq] ", which is not in the bundle" > "/dev/stderr"
          exit 1 } }
' "$work/events" bindings.txt > /dev/null || fail "bindings.txt differs from what the events bind"
while read -r seq digest length path; do
  [ -f "$path" ] || fail "$path is missing"
  set -- $(sha256sum "$path")
  [ "$1" = "$digest" ] || fail "$path has sha256 $1, not $digest"
  [ "$(wc -c < "$path")" -eq "$length" ] || fail "$path is not $length bytes"
done < bindings.txt
for path in media/manifest.json media/*/* minutes.html minutes.pdf; do
  [ -f "$path" ] || continue
  awk -v p="$path" '$4 == p { found = 1 } END { exit !found }' bindings.txt \
    || fail "$path is not bound to any event"
done
say "bound files match their events"
echo "VERIFIED: $cp_origin, $size events"
