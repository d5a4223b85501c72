import type { Metadata } from "next";
import { EXPIRED_BY_MICROSOFT } from "@/lib/connections/secret-expiry";
import Link from "next/link";
import { authorizePage } from "@/lib/auth/current-user";
import { connectionStateLabels, connectionStates } from "@/lib/connections/state";
import { getPrisma } from "@/lib/db/client";
import { getStatusTiles, listStatusRows, statusFilterSchema, statusHref, EXPIRY_WINDOW_DAYS, type StatusFilter } from "@/lib/monitoring/status";
import { formatDateTime, formatDay } from "@/lib/format";
import { rejectedSearch } from "@/lib/validation/text";
import { SearchNotice } from "@/components/search-notice";

export const metadata: Metadata = { title: "Status" };


const tileStyles: Record<string, string> = {
  healthy: "border-green-400",
  warning: "border-amber-400",
  failing: "border-red-500",
  needs_reauth: "border-purple-500",
  never_checked: "border-slate-400",
  expiring: "border-orange-500",
};

const columns: ReadonlyArray<{ key: StatusFilter["sort"] | null; label: string }> = [
  { key: "name", label: "Name" },
  { key: null, label: "Kind" },
  { key: "tenant", label: "Tenant" },
  { key: null, label: "Cloud" },
  { key: "state", label: "State" },
  { key: "stateSince", label: "Since (UTC)" },
  { key: "lastCheckedAt", label: "Last check (UTC)" },
  { key: "secretExpiresAt", label: "Credential expires" },
  { key: null, label: "Next step" },
];

export default async function StatusPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage("/status", "/status");
  const params = await searchParams;
  const filter = statusFilterSchema.parse(params);
  const searchNotice = rejectedSearch(params);
  const db = await getPrisma();
  const [tiles, { rows, total, page, pageCount }] = await Promise.all([getStatusTiles(db), listStatusRows(db, filter)]);
  const tileList = [
    ...connectionStates.map((state) => ({ key: state, label: connectionStateLabels[state], count: tiles[state], href: statusHref(filter, { state, expiring: undefined, page: 1 }) })),
    { key: "expiring", label: `Secret or certificate expires within ${EXPIRY_WINDOW_DAYS} days`, count: tiles.expiringSoon, href: statusHref(filter, { expiring: "30", state: undefined, page: 1 }) },
  ];
  const activeTile = filter.expiring ? "expiring" : filter.state;
  return (
    <section className="space-y-6">
      <h1 className="text-2xl font-semibold">Connection status</h1>
      <ul className="grid grid-cols-2 gap-3 md:grid-cols-6" aria-label="Connections per state">
        {tileList.map((tile) => (
          <li key={tile.key}>
            <Link
              href={tile.href}
              aria-current={activeTile === tile.key ? "true" : undefined}
              className={`block rounded border-l-4 bg-white p-3 no-underline shadow-sm hover:bg-slate-50 ${tileStyles[tile.key]} ${activeTile === tile.key ? "ring-2 ring-blue-600" : ""}`}
            >
              <span className="block text-2xl font-semibold text-slate-900">{tile.count}</span>
              <span className="block text-sm text-slate-800">{tile.label}</span>
            </Link>
          </li>
        ))}
      </ul>

      <SearchNotice message={searchNotice} />
      <form method="get" className="grid gap-3 rounded border border-slate-300 bg-white p-4 text-sm md:grid-cols-5" aria-label="Filter connections">
        <label className="flex flex-col md:col-span-2">
          Search name, tenant, client ID or mailbox
          <input name="q" type="search" defaultValue={filter.q ?? ""} className="mt-1 rounded border border-slate-400 px-2 py-1" />
        </label>
        <label className="flex flex-col">
          State
          <select name="state" defaultValue={filter.state ?? ""} className="mt-1 rounded border border-slate-400 px-2 py-1">
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
          <select name="kind" defaultValue={filter.kind ?? ""} className="mt-1 rounded border border-slate-400 px-2 py-1">
            <option value="">Any</option>
            <option value="organization">Organisation-wide</option>
            <option value="mailbox">Single mailbox</option>
          </select>
        </label>
        <div className="flex items-end gap-3">
          {filter.expiring && <input type="hidden" name="expiring" value={filter.expiring} />}
          <button type="submit" className="rounded bg-blue-700 px-3 py-1.5 text-white">
            Apply
          </button>
          <Link href="/status">Clear</Link>
        </div>
      </form>

      <p role="status" className="text-sm text-slate-700">
        {total} connection{total === 1 ? "" : "s"}
        {filter.state ? ` in state “${connectionStateLabels[filter.state]}”` : ""}
        {filter.expiring ? ` with a secret or certificate expiring within ${EXPIRY_WINDOW_DAYS} days` : ""}
        {filter.q ? ` matching “${filter.q}”` : ""}, page {page} of {pageCount}
      </p>

      <table className="w-full border-collapse text-sm">
        <caption className="sr-only">Connections, sorted by {filter.sort} {filter.dir === "asc" ? "ascending" : "descending"}</caption>
        <thead>
          <tr className="border-b border-slate-300 text-left">
            {columns.map((column) => (
              <th
                key={column.label}
                scope="col"
                className="py-2 pr-3"
                aria-sort={column.key && column.key === filter.sort ? (filter.dir === "asc" ? "ascending" : "descending") : undefined}
              >
                {column.key ? (
                  <Link href={statusHref(filter, { sort: column.key, dir: column.key === filter.sort && filter.dir === "asc" ? "desc" : "asc", page: 1 })}>
                    {column.label}
                    {column.key === filter.sort ? (filter.dir === "asc" ? " ▲" : " ▼") : ""}
                  </Link>
                ) : (
                  column.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} className="border-b border-slate-200">
              <td className="py-2 pr-3">
                <Link href={`/connections/${row.id}`}>{row.name}</Link>
              </td>
              <td className="py-2 pr-3">
                {row.kind === "organization" ? "Organisation" : "Mailbox"}
                {row.owner && <span className="block text-xs text-slate-600">Owner: {row.owner}</span>}
              </td>
              <td className="py-2 pr-3">{row.tenant}</td>
              <td className="py-2 pr-3">{row.cloud}</td>
              <td className="py-2 pr-3">{connectionStateLabels[row.state]}</td>
              <td className="py-2 pr-3">{formatDateTime(row.stateSince)}</td>
              <td className="py-2 pr-3">{row.lastCheckedAt ? formatDateTime(row.lastCheckedAt) : "Never"}</td>
              <td className="py-2 pr-3">
                {row.kind === "mailbox"
                  ? "—"
                  : row.credentialKind === "certificate"
                    ? `Certificate: ${row.certificateExpiresAt ? formatDay(row.certificateExpiresAt) : "—"}`
                    : `Secret: ${row.secretExpiredByMicrosoft ? EXPIRED_BY_MICROSOFT : row.secretExpiresAt ? formatDay(row.secretExpiresAt) : "—"}`}
              </td>
              <td className="py-2">{row.nextStep ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav aria-label="Status pages" className="flex gap-4 text-sm">
        {page > 1 && <Link href={statusHref(filter, { page: page - 1 })}>Previous page</Link>}
        {page < pageCount && <Link href={statusHref(filter, { page: page + 1 })}>Next page</Link>}
      </nav>
    </section>
  );
}
