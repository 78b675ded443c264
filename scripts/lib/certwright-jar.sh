# Sourced by the command-line scripts (backup.sh, restore.sh): sets CERTWRIGHT_JAR to the jar to run. A CERTWRIGHT_JAR
# given by the caller is used as it is; otherwise target/certwright.jar, built first when it is missing or older than
# the sources, as scripts/run.sh does.
if [ -z "${CERTWRIGHT_JAR:-}" ]; then
  CERTWRIGHT_JAR="$here/target/certwright.jar"
  if [ ! -f "$CERTWRIGHT_JAR" ] || [ -n "$(cd "$here" && find pom.xml src templates -newer "$CERTWRIGHT_JAR" -print -quit)" ]; then
    echo "building $CERTWRIGHT_JAR with $JAVA_HOME" >&2
    (cd "$here" && mvn -B -q -DskipTests package)
  fi
fi
