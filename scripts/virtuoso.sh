#!/usr/bin/env bash
# Start or stop a throw-away Virtuoso (Debian virtuoso-opensource) bound to 127.0.0.1, for tests.
#   VIRTUOSO_DIR=/tmp/v VIRTUOSO_HTTP_PORT=8890 VIRTUOSO_SQL_PORT=1111 scripts/virtuoso.sh start
#   VIRTUOSO_DIR=/tmp/v scripts/virtuoso.sh stop
# The SPARQL endpoint is http://127.0.0.1:$VIRTUOSO_HTTP_PORT/sparql (updates allowed, no auth);
# Virtuoso's system graphs are private (not readable there), so its default graph is the union
# of the graphs written through it.
set -euo pipefail
dir="${VIRTUOSO_DIR:?set VIRTUOSO_DIR}"
http="${VIRTUOSO_HTTP_PORT:-8890}"
sql="${VIRTUOSO_SQL_PORT:-1111}"
case "${1:-}" in
  start)
    command -v virtuoso-t >/dev/null || { echo "virtuoso-t not found (apt-get install virtuoso-opensource)"; exit 2; }
    mkdir -p "$dir"
    cat > "$dir/virtuoso.ini" <<INI
[Database]
DatabaseFile = $dir/virtuoso.db
ErrorLogFile = $dir/virtuoso.log
LockFile = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
MaxCheckpointRemap = 2000
[TempDatabase]
DatabaseFile = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:$sql
DirsAllowed = ., $dir, /usr/share/virtuoso-opensource-7/vad
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CheckpointInterval = 0
[HTTPServer]
ServerPort = 127.0.0.1:$http
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 8
ServerThreads = 8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
DefaultQuery = ASK {}
INI
    # exec: the background job's PID is virtuoso's own, so stop can end exactly that process
    (cd "$dir" && exec virtuoso-t +configfile "$dir/virtuoso.ini" +foreground > "$dir/stdout.log" 2>&1) &
    echo $! > "$dir/virtuoso.pid"
    for _ in $(seq 1 120); do
      if isql-vt "127.0.0.1:$sql" dba dba exec="status();" >/dev/null 2>&1; then
        isql-vt "127.0.0.1:$sql" dba dba exec="GRANT SPARQL_UPDATE TO \"SPARQL\";" >/dev/null
        isql-vt "127.0.0.1:$sql" dba dba exec="DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);" >/dev/null
        # Virtuoso's system graphs become private graphs the anonymous SPARQL user cannot read,
        # so its union default graph holds exactly the data written through the endpoint.
        isql-vt "127.0.0.1:$sql" dba dba exec="DB.DBA.RDF_GRAPH_GROUP_CREATE ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 1);" >/dev/null 2>&1 || true
        for g in 'http://www.openlinksw.com/schemas/virtrdf#' 'http://www.w3.org/ns/ldp#' 'http://localuriqaserver/sparql'; do
          isql-vt "127.0.0.1:$sql" dba dba exec="DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', '$g');" >/dev/null
        done
        isql-vt "127.0.0.1:$sql" dba dba exec="DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);" >/dev/null
        exit 0
      fi
      sleep 0.5
    done
    echo "virtuoso did not start; see $dir/virtuoso.log"; exit 1 ;;
  stop)
    if [ -f "$dir/virtuoso.pid" ]; then
      pid="$(cat "$dir/virtuoso.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
    fi ;;
  *) echo "usage: $0 start|stop"; exit 2 ;;
esac
