#!/bin/sh
# SPDX-License-Identifier: ISC
# skmsctl on the PostgreSQL backend: an LMDB store backed up and restored
# into a database, then the same commands run on both (a twin pair) with
# identical output and status; keyset derive byte-identical; the database
# backed up and restored into LMDB again with everything intact; init on
# an empty database; and the refusals: wrong password, unreachable server,
# no schema, a schema newer than this skms, a password in the conninfo.
set -u
. "${top_srcdir:-.}/tests/checks.sh"
. "${top_srcdir:-.}/tests/pgserver.sh"
cleanup_extra() { pg_cleanup; }
need_pg
pg_start || { echo "FAIL: cannot start PostgreSQL"; exit 1; }
# skmsctl takes the password from store.postgresql.password-file only.
pgpass=$PGPASSFILE
unset PGPASSFILE
sql() { PGPASSFILE=$pgpass psql -q -X -t -A -v ON_ERROR_STOP=1 "$@"; }

head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
L=$tmp/lmdb
# pgconf FILE CONNINFO [PASSWORD-FILE [NODE]]: a config on the PostgreSQL backend.
pgconf() {
	cat >"$1" <<EOC
store:
  path: $tmp/node
  backend: postgresql
  postgresql:
    conninfo: "$2"
    password-file: "${3-$pg_pwfile}"
node:
  name: "${4:-node-a}"
kek:
  file: $tmp/kek.key
EOC
}
pgconf "$tmp/pg.yaml" "$pg_conninfo"
printf 'kek:\n  file: %s\n' "$tmp/kek.key" >"$tmp/lmdb.yaml"
lc() { "$CTL" --config "$tmp/lmdb.yaml" --store "$L" "$@"; }
pc() { "$CTL" --config "$tmp/pg.yaml" "$@"; }

# Times of today in an output (records made by the twin commands) are
# replaced, since the two runs of a pair may straddle a second.
day1=$(date -u +%Y-%m-%d)
norm() { sed -e "s/${day1}T[0-9:]*Z/NOW/g" -e "s/${day2:-$day1}T[0-9:]*Z/NOW/g" \
    -e 's/"time":[0-9]*/"time":T/g' -e 's/arch\.[lp]/arch/g' "$1"; }

# twin STATUS DESCRIPTION ARGS...: runs ARGS on the LMDB store and on the
# database; both exit with STATUS and print the same (times normalized).
twin() {
	want=$1
	what=$2
	shift 2
	lc "$@" >"$tmp/l.out" 2>"$tmp/l.err"
	lrc=$?
	pc "$@" >"$tmp/p.out" 2>"$tmp/p.err"
	prc=$?
	same "$lrc $prc" "$want $want" "$what: exit status (lmdb, postgresql)"
	if [ "$(norm "$tmp/l.out")" = "$(norm "$tmp/p.out")" ]; then ok; else
		bad "$what: output differs between lmdb and postgresql"
		diff "$tmp/l.out" "$tmp/p.out" | head -n 10 | sed 's/^/  | /'
	fi
	if [ "$(sed 's/^skmsctl: [^:]*: //' "$tmp/l.err" | norm /dev/stdin)" = \
	    "$(sed 's/^skmsctl: [^:]*: //' "$tmp/p.err" | norm /dev/stdin)" ]; then ok; else
		bad "$what: errors differ between lmdb and postgresql"
		cat "$tmp/l.err" "$tmp/p.err" | head -n 6 | sed 's/^/  | /'
	fi
}

# an LMDB store with identities, a revoked period, a removed identity, an
# External certificate and audit entries
expect 0 "lmdb init" lc init --kms-uri kms.example.org --key-period 2592000 \
	--cert-uri cert.kms.example.org --issuer "Example KMS" --domain example.org \
	--kek-file "$tmp/kek.key"
expect 0 "lmdb user add" lc user add sip:alice@example.org
expect 0 "lmdb user add gms" lc user add https://gms.example.org --role gms
expect 0 "lmdb user add tel" lc user add tel:+447700900123 --valid-from 2020-01-01 --valid-to 2099-01-01
expect 0 "lmdb user add carol" lc user add sip:carol@example.org
expect 0 "lmdb revoke period" lc user revoke sip:alice@example.org --period 1547 --reason lost
expect 0 "lmdb revoke carol" lc user revoke sip:carol@example.org --from 2021-01-01 --reason left
expect 0 "lmdb remove tel" lc user remove tel:+447700900123
expect 0 "lmdb cert export" lc cert export
sed 's/Role="Root"/Role="External"/; s/cert.kms.example.org/cert.partner.example.net/' \
	"$tmp/out" >"$tmp/ext.xml"
