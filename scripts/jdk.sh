# Finds a JDK of at least version $1 (default 21) and prints its home directory.
# Sourced by ./wharf and the bench scripts; exits non-zero with a message when none is found.

wharf_java_major() {
  # Prints the feature version of the java binary given, or nothing.
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

wharf_find_jdk() {
  local want="${1:-21}" candidate major best="" best_major=0
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(cd "$(dirname "$(readlink -f "$(command -v java)")")/.." && pwd)")
  fi
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
                   "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
                   /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$candidate" ] && candidates+=("$candidate")
  done
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate/bin/java" ] || continue
    major="$(wharf_java_major "$candidate/bin/java")"
    [ -n "$major" ] || continue
    # JAVA_HOME wins when it is recent enough; otherwise the newest JDK found.
    if [ "$candidate" = "${JAVA_HOME:-}" ] && [ "$major" -ge "$want" ]; then
      echo "$candidate"
      return 0
    fi
    if [ "$major" -ge "$want" ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"
      best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "wharf: no JDK $want or newer was found (looked at JAVA_HOME, the java on PATH and the usual install directories)" >&2
    return 1
  fi
  echo "$best"
}
