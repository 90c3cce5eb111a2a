// Pure helpers of the analyst workspace: which columns of a report table
// are groups and which are measures, the chart a table reads best as, the
// CSV of a table, and midnight of a calendar day in an IANA time zone.

export type Column = { name: string; type: string };
export type Table = { report: string; columns: Column[]; rows: unknown[][] };

export const timeUnits = ["hour", "day", "week", "month"];

/** groupIndexes are the columns the table is grouped by: the dimensions asked for, and any
 * other time or string column (measures are numbers; template_usage is always per template). */
export function groupIndexes(t: Table, dims: string[]): number[] {
  return t.columns.flatMap((c, i) => (c.type === "time" || c.type === "string" || dims.includes(c.name) ? [i] : []));
}

/** defaultMeasure is the column a chart shows first: the volume or backlog for
 * the reports over time, FCR for the templates against their baseline, else the
 * rate (the last float), else the first measure. */
export function defaultMeasure(report: string, measures: Column[]): string {
  const preferred: Record<string, string> = { channel_volume: "interactions", backlog: "backlog", top_categories: "tickets", template_usage: "fcr" };
  const p = preferred[report];
  if (p && measures.some((m) => m.name === p)) return p;
  const floats = measures.filter((m) => m.type === "float");
  return (floats[floats.length - 1] ?? measures[0])?.name ?? "";
}

export type ChartSpec = {
  kind: "line" | "bar";
  categories: string[]; // bar: one per row
  series: { name: string; data: [string, number][] | number[] }[];
  points: number;
};

/**
 * chartOf: a line over time when the table has a time column, else bars per
 * group. measureLabel names the measure's series for people (default: its
 * column name).
 */
export function chartOf(t: Table, dims: string[], measure: string, label: (v: unknown, c: Column) => string, measureLabel = measure): ChartSpec | null {
  const mi = t.columns.findIndex((c) => c.name === measure);
  if (mi < 0) return null;
  const groups = groupIndexes(t, dims);
  const ti = groups.find((i) => t.columns[i].type === "time");
  const others = groups.filter((i) => i !== ti);
  const keyOf = (r: unknown[]) => others.map((i) => label(r[i], t.columns[i])).join(" · ");
  if (ti !== undefined) {
    const by = new Map<string, [string, number][]>();
    for (const r of t.rows) {
      const k = keyOf(r) || measureLabel;
      if (!by.has(k)) by.set(k, []);
      by.get(k)!.push([String(r[ti]), Number(r[mi])]);
    }
    // A count is 0 where a series has no row for a period another series has;
    // a rate or an average there is unknown, and stays a gap.
    if (t.columns[mi].type === "int") {
      const times = [...new Set(t.rows.map((r) => String(r[ti])))];
      for (const data of by.values()) {
        const have = new Set(data.map((d) => d[0]));
        for (const x of times) if (!have.has(x)) data.push([x, 0]);
      }
    }
    const series = [...by].map(([name, data]) => ({ name, data: data.sort((a, b) => a[0].localeCompare(b[0])) }));
    return { kind: "line", categories: [], series, points: t.rows.length };
  }
  const categories = t.rows.map((r) => keyOf(r) || measureLabel);
  return { kind: "bar", categories, series: [{ name: measureLabel, data: t.rows.map((r) => Number(r[mi])) }], points: t.rows.length };
}

function csvField(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** csvOf is the table as RFC 4180 CSV: a header row of column names, then the
 * rows as the API returned them (times as RFC 3339). */
export function csvOf(t: Table): string {
  const lines = [t.columns.map((c) => csvField(c.name)).join(",")];
  for (const r of t.rows) lines.push(r.map(csvField).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** zoneOffsetMs is how far the wall clock of zone is ahead of UTC at instant ms. */
function zoneOffsetMs(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(ms));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - ms;
}

/** midnightIn is 00:00 of the calendar day (YYYY-MM-DD), plus addDays, in zone, as RFC 3339 UTC. */
export function midnightIn(day: string, zone: string, addDays = 0): string {
  const [y, m, d] = day.split("-").map(Number);
  const wall = Date.UTC(y, m - 1, d + addDays);
  let ms = wall - zoneOffsetMs(wall, zone);
  ms = wall - zoneOffsetMs(ms, zone); // once more across a DST change
  return new Date(ms).toISOString();
}

/** dayString is the calendar day of d in the browser's zone, as YYYY-MM-DD. */
export function dayString(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** zones lists the IANA time zones the browser knows, UTC first. */
export function zones(): string[] {
  const all = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  return ["UTC", ...all.filter((z) => z !== "UTC")];
}
