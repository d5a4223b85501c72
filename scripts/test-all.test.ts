import path from "node:path";
import { describe, expect, it } from "vitest";
import { runShellcheck } from "@/test-support/system-tools";

const root = path.resolve(import.meta.dirname, "..");

describe("the shell scripts of the test command", () => {
  it.each(["scripts/test-all.sh", ".ci/run"])("%s passes ShellCheck", (script) => {
    const lint = runShellcheck(path.join(root, script));
    expect(lint.stdout).toBe("");
    expect(lint.status).toBe(0);
  });
});
