// The i18n catalogue: t(key, params) in the chosen locale, and dates,
// times and durations through Intl in the user's own time zone.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { en, type MessageKey } from "./en";
import { zhCN } from "./zh-CN";

export type Locale = "en" | "zh-CN";
export const locales: { id: Locale; name: string }[] = [
  { id: "en", name: "English" },
  { id: "zh-CN", name: "简体中文" },
];
const catalogues: Record<Locale, Record<MessageKey, string>> = { en, "zh-CN": zhCN };
const storageKey = "ledger.locale";

/** initialLocale is the saved choice, else the browser's language. */
export function initialLocale(): Locale {
  const saved = localStorage.getItem(storageKey);
  if (saved === "en" || saved === "zh-CN") return saved;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export function saveLocale(l: Locale) {
  localStorage.setItem(storageKey, l);
  document.documentElement.lang = l;
}

export type I18n = {
  locale: Locale;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  time: (iso: string | null | undefined) => string;
  duration: (seconds: number) => string;
};

export function makeI18n(locale: Locale): I18n {
  const cat = catalogues[locale];
  const dt = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "medium" });
  return {
    locale,
    t: (key, params) =>
      (cat[key] ?? en[key] ?? key).replace(/\{(\w+)\}/g, (_, p: string) => String(params?.[p] ?? `{${p}}`)),
    time: (iso) => (iso ? dt.format(new Date(iso)) : ""),
    duration: (s) => {
      s = Math.max(0, Math.floor(s));
      const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      const unit = (v: number, u: "hour" | "minute" | "second") =>
        new Intl.NumberFormat(locale, { style: "unit", unit: u, unitDisplay: "narrow" }).format(v);
      if (h > 0) return `${unit(h, "hour")} ${unit(m, "minute")}`;
      if (m > 0) return `${unit(m, "minute")} ${unit(sec, "second")}`;
      return unit(sec, "second");
    },
  };
}

export const I18nContext = createContext<I18n>(makeI18n("en"));
export const useI18n = () => useContext(I18nContext);
