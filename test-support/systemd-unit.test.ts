import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serviceCommand, splitWords } from "@/test-support/systemd-unit";

const root = path.resolve(import.meta.dirname, "..");
const work = mkdtempSync(path.join(tmpdir(), "calsync-systemd-unit-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("splitWords", () => {
  it("splits on whitespace and keeps quoted spaces", () => {
    expect(splitWords(`A=1  "B=two words" C='x y'z D=""`)).toEqual(["A=1", "B=two words", "C=x yz", "D="]);
  });

  it("refuses an unbalanced quote", () => {
    expect(() => splitWords(`A="open`)).toThrow(/Unbalanced/);
  });
});

describe("serviceCommand", () => {
  const secrets = path.join(work, "secrets.env");
  writeFileSync(secrets, ["# shared", "DATABASE_URL=postgresql://db/calsync", 'CALSYNC_PUBLIC_URL="https://calsync.example.com"', "PORT=1", ""].join("\n"));

  it("reads ExecStart, WorkingDirectory, Environment and EnvironmentFile, with %i and moved paths", () => {
    const unit = [
      "[Unit]",
      "Description=x %i",
      "[Service]",
      "WorkingDirectory=/opt/app",
      "Environment=NODE_ENV=production",
      'Environment=HOST=127.0.0.1 PORT=%i "NOTE=100%% sure"',
      "EnvironmentFile=/etc/app/app.env",
      "EnvironmentFile=-/etc/app/missing.env",
      "ExecStart=/opt/app/bin/node \\",
      "  /opt/app/server.mjs --flag",
    ].join("\n");
    const command = serviceCommand(unit, { instance: "3001", paths: { "/opt/app": "/srv/checkout", "/etc/app/app.env": secrets } });
    expect(command.argv).toEqual(["/srv/checkout/bin/node", "/srv/checkout/server.mjs", "--flag"]);
    expect(command.cwd).toBe("/srv/checkout");
    // The file's values win over Environment=, as in systemd.
    expect(command.env).toEqual({
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: "1",
      NOTE: "100% sure",
      DATABASE_URL: "postgresql://db/calsync",
      CALSYNC_PUBLIC_URL: "https://calsync.example.com",
    });
  });

  it("refuses what it does not understand instead of running something else", () => {
    expect(() => serviceCommand("[Service]\nExecStart=/bin/true %n", { instance: "a" })).toThrow(/specifier %n/);
    expect(() => serviceCommand("[Service]\nExecStart=-/bin/true", { instance: "a" })).toThrow(/prefix/);
    expect(() => serviceCommand("[Service]\nExecStart=/bin/echo $HOME", { instance: "a" })).toThrow(/\$ expansion/);
    expect(() => serviceCommand("[Service]\nEnvironment=NODE_ENV", { instance: "a" })).toThrow(/Not a variable assignment/);
    expect(() => serviceCommand("[Service]\nEnvironmentFile=/nowhere/at/all.env\nExecStart=/bin/true", { instance: "a" })).toThrow(/ENOENT/);
    expect(() => serviceCommand("[Service]\nUser=x", { instance: "a" })).toThrow(/no ExecStart/);
  });

  it("runs deploy/systemd/calsync@.service's built server from the installation folder, behind a trusted proxy", () => {
    const unit = readFileSync(path.join(root, "deploy/systemd/calsync@.service"), "utf8");
    const command = serviceCommand(unit, { instance: "3001", paths: { "/opt/calsync": "/srv/calsync", "/var/lib/calsync": "/srv/state", "/etc/calsync/calsync.env": secrets } });
    expect(command.argv).toEqual(["/srv/calsync/node_modules/.bin/node", "/srv/calsync/scripts/server.mjs"]);
    expect(command.cwd).toBe("/srv/calsync");
    expect(command.env).toMatchObject({ NODE_ENV: "production", HOST: "127.0.0.1", CALSYNC_TRUST_PROXY: "true", CALSYNC_DATA_DIR: "/srv/state/3001" });
    expect(unit).toMatch(/^NoNewPrivileges=true$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).toMatch(/^PrivateTmp=true$/m);
    expect(unit).toMatch(/^User=calsync$/m);
  });
});
