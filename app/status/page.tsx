import type { Metadata } from "next";
import { EXPIRED_BY_MICROSOFT } from "@/lib/connections/secret-expiry";
import { CalendarClock, SearchX } from "lucide-react";
import Link from "next/link";
import { authorizePage } from "@/lib/auth/current-user";
import { connectionStateLabels, connectionStates } from "@/lib/connections/state";
import { getPrisma } from "@/lib/db/client";
import { getStatusTiles, listStatusRows, statusFilterSchema, statusHref, EXPIRY_WINDOW_DAYS, type StatusFilter } from "@/lib/monitoring/status";
import { formatDay } from "@/lib/format";
import { cloudName } from "@/lib/entra/cloud-config";
import { stateAppearance, StateBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ExpandableText } from "@/components/ui/expandable-text";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TableBody, TableCard, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { rejectedSearch } from "@/lib/validation/text";
import { SearchNotice } from "@/components/search-notice";
import { BarChart, stateSeriesClasses } from "@/components/ui/bar-chart";
import { CHART_DAYS, fleetTrend } from "@/lib/monitoring/charts";
import { ConsentStatusPanel } from "@/app/status/consent-panel";

export const metadata: Metadata = { title: "Status" };


const tileStyles: Record<string, string> = {
  healthy: "border-l-green-500",
  warning: "border-l-amber-500",
  failing: "border-l-red-500",
  needs_reauth: "border-l-purple-500",
  never_checked: "border-l-slate-400",
  expiring: "border-l-orange-500",
};

const columns: ReadonlyArray<{ key: StatusFilter["sort"] | null; label: string }> = [
  { key: "name", label: "Name" },
  { key: "tenant", label: "Tenant" },
  { key: "state", label: "State" },
  { key: "stateSince", label: "Since" },
  { key: "lastCheckedAt", label: "Last check" },
  { key: "secretExpiresAt", label: "Credential expires" },
  { key: null, label: "Next step" },
];

