// The web chat protocol of /channels/webchat (see channels/webchat/doc.go):
// hello → welcome with the conversation so far; message → ack or error;
// agents' replies arrive as message frames. The connection reconnects with
// exponential backoff and full jitter, and resends what was not
// acknowledged under the same ids.

// Attachment is a file of a message; quarantined files (malware) are not
// served.
export interface Attachment {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  quarantined?: boolean;
}

export interface MessageFrame {
  type: "message";
  id: string;
  direction: "IN" | "OUT";
  agentId?: string;
  text: string;
  attachments?: Attachment[];
  at: string;
  position?: number;
}

export interface WelcomeFrame {
  type: "welcome";
  interactionId?: string;
  status?: string;
  history: MessageFrame[];
}

export interface AckFrame {
  type: "ack";
  id: string;
  interactionId: string;
  position: number;
}

export interface ErrorFrame {
  type: "error";
  id?: string;
  code: string;
  message: string;
  retryAfter?: number;
}

export type ServerFrame = MessageFrame | WelcomeFrame | AckFrame | ErrorFrame | { type: "pong" };

export interface Outgoing {
  id: string;
  text: string;
  sentAt: string;
}

export type ConnState = { kind: "connecting" } | { kind: "open" } | { kind: "waiting"; until: number } | { kind: "closed" };

export interface ConnEvents {
  state(s: ConnState): void;
  welcome(f: WelcomeFrame): void;
  message(f: MessageFrame): void;
  ack(f: AckFrame): void;
  error(f: ErrorFrame): void;
}

export interface ConnOptions {
  url: string;
  visitorId: string;
  identity?: string;
  name?: string;
  // backoff: the first retry waits up to baseMs, doubling per failed
  // attempt up to capMs.
  baseMs?: number;
  capMs?: number;
  pingMs?: number;
}

// backoffDelay is "full jitter": a uniform pick in [0, min(cap, base·2^n)],
// at least 250 ms, so that clients dropped together do not come back
// together.
export function backoffDelay(attempt: number, baseMs: number, capMs: number, rnd: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.max(250, Math.round(rnd() * ceiling));
}

export class Connection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: number | undefined;
  private pinger: number | undefined;
  private welcomed = false;
  private stopped = false;
  // outbox holds the messages not yet acknowledged, in order; each is
  // (re)sent on every welcome under its own id.
  private outbox = new Map<string, Outgoing>();
  private minDelayUntil = 0;

  constructor(
    private readonly opts: ConnOptions,
    private readonly on: ConnEvents,
  ) {}

  start(): void {
    this.stopped = false;
    if (!this.ws && this.timer === undefined) this.connect();
  }

  get started(): boolean {
    return this.ws !== null || this.timer !== undefined;
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.timer = undefined;
    this.ws?.close(1000);
    this.ws = null;
    this.on.state({ kind: "closed" });
  }

  // send queues a message and sends it now when the conversation is open.
  send(m: Outgoing): void {
    this.outbox.set(m.id, m);
    if (this.welcomed) this.write({ type: "message", ...m });
    else this.start();
  }

  pending(): Outgoing[] {
    return [...this.outbox.values()];
  }

  // retryNow skips the wait of a pending reconnect (the browser came back
  // online, or the visitor acted).
  retryNow(): void {
    if (this.timer !== undefined && Date.now() >= this.minDelayUntil) {
      window.clearTimeout(this.timer);
      this.timer = undefined;
      this.connect();
    }
  }

  private connect(): void {
    this.on.state({ kind: "connecting" });
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    ws.onopen = () => {
      const hello: Record<string, string> = { type: "hello", visitorId: this.opts.visitorId };
      if (this.opts.identity) hello.identity = this.opts.identity;
      if (this.opts.name) hello.name = this.opts.name;
      this.write(hello);
    };
    ws.onmessage = (ev) => {
      let f: ServerFrame;
      try {
        f = JSON.parse(String(ev.data)) as ServerFrame;
      } catch {
        return;
      }
      this.handle(f);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.welcomed = false;
      window.clearInterval(this.pinger);
      if (!this.stopped) this.scheduleReconnect();
    };
    ws.onerror = () => {
      // onclose follows and reconnects.
    };
  }

  private handle(f: ServerFrame): void {
    switch (f.type) {
      case "welcome":
        this.welcomed = true;
        this.attempt = 0;
        this.on.state({ kind: "open" });
        this.on.welcome(f);
        for (const m of this.outbox.values()) this.write({ type: "message", ...m });
        window.clearInterval(this.pinger);
        this.pinger = window.setInterval(() => this.write({ type: "ping" }), this.opts.pingMs ?? 25_000);
        break;
      case "message":
        this.on.message(f);
        break;
      case "ack":
        this.outbox.delete(f.id);
        this.on.ack(f);
        break;
      case "error":
        if (f.retryAfter) this.minDelayUntil = Date.now() + f.retryAfter * 1000;
        if (f.id && (f.code === "limited" || f.code === "unavailable")) {
          // over a rate limit, or the ledger cannot write now (its disk is
          // full): the same message again, once allowed
          const m = this.outbox.get(f.id);
          if (m) window.setTimeout(() => this.welcomed && this.write({ type: "message", ...m }), (f.retryAfter ?? 5) * 1000);
        } else if (f.id) {
          this.outbox.delete(f.id); // refused for good: resending cannot help
        }
        this.on.error(f);
        break;
    }
  }

  private write(f: object): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(f));
  }

  private scheduleReconnect(): void {
    const delay = Math.max(
      backoffDelay(this.attempt++, this.opts.baseMs ?? 1000, this.opts.capMs ?? 30_000),
      this.minDelayUntil - Date.now(),
    );
    const until = Date.now() + delay;
    this.on.state({ kind: "waiting", until });
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      this.connect();
    }, delay);
  }
}
