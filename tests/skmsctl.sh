#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional tests of skmsctl: every command, its output, its exit status
# and its errors, on a store in a temporary directory.
set -u
. "${top_srcdir:-.}/tests/checks.sh"
S="$tmp/store"

ctl() { "$CTL" --store "$S" "$@"; }

# --help, --version and usage errors
expect 0 "--version" "$CTL" --version
has "^skmsctl [0-9]" "$tmp/out" "--version output"
expect 0 "--help" "$CTL" --help
has "user revoke" "$tmp/out" "--help lists commands"
expect 0 "user add --help" "$CTL" user add --help
has "usage: skmsctl user add URI" "$tmp/out" "command help"
expect 2 "no command" "$CTL"
expect 2 "unknown command" "$CTL" frobnicate
expect 2 "unknown verb" "$CTL" user frobnicate
expect 2 "unknown option" ctl user list --frobnicate
has "unknown option" "$tmp/err" "unknown option message"
expect 2 "missing option argument" ctl user list --state
expect 2 "--store without argument" "$CTL" user list --store

# a store that does not exist yet: unreachable, status 3
expect 3 "store missing" ctl user list
expect 3 "domain show without a store" "$CTL" --store "$tmp/empty" domain show

# init: arguments
expect 2 "init without --kms-uri" ctl init
expect 2 "init bad kms uri" ctl init --kms-uri "bad uri"
expect 2 "init offset >= period" ctl init --kms-uri kms.example.org --key-period 10 --key-offset 10
expect 2 "init period 0" ctl init --kms-uri kms.example.org --key-period 0
expect 2 "init both kek sources" ctl init --kms-uri kms.example.org --kek-file "$tmp/k" --passphrase-file "$tmp/p"
expect 2 "init valid-to before valid-from" ctl init --kms-uri kms.example.org --valid-from 2030-01-01 --valid-to 2029-01-01
# Issuer and KmsDomainList go into every KmsCertificate: only text XML can carry.
expect 2 "init issuer with invalid UTF-8" ctl init --kms-uri kms.example.org --issuer "$(printf 'a\377b')"
has "issuer" "$tmp/err" "init issuer with invalid UTF-8: named"
expect 2 "init issuer with a control character" ctl init --kms-uri kms.example.org --issuer "$(printf 'a\033b')"
expect 2 "init domain with U+FFFF" ctl init --kms-uri kms.example.org --domain "$(printf 'a\357\277\277b')"
expect 2 "init domain with an overlong form" ctl init --kms-uri kms.example.org --domain "$(printf 'a\300\257b')"

# a key file readable by others is refused, and nothing is created
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0644 "$tmp/kek.key"
expect 1 "init with a 0644 key file" ctl init --kms-uri kms.example.org --kek-file "$tmp/kek.key"
has "mode\|permission\|group" "$tmp/err" "0644 key file reason"
expect 1 "no domain after refused init" ctl domain show
chmod 0600 "$tmp/kek.key"
expect 0 "init" ctl init --kms-uri kms.example.org --key-period 2592000 --key-offset 0 \
	--cert-uri cert.kms.example.org --issuer "Example KMS" --domain example.org \
	--kek-file "$tmp/kek.key"
has "^kms-uri: kms.example.org$" "$tmp/out" "init shows the domain"
has "^pub-auth-key: 04" "$tmp/out" "init shows KPAK"
expect 1 "init twice" ctl init --kms-uri other.example.org --kek-file "$tmp/kek.key"
has "exists already" "$tmp/err" "init twice reason"
expect 0 "domain show" ctl domain show
has "^kms-uri: kms.example.org$" "$tmp/out" "domain show kms-uri"
has "^kms-domain: example.org$" "$tmp/out" "domain show domains"
expect 0 "domain show --json" ctl --json domain show
has '"kms-uri":"kms.example.org"' "$tmp/out" "domain show json"
mode=$(stat -c %a "$S")
[ "$mode" = 700 ] && ok || bad "store directory mode $mode, expected 700"
mode=$(stat -c %a "$S/data.mdb")
[ "$mode" = 600 ] && ok || bad "store file mode $mode, expected 600"

