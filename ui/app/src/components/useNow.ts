import { useEffect, useState } from "preact/hooks";

/** useNow re-renders every second with the local clock (for wait times; no server polling). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return now;
}
