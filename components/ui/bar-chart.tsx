import { useId } from "react";
import { cn } from "@/components/ui/cn";

/**
 * The console's one chart: stacked bars drawn as SVG on the server, so a chart costs no JavaScript,
 * with its numbers in a table for screen readers (and anyone who would rather read than look).
 */

export type ChartSeries = { key: string; label: string; className: string };
export type ChartBar = { label: string; values: Record<string, number> };

const WIDTH = 600;
const HEIGHT = 120;
const GAP = 2;

export function BarChart({
  title,
  description,
  series,
  bars,
  unit,
  categoryLabel = "Date",
  className,
}: {
  title: string;
  description?: string;
  series: readonly ChartSeries[];
  bars: readonly ChartBar[];
  /** How a value reads in the table ("connections", "ms"). */
  unit: string;
  /** The table's first column: what one bar stands for. */
  categoryLabel?: string;
  className?: string;
}) {
  const id = useId();
  const totals = bars.map((bar) => series.reduce((sum, entry) => sum + (bar.values[entry.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = WIDTH / Math.max(1, bars.length);
  const shown = series.filter((entry) => bars.some((bar) => (bar.values[entry.key] ?? 0) > 0));
  return (
    <figure className={cn("space-y-2", className)} aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="text-sm font-semibold">
        {title}
        {description && <span className="block text-xs font-normal text-fg-muted">{description}</span>}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" className="h-28 w-full rounded-md border border-line bg-surface" aria-hidden="true" focusable="false">
        {bars.map((bar, index) => {
          let top = HEIGHT;
          return (
            <g key={bar.label}>
              <title>{`${bar.label}: ${series.map((entry) => `${entry.label} ${bar.values[entry.key] ?? 0}`).join(", ")}`}</title>
              {series.map((entry) => {
                const value = bar.values[entry.key] ?? 0;
                if (value <= 0) return null;
                const height = (value / max) * (HEIGHT - 4);
                top -= height;
                return <rect key={entry.key} x={index * slot + GAP / 2} y={top} width={Math.max(1, slot - GAP)} height={height} className={entry.className} />;
              })}
            </g>
          );
        })}
      </svg>
      {bars.length > 0 && (
        <div className="flex justify-between text-xs text-fg-muted" aria-hidden="true">
          <span>{bars[0]!.label}</span>
          <span>{bars.at(-1)!.label}</span>
        </div>
      )}
      {shown.length > 1 && (
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-fg-muted" aria-hidden="true">
          {shown.map((entry) => (
            <li key={entry.key} className="flex items-center gap-1">
              <svg viewBox="0 0 10 10" className="size-2.5" focusable="false">
                <rect width="10" height="10" className={entry.className} />
              </svg>
              {entry.label}
            </li>
          ))}
        </ul>
      )}
      {/* The wrapper hides the table: a table box is as wide as its columns need and ignores overflow,
          so "sr-only" on the table itself would widen the page. */}
      <div className="sr-only">
      <table>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{categoryLabel}</th>
            {series.map((entry) => (
              <th key={entry.key} scope="col">
                {entry.label} ({unit})
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {bars.map((bar) => (
            <tr key={bar.label}>
              <th scope="row">{bar.label}</th>
              {series.map((entry) => (
                <td key={entry.key}>{bar.values[entry.key] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </figure>
  );
}

/** Each connection state's fill, matching its badge. */
export const stateSeriesClasses: Record<string, string> = {
  healthy: "fill-green-600 dark:fill-green-500",
  warning: "fill-amber-500 dark:fill-amber-400",
  failing: "fill-red-600 dark:fill-red-500",
  needs_reauth: "fill-purple-600 dark:fill-purple-400",
  never_checked: "fill-slate-400 dark:fill-slate-500",
};
