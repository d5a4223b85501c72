import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { isPrivateAddress, refusesLiteralHost, webhookLookup, webhookPolicy, type Resolve } from "@/lib/jobs/webhook-target";

/**
 * The address rules, and the lookup the webhook sender connects through, called directly: nothing
 * here opens a connection, so every address class can be tried without sending traffic anywhere.
 */

const policy = (allow = "") => webhookPolicy(parseEnv({ CALSYNC_WEBHOOK_ALLOW_HOSTS: allow }).CALSYNC_WEBHOOK_ALLOW_HOSTS);

const refused: ReadonlyArray<[string, string]> = [
  ["loopback", "127.0.0.1"],
  ["loopback (whole /8)", "127.255.255.254"],
  ["unspecified", "0.0.0.0"],
  ["this network", "0.1.2.3"],
  ["RFC 1918 10/8", "10.20.30.40"],
  ["RFC 1918 172.16/12", "172.16.0.1"],
  ["RFC 1918 172.16/12 (top)", "172.31.255.255"],
  ["RFC 1918 192.168/16", "192.168.1.1"],
  ["link-local", "169.254.1.1"],
  ["cloud metadata", "169.254.169.254"],
  ["CGNAT", "100.64.0.1"],
  ["CGNAT (Alibaba metadata)", "100.100.100.200"],
  ["Azure platform (wire server)", "168.63.129.16"],
  ["IETF protocol assignments (Oracle metadata)", "192.0.0.192"],
  ["multicast", "224.0.0.251"],
  ["broadcast", "255.255.255.255"],
  ["IPv6 loopback", "::1"],
  ["IPv6 unspecified", "::"],
  ["ULA", "fc00::1"],
  ["ULA (AWS metadata)", "fd00:ec2::254"],
  ["IPv6 link-local", "fe80::1"],
  ["IPv6 multicast", "ff02::1"],
  ["IPv4-mapped loopback", "::ffff:127.0.0.1"],
  ["IPv4-mapped loopback (hex)", "::ffff:7f00:1"],
  ["IPv4-mapped metadata", "::ffff:a9fe:a9fe"],
  ["IPv4-mapped private", "::ffff:10.0.0.1"],
  ["NAT64 loopback", "64:ff9b::7f00:1"],
  ["NAT64 private", "64:ff9b::c0a8:101"],
  // RFC 8215's local-use NAT64 prefix: a translator inside the network maps it onto any IPv4 address.
  ["local-use NAT64 metadata", "64:ff9b:1::a9fe:a9fe"],
  ["local-use NAT64 loopback", "64:ff9b:1:0:0:0:7f00:1"],
  ["6to4 loopback", "2002:7f00:1::1"],
  ["6to4 metadata", "2002:a9fe:a9fe::1"],
];

const allowed: ReadonlyArray<[string, string]> = [
  ["public IPv4", "93.184.216.34"],
  ["just above 172.16/12", "172.32.0.1"],
  ["just above CGNAT", "100.128.0.1"],
  ["public IPv6", "2606:4700:4700::1111"],
  ["IPv4-mapped public", "::ffff:8.8.8.8"],
  ["NAT64 public", "64:ff9b::808:808"],
  ["6to4 public", "2002:808:808::1"],
];

