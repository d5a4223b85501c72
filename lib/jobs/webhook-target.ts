import "server-only";
import type { LookupAddress } from "node:dns";
import { lookup as systemLookup } from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { Agent } from "undici";
import type { WebhookAllowEntry } from "@/lib/env";

/**
 * Where a webhook may be sent. An admin types the URL, so without these rules the console would post
 * to its own loopback services, the private network or a cloud metadata endpoint on the admin's
 * behalf. The host is resolved once per connection, every address is checked, and the connection
 * goes to exactly the checked addresses, so a DNS answer that changes afterwards (rebinding) is never
 * used. Only CALSYNC_WEBHOOK_ALLOW_HOSTS makes exceptions.
 */

export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (hostname) => systemLookup(hostname, { all: true, order: "verbatim" });

// Node's BlockList also matches IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) against these rules.
const privateIpv4: ReadonlyArray<[string, number]> = [
  ["0.0.0.0", 8], // "this network", with the unspecified address
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT; Alibaba Cloud's metadata service is at 100.100.100.200
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local; AWS, Azure, GCP and OCI metadata at 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments (192.0.0.192: Oracle Cloud metadata)
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking networks, used inside data centres
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, with the broadcast address
];

// Azure's wire server looks public but answers only the VM it runs beside.
const metadataIpv4 = ["168.63.129.16"];

const privateIpv6: ReadonlyArray<[string, number]> = [
  ["::", 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ["64:ff9b:1::", 48], // local-use NAT64 (RFC 8215): the network's own translator, to any IPv4 address
  ["100::", 64], // discard-only
  ["2001::", 32], // Teredo tunnels carry an obfuscated IPv4 address
  ["fc00::", 7], // unique local (AWS's IPv6 metadata: fd00:ec2::254)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // deprecated site-local
  ["ff00::", 8], // multicast
];

function hextets(ipv4: string): [string, string] {
  const [a, b, c, d] = ipv4.split(".").map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

const privateAddresses = new BlockList();
for (const [network, prefix] of privateIpv4) {
  privateAddresses.addSubnet(network, prefix, "ipv4");
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that the gateway connects to.
  const [high, low] = hextets(network);
  privateAddresses.addSubnet(`64:ff9b::${high}:${low}`, 96 + prefix, "ipv6");
  privateAddresses.addSubnet(`2002:${high}:${low}::`, 16 + prefix, "ipv6");
}
for (const address of metadataIpv4) privateAddresses.addAddress(address, "ipv4");
for (const [network, prefix] of privateIpv6) privateAddresses.addSubnet(network, prefix, "ipv6");

/** True for loopback, private, link-local, CGNAT, multicast, reserved and cloud-metadata addresses. */
export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  return version === 0 || privateAddresses.check(address, version === 4 ? "ipv4" : "ipv6");
}

export type WebhookPolicy = { allowsHost(hostname: string): boolean; allowsAddress(address: string): boolean };

export function webhookPolicy(entries: readonly WebhookAllowEntry[]): WebhookPolicy {
  const hosts = new Set<string>();
  const addresses = new BlockList();
  for (const entry of entries) {
    if (entry.kind === "host") hosts.add(entry.name);
    else addresses.addSubnet(entry.address, entry.prefix, entry.family);
  }
  return {
    allowsHost: (hostname) => hosts.has(hostname.toLowerCase().replace(/\.$/, "")),
    allowsAddress: (address) => {
      const version = isIP(address);
      return version !== 0 && (!isPrivateAddress(address) || addresses.check(address, version === 4 ? "ipv4" : "ipv6"));
    },
  };
}

/** The address in a URL's host, if it is one; the URL parser has already turned 0x7f000001 and 2130706433 into 127.0.0.1. */
function literalAddress(url: URL): string | null {
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : null;
}

/** net.connect skips the lookup for an address, so a literal host is checked before connecting. */
export function refusesLiteralHost(url: URL, policy: WebhookPolicy): boolean {
  const address = literalAddress(url);
  return address !== null && !policy.allowsHost(url.hostname) && !policy.allowsAddress(address);
}

export const PRIVATE_ADDRESS_CODE = "CALSYNC_PRIVATE_ADDRESS";

function privateAddressError(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${hostname} is or resolves to a private address`), { code: PRIVATE_ADDRESS_CODE });
}

function notFoundError(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
}

/** The lookup net.connect calls: it resolves once and answers only with addresses it has checked. */
export function webhookLookup(policy: WebhookPolicy, resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        const wanted = options.family === 4 || options.family === 6 ? answers.filter((answer) => answer.family === options.family) : answers;
        if (wanted.length === 0) return callback(notFoundError(hostname), "");
        // Any private answer refuses the name: happy-eyeballs would otherwise fall back to it.
        if (!policy.allowsHost(hostname) && wanted.some((answer) => !policy.allowsAddress(answer.address))) {
          return callback(privateAddressError(hostname), "");
        }
        const checked = wanted.map(({ address, family }) => ({ address, family }));
        if (options.all) callback(null, checked);
        else callback(null, checked[0]!.address, checked[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };
}

/** A dispatcher for one delivery: its connections go only where webhookLookup allowed. */
export function webhookDispatcher(policy: WebhookPolicy, resolve: Resolve = systemResolve): Agent {
  return new Agent({ connect: { lookup: webhookLookup(policy, resolve) } });
}