# a store that group or others may use is refused, naming the file and its mode
chmod 0750 "$S"
expect 3 "store directory 0750" ctl user list
has "$S: mode 0750 allows group or other access" "$tmp/err" "directory mode reason"
chmod 0701 "$S"
expect 3 "store directory 0701" ctl domain show
chmod 0700 "$S"
chmod 0640 "$S/data.mdb"
expect 3 "data.mdb 0640" ctl user list
has "data.mdb: mode 0640 allows group or other access (want 0600)" "$tmp/err" "data.mdb mode reason"
chmod 0604 "$S/data.mdb"
expect 3 "data.mdb 0604" ctl user list
chmod 0600 "$S/data.mdb"
chmod 0666 "$S/lock.mdb"
expect 3 "lock.mdb 0666" ctl user list
has "lock.mdb: mode 0666 allows group or other writes" "$tmp/err" "lock.mdb mode reason"
chmod 0644 "$S/lock.mdb"
expect 0 "lock.mdb 0644 (readable, not writable, by others)" ctl user list
chmod 0600 "$S/lock.mdb"
# init makes 0700 and 0600 whatever the umask, and refuses an open directory
(umask 0 && "$CTL" --store "$tmp/um" init --kms-uri kms.example.org) >/dev/null 2>&1
same "$(stat -c %a "$tmp/um" "$tmp/um/data.mdb" "$tmp/um/lock.mdb" "$tmp/um/kek.key" 2>&1 | tr '\n' ' ')" \
	"700 600 600 600 " "modes made by init under umask 0"
mkdir -m 0755 "$tmp/open"
expect 3 "init into a 0755 directory" "$CTL" --store "$tmp/open" init --kms-uri kms.example.org
has "open: mode 0755" "$tmp/err" "open directory reason"
[ -z "$(ls -A "$tmp/open")" ] && ok || bad "init wrote into a 0755 directory"

# cert export: a KmsCertificate with the domain's values
expect 0 "cert export" ctl cert export
cp "$tmp/out" "$tmp/cert.xml"
has "<KmsCertificate xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\"" "$tmp/cert.xml" "cert root"
has "<UserIdFormat>2</UserIdFormat>" "$tmp/cert.xml" "cert UserIdFormat"
has "<KmsUri>kms.example.org</KmsUri>" "$tmp/cert.xml" "cert KmsUri"
if command -v xmllint >/dev/null; then
	expect 0 "cert is well-formed" xmllint --noout "$tmp/cert.xml"
fi

# period show
# 2026-01-01T00:00:00Z is NTP 3976214400; / 2592000 = 1534 (TS 33.180 F.2.1)
expect 0 "period show --at" ctl period show --at 2026-01-01T00:00:00Z
has "^period: 1534$" "$tmp/out" "period number at 2026-01-01"
has "^period-start: 2025-12-31T00:00:00Z$" "$tmp/out" "period start at 2026-01-01"
has "^period-end: 2026-01-30T00:00:00Z$" "$tmp/out" "period end at 2026-01-01"
expect 0 "period show --period" ctl period show --period 1512
has "^period-start: 2024-03-11T00:00:00Z$" "$tmp/out" "period 1512 start"
expect 2 "period show bad time" ctl period show --at yesterday
expect 2 "period show both" ctl period show --at @0 --period 1

# users
expect 0 "user add" ctl user add sip:alice@example.org
expect 0 "user add gms" ctl user add https://gms.example.org --role gms
expect 0 "user add tel" ctl user add tel:+447700900123 --valid-from 2020-01-01 --valid-to 2099-01-01
expect 1 "user add twice" ctl user add sip:alice@example.org
has "already registered" "$tmp/err" "duplicate reason"
expect 2 "user add bad role" ctl user add sip:x@example.org --role admin
expect 2 "user add bad uri" ctl user add "sip:@example.org"
expect 2 "user add no scheme junk" ctl user add "ftp://example.org"
expect 2 "user add extra argument" ctl user add sip:y@example.org extra
expect 0 "user show" ctl user show sip:alice@example.org
has "^state: active$" "$tmp/out" "user show state"
has "^role: user$" "$tmp/out" "user show role"
expect 1 "user show unknown" ctl user show sip:nobody@example.org
expect 0 "user list" ctl user list
[ "$(grep -c '^uri:' "$tmp/out")" -eq 3 ] && ok || bad "user list count"
expect 0 "user list --json" ctl --json user list --state active
has '"uri":"https://gms.example.org","role":"gms"' "$tmp/out" "user list json"
expect 2 "user list bad state" ctl user list --state dormant

