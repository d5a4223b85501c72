import type { Metadata } from "next";
import Link from "next/link";
import { authorizePage } from "@/lib/auth/current-user";
import { listConnections } from "@/lib/connections/connections";
import { connectionStateLabels } from "@/lib/connections/state";
import { getPrisma } from "@/lib/db/client";
import { formatDateTime, formatDay } from "@/lib/format";

export const metadata: Metadata = { title: "Connections" };


export default async function ConnectionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await authorizePage("/connections", "/connections");
  const [connections, params] = await Promise.all([listConnections(await getPrisma()), searchParams]);
  return (
    <section className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-2xl font-semibold">Connections</h1>
        {user.role === "admin" && (
          <Link href="/connections/new" className="rounded bg-primary px-4 py-2 text-sm font-medium text-primary-fg no-underline hover:bg-primary-hover">
            New connection
          </Link>
        )}
      </div>
      {typeof params.deleted === "string" && (
        <p role="status" className="rounded border border-green-300 dark:border-green-800 bg-green-50 dark:bg-green-950/60 p-2 text-sm">
          Deleted “{params.deleted}”.
        </p>
      )}
      {connections.length === 0 ? (
        <p>No connections yet.{user.role === "admin" ? " Start with “New connection”." : ""}</p>
      ) : (
        <table className="w-full border-collapse text-sm">
          <caption className="sr-only">Connections</caption>
          <thead>
            <tr className="border-b border-line text-left">
              <th scope="col" className="py-2 pr-3">Name</th>
              <th scope="col" className="py-2 pr-3">Tenant</th>
              <th scope="col" className="py-2 pr-3">Cloud</th>
              <th scope="col" className="py-2 pr-3">State</th>
              <th scope="col" className="py-2 pr-3">Last check (UTC)</th>
              <th scope="col" className="py-2">Secret expires</th>
            </tr>
          </thead>
          <tbody>
            {connections.map((connection) => (
              <tr key={connection.id} className="border-b border-line">
                <td className="py-2 pr-3">
                  <Link href={`/connections/${connection.id}`}>{connection.name}</Link>
                </td>
                <td className="py-2 pr-3">{connection.tenant}</td>
                <td className="py-2 pr-3">{connection.cloud}</td>
                <td className="py-2 pr-3">{connectionStateLabels[connection.state]}</td>
                <td className="py-2 pr-3">{connection.lastCheckedAt ? formatDateTime(connection.lastCheckedAt) : "Never"}</td>
                <td className="py-2">{connection.secretExpiresAt ? formatDay(connection.secretExpiresAt) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
