// ReportExplorer: the report catalogue with period, time zone, group-by and
// the filters each report honours; the result as a chart beside its table,
// and the table as CSV generated in the browser.
import { useEffect, useMemo, useState } from "preact/hooks";
import { useQuery } from "@urql/preact";
import { AnalystCatalogueDocument, AnalystReportDocument } from "./analyst.generated";
import type { Channel, ReportFilter, ReportOptionInput } from "../../graphql/types.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";
import { reportColumnLabel, reportDescription, reportOptionHelp, reportOptionLabel, reportTitle, reportValueLabel } from "../../i18n/labels";
import { ReportChart } from "./ReportChart";
import { chartOf, csvOf, dayString, defaultMeasure, groupIndexes, midnightIn, timeUnits, zones, type Column, type Table } from "./reportData";

const channels: Channel[] = ["PHONE", "WEBCHAT", "EMAIL", "SMS", "WECHAT", "APP"];
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

type Vars = { name: string; from: string; to: string; timeZone: string; groupBy: string[]; filter: ReportFilter; options: ReportOptionInput[] };
type Option = { name: string; defaultValue: string; description: string };

/** optionOk: the option is as the API takes it, a number from 0 to 1e9. */
const optionOk = (v: string) => v.trim() !== "" && Number.isFinite(Number(v)) && Number(v) >= 0 && Number(v) <= 1e9;

