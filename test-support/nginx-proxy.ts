import { spawn } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServerCertificate } from "../simulator/certs";
import { freePort, REPO_ROOT } from "./console-process";
import { nginxExecutable } from "./system-tools";

/**
 * Debian's nginx in front of console instances, with deploy/nginx/calsync.conf as the site: TLS on
 * loopback with a certificate for `localhost` from a throwaway CA made for this proxy alone. nginx runs
 * in the foreground in a folder of its own (configuration, pid, logs, temporary files), wrapped in the
 * smallest main configuration that includes the site.
 *
 * `proxyBind` makes nginx connect to the instances from another loopback address than the browser's,
 * so that a console taking the socket's address for the client's would be caught.
 */

export const NGINX_SITE = path.join(REPO_ROOT, "deploy/nginx/calsync.conf");

export type NginxProxyOptions = { instances: [string, string]; proxyBind?: string };

export type NginxProxy = {
  /** https://localhost:<port> */
  origin: string;
  port: number;
  caCertPem: string;
  /** Base64 SHA-256 of the CA's public key, for Chromium's --ignore-certificate-errors-spki-list. */
  caSpkiSha256: string;
  /** One line a request: `127.0.0.1 "GET / HTTP/1.1" 200 upstream=127.0.0.1:3001, 127.0.0.1:3002 upstream_status=502, 200`. */
  accessLog(): string;
  stop(): Promise<void>;
};

/** Fills in the @NAME@ placeholders; every one in the text must get a value, and every value a place. */
export function fillPlaceholders(template: string, values: Record<string, string>): string {
  const unused = new Set(Object.keys(values));
  const filled = template.replace(/@([A-Z_]+)@/g, (match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for the placeholder ${match}`);
    unused.delete(name);
    return value;
  });
  if (unused.size > 0) throw new Error(`No placeholder for ${[...unused].join(", ")}`);
  return filled;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startNginxProxy(options: NginxProxyOptions): Promise<NginxProxy> {
  const dir = mkdtempSync(path.join(tmpdir(), "calsync-nginx-"));
  // nginx's workers drop root and must still reach their temporary folders in here.
  chmodSync(dir, 0o755);
  const certificate = await createServerCertificate(path.join(dir, "ca"));
  const tls = path.join(dir, "tls");
  mkdirSync(tls, { mode: 0o700 });
  writeFileSync(path.join(tls, "cert.pem"), certificate.certPem + certificate.caCertPem);
  writeFileSync(path.join(tls, "key.pem"), certificate.keyPem, { mode: 0o600 });

  const port = await freePort();
  const site = fillPlaceholders(readFileSync(NGINX_SITE, "utf8"), {
    SERVER_NAME: "localhost",
    LISTEN: `127.0.0.1:${port}`,
    CERTIFICATE: path.join(tls, "cert.pem"),
    CERTIFICATE_KEY: path.join(tls, "key.pem"),
    INSTANCE_A: options.instances[0],
    INSTANCE_B: options.instances[1],
  });
  writeFileSync(path.join(dir, "calsync.conf"), site);
  const errorLog = path.join(dir, "error.log");
  const accessLog = path.join(dir, "access.log");
  writeFileSync(
    path.join(dir, "nginx.conf"),
    [
      "daemon off;",
      "worker_processes 1;",
      `pid ${path.join(dir, "nginx.pid")};`,
      `error_log ${errorLog} info;`,
      "events { worker_connections 256; }",
      "http {",
      // Which instances each request was tried on, in order: a failover shows as two.
      `  log_format calsync '$remote_addr "$request" $status upstream=$upstream_addr upstream_status=$upstream_status';`,
      `  access_log ${accessLog} calsync;`,
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `  ${kind}_temp_path ${path.join(dir, `${kind}-temp`)};`),
      ...(options.proxyBind ? [`  proxy_bind ${options.proxyBind};`] : []),
      `  include ${path.join(dir, "calsync.conf")};`,
      "}",
      "",
    ].join("\n"),
  );

  const child = spawn(nginxExecutable(), ["-p", `${dir}/`, "-c", path.join(dir, "nginx.conf"), "-e", errorLog], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const describe = () => `${output}\n${(() => {
    try {
      return readFileSync(errorLog, "utf8");
    } catch {
      return "";
    }
  })()}`;

  async function stop(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGQUIT");
      const killed = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killed);
    }
    rmSync(dir, { recursive: true, force: true });
  }

  const deadline = Date.now() + 15_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = describe();
      await stop();
      throw new Error(`nginx did not start on 127.0.0.1:${port}:\n${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const spki = new X509Certificate(certificate.caCertPem).publicKey.export({ type: "spki", format: "der" });
  return {
    origin: `https://localhost:${port}`,
    port,
    caCertPem: certificate.caCertPem,
    caSpkiSha256: createHash("sha256").update(spki).digest("base64"),
    accessLog: () => readFileSync(accessLog, "utf8"),
    stop,
  };
}