export default async function StatusPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage("/status", "/status");
  const params = await searchParams;
  const filter = statusFilterSchema.parse(params);
  const searchNotice = rejectedSearch(params);
  const db = await getPrisma();
  const [tiles, { rows, total, page, pageCount }, trend] = await Promise.all([getStatusTiles(db), listStatusRows(db, filter), fleetTrend(db)]);
  const tileList = [
    ...connectionStates.map((state) => ({ key: state, icon: stateAppearance[state].icon, label: connectionStateLabels[state], count: tiles[state], href: statusHref(filter, { state, expiring: undefined, page: 1 }) })),
    { key: "expiring", icon: CalendarClock, label: `Secret or certificate expires within ${EXPIRY_WINDOW_DAYS} days`, count: tiles.expiringSoon, href: statusHref(filter, { expiring: "30", state: undefined, page: 1 }) },
  ];
  const activeTile = filter.expiring ? "expiring" : filter.state;
  return (
    <section className="space-y-6">
      <PageHeader title="Connection status" description="Every connection's state from its last check, and who must act on the ones that need it." />
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" aria-label="Connections per state">
        {tileList.map((tile) => {
          const Icon = tile.icon;
          return (
            <li key={tile.key}>
              <Link
                href={tile.href}
                aria-current={activeTile === tile.key ? "true" : undefined}
                className={`block h-full rounded-lg border border-l-4 border-line bg-surface p-3 text-fg no-underline shadow-sm hover:bg-surface-muted ${tileStyles[tile.key]} ${activeTile === tile.key ? "ring-2 ring-focus" : ""}`}
              >
                <span className="flex items-center gap-2 text-2xl font-semibold">
                  <Icon aria-hidden="true" className="size-5 text-fg-muted" />
                  {tile.count}
                </span>
                <span className="block text-sm text-fg-muted">{tile.label}</span>
              </Link>
            </li>
          );
        })}
      </ul>

      {tiles.total > 0 && (
        <BarChart
          title={`Connections by state, last ${CHART_DAYS} days`}
          description="Each bar is the fleet at the end of a day"
          series={connectionStates.map((state) => ({ key: state, label: connectionStateLabels[state], className: stateSeriesClasses[state]! }))}
          bars={trend}
          unit="connections"
        />
      )}

      <SearchNotice message={searchNotice} />
      <form method="get" className="grid gap-3 rounded-lg border border-line bg-surface p-4 text-sm md:grid-cols-5" aria-label="Filter connections">
        <label className="flex flex-col md:col-span-2">
          Search name, tenant, client ID or mailbox
          <input name="q" type="search" defaultValue={filter.q ?? ""} className="mt-1 rounded-md border border-line-strong bg-surface px-2 py-1.5" />
        </label>
        <label className="flex flex-col">
          State
          <select name="state" defaultValue={filter.state ?? ""} className="mt-1 rounded-md border border-line-strong bg-surface px-2 py-1.5">
            <option value="">Any</option>
            {connectionStates.map((state) => (
              <option key={state} value={state}>
                {connectionStateLabels[state]}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Kind
          <select name="kind" defaultValue={filter.kind ?? ""} className="mt-1 rounded-md border border-line-strong bg-surface px-2 py-1.5">
            <option value="">Any</option>
            <option value="organization">Organisation-wide</option>
            <option value="mailbox">Single mailbox</option>
          </select>
        </label>
        <div className="flex items-end gap-3">
          {filter.expiring && <input type="hidden" name="expiring" value={filter.expiring} />}
          <Button type="submit">Apply</Button>
          <Link href="/status">Clear</Link>
        </div>
      </form>

      <p role="status" className="text-sm text-fg-muted">
        {total} connection{total === 1 ? "" : "s"}
        {filter.state ? ` in state “${connectionStateLabels[filter.state]}”` : ""}
        {filter.expiring ? ` with a secret or certificate expiring within ${EXPIRY_WINDOW_DAYS} days` : ""}
        {filter.q ? ` matching “${filter.q}”` : ""}, page {page} of {pageCount}
        {filter.sort === "worst" ? (
          filter.dir === "desc" ? ", worst first" : ", healthy first"
        ) : (
          <>
            {" · "}
            <Link href={statusHref(filter, { sort: "worst", dir: "desc", page: 1 })}>Show the worst first</Link>
          </>
        )}
      </p>

      {rows.length === 0 ? (
        <EmptyState
          icon={SearchX}
          title={tiles.total === 0 ? "No connections yet" : "No connection matches these filters"}
          description={tiles.total === 0 ? "Connections appear here once an administrator has set one up." : "Change the search or the filters, or clear them to see every connection."}
        />
      ) : (
        <TableCard>
          <Table>
            <caption className="sr-only">
              {filter.sort === "worst"
                ? `Connections, ${filter.dir === "asc" ? "healthy first" : "worst first, longest in their state first"}`
                : `Connections, sorted by ${columns.find((column) => column.key === filter.sort)?.label ?? "name"} ${filter.dir === "asc" ? "ascending" : "descending"}`}
            </caption>
            <TableHead>
              <tr>
                {columns.map((column) => (
                  <TableHeader
                    key={column.label}
                    aria-sort={column.key && column.key === filter.sort ? (filter.dir === "asc" ? "ascending" : "descending") : undefined}
                  >
                    {column.key ? (
                      <Link className="text-fg-muted" href={statusHref(filter, { sort: column.key, dir: column.key === filter.sort && filter.dir === "asc" ? "desc" : "asc", page: 1 })}>
                        {column.label}
                        {column.key === filter.sort ? (filter.dir === "asc" ? " ▲" : " ▼") : ""}
                      </Link>
                    ) : (
                      column.label
                    )}
                  </TableHeader>
                ))}
              </tr>
            </TableHead>
            <TableBody>
              {rows.map((row) => (
                <TableRow key={row.id}>
                  <TableCell label="Name" className="sm:min-w-48">
                    <Link href={`/connections/${row.id}`} className="font-medium">
                      {row.name}
                    </Link>
                    <span className="block text-xs text-fg-muted">
                      {row.kind === "organization" ? "Organisation" : "Mailbox"}
                      {row.owner && ` · Owner: ${row.owner}`}
                      {row.scope && ` · ${row.scope}`}
                    </span>
                  </TableCell>
                  <TableCell label="Tenant">
                    {/* The ID stays searchable and on the connection's page; the board names the tenant. */}
                    <span title={`Tenant ID ${row.tenantId}`}>{row.tenantLabel}</span>
                    <span className="block text-xs text-fg-muted">{cloudName(row.cloud)}</span>
                  </TableCell>
                  <TableCell label="State">
                    <StateBadge state={row.state} />
                  </TableCell>
                  <TableCell label="Since" className="whitespace-nowrap">
                    <RelativeTime date={row.stateSince} />
                  </TableCell>
                  <TableCell label="Last check" className="whitespace-nowrap">
                    {row.lastCheckedAt ? <RelativeTime date={row.lastCheckedAt} /> : "Never"}
                  </TableCell>
                  <TableCell label="Credential expires" className="whitespace-nowrap">
                    {row.kind === "mailbox"
                      ? "—"
                      : row.credentialKind === "certificate"
                        ? `Certificate: ${row.certificateExpiresAt ? formatDay(row.certificateExpiresAt) : "—"}`
                        : `Secret: ${row.secretExpiredByMicrosoft ? EXPIRED_BY_MICROSOFT : row.secretExpiresAt ? formatDay(row.secretExpiresAt) : "—"}`}
                  </TableCell>
                  <TableCell label="Next step" className="sm:min-w-56 sm:max-w-72">
                    {row.nextStep ? <ExpandableText text={row.nextStep} /> : "—"}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableCard>
      )}
      <nav aria-label="Status pages" className="flex gap-4 text-sm">
        {page > 1 && <Link href={statusHref(filter, { page: page - 1 })}>Previous page</Link>}
        {page < pageCount && <Link href={statusHref(filter, { page: page + 1 })}>Next page</Link>}
      </nav>
      <ConsentStatusPanel />
    </section>
  );
}