expect 0 "lmdb external add" lc external add "$tmp/ext.xml"
expect 0 "lmdb keyset derive" lc keyset derive sip:alice@example.org --period 1546
cp "$tmp/out" "$tmp/ks.lmdb"
expect 0 "lmdb audit" lc audit
cp "$tmp/out" "$tmp/audit.lmdb"

# the database has no schema yet: every command but init and restore says so
expect 3 "no schema" pc user list
has "no skms schema in this database (run 'skmsctl init')" "$tmp/err" "no schema reason"
has "host=$pg_sock" "$tmp/err" "no schema reason names the server"

# LMDB -> PostgreSQL
expect 0 "lmdb backup" lc backup "$tmp/b1"
expect 0 "restore into postgresql" pc restore "$tmp/b1"
has "^restored: postgresql$" "$tmp/out" "restore names the backend"
expect 1 "restore into a database holding records" pc restore "$tmp/b1"
has "already holds records" "$tmp/err" "non-empty database reason"
same "$(sql -c 'SELECT version FROM skms_schema')" "1" "schema version row"
same "$(sql -c "SELECT count(*) FROM skms_record WHERE k = '\\x00'::bytea || '\\x03'::bytea OR get_byte(k, 0) = 64")" \
	"0" "audit and journal mark are not key/value rows"
same "$(sql -c 'SELECT count(*) FROM skms_audit')" "$(grep -c '^seq:' "$tmp/audit.lmdb")" \
	"every audit entry in skms_audit"
expect 0 "postgresql audit" pc audit
cmp -s "$tmp/out" "$tmp/audit.lmdb" && ok || bad "audit differs after the restore into postgresql"
expect 0 "postgresql keyset derive" pc keyset derive sip:alice@example.org --period 1546
cmp -s "$tmp/out" "$tmp/ks.lmdb" && ok || bad "keyset derive differs after the restore into postgresql"
# (audited on both sides, to keep the twins' audit in step)
lc keyset derive sip:alice@example.org --period 1546 >/dev/null 2>&1

# the same commands, the same answers
twin 0 "domain show" domain show
twin 0 "domain show --json" --json domain show
twin 0 "cert export" cert export
twin 0 "period show" period show --period 1512
twin 0 "user list" user list
twin 0 "user list --json revoked" --json user list --state revoked
twin 0 "user show alice" user show sip:alice@example.org
twin 0 "user show carol" user show sip:carol@example.org
twin 1 "user show removed" user show tel:+447700900123
twin 0 "keyset derive gms" keyset derive https://gms.example.org --period 1550
twin 1 "keyset of a revoked period" keyset derive sip:alice@example.org --period 1547
twin 1 "keyset of a revoked identity" keyset derive sip:carol@example.org --period 1546
twin 0 "user add bob" user add sip:bob@example.org
twin 1 "user add bob twice" user add sip:bob@example.org
twin 0 "revoke bob's period" user revoke sip:bob@example.org --period 1600 --reason stolen
twin 1 "keyset of bob's revoked period" keyset derive sip:bob@example.org --period 1600
twin 0 "reinstate bob's period" user reinstate sip:bob@example.org --period 1600
twin 0 "keyset of bob's reinstated period" keyset derive sip:bob@example.org --period 1600
twin 0 "revoke bob" user revoke sip:bob@example.org --from 2020-01-01 --reason left
twin 1 "revoke bob twice" user revoke sip:bob@example.org
twin 0 "reinstate carol" user reinstate sip:carol@example.org
twin 1 "reinstate carol twice" user reinstate sip:carol@example.org
twin 0 "keyset of reinstated carol" keyset derive sip:carol@example.org --period 1546
twin 0 "remove gms" user remove https://gms.example.org
twin 1 "remove gms twice" user remove https://gms.example.org
printf 'sip:u1@example.org\nsip:u2@example.org gms\n' >"$tmp/ids"
twin 0 "import" user import "$tmp/ids"
printf 'sip:u3@example.org\nsip:u1@example.org\n' >"$tmp/ids2"
twin 1 "import with a registered identity" user import "$tmp/ids2"
twin 1 "nothing of a failed import" user show sip:u3@example.org
twin 0 "external list" external list
twin 0 "external remove" external remove cert.partner.example.net
twin 1 "external remove twice" external remove cert.partner.example.net
twin 0 "external add" external add "$tmp/ext.xml"
twin 0 "external list after" external list
twin 0 "user list after" user list
twin 0 "audit" audit
twin 0 "audit --identity" audit --identity sip:bob@example.org
twin 0 "audit --json" --json audit
day2=$(date -u +%Y-%m-%d)