# keyset derive: registered identity, by period and by time, to a 0600 file
expect 0 "keyset derive" ctl keyset derive sip:alice@example.org --period 1546
has "<KeyPeriodNo>1546</KeyPeriodNo>" "$tmp/out" "keyset period"
has "<UserUri>sip:alice@example.org</UserUri>" "$tmp/out" "keyset user"
uid=$(sed -n 's:.*<UserID>\(.*\)</UserID>.*:\1:p' "$tmp/out")
[ ${#uid} -eq 64 ] && ok || bad "UserID is not 64 hex digits: $uid"
expect 0 "keyset derive --at" ctl keyset derive sip:alice@example.org --at 2027-01-01T00:00:00Z --out "$tmp/ks.xml"
mode=$(stat -c %a "$tmp/ks.xml")
[ "$mode" = 600 ] && ok || bad "keyset file mode $mode"
has "<KeyPeriodNo>1546</KeyPeriodNo>" "$tmp/ks.xml" "keyset --at period"
expect 1 "keyset --out exists" ctl keyset derive sip:alice@example.org --period 1546 --out "$tmp/ks.xml"
expect 1 "keyset unknown identity" ctl keyset derive sip:nobody@example.org --period 1546
expect 2 "keyset both period and at" ctl keyset derive sip:alice@example.org --period 1 --at @0
expect 2 "keyset neither" ctl keyset derive sip:alice@example.org
expect 1 "keyset outside validity" ctl keyset derive tel:+447700900123 --period 1000

# revocation: visible to the next process at once
expect 0 "revoke period" ctl user revoke sip:alice@example.org --period 1547 --reason lost
expect 1 "keyset of a revoked period" ctl keyset derive sip:alice@example.org --period 1547
has "revoked" "$tmp/err" "revoked period reason"
expect 0 "keyset of another period" ctl keyset derive sip:alice@example.org --period 1546
expect 0 "reinstate period" ctl user reinstate sip:alice@example.org --period 1547
expect 0 "keyset after reinstate" ctl keyset derive sip:alice@example.org --period 1547
expect 0 "revoke identity" ctl user revoke sip:alice@example.org --from 2020-01-01 --reason "left"
expect 1 "revoke twice" ctl user revoke sip:alice@example.org
expect 0 "user show revoked" ctl user show sip:alice@example.org
has "^state: revoked$" "$tmp/out" "revoked state"
has "^reason: left$" "$tmp/out" "revoked reason"
expect 1 "keyset of revoked identity" ctl keyset derive sip:alice@example.org --period 1546
expect 0 "list revoked" ctl user list --state revoked
[ "$(grep -c '^uri:' "$tmp/out")" -eq 1 ] && ok || bad "revoked list count"
expect 0 "reinstate" ctl user reinstate sip:alice@example.org
expect 1 "reinstate not revoked" ctl user reinstate sip:alice@example.org
expect 1 "revoke unknown" ctl user revoke sip:nobody@example.org
expect 0 "remove" ctl user remove tel:+447700900123
expect 1 "remove twice" ctl user remove tel:+447700900123

# import: all or nothing
printf '# comment\n\nsip:u1@example.org\nsip:u2@example.org gms\n' >"$tmp/ids"
expect 0 "import" ctl user import "$tmp/ids"
has "^imported: 2$" "$tmp/out" "import count"
printf 'sip:u3@example.org\nsip:u1@example.org\n' >"$tmp/ids2"
expect 1 "import with a registered identity" ctl user import "$tmp/ids2"
expect 1 "nothing of a failed import" ctl user show sip:u3@example.org
printf 'sip:u4@example.org\nsip:u4@example.org\n' >"$tmp/ids3"
expect 1 "import with a duplicate" ctl user import "$tmp/ids3"
printf 'sip:u5@example.org\nnot a uri\n' >"$tmp/ids4"
expect 1 "import with a bad line" ctl user import "$tmp/ids4"
has "ids4:2" "$tmp/err" "import error names the line"
printf 'sip:u6@example.org boss\n' >"$tmp/ids5"
expect 1 "import with a bad role" ctl user import "$tmp/ids5"
expect 1 "import missing file" ctl user import "$tmp/nonexistent"

# kill -9 during a 10,000-identity import leaves none or all of them
i=0
while [ $i -lt 10000 ]; do echo "sip:k$i@example.org"; i=$((i + 1)); done >"$tmp/big"
for delay in 0.01 0.03 0.06 0.1; do
	rm -rf "$tmp/ks"
	"$CTL" --store "$tmp/ks" init --kms-uri kms.example.org >/dev/null 2>&1
	"$CTL" --store "$tmp/ks" user import "$tmp/big" >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	n=$("$CTL" --store "$tmp/ks" user list | grep -c '^uri:')
	if [ "$n" -eq 0 ] || [ "$n" -eq 10000 ]; then ok; else bad "kill -9 import left $n identities"; fi
done

# external certificates and CacheNum
sed 's/Role="Root"/Role="External"/; s/cert.kms.example.org/cert.partner.example.net/' \
	"$tmp/cert.xml" >"$tmp/ext.xml"
expect 0 "external add" ctl external add "$tmp/ext.xml"
expect 0 "external list" ctl external list
has "^cache-num: 1$" "$tmp/out" "cache num after add"
has "^cert-uri: cert.partner.example.net$" "$tmp/out" "external cert uri"
expect 0 "external add again (replace)" ctl external add "$tmp/ext.xml"
printf '<KmsCertificate xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><KmsUri>x</KmsUri></KmsCertificate>' >"$tmp/nocerturi.xml"
expect 1 "external without CertUri" ctl external add "$tmp/nocerturi.xml"
sed 's/<PubAuthKey>04/<PubAuthKey>05/' "$tmp/ext.xml" >"$tmp/badkey.xml"
expect 1 "external with a bad KPAK" ctl external add "$tmp/badkey.xml"
printf '<KmsCertificate>' >"$tmp/broken.xml"
expect 1 "external not well-formed" ctl external add "$tmp/broken.xml"
printf '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><KmsCertificate xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><CertUri>&e;</CertUri></KmsCertificate>' >"$tmp/xxe.xml"
expect 1 "external with an external entity" ctl external add "$tmp/xxe.xml"
expect 0 "external remove" ctl external remove cert.partner.example.net
expect 1 "external remove unknown" ctl external remove cert.partner.example.net
expect 0 "external list after remove" ctl external list
has "^cache-num: 3$" "$tmp/out" "cache num after remove"

# audit: every change, never key bytes
expect 0 "audit" ctl audit
has "^action: init$" "$tmp/out" "audit init"
has "^action: keyset derive$" "$tmp/out" "audit keyset"
has "^action: user revoke$" "$tmp/out" "audit revoke"
expect 0 "audit --identity" ctl audit --identity sip:alice@example.org
if grep -q "action: user import" "$tmp/out"; then bad "audit --identity filter"; else ok; fi
expect 0 "audit --since future" ctl audit --since 2099-01-01
[ ! -s "$tmp/out" ] && ok || bad "audit --since future is not empty"
if grep -qi "$(sed -n 's:.*<UserSigningKeySSK[^>]*>\(.*\)</UserSigningKeySSK>.*:\1:p' "$tmp/ks.xml")" "$S/data.mdb"; then
	bad "a private key is in the store"
else ok; fi

# audit archive: the entries before a time move into a new JSON Lines file,
# each line an entry's members exactly as skmsctl --json audit writes them;
# then exactly those leave the store, and a failure removes nothing
items() {	# the entries of a --json audit listing, one a line
	sed 's/^{"entries":\[//; s/\]}$//; s/},{"seq":/}\n{"seq":/g' "$1" | grep -v '^$'
}
t0=$(date +%s)
while [ "$(date +%s)" -le "$t0" ]; do sleep 0.05; done
cut=$(date +%s)
ctl user add sip:late1@example.org >/dev/null 2>&1
ctl user revoke sip:late1@example.org --reason "after the cut" >/dev/null 2>&1
expect 0 "audit --json before archive" ctl --json audit
items "$tmp/out" >"$tmp/all.items"
expect 0 "audit --json --since the cut" ctl --json audit --since "@$cut"
cp "$tmp/out" "$tmp/since.json"
nall=$(wc -l <"$tmp/all.items")
items "$tmp/since.json" >"$tmp/late.items"
nlate=$(wc -l <"$tmp/late.items")
same "$nlate" 2 "two entries after the cut"
expect 2 "archive without --before" ctl audit archive --out "$tmp/a.jsonl"
expect 2 "archive without --out" ctl audit archive --before "@$cut"
expect 2 "archive with a bad time" ctl audit archive --before yesterday --out "$tmp/a.jsonl"
expect 2 "archive with an argument" ctl audit archive --before "@$cut" --out "$tmp/a.jsonl" extra
expect 3 "archive without a store" "$CTL" --store "$tmp/nostore" audit archive --before "@$cut" --out "$tmp/a.jsonl"
[ ! -e "$tmp/a.jsonl" ] && ok || bad "a refused archive left a file"
# failures: an existing file, a missing directory, a write that fails (files
# limited to 512 octets: the error message fits, the archive does not)
echo "keep me" >"$tmp/exists.jsonl"
expect 1 "archive into an existing file" ctl audit archive --before "@$cut" --out "$tmp/exists.jsonl"
has "exists already" "$tmp/err" "existing file reason"
has "no entry removed" "$tmp/err" "existing file: nothing removed, says so"
same "$(cat "$tmp/exists.jsonl")" "keep me" "the existing file is left alone"
expect 1 "archive into a missing directory" ctl audit archive --before "@$cut" --out "$tmp/nodir/a.jsonl"
expect 1 "archive with a failing write" sh -c 'trap "" XFSZ; ulimit -f 1; exec "$@"' sh \
    "$CTL" --store "$S" audit archive --before "@$cut" --out "$tmp/big.jsonl"
has "write: .*no entry removed, the file is deleted" "$tmp/err" "failing write reason"
[ ! -e "$tmp/big.jsonl" ] && ok || bad "a failed archive left its partial file"
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$tmp/ro" && chmod 0500 "$tmp/ro"
	expect 1 "archive into a read-only directory" ctl audit archive --before "@$cut" --out "$tmp/ro/a.jsonl"
fi
expect 0 "audit --json after the failures" ctl --json audit
items "$tmp/out" >"$tmp/after-fail.items"
if cmp -s "$tmp/all.items" "$tmp/after-fail.items"; then ok; else bad "a failed archive removed entries"; fi
# the archive itself
expect 0 "audit archive" ctl audit archive --before "@$cut" --out "$tmp/a.jsonl"
has "^archived: $((nall - nlate))$" "$tmp/out" "archive count"
has "^file: $tmp/a.jsonl$" "$tmp/out" "archive file name"
mode=$(stat -c %a "$tmp/a.jsonl")
same "$mode" 600 "archive file mode"
same "$(wc -l <"$tmp/a.jsonl")" $((nall - nlate)) "one line per archived entry"
# The archive's lines, then the entries left, are the listing before, to the octet.
cat "$tmp/a.jsonl" "$tmp/late.items" >"$tmp/joined.items"
if cmp -s "$tmp/all.items" "$tmp/joined.items"; then ok; else
	bad "archive lines and the entries left differ from the listing before"
	diff "$tmp/all.items" "$tmp/joined.items" | head -n 10
fi
# Left: the entries from the cut on, then the archive's own entry.
expect 0 "audit --json after archive" ctl --json audit
cp "$tmp/out" "$tmp/archived.json"
items "$tmp/archived.json" >"$tmp/left.items"
if head -n "$nlate" "$tmp/left.items" | cmp -s - "$tmp/late.items"; then ok; else
	bad "after archive, the listing is not the entries from the cut on"; fi
same "$(wc -l <"$tmp/left.items")" $((nlate + 1)) "one entry added by the archive"
tail -n 1 "$tmp/left.items" >"$tmp/last.item"
has '"action":"audit archive"' "$tmp/last.item" "the archive is audited"
has "\"detail\":\"$((nall - nlate)) entries before .* to $tmp/a.jsonl\"" "$tmp/last.item" \
    "the archive's entry names count, time and file"
expect 0 "audit after archive" ctl audit
hasnt "^action: init$" "$tmp/out" "the init entry is archived"
has "^action: user revoke$" "$tmp/out" "the entries after the cut stay"
expect 1 "archive again into the same file" ctl audit archive --before "@$cut" --out "$tmp/a.jsonl"
same "$(wc -l <"$tmp/a.jsonl")" $((nall - nlate)) "the archive is left alone"
expect 0 "archive with nothing before the time" ctl --json audit archive --before 2000-01-01T00:00:00Z --out "$tmp/empty.jsonl"
has '^{"archived":0,"before":"2000-01-01T00:00:00Z",' "$tmp/out" "archive --json: nothing archived, ISO 8601 time"
[ -f "$tmp/empty.jsonl" ] && [ ! -s "$tmp/empty.jsonl" ] && ok || bad "an empty archive is not an empty file"
expect 0 "audit after an empty archive" ctl --json audit
if cmp -s "$tmp/out" "$tmp/archived.json"; then ok; else bad "an empty archive changed the log"; fi
# A removal that fails (files limited to 1 KiB: the three entries left fit
# in the archive, the store's commit does not): the file goes, the entries
# stay.
expect 1 "archive whose removal fails" sh -c 'trap "" XFSZ; ulimit -f 2; exec "$@"' sh \
    "$CTL" --store "$S" audit archive --before "@$((cut + 86400))" --out "$tmp/late.jsonl"
has "store: .*no entry removed, the file is deleted" "$tmp/err" "failing removal reason"
[ ! -e "$tmp/late.jsonl" ] && ok || bad "a failed removal left the archive file"
expect 0 "audit after a failed removal" ctl --json audit
if cmp -s "$tmp/out" "$tmp/archived.json"; then ok; else bad "a failed removal changed the log"; fi

# backup and restore
expect 0 "backup" ctl backup "$tmp/backup.mdb"
mode=$(stat -c %a "$tmp/backup.mdb")
[ "$mode" = 600 ] && ok || bad "backup mode $mode"
expect 1 "backup over an existing file" ctl backup "$tmp/backup.mdb"
expect 0 "restore" "$CTL" --store "$tmp/restored" restore "$tmp/backup.mdb"
expect 1 "restore into a non-empty store" ctl restore "$tmp/backup.mdb"
cp "$tmp/kek.key" "$tmp/kek.copy"
expect 0 "restored store serves" "$CTL" --store "$tmp/restored" user show sip:u2@example.org
has "^role: gms$" "$tmp/out" "restored identity"
expect 0 "restored keyset" "$CTL" --store "$tmp/restored" keyset derive sip:u1@example.org --period 1546
same "$(stat -c %a "$tmp/restored" "$tmp/restored/data.mdb" | tr '\n' ' ')" "700 600 " \
	"restored store modes"

# a truncated, damaged or foreign file is refused (exit 1, a reason) and
# nothing is made: restore verifies the whole file before it writes
refused() {	# refused WHAT FILE PATTERN
	expect 1 "restore $1" "$CTL" --store "$tmp/rbad" restore "$2"
	has "$3" "$tmp/err" "restore $1: reason"
	[ ! -e "$tmp/rbad" ] && ok || bad "restore $1 left $tmp/rbad behind"
}
size=$(wc -c <"$tmp/backup.mdb")
for n in 0 1 7 8 23 24 56 4096 $((size / 2)) $((size - 33)) $((size - 32)) $((size - 1)); do
	head -c "$n" "$tmp/backup.mdb" >"$tmp/trunc"
	refused "of $n of $size octets" "$tmp/trunc" "empty, not a backup\|truncated"
done
cat "$tmp/backup.mdb" "$tmp/backup.mdb" >"$tmp/twice"
refused "with trailing data" "$tmp/twice" "truncated or damaged"
# flip BITS... FILE: XOR one bit (octet*8+bit) of FILE in place for each BITS
flip() {
	f=$1
	shift
	for b in "$@"; do
		o=$((b / 8))
		v=$(od -A n -t u1 -j "$o" -N 1 "$f" | tr -d ' ')
		v=$((v ^ (1 << (b % 8))))
		printf "\\$(printf %o "$v")" | dd of="$f" bs=1 seek="$o" conv=notrunc 2>/dev/null
	done
}
for seed in 1 2 3; do
	cp "$tmp/backup.mdb" "$tmp/flipped"
	flip "$tmp/flipped" $(awk -v s="$seed" -v n="$((size * 8))" \
	    'BEGIN { srand(s); for (i = 0; i < 200; i++) print int(rand() * n) }')
	if cmp -s "$tmp/flipped" "$tmp/backup.mdb"; then bad "seed $seed flipped nothing"; fi
	refused "with 200 flipped bits (seed $seed)" "$tmp/flipped" \
	    "damaged\|not an skms backup\|newer than this skms"
done
for b in $((24 * 8 + 5)) $((size * 4 + 3)) $((size * 8 - 1)); do
	cp "$tmp/backup.mdb" "$tmp/flipped"
	flip "$tmp/flipped" "$b"
	refused "with bit $b flipped" "$tmp/flipped" "SHA-256 digest does not match"
done
cp "$tmp/backup.mdb" "$tmp/flipped"
flip "$tmp/flipped" $((16 * 8 + 62))
refused "with a damaged length" "$tmp/flipped" "truncated or damaged"
cp "$tmp/backup.mdb" "$tmp/flipped"
flip "$tmp/flipped" $((11 * 8 + 1))
refused "of a newer format" "$tmp/flipped" "backup format 3, not format 1"
cp /etc/services "$tmp/services" 2>/dev/null || cp "$0" "$tmp/services"
refused "of a text file" "$tmp/services" "not an skms backup"
cp "$S/data.mdb" "$tmp/data.mdb"
refused "of a bare data.mdb" "$tmp/data.mdb" "bare LMDB file"
head -c 100000 /dev/urandom >"$tmp/noise"
refused "of random octets" "$tmp/noise" "not an skms backup"
# an empty target directory stays empty; one open to others is refused
mkdir -m 0700 "$tmp/rempty"
expect 1 "restore a damaged file into an empty directory" \
	"$CTL" --store "$tmp/rempty" restore "$tmp/flipped"
[ -z "$(ls -A "$tmp/rempty")" ] && ok || bad "a refused restore wrote into the directory"
chmod 0755 "$tmp/rempty"
expect 1 "restore into a 0755 directory" "$CTL" --store "$tmp/rempty" restore "$tmp/backup.mdb"
has "rempty: mode 0755" "$tmp/err" "restore into an open directory: reason"
chmod 0700 "$tmp/rempty"
expect 0 "restore into the empty directory" "$CTL" --store "$tmp/rempty" restore "$tmp/backup.mdb"
expect 0 "that store serves" "$CTL" --store "$tmp/rempty" keyset derive sip:u1@example.org --period 1546

# a passphrase-sealed domain: a wrong passphrase is refused and damages nothing
printf 'correct horse battery staple\n' >"$tmp/pass"
chmod 600 "$tmp/pass"
printf 'kek:\n  scrypt-n: 16384\n' >"$tmp/small.yaml"
P="$tmp/pstore"
expect 0 "init with a passphrase" "$CTL" --config "$tmp/small.yaml" --store "$P" init --kms-uri kms.example.org --passphrase-file "$tmp/pass"
"$CTL" --store "$P" user add sip:p@example.org >/dev/null 2>&1
expect 0 "keyset with the passphrase" "$CTL" --store "$P" keyset derive sip:p@example.org --period 1546
cp "$tmp/out" "$tmp/p1.xml"
printf 'wrong\n' >"$tmp/pass"
expect 1 "keyset with a wrong passphrase" "$CTL" --store "$P" keyset derive sip:p@example.org --period 1546
has "unseal" "$tmp/err" "wrong passphrase reason"
printf 'correct horse battery staple\n' >"$tmp/pass"
expect 0 "keyset after the right passphrase again" "$CTL" --store "$P" keyset derive sip:p@example.org --period 1546
if cmp -s "$tmp/out" "$tmp/p1.xml"; then ok; else bad "key set changed after a wrong passphrase"; fi

# the config's kek.file and kek.passphrase-file count, as in skmsd
K="$tmp/kstore"
head -c 32 /dev/urandom >"$tmp/k1.key"
chmod 0600 "$tmp/k1.key"
expect 0 "init for a key file to move" "$CTL" --store "$K" init --kms-uri kms.example.org --kek-file "$tmp/k1.key"
"$CTL" --store "$K" user add sip:m@example.org >/dev/null 2>&1
mkdir -m 0700 "$tmp/newplace"
mv "$tmp/k1.key" "$tmp/newplace/k1.key"
expect 1 "keyset after the key file moved" "$CTL" --store "$K" keyset derive sip:m@example.org --period 1546
printf 'store:\n  path: %s\nkek:\n  file: %s\n' "$K" "$tmp/newplace/k1.key" >"$tmp/moved.yaml"
expect 0 "keyset with a config naming the new place" "$CTL" --config "$tmp/moved.yaml" keyset derive sip:m@example.org --period 1546
has "<UserUri>sip:m@example.org</UserUri>" "$tmp/out" "keyset through the moved key"
head -c 32 /dev/urandom >"$tmp/other.key"
chmod 0600 "$tmp/other.key"
printf 'store:\n  path: %s\nkek:\n  file: %s\n' "$K" "$tmp/other.key" >"$tmp/wrongkek.yaml"
"$CTL" --config "$tmp/moved.yaml" audit >"$tmp/audit.before" 2>&1
expect 1 "keyset with a config naming a wrong key" "$CTL" --config "$tmp/wrongkek.yaml" keyset derive sip:m@example.org --period 1546 --out "$tmp/wrong.xml"
has "do not unseal: wrong key-encryption key" "$tmp/err" "wrong key reason"
[ ! -e "$tmp/wrong.xml" ] && ok || bad "a key set was written under a wrong key"
"$CTL" --config "$tmp/moved.yaml" audit >"$tmp/audit.after" 2>&1
cmp -s "$tmp/audit.before" "$tmp/audit.after" && ok || bad "the audit log changed under a wrong key"
printf 'store:\n  path: %s\nkek:\n  passphrase-file: %s\n' "$K" "$tmp/pass" >"$tmp/kind.yaml"
expect 1 "keyset with a config naming a passphrase for a key file" "$CTL" --config "$tmp/kind.yaml" keyset derive sip:m@example.org --period 1546
has "named as a passphrase file, but the master secrets are sealed under a key file" "$tmp/err" "kind reason"
printf 'kek:\n  file: %s\n' "$tmp/pass" >"$tmp/kind2.yaml"
expect 1 "keyset with a config naming a key file for a passphrase" "$CTL" --config "$tmp/kind2.yaml" --store "$P" keyset derive sip:p@example.org --period 1546
has "sealed under a passphrase" "$tmp/err" "kind reason, passphrase"
# init: an option naming another key than the config is a usage error
expect 2 "init --kek-file against kek.file" "$CTL" --config "$tmp/moved.yaml" --store "$tmp/k2" init --kms-uri kms.example.org --kek-file "$tmp/other.key"
has "kek-file: disagrees with kek.file of the configuration" "$tmp/err" "disagreeing option reason"
expect 2 "init --passphrase-file against kek.file" "$CTL" --config "$tmp/moved.yaml" --store "$tmp/k2" init --kms-uri kms.example.org --passphrase-file "$tmp/pass"
[ ! -e "$tmp/k2" ] && ok || bad "a refused init made a store"
expect 0 "init --kek-file naming the config's key file another way" "$CTL" --config "$tmp/moved.yaml" --store "$tmp/k3" init --kms-uri kms.example.org --kek-file "$tmp/newplace/../newplace/k1.key"

# config check
printf 'server:\n  workers: 0\n' >"$tmp/bad.yaml"
expect 1 "config check bad" "$CTL" config check "$tmp/bad.yaml"
has "bad.yaml:2:" "$tmp/err" "config error names the line"
expect 0 "config check good" "$CTL" config check "$tmp/small.yaml"
expect 0 "config show" "$CTL" --config "$tmp/small.yaml" config show
has "scrypt-n: 16384" "$tmp/out" "config show value"

# Every command's --help prints its usage, exits 0 and touches nothing:
# 'init --help' made a store and a key file, 'backup --help' crashed.
"$CTL" --help | sed -n '/^commands/,$s/^  \([a-z-]*\( [a-z-]*\)\?\)  .*/\1/p' |
    sed 's/ *$//' >"$tmp/commands"
[ "$(wc -l <"$tmp/commands")" -ge 20 ] && pass=$((pass + 1)) || {
	fail=$((fail + 1))
	echo "FAIL: the command list of skmsctl --help: $(cat "$tmp/commands")"
}
while read -r words; do
	# shellcheck disable=SC2086 # the command's words are split on purpose
	expect 0 "$words --help" "$CTL" --store "$tmp/help-store" $words --help
	has "^usage: skmsctl $words" "$tmp/out" "$words --help usage line"
	if [ -e "$tmp/help-store" ]; then
		fail=$((fail + 1))
		echo "FAIL: $words --help created $tmp/help-store"
		rm -rf "$tmp/help-store"
	else
		pass=$((pass + 1))
	fi
done <"$tmp/commands"

echo "skmsctl: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