export function ReportExplorer() {
  const { t, locale } = useI18n();
  const [cat] = useQuery({ query: AnalystCatalogueDocument });
  const defs = cat.data?.reports ?? [];
  const [name, setName] = useState("");
  const def = defs.find((d) => d.name === name) ?? defs[0];
  const today = new Date();
  const [fromDay, setFromDay] = useState(dayString(new Date(today.getTime() - 30 * 86400_000)));
  const [toDay, setToDay] = useState(dayString(today));
  const [zone, setZone] = useState(browserZone);
  const [unit, setUnit] = useState("");
  const [dims, setDims] = useState<string[]>([]);
  const [chans, setChans] = useState<Channel[]>([]);
  const [queues, setQueues] = useState("");
  const [agents, setAgents] = useState("");
  const [opts, setOpts] = useState<Record<string, string>>({});
  const [vars, setVars] = useState<Vars | null>(null);
  const [formError, setFormError] = useState("");

  // A report chosen: its own default grouping.
  useEffect(() => {
    if (!def) return;
    setUnit(def.defaultGroupBy.find((g) => timeUnits.includes(g)) ?? "");
    setDims(def.defaultGroupBy.filter((g) => !timeUnits.includes(g)));
    setOpts(Object.fromEntries(def.options.map((o) => [o.name, o.defaultValue])));
  }, [def?.name]);

  const [res] = useQuery({ query: AnalystReportDocument, variables: vars!, pause: !vars, requestPolicy: "network-only" });
  const table = (vars && res.data?.report && !res.fetching ? (res.data.report as Table) : null);

  function run(e: Event) {
    e.preventDefault();
    if (!def) return;
    if (!fromDay || !toDay || toDay < fromDay) {
      setFormError(t("analyst.badPeriod"));
      return;
    }
    const bad = def.options.find((o) => !optionOk(opts[o.name] ?? o.defaultValue));
    if (bad) {
      setFormError(t("analyst.badOption", { option: reportOptionLabel(t, bad.name) }));
      return;
    }
    setFormError("");
    const filter: ReportFilter = {};
    if (def.filters.includes("channel") && chans.length) filter.channels = chans;
    if (def.filters.includes("queue") && list(queues).length) filter.queues = list(queues);
    if (def.filters.includes("agent") && list(agents).length) filter.agents = list(agents);
    setVars({
      name: def.name, from: midnightIn(fromDay, zone), to: midnightIn(toDay, zone, 1), timeZone: zone,
      groupBy: [...dims, ...(unit ? [unit] : [])], filter,
      options: def.options.map((o) => ({ name: o.name, value: (opts[o.name] ?? o.defaultValue).trim() })),
    });
  }

  const otherDims = (def?.groupBy ?? []).filter((g) => !timeUnits.includes(g));
  const units = (def?.groupBy ?? []).filter((g) => timeUnits.includes(g));
  const allZones = useMemo(zones, []);

  return (
    <section aria-labelledby="analyst-reports-title" class="analyst-reports">
      <h2 id="analyst-reports-title">{t("analyst.reportsTitle")}</h2>
      <ErrorText error={cat.error} />
      {def ? (
        <form class="report-form" onSubmit={run}>
          <label>{t("analyst.report")}
            <select id="report-name" value={def.name} onChange={(e) => { setName(e.currentTarget.value); setVars(null); }}>
              {defs.map((d) => <option value={d.name}>{reportTitle(t, d.name, d.title)}</option>)}
            </select>
          </label>
          <p class="muted report-desc">{reportDescription(t, def.name, def.description)}</p>
          <div class="row">
            <label>{t("analyst.from")}<input id="report-from" type="date" value={fromDay} onInput={(e) => setFromDay(e.currentTarget.value)} /></label>
            <label>{t("analyst.to")}<input id="report-to" type="date" value={toDay} onInput={(e) => setToDay(e.currentTarget.value)} /></label>
            <label>{t("analyst.zone")}
              <select id="report-zone" value={zone} onChange={(e) => setZone(e.currentTarget.value)}>
                {(allZones.includes(zone) ? allZones : [zone, ...allZones]).map((z) => <option value={z}>{z}</option>)}
              </select>
            </label>
            {units.length ? (
              <label>{t("analyst.overTime")}
                <select id="report-unit" value={unit} onChange={(e) => setUnit(e.currentTarget.value)}>
                  <option value="">{t("analyst.unit.none")}</option>
                  {units.map((u) => <option value={u}>{t(`analyst.unit.${u}` as "analyst.unit.day")}</option>)}
                </select>
              </label>
            ) : null}
          </div>
          {otherDims.length ? (
            <fieldset class="row">
              <legend>{t("analyst.groupBy")}</legend>
              {otherDims.map((d) => (
                <label class="check"><input type="checkbox" name="groupBy" value={d} checked={dims.includes(d)}
                  onChange={(e) => setDims(e.currentTarget.checked ? [...dims, d] : dims.filter((x) => x !== d))} />{reportColumnLabel(t, d)}</label>
              ))}
            </fieldset>
          ) : null}
          {def.filters.includes("channel") ? (
            <fieldset class="row">
              <legend>{t("analyst.channels")}</legend>
              {channels.map((c) => (
                <label class="check"><input type="checkbox" name="channel" value={c} checked={chans.includes(c)}
                  onChange={(e) => setChans(e.currentTarget.checked ? [...chans, c] : chans.filter((x) => x !== c))} />{t(`channel.${c}`)}</label>
              ))}
            </fieldset>
          ) : null}
          <div class="row">
            {def.filters.includes("queue") ? (
              <label>{t("analyst.queues")}<input id="report-queues" value={queues} placeholder="billing, sales" onInput={(e) => setQueues(e.currentTarget.value)} /></label>
            ) : null}
            {def.filters.includes("agent") ? (
              <label>{t("analyst.agents")}<input id="report-agents" value={agents} placeholder="a-001" onInput={(e) => setAgents(e.currentTarget.value)} /></label>
            ) : null}
          </div>
          {def.options.length ? (
            <fieldset class="row report-options">
              <legend>{t("analyst.options")}</legend>
              {def.options.map((o) => <OptionInput o={o} value={opts[o.name] ?? o.defaultValue} onInput={(v) => setOpts({ ...opts, [o.name]: v })} />)}
            </fieldset>
          ) : null}
          {formError ? <p class="error" role="alert">{formError}</p> : null}
          <button type="submit">{t("analyst.run")}</button>
        </form>
      ) : cat.fetching ? <p class="loading">{t("app.loading")}</p> : null}
      {vars ? <ErrorText error={res.error} /> : null}
      {vars && res.fetching ? <p class="loading" role="status">{t("analyst.running")}</p> : null}
      {table && vars ? <ReportResult table={table} title={def ? reportTitle(t, def.name, def.title) : vars.name} vars={vars} locale={locale} /> : null}
    </section>
  );
}

