import { spawnSync } from "node:child_process";

/** The unprivileged local account the permission tests act as. */
export const OTHER_ACCOUNT = "nobody";

export const runningAsRoot = process.getuid?.() === 0;

// For each path: list it (folders) or open it for reading and for appending (files), and try to create
// a file in each folder. Appending nothing to an existing file changes nothing if it were allowed.
const PROBE = `
for p in "$@"; do
  if [ -d "$p" ]; then
    ls -a "$p" >/dev/null 2>&1 && echo "listed $p"
    (: > "$p/.probe-by-other-account") 2>/dev/null && echo "created a file in $p" && rm -f "$p/.probe-by-other-account"
  else
    cat "$p" >/dev/null 2>&1 && echo "read $p"
    (: >> "$p") 2>/dev/null && echo "opened for writing $p"
  fi
done
`;

/**
 * What another local account manages to do with `paths`: one line per success, so an empty list means
 * nothing succeeded. Needs root, which may act as any account (`runuser`).
 */
export function accessesByOtherAccount(paths: string[]): string[] {
  if (!runningAsRoot) throw new Error("accessesByOtherAccount needs root to act as another account");
  const result = spawnSync("runuser", ["-u", OTHER_ACCOUNT, "--", "sh", "-c", PROBE, "probe", ...paths], { encoding: "utf8" });
  if (result.error) throw result.error;
  return result.stdout.split("\n").filter(Boolean);
}
