# Sourced by the benchmarks: builds target/certwright.jar when it is missing or older than the sources, so that a
# benchmark never measures a jar left over from an earlier commit.
if [ ! -f target/certwright.jar ] || [ -n "$(find src templates ca-config pom.xml -newer target/certwright.jar -print -quit)" ]; then
  mvn -B -q -DskipTests package
fi