/** OptionInput: one option of the report, with its default and what it changes. */
function OptionInput({ o, value, onInput }: { o: Option; value: string; onInput: (v: string) => void }) {
  const { t } = useI18n();
  const id = `report-option-${o.name}`;
  return (
    <label>{reportOptionLabel(t, o.name)}
      <input id={id} type="number" min={0} step="any" inputMode="decimal" value={value} data-option={o.name}
        aria-describedby={`${id}-help`} onInput={(e) => onInput(e.currentTarget.value)} />
      <small id={`${id}-help`} class="muted">{t("analyst.optionHelp", { help: reportOptionHelp(t, o.name, o.description), value: o.defaultValue })}</small>
    </label>
  );
}

function ReportResult({ table, title, vars, locale }: { table: Table; title: string; vars: Vars; locale: string }) {
  const { t } = useI18n();
  const dims = vars.groupBy;
  const groups = groupIndexes(table, dims);
  const measures = table.columns.filter((_, i) => !groups.includes(i));
  const [measure, setMeasure] = useState(defaultMeasure(table.report, measures));
  useEffect(() => setMeasure(defaultMeasure(table.report, measures)), [table]);
  const when = useMemo(() => new Intl.DateTimeFormat(locale, {
    timeZone: vars.timeZone, dateStyle: "medium", timeStyle: dims.includes("hour") ? "short" : undefined,
  }), [locale, vars.timeZone, dims.join()]);
  const num = useMemo(() => new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }), [locale]);
  const cell = (v: unknown, c: Column) =>
    v === null || v === undefined ? "" : c.type === "time" ? when.format(new Date(String(v))) : c.type === "float" || c.type === "int" ? num.format(Number(v)) : reportValueLabel(t, c.name, String(v));
  const spec = useMemo(() => chartOf(table, dims, measure, cell, reportColumnLabel(t, measure)), [table, measure, when, t]);
  const [csvUrl, setCsvUrl] = useState("");
  useEffect(() => {
    const url = URL.createObjectURL(new Blob([csvOf(table)], { type: "text/csv;charset=utf-8" }));
    setCsvUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [table]);
  const file = `${table.report}_${vars.from.slice(0, 10)}_${vars.to.slice(0, 10)}.csv`;
  const chartTitle = t("analyst.chartOf", { measure: reportColumnLabel(t, measure), report: title });

  return (
    <div class="report-result" data-report={table.report}>
      <div class="row">
        {measures.length > 1 ? (
          <label>{t("analyst.measure")}
            <select id="report-measure" value={measure} onChange={(e) => setMeasure(e.currentTarget.value)}>
              {measures.map((m) => <option value={m.name}>{reportColumnLabel(t, m.name)}</option>)}
            </select>
          </label>
        ) : null}
        {csvUrl ? <a class="button csv" href={csvUrl} download={file}>{t("analyst.csv")}</a> : null}
        <span class="muted" role="status">{t("analyst.rows", { n: table.rows.length })}</span>
      </div>
      {table.rows.length === 0 ? <p class="muted">{t("analyst.empty")}</p> : (
        <div class="report-split">
          {spec ? <ReportChart spec={spec} title={chartTitle} zone={vars.timeZone} /> : null}
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t("analyst.tableOf", { report: title })}>
            <table class="report-table">
              <caption class="sr-only">{t("analyst.tableOf", { report: title })}</caption>
              <thead><tr>{table.columns.map((c) => <th scope="col" data-column={c.name} class={c.type === "int" || c.type === "float" ? "num" : ""}>{reportColumnLabel(t, c.name)}</th>)}</tr></thead>
              <tbody>
                {table.rows.map((r) => (
                  <tr>{table.columns.map((c, i) => <td class={c.type === "int" || c.type === "float" ? "num" : ""}>{cell(r[i], c)}</td>)}</tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </div>
  );
}
