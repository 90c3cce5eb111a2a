import type { Channel } from "../graphql/types.generated";
import { useI18n } from "../i18n";

// Glyphs that every system font has (no emoji font needed).
const glyphs: Record<Channel, string> = { PHONE: "☎", WEBCHAT: "Web", EMAIL: "✉", SMS: "SMS", WECHAT: "微信", APP: "App" };

/** ChannelIcon is the channel's glyph with its name for screen readers. */
export function ChannelIcon({ channel }: { channel: Channel }) {
  const { t } = useI18n();
  return (
    <span class={`channel channel-${channel}`} title={t(`channel.${channel}`)}>
      <span aria-hidden="true">{glyphs[channel]}</span>
      <span class="sr-only">{t(`channel.${channel}`)}</span>
    </span>
  );
}

/** writtenChannels are those an agent answers in text. */
export const writtenChannels: Channel[] = ["WEBCHAT", "EMAIL", "SMS", "WECHAT", "APP"];

/** fileChannels are those whose replies carry files (the server refuses files on others). */
export const fileChannels: Channel[] = ["WEBCHAT", "EMAIL"];