# the audit archive: the same entries leave both, into the same file
cut=$(($(date +%s) + 1))
while [ "$(date +%s)" -le "$cut" ]; do sleep 0.2; done
expect 0 "lmdb audit archive" lc audit archive --before "@$cut" --out "$tmp/arch.l"
expect 0 "postgresql audit archive" pc audit archive --before "@$cut" --out "$tmp/arch.p"
same "$(norm "$tmp/arch.p")" "$(norm "$tmp/arch.l")" "the same entries archived"
[ -s "$tmp/arch.p" ] && ok || bad "nothing archived"
lc --json audit >"$tmp/l.left"
pc --json audit >"$tmp/p.left"
same "$(norm "$tmp/l.left")" "$(norm "$tmp/p.left")" "audit after archive"

# PostgreSQL -> LMDB: everything intact
expect 0 "postgresql backup" pc backup "$tmp/b2"
expect 1 "postgresql backup over a file" pc backup "$tmp/b2"
has "exists already" "$tmp/err" "backup over a file reason"
expect 0 "restore into lmdb" "$CTL" --config "$tmp/lmdb.yaml" --store "$tmp/back" restore "$tmp/b2"
bc() { "$CTL" --config "$tmp/lmdb.yaml" --store "$tmp/back" "$@"; }
for cmd in "domain show" "user list" "external list" "user show sip:bob@example.org" \
    "user show sip:alice@example.org" "--json audit" "audit"; do
	# shellcheck disable=SC2086
	pc $cmd >"$tmp/p.out" 2>&1
	# shellcheck disable=SC2086
	bc $cmd >"$tmp/b.out" 2>&1
	cmp -s "$tmp/p.out" "$tmp/b.out" && ok || bad "$cmd differs after the round trip"
done
# the next audit number continues where the database left off
pc user add sip:next@example.org >/dev/null 2>&1
bc user add sip:next@example.org >/dev/null 2>&1
same "$(pc audit | grep '^seq:' | tail -n 1)" "$(bc audit | grep '^seq:' | tail -n 1)" \
	"audit numbering continues after the round trip"
expect 0 "keyset derive after the round trip" bc keyset derive sip:alice@example.org --period 1546
cmp -s "$tmp/out" "$tmp/ks.lmdb" && ok || bad "keyset derive differs after the round trip"
expect 1 "revocation intact after the round trip" bc keyset derive sip:alice@example.org --period 1547
expect 1 "revoked identity intact after the round trip" bc keyset derive sip:bob@example.org --period 1546

# init on an empty database creates the schema; records name the node
sql -d skms -c "CREATE DATABASE skms2" -c "CREATE DATABASE skms3" \
    -c "CREATE DATABASE skms4" >/dev/null
pgconf "$tmp/pg2.yaml" "$pg_conninfo dbname=skms2" "$pg_pwfile" node-b
expect 0 "init on postgresql" "$CTL" --config "$tmp/pg2.yaml" init --kms-uri kms.example.org
has "^kms-uri: kms.example.org$" "$tmp/out" "init shows the domain"
expect 1 "init twice on postgresql" "$CTL" --config "$tmp/pg2.yaml" init --kms-uri kms.example.org
has "exists already" "$tmp/err" "init twice reason"
has "postgresql (.*dbname=skms2.*host=$pg_sock" "$tmp/err" "init twice names the database"
expect 0 "user add on the new database" "$CTL" --config "$tmp/pg2.yaml" user add sip:x@example.org
same "$(sql -d skms2 -c 'SELECT DISTINCT node FROM skms_audit')" "node-b" "audit rows name the node"
same "$(sql -d skms2 -c 'SELECT count(*) FROM skms_audit')" "2" "one audit row per change"
expect 0 "keyset derive on the new database" "$CTL" --config "$tmp/pg2.yaml" keyset derive sip:x@example.org --period 1546
cp "$tmp/out" "$tmp/ks2"
# kek rotate and a rollover on the database: the master secrets re-sealed,
# the same key sets under the new key; a new generation recorded
head -c 32 /dev/urandom >"$tmp/kek2.key"
chmod 0600 "$tmp/kek2.key"
expect 0 "kek rotate on postgresql" "$CTL" --config "$tmp/pg2.yaml" kek rotate --kek-file "$tmp/kek2.key"
sed "s|file: $tmp/kek.key|file: $tmp/kek2.key|" "$tmp/pg2.yaml" >"$tmp/pg2b.yaml"
expect 0 "keyset derive under the new key" "$CTL" --config "$tmp/pg2b.yaml" keyset derive sip:x@example.org --period 1546
cmp -s "$tmp/out" "$tmp/ks2" && ok || bad "key set changed by kek rotate on postgresql"
expect 1 "the old key no longer opens the domain" "$CTL" --config "$tmp/pg2.yaml" keyset derive sip:x@example.org --period 1546
expect 0 "rollover on postgresql" "$CTL" --config "$tmp/pg2b.yaml" domain rollover --at 2030-01-01T00:00:00Z
expect 0 "domain show after the rollover" "$CTL" --config "$tmp/pg2b.yaml" domain show
has "^generation: 1$" "$tmp/out" "the new generation is recorded"

