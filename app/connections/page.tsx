import type { Metadata } from "next";
import { Cable, Plus } from "lucide-react";
import Link from "next/link";
import { Callout, StateBadge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TableBody, TableCard, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { authorizePage } from "@/lib/auth/current-user";
import { listConnections } from "@/lib/connections/connections";
import { getPrisma } from "@/lib/db/client";
import { cloudName } from "@/lib/entra/cloud-config";
import { formatDay } from "@/lib/format";

export const metadata: Metadata = { title: "Connections" };

export default async function ConnectionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await authorizePage("/connections", "/connections");
  const [connections, params] = await Promise.all([listConnections(await getPrisma()), searchParams]);
  const newConnection =
    user.role === "admin" ? (
      <ButtonLink href="/connections/new" variant="primary">
        <Plus aria-hidden="true" />
        New connection
      </ButtonLink>
    ) : null;
  return (
    <section className="space-y-6">
      <PageHeader title="Connections" description="The Microsoft 365 organisations and mailboxes the sync engine may use." actions={connections.length > 0 ? newConnection : undefined} />
      {typeof params.deleted === "string" && (
        <Callout tone="success" role="status">
          Deleted “{params.deleted}”.
        </Callout>
      )}
      {connections.length === 0 ? (
        <EmptyState
          icon={Cable}
          title="No connections yet"
          description={user.role === "admin" ? "Connect your Microsoft 365 organisation: the console walks you through it and verifies every step with Microsoft." : "An administrator has not connected an organisation yet."}
          action={newConnection}
        />
      ) : (
        <TableCard>
          <Table>
            <caption className="sr-only">Connections</caption>
            <TableHead>
              <tr>
                <TableHeader>Name</TableHeader>
                <TableHeader>Tenant</TableHeader>
                <TableHeader>Cloud</TableHeader>
                <TableHeader>State</TableHeader>
                <TableHeader>Last check</TableHeader>
                <TableHeader>Secret expires</TableHeader>
              </tr>
            </TableHead>
            <TableBody>
              {connections.map((connection) => (
                <TableRow key={connection.id}>
                  <TableCell label="Name" className="font-medium">
                    <Link href={`/connections/${connection.id}`}>{connection.name}</Link>
                  </TableCell>
                  <TableCell label="Tenant">{connection.tenant}</TableCell>
                  <TableCell label="Cloud">{cloudName(connection.cloud)}</TableCell>
                  <TableCell label="State">
                    <StateBadge state={connection.state} />
                  </TableCell>
                  <TableCell label="Last check">{connection.lastCheckedAt ? <RelativeTime date={connection.lastCheckedAt} /> : "Never"}</TableCell>
                  <TableCell label="Secret expires">{connection.secretExpiresAt ? formatDay(connection.secretExpiresAt) : "—"}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableCard>
      )}
    </section>
  );
}
