import type { Metadata } from "next";
import { Table, TableBody, TableCard, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import Link from "next/link";
import { AUDIT_CATEGORIES, AUTH_FAILURE_ACTIONS, auditFilterSchema, listAuditEvents, type AuditFilter } from "@/lib/audit/audit";
import { authorizePage } from "@/lib/auth/current-user";
import { getPrisma } from "@/lib/db/client";
import { formatDateTimeSeconds } from "@/lib/format";
import { rejectedSearch } from "@/lib/validation/text";
import { SearchNotice } from "@/components/search-notice";

export const metadata: Metadata = { title: "Audit log" };


function pageHref(filter: AuditFilter, page: number): string {
  const params = new URLSearchParams();
  for (const key of ["category", "action", "actor", "q", "from", "to"] as const) {
    const value = filter[key];
    if (value) params.set(key, value);
  }
  params.set("page", String(page));
  return `/audit?${params.toString()}`;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage("/audit", "/audit");
  const params = await searchParams;
  const filter = auditFilterSchema.parse(params);
  const searchNotice = rejectedSearch(params);
  const { events, total, page, pageCount, actions } = await listAuditEvents(await getPrisma(), filter);
  return (
    <section className="space-y-6">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <SearchNotice message={searchNotice} />
      <form method="get" className="grid gap-3 rounded border border-line bg-surface p-4 text-sm md:grid-cols-7" aria-label="Filter the audit log">
        <label className="flex flex-col">
          Show
          <select name="category" defaultValue={filter.category ?? ""} className="mt-1 rounded border border-line-strong px-2 py-1">
            <option value="">Everything</option>
            {Object.entries(AUDIT_CATEGORIES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Action
          <select name="action" defaultValue={filter.action ?? ""} className="mt-1 rounded border border-line-strong px-2 py-1">
            <option value="">Any</option>
            {actions.map((action) => (
              <option key={action}>{action}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Actor email
          <input name="actor" defaultValue={filter.actor ?? ""} className="mt-1 rounded border border-line-strong px-2 py-1" />
        </label>
        <label className="flex flex-col">
          Text
          <input name="q" defaultValue={filter.q ?? ""} className="mt-1 rounded border border-line-strong px-2 py-1" />
        </label>
        <label className="flex flex-col">
          From (UTC)
          <input type="date" name="from" defaultValue={filter.from ?? ""} className="mt-1 rounded border border-line-strong px-2 py-1" />
        </label>
        <label className="flex flex-col">
          To (UTC)
          <input type="date" name="to" defaultValue={filter.to ?? ""} className="mt-1 rounded border border-line-strong px-2 py-1" />
        </label>
        <div className="flex items-end gap-2">
          <button type="submit" className="rounded bg-primary px-3 py-1.5 text-primary-fg">
            Filter
          </button>
          <Link href="/audit">Clear</Link>
        </div>
      </form>
      <p className="text-sm text-fg-muted" role="status">
        {total} event{total === 1 ? "" : "s"}, page {page} of {pageCount}
      </p>
      <TableCard>
        <Table>
        <caption className="sr-only">Audit events, newest first</caption>
        <TableHead>
          <tr>
            <TableHeader>Time (UTC)</TableHeader>
            <TableHeader>Actor</TableHeader>
            <TableHeader>Action</TableHeader>
            <TableHeader>Target</TableHeader>
            <TableHeader>Summary</TableHeader>
            <TableHeader>IP address</TableHeader>
          </tr>
        </TableHead>
        <TableBody>
          {events.map((event) => (
            <TableRow key={event.id}>
              <TableCell label="Time" className="whitespace-nowrap">{formatDateTimeSeconds(event.occurredAt)}</TableCell>
              <TableCell label="Actor">{event.actorEmail ?? ((AUTH_FAILURE_ACTIONS as readonly string[]).includes(event.action) ? "not signed in" : "system")}</TableCell>
              <TableCell label="Action" className="font-mono text-xs">{event.action}</TableCell>
              <TableCell label="Target">{event.targetLabel ?? "—"}</TableCell>
              <TableCell label="Summary">{event.summary}</TableCell>
              <TableCell label="IP address" className="font-mono text-xs">{event.ip ?? "—"}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      </TableCard>
      <nav aria-label="Audit log pages" className="flex gap-4 text-sm">
        {page > 1 && <Link href={pageHref(filter, page - 1)}>Previous page</Link>}
        {page < pageCount && <Link href={pageHref(filter, page + 1)}>Next page</Link>}
      </nav>
    </section>
  );
}
