#!/bin/sh
# check_events.sh EVENTS_FILE ORIGIN SIZE
# Checks the structure of a hearing log with stock tools, as `vc-service log verify` does:
#  - exactly SIZE lines, each ending with a newline; no control byte; valid UTF-8 (iconv);
#  - each line one JSON object whose top-level members are read by a small parser (strings,
#    escapes and nesting followed character by character, never a substring search): no
#    member twice, "seq" = its line number - 1, "log" = ORIGIN, a well-formed "type" and
#    "ts", an object "actor", no "v" but 1; times never run backwards;
#  - the last event, and only it, is of type hearing.closed;
#  - each media.segment has a track, a part and bytes; per track, parts follow each other and
#    t0/t1 never run backwards, and no segment ends before it starts;
#  - each event that carries "sha256" binds a file in a known role: media.segment ->
#    media/<track>/<part, 6 digits>.<suffix>, media.manifest -> media/manifest.json,
#    minutes.generated -> minutes.<format> (html or pdf).
# Prints one line per event a bundle must carry a proof or a file for:
#   proof SEQ                                  (binds a file, or a media.* / consent.* event)
#   bind SEQ SHA256 BYTES PATH KIND            (KIND "segment": PATH lacks the ".suffix")
# Canonical JSON is one spelling per value; this checks the members the verification relies
# on, not every byte of the spelling (only `vc-service log verify` does that).
# Needs only sh, awk, tr, wc, tail, xxd and iconv.
set -eu
LC_ALL=C
export LC_ALL

fail() {
  echo "events FAILED: $*" >&2
  exit 1
}
[ "$#" -eq 3 ] || fail "usage: check_events.sh EVENTS_FILE ORIGIN SIZE"
file=$1
origin=$2
size=$3
case $size in '' | *[!0-9]*) fail "size '$size' is not a decimal number" ;; esac
case $origin in '' | *'"'* | *'\'*) fail "origin '$origin' is empty or has a quote or backslash" ;; esac
[ -f "$file" ] || fail "no file $file"

[ "$size" -gt 0 ] || fail "an empty log was never closed"
lines=$(tr -dc '\n' < "$file" | wc -c)
[ "$lines" -eq "$size" ] || fail "$file has $lines lines, the checkpoint says $size"
[ "$(tail -c 1 "$file" | xxd -p)" = "0a" ] || fail "$file does not end with a newline"
# Every byte below 0x20 but the newline is a control character, which JSON must escape.
controls=$(tr -d '\n\040-\377' < "$file" | wc -c)
[ "$controls" -eq 0 ] || fail "$file holds $controls raw control byte(s)"
iconv -f UTF-8 -t UTF-8 "$file" > /dev/null 2>&1 || fail "$file is not valid UTF-8"

