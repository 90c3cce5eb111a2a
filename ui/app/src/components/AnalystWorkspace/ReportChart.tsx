// ReportChart: one report table as an ECharts chart (SVG), loaded lazily
// the first time a chart is shown. Lines over time, bars per group.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ChartSpec } from "./reportData";
import { useI18n } from "../../i18n";

type ECharts = typeof import("./echartsSetup")["echarts"];
let loading: Promise<ECharts> | null = null;
function loadECharts(): Promise<ECharts> {
  loading ??= import("./echartsSetup").then((m) => m.echarts);
  return loading;
}

type Props = { spec: ChartSpec; title: string; zone: string };

export function ReportChart({ spec, title, zone }: Props) {
  const { t, locale } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let chart: ReturnType<ECharts["init"]> | null = null;
    let gone = false;
    let onResize = () => {};
    loadECharts().then((echarts) => {
      if (gone || !el.current) return;
      chart = echarts.init(el.current, undefined, { renderer: "svg", locale: locale === "zh-CN" ? "ZH" : "EN" });
      const day = new Intl.DateTimeFormat(locale, { timeZone: zone, dateStyle: "short" });
      chart.setOption({
        aria: { enabled: true, label: { description: title } },
        animation: false,
        tooltip: { trigger: spec.kind === "line" ? "axis" : "item" },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 48, right: 16, top: 16, bottom: 56, containLabel: true },
        xAxis: spec.kind === "line"
          ? { type: "time", axisLabel: { formatter: (v: number) => day.format(new Date(v)) } }
          : { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } },
        yAxis: { type: "value" },
        series: spec.series.map((s) => ({ name: s.name, type: spec.kind, data: s.data, showSymbol: spec.kind === "line" })),
      });
      onResize = () => chart?.resize();
      window.addEventListener("resize", onResize);
    }, () => setFailed(true));
    return () => {
      gone = true;
      window.removeEventListener("resize", onResize);
      chart?.dispose();
    };
  }, [spec, title, zone, locale]);
  return (
    <figure class="report-chart">
      {failed ? <p class="error" role="alert">{t("analyst.chartFailed")}</p> : null}
      <div ref={el} class="report-canvas" data-kind={spec.kind} data-points={spec.points} />
      <figcaption class="muted">{title}</figcaption>
    </figure>
  );
}