describe("isPrivateAddress", () => {
  it.each(refused)("refuses %s (%s)", (_label, address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  it.each(allowed)("allows %s (%s)", (_label, address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe("literal hosts (no DNS: the connection would go straight to them)", () => {
  it.each([
    "http://127.0.0.1:8080/x",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://017700000001/",
    "http://127.1/",
    "http://[::1]:9000/",
    "http://[::ffff:127.0.0.1]/",
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/",
    "https://10.0.0.7:6379/",
    "http://0/",
  ])("refuses %s", (url) => {
    expect(refusesLiteralHost(new URL(url), policy())).toBe(true);
  });

  it("leaves public literals and host names to the lookup", () => {
    expect(refusesLiteralHost(new URL("https://93.184.216.34/hook"), policy())).toBe(false);
    expect(refusesLiteralHost(new URL("https://[2606:4700:4700::1111]/hook"), policy())).toBe(false);
    expect(refusesLiteralHost(new URL("https://localhost/hook"), policy())).toBe(false);
  });

  it("CALSYNC_WEBHOOK_ALLOW_HOSTS lets exactly the listed addresses, ranges and names through", () => {
    expect(refusesLiteralHost(new URL("http://0x7f000001:9/"), policy("127.0.0.1"))).toBe(false);
    expect(refusesLiteralHost(new URL("http://127.0.0.2:9/"), policy("127.0.0.1"))).toBe(true);
    expect(refusesLiteralHost(new URL("http://10.1.2.3/"), policy("10.0.0.0/8"))).toBe(false);
    expect(refusesLiteralHost(new URL("http://[::1]/"), policy("::1"))).toBe(false);
    expect(refusesLiteralHost(new URL("http://[::1]/"), policy("[::1]"))).toBe(false);
    expect(refusesLiteralHost(new URL("http://169.254.169.254/"), policy("10.0.0.0/8, hooks.internal.example"))).toBe(true);
  });
});

type LookupResult = { error: NodeJS.ErrnoException | null; addresses: LookupAddress[] };

/** Calls the lookup the way net.connect does (with `all`, as Node's happy-eyeballs connect asks). */
function lookup(hostname: string, resolve: Resolve, allow = ""): Promise<LookupResult> {
  return new Promise((resolvePromise) => {
    webhookLookup(policy(allow), resolve)(hostname, { all: true }, (error, addresses) => {
      resolvePromise({ error, addresses: Array.isArray(addresses) ? addresses : [] });
    });
  });
}

const answer = (...addresses: string[]): Resolve => async () => addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("webhookLookup", () => {
  it.each(refused)("refuses a name that resolves to %s (%s)", async (_label, address) => {
    const result = await lookup("hooks.example.com", answer(address));
    expect(result.error?.code).toBe("CALSYNC_PRIVATE_ADDRESS");
    expect(result.addresses).toEqual([]);
  });

  it("refuses a name when any of its addresses is private (the connection could fall back to it)", async () => {
    const result = await lookup("hooks.example.com", answer("93.184.216.34", "127.0.0.1"));
    expect(result.error?.code).toBe("CALSYNC_PRIVATE_ADDRESS");
  });

  it("refuses localhost as the system resolver answers it", async () => {
    const { systemResolve } = await import("@/lib/jobs/webhook-target");
    const result = await lookup("localhost", systemResolve);
    expect(result.error?.code).toBe("CALSYNC_PRIVATE_ADDRESS");
  });

  it("resolves once and hands net.connect exactly the addresses it checked (a rebinding answer comes too late)", async () => {
    const answers = [["93.184.216.34"], ["127.0.0.1"]];
    let calls = 0;
    const rebinding: Resolve = async () => answer(...answers[Math.min(calls++, 1)]!)("");
    const result = await lookup("rebind.example.com", rebinding);
    expect(result).toEqual({ error: null, addresses: [{ address: "93.184.216.34", family: 4 }] });
    expect(calls).toBe(1);
  });

  it("answers net.connect's single-address form too", async () => {
    const got = await new Promise<unknown[]>((resolvePromise) => {
      webhookLookup(policy(), answer("2606:4700:4700::1111", "93.184.216.34"))("hooks.example.com", { family: 4 }, (...args) => resolvePromise(args));
    });
    expect(got).toEqual([null, "93.184.216.34", 4]);
  });

  it("passes DNS failures on unchanged, so they read as DNS failures", async () => {
    const failing: Resolve = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND nope.example.com"), { code: "ENOTFOUND" });
    };
    expect((await lookup("nope.example.com", failing)).error?.code).toBe("ENOTFOUND");
    expect((await lookup("empty.example.com", answer())).error?.code).toBe("ENOTFOUND");
  });

  it("an allow-listed name may resolve to a private address; others still may not", async () => {
    expect(await lookup("hooks.internal.example", answer("10.0.0.7"), "hooks.internal.example")).toEqual({ error: null, addresses: [{ address: "10.0.0.7", family: 4 }] });
    expect(await lookup("HOOKS.internal.example.", answer("10.0.0.7"), "hooks.internal.example")).toMatchObject({ error: null });
    expect((await lookup("other.internal.example", answer("10.0.0.7"), "hooks.internal.example")).error?.code).toBe("CALSYNC_PRIVATE_ADDRESS");
    expect(await lookup("other.internal.example", answer("10.0.0.7"), "10.0.0.0/24")).toMatchObject({ error: null });
    expect((await lookup("other.internal.example", answer("10.0.1.7"), "10.0.0.0/24")).error?.code).toBe("CALSYNC_PRIVATE_ADDRESS");
  });
});