awk -v origin="$origin" -v size="$size" '
function bad(message) {
  printf "events FAILED: line %d (event %d): %s\n", NR, NR - 1, message > "/dev/stderr"
  failed = 1
  exit 1
}
# Fills M[name] with the raw text of each top-level member value of the object s; returns ""
# or what is wrong. Inside strings only \ and " matter; outside them, nesting depth.
function members(s,    n, i, c, depth, instr, esc, state, start, name) {
  split("", M)
  n = length(s)
  if (substr(s, 1, 1) != "{" || substr(s, n, 1) != "}") return "not one JSON object"
  depth = 0
  state = "name"
  for (i = 1; i <= n; i++) {
    c = substr(s, i, 1)
    if (instr) {
      if (esc) esc = 0
      else if (c == "\\") esc = 1
      else if (c == "\"") {
        instr = 0
        if (depth == 1 && state == "name") {
          name = substr(s, start + 1, i - start - 1)
          if (name in M) return "member " name " appears twice"
          state = "colon"
        }
      }
      continue
    }
    if (depth == 1 && state == "name" && c != "\"" && !(c == "}" && i == n && start == 0))
      return "malformed at byte " i
    if (depth == 1 && state == "colon") {
      if (c != ":") return "malformed at byte " i
      state = "value"
      start = i + 1
      continue
    }
    if (c == "\"") { instr = 1; if (depth == 1 && state == "name") start = i; continue }
    if (c == "{" || c == "[") { depth++; continue }
    if (c == "}" || c == "]") {
      depth--
      if (depth < 0) return "malformed at byte " i
      if (depth == 0) {
        if (i != n) return "data after the object"
        if (state == "value") {
          if (i == start) return "empty value of " name
          M[name] = substr(s, start, i - start)
        }
      }
      continue
    }
    if (c == "," && depth == 1) {
      if (state != "value" || i == start) return "malformed at byte " i
      M[name] = substr(s, start, i - start)
      state = "name"
      continue
    }
  }
  if (instr || depth != 0) return "not one JSON object"
  return ""
}
function number(raw) { return raw ~ /^(0|[1-9][0-9]*)$/ && length(raw) <= 15 }
function unquote(raw) { return substr(raw, 2, length(raw) - 2) }
BEGIN {
  TS = "^\"[0-9][0-9][0-9][0-9]-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][.][0-9][0-9][0-9][0-9][0-9][0-9]Z\"$"
  TRACK = "^\"[A-Za-z0-9][A-Za-z0-9_-]*\"$"
}
{
  problem = members($0)
  if (problem != "") bad(problem)
  seq = NR - 1
  if (M["seq"] != seq "") bad("carries seq " M["seq"] ", not " seq)
  if (M["log"] != "\"" origin "\"") bad("is from log " M["log"] ", not " origin)
  type = M["type"]
  if (type !~ /^"[a-z][a-z0-9_]*([.][a-z][a-z0-9_]*)+"$/) bad("type " type " is malformed")
  ts = M["ts"]
  if (ts !~ TS) bad("ts " ts " is malformed")
  if (ts < previous) bad("ts " ts " is before the time of the event before, " previous)
  previous = ts
  if (substr(M["actor"], 1, 1) != "{") bad("actor missing")
  if (("v" in M) && M["v"] != "1") bad("unknown version " M["v"])
  closes = type == "\"hearing.closed\""
  if (closes && NR != size + 0) bad("closes the hearing before the last event")
  if (!closes && NR == size + 0) bad("the last event is not hearing.closed")
  binds = "sha256" in M
  if (binds || type ~ /^"(media|consent)[.]/) print "proof " seq
  if (type == "\"media.segment\"") {
    track = M["track"]; part = M["part"]; t0 = M["t0"]; t1 = M["t1"]
    if (substr(track, 1, 1) != "\"" || !number(part) || !number(M["bytes"]))
      bad("segment lacks track, part or bytes")
    if (t0 !~ TS || t1 !~ TS) bad("segment times are malformed")
    if (t0 > t1) bad("segment ends before it starts")
    if ((track in last_part) && (part + 0 != last_part[track] + 1 || t0 < last_t0[track] || t1 < last_t1[track]))
      bad("track " track " part " part " does not follow part " last_part[track])
    last_part[track] = part; last_t0[track] = t0; last_t1[track] = t1
  }
  if (binds) {
    digest = M["sha256"]
    if (digest !~ /^"[0-9a-f]+"$/ || length(digest) != 66) bad("sha256 is not 64 hex digits")
    if (!number(M["bytes"])) bad("bytes is not a number")
    kind = "file"
    if (type == "\"media.segment\"") {
      if (track !~ TRACK || length(track) > 66) bad("track " track " is not a safe name")
      path = sprintf("media/%s/%06d", unquote(track), part)
      kind = "segment"
    } else if (type == "\"media.manifest\"") {
      path = "media/manifest.json"
    } else if (type == "\"minutes.generated\"") {
      if (M["format"] != "\"html\"" && M["format"] != "\"pdf\"")
        bad("minutes of format " M["format"] " (known: html, pdf)")
      path = "minutes." unquote(M["format"])
    } else {
      bad(type " carries sha256 but binds no file of a known role")
    }
    print "bind " seq " " unquote(digest) " " M["bytes"] " " path " " kind
  }
}' "$file" || fail "$file is not this hearing's log"