# init without a key-encryption key: a new key file in this node's directory
cat >"$tmp/pg5.yaml" <<EOC
store:
  path: $tmp/node5
  backend: postgresql
  postgresql: {conninfo: "$pg_conninfo dbname=skms4", password-file: "$pg_pwfile"}
EOC
expect 0 "init with a new key file" "$CTL" --config "$tmp/pg5.yaml" init --kms-uri kms.example.org
same "$(stat -c %a "$tmp/node5" "$tmp/node5/kek.key" 2>&1 | tr '\n' ' ')" "700 600 " \
	"the node's directory and its new key file"
expect 0 "the new key file opens the domain" "$CTL" --config "$tmp/pg5.yaml" domain show

# refusals, each naming the server without the password
pw=$(cat "$pg_pwfile")
printf 'not-the-password\n' >"$tmp/wrong.pw"
chmod 0600 "$tmp/wrong.pw"
pgconf "$tmp/wrong.yaml" "$pg_conninfo" "$tmp/wrong.pw"
expect 3 "wrong password" "$CTL" --config "$tmp/wrong.yaml" user list
has "refused the password" "$tmp/err" "wrong password reason"
has "host=$pg_sock" "$tmp/err" "wrong password names the server"
hasnt "not-the-password" "$tmp/err" "wrong password is not shown"
pgconf "$tmp/nopw.yaml" "$pg_conninfo" ""
expect 3 "no password" "$CTL" --config "$tmp/nopw.yaml" user list
has "gives none" "$tmp/err" "no password reason"
chmod 0644 "$tmp/wrong.pw"
expect 3 "password file readable by others" "$CTL" --config "$tmp/wrong.yaml" user list
has "wrong.pw: mode 0644" "$tmp/err" "password file mode reason"
pgconf "$tmp/inline.yaml" "$pg_conninfo password=$pw" ""
expect 3 "password in the conninfo" "$CTL" --config "$tmp/inline.yaml" user list
has "holds a password" "$tmp/err" "password in the conninfo reason"
hasnt "$pw" "$tmp/err" "password in the conninfo is not shown"
mkdir -m 0700 "$tmp/nosock"
pgconf "$tmp/unreach.yaml" "host=$tmp/nosock port=5999 user=skms dbname=skms"
expect 3 "unreachable server" "$CTL" --config "$tmp/unreach.yaml" user list
has "cannot reach the server" "$tmp/err" "unreachable reason"
has "host=$tmp/nosock port=5999" "$tmp/err" "unreachable names the server"
pgconf "$tmp/pg3.yaml" "$pg_conninfo dbname=skms3"
expect 3 "empty database" "$CTL" --config "$tmp/pg3.yaml" audit
has "dbname=skms3" "$tmp/err" "empty database names it"
pgconf "$tmp/pg4.yaml" "$pg_conninfo dbname=nosuchdb"
expect 3 "missing database" "$CTL" --config "$tmp/pg4.yaml" audit
has "nosuchdb" "$tmp/err" "missing database reason"
sql -d skms2 -c "UPDATE skms_schema SET version = 2"
expect 3 "newer schema" "$CTL" --config "$tmp/pg2.yaml" user list
has "database schema version 2, written by a newer version of skms" "$tmp/err" "newer schema reason"
expect 3 "init does not touch a newer schema" "$CTL" --config "$tmp/pg2.yaml" init --kms-uri kms.example.org
same "$(sql -d skms2 -c 'SELECT version FROM skms_schema')" "2" "newer schema left alone"

# the server gone: a clear error, and back again
pg_stop
expect 3 "server stopped" pc user list
has "cannot reach the server" "$tmp/err" "server stopped reason"
pg_restart
expect 0 "server back" pc user list

echo "skmsctl_pg: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
