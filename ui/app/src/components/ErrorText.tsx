import type { CombinedError } from "@urql/core";
import { errorKey } from "../api/client";
import { useI18n } from "../i18n";

/** ErrorText shows a GraphQL error as a sentence of the catalogue. */
export function ErrorText({ error }: { error: CombinedError | undefined }) {
  const { t } = useI18n();
  const key = errorKey(error);
  return key ? <p class="error" role="alert">{t(key)}</p> : null;
}
