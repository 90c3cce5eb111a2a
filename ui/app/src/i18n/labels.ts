// Labels of enum values and catalogue names, one helper per family, so a
// screen never shows a raw value (STANDARD, answered_within). Values this
// build does not know (a newer server) fall back to the raw value rather
// than to a message key.
import { en, type MessageKey } from "./en";
import type { I18n } from "./index";
import type { Channel, IdentityKind, Tier, TimelineKind } from "../graphql/types.generated";

type T = I18n["t"];

function known(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** labelOr is the catalogue's label of prefix.value, else value itself. */
export function labelOr(t: T, prefix: string, value: string) {
  const key = `${prefix}.${value}`;
  return known(key) ? t(key) : value;
}

export const tierLabel = (t: T, v: Tier) => labelOr(t, "tier", v);
export const identityKindLabel = (t: T, v: IdentityKind) => labelOr(t, "identityKind", v);
export const qaKindLabel = (t: T, v: string) => labelOr(t, "qaKind", v);
export const reportTitle = (t: T, name: string, fallback: string) => {
  const key = `reportTitle.${name}`;
  return known(key) ? t(key) : fallback;
};
/** reportDescription says what a report counts: the catalogue's sentence, else the server's. */
export const reportDescription = (t: T, name: string, fallback: string) => {
  const key = `reportDescription.${name}`;
  return known(key) ? t(key) : fallback;
};
export const reportOptionLabel = (t: T, name: string) => labelOr(t, "reportOption", name);
/** reportOptionHelp says what an option changes: the catalogue's sentence, else the server's. */
export const reportOptionHelp = (t: T, name: string, fallback: string) => {
  const key = `reportOptionHelp.${name}`;
  return known(key) ? t(key) : fallback;
};
/** reportColumnLabel names a report column or dimension (analytics/catalogue.go). */
export const reportColumnLabel = (t: T, name: string) => labelOr(t, "reportColumn", name);

/** dimensionFamilies: the report dimensions whose values are API enums. */
const dimensionFamilies: Record<string, string> = {
  channel: "channel", from_channel: "channel", to_channel: "channel", priority: "priority", disposition: "disposition", category: "ticketCategory", status: "ticketStatus",
};

/** reportValueLabel is a report cell of a dimension column, its enum value labelled;
 * template_usage's baseline row (no template: an empty template id) says so. */
export function reportValueLabel(t: T, column: string, value: string) {
  if (column === "template" && value === "") return t("reportValue.noTemplate");
  const family = dimensionFamilies[column];
  return family ? labelOr(t, family, value) : value;
}

/** Timeline entries: what kind of entry, and its one line. */
export type TimelineLike = { kind: TimelineKind; channel?: Channel | null; summary: string };

/**
 * timelineDetail is an entry's line in the reader's language. The server
 * writes a few lines itself, in English (projections/timeline.go
 * entrySummary: "started on APP" (said by the label alone), "answered by …", "ended by … after Ns",
 * "[attachment] …"); those are recognised and written anew from the
 * catalogue. Every other line is what people wrote, shown as it is.
 */
export function timelineDetail(t: T, duration: I18n["duration"], e: TimelineLike) {
  const s = e.summary;
  let m: RegExpMatchArray | null;
  // The kind's label already says "started" and names the channel.
  if (e.kind === "INTERACTION_STARTED" && e.channel && s === `started on ${e.channel}`) return "";
  if (e.kind === "CALL_ANSWERED" && (m = s.match(/^answered by (.*)$/))) return t("timeline.answeredBy", { agent: m[1] });
  if (e.kind === "CALL_ENDED" && (m = s.match(/^ended by (.*) after (\d+)s$/))) {
    return t("timeline.endedBy", { who: m[1], duration: duration(Number(m[2])) });
  }
  if ((m = s.match(/^\[attachment\] (.*)$/))) return t("timeline.attachment", { name: m[1] });
  if (s === "[attachment]") return t("timeline.attachment", { name: "" }).trim();
  return s;
}

/** timelineKindLabel names what a timeline entry records, with its channel. */
export function timelineKindLabel(t: T, e: TimelineLike) {
  const kind = labelOr(t, "timeline", e.kind);
  return e.channel ? `${kind} · ${t(`channel.${e.channel}`)}` : kind;
}
