export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** Any JSON value: event data, folded aggregate state, report rows. */
  JSON: { input: unknown; output: unknown; }
  /**
   * A 64-bit integer, as a JSON number: ledger positions and event counts. Exact in JavaScript up
   * to 2^53.
   */
  Long: { input: number; output: number; }
  /** An instant, as an RFC 3339 string with a time zone, e.g. `2026-03-02T09:00:00Z`. */
  Time: { input: string; output: string; }
};

/** A contact-centre agent with presence and current load. */
export type Agent = {
  __typename?: 'Agent';
  /** How many interactions the agent takes at once, per channel. */
  capacity: Array<ChannelCount>;
  /** The agent's id; their ledger stream is `agent-<id>`. Agents' and supervisors' tokens carry it as subject. */
  id: Scalars['ID']['output'];
  /** How many open interactions the agent has now, all channels. */
  load: Scalars['Int']['output'];
  /** How many open interactions the agent has now, per channel (channels with none absent). */
  loadByChannel: Array<ChannelCount>;
  /** Name. */
  name: Scalars['String']['output'];
  /**
   * The open interactions assigned to the agent now, oldest assignment first (at most 500):
   * the agent's inbox. Agents, supervisors, auditors, admins; analysts masked.
   */
  openInteractions: Array<Interaction>;
  /** Availability. */
  presence: Presence;
  /** Since when the agent has this presence. */
  presenceSince?: Maybe<Scalars['Time']['output']>;
  /** When the agent was registered. */
  registeredAt: Scalars['Time']['output'];
  /** Skills with proficiency 1 to 10, by name. */
  skills: Array<Skill>;
  /** Team. */
  team?: Maybe<Scalars['String']['output']>;
};

/** What a mutation on an agent wrote. */
export type AgentPayload = {
  __typename?: 'AgentPayload';
  /** The agent after the change (see Consistency; may fail with TIMEOUT). */
  agent?: Maybe<Agent>;
  /** The $all position of the last event written; 0 when the command changed nothing. */
  position: Scalars['Long']['output'];
};

/**
 * A file that came with a message. The ledger records its description; its
 * bytes are kept in the blob store, sealed with the customer's data key.
 */
export type Attachment = {
  __typename?: 'Attachment';
  /** The MIME type, sniffed from the bytes when they were kept. */
  contentType: Scalars['String']['output'];
  /**
   * Where the signed-in caller downloads the file (GET, with the session
   * cookie or a bearer token); null when its bytes were not kept or it is
   * quarantined. FORBIDDEN for analysts. Every download is recorded in the
   * access ledger.
   */
  downloadUrl?: Maybe<Scalars['String']['output']>;
  /** The file name (`[masked]` for analysts). */
  name: Scalars['String']['output'];
  /** The malware signature the file matched: its bytes were not kept and nobody can download it. */
  quarantined?: Maybe<Scalars['String']['output']>;
  /** Hex SHA-256 of the bytes. */
  sha256: Scalars['String']['output'];
  /** Size in bytes. */
  size: Scalars['Long']['output'];
};

/** One event exactly as the ledger recorded it. */
export type AuditEvent = {
  __typename?: 'AuditEvent';
  /** The event data as recorded. */
  data: Scalars['JSON']['output'];
  /** Hex SHA-256 over prevHash and the event (see `ledger verify`). */
  hash: Scalars['String']['output'];
  /** The event id (UUID). */
  id: Scalars['ID']['output'];
  /** Who did it and why. */
  metadata: AuditMetadata;
  /** Global order ($all), from 1, gap-free. */
  position: Scalars['Long']['output'];
  /** The hash of the previous event of the stream (empty for the first). */
  prevHash: Scalars['String']['output'];
  /** When the event was committed (UTC). */
  recordedAt: Scalars['Time']['output'];
  /** The version of the data's shape. */
  schema: Scalars['Int']['output'];
  /** The state the stream's events up to and including this one fold into. */
  stateAfter: Scalars['JSON']['output'];
  /** The past-tense event name, e.g. `TicketAssigned`. */
  type: Scalars['String']['output'];
  /** Position within the stream, from 0. */
  version: Scalars['Long']['output'];
};

/** A page of a stream's events. */
export type AuditEventConnection = {
  __typename?: 'AuditEventConnection';
  /** The events of this page. */
  nodes: Array<AuditEvent>;
  /** Where the page ended. */
  pageInfo: PageInfo;
};

/** The envelope of an event: who did it and why. */
export type AuditMetadata = {
  __typename?: 'AuditMetadata';
  /** Who acted: `agent:<id>`, `supervisor:<id>`, `customer:<id>`, `system:<policy>`, ... */
  actor?: Maybe<Scalars['String']['output']>;
  /** What caused it. */
  causationId?: Maybe<Scalars['String']['output']>;
  /** The channel the request came in on. */
  channel?: Maybe<Scalars['String']['output']>;
  /** The command that produced it. */
  command?: Maybe<Scalars['String']['output']>;
  /** Groups every event of one outside request (one GraphQL request, one inbound message). */
  correlationId?: Maybe<Scalars['String']['output']>;
  /** The provider's id of the inbound message. */
  sourceMessageId?: Maybe<Scalars['String']['output']>;
};

/** A ledger stream as of a moment: its events recorded by then and the state they fold into. */
export type AuditTrail = {
  __typename?: 'AuditTrail';
  /** The moment: events recorded after it are left out. */
  asOf: Scalars['Time']['output'];
  /** How many events the stream had by then. */
  eventCount: Scalars['Int']['output'];
  /** The events, in stream order. `first` is 1 to 100 (default 20); `after` is an endCursor. */
  events: AuditEventConnection;
  /** The aggregate state those events fold into (the domain's own fields). */
  state: Scalars['JSON']['output'];
  /** The stream. */
  stream: Scalars['String']['output'];
};


/** A ledger stream as of a moment: its events recorded by then and the state they fold into. */
export type AuditTrailEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** An event that failed verification and why. */
export type BadEvent = {
  __typename?: 'BadEvent';
  /** Its id. */
  id: Scalars['ID']['output'];
  /** Its position in $all. */
  position: Scalars['Long']['output'];
  /** What is wrong. */
  reason: Scalars['String']['output'];
  /** Its stream. */
  stream: Scalars['String']['output'];
  /** Its version in the stream. */
  version: Scalars['Long']['output'];
};

/**
 * A customer's business context: the newest version of each fact their CRM and order systems
 * recorded. Lists are newest first (by when a fact took effect, else when it was recorded).
 */
export type BusinessContext = {
  __typename?: 'BusinessContext';
  /** Contracts (at most 20). */
  contracts: Array<BusinessFact>;
  /** Devices (at most 20). */
  devices: Array<BusinessFact>;
  /** Service plans (at most 20). */
  plans: Array<BusinessFact>;
  /** The most recent orders (at most 5). */
  recentOrders: Array<BusinessFact>;
};

/** One fact about a customer, in the newest version its source recorded. */
export type BusinessFact = {
  __typename?: 'BusinessFact';
  /** Its attributes, by name (values masked for analysts: they are personal data). */
  attributes: Array<FactAttribute>;
  /** The customer it was recorded for: this one or one merged into it. */
  customerId: Scalars['ID']['output'];
  /** When it took effect in its system, if the system said. */
  effectiveAt?: Maybe<Scalars['Time']['output']>;
  /** Its id in that system. */
  externalId: Scalars['String']['output'];
  /** What it describes. */
  kind: FactKind;
  /** When this version was recorded. */
  recordedAt: Scalars['Time']['output'];
  /** The system that recorded it, e.g. `crm`. */
  source: Scalars['String']['output'];
  /** The service tier a plan gives; it raises the customer's routing tier. Null for other facts. */
  tier?: Maybe<Tier>;
  /** Its version in that system; only the newest is kept. */
  version: Scalars['Long']['output'];
};

/** A fact a CRM or order system knows about a customer. */
export type BusinessFactInput = {
  /** Up to 32 attributes: names of letters, digits, `.`, `_`, `-`; values up to 1024 bytes, 8 KiB in all. */
  attributes?: InputMaybe<Array<FactAttributeInput>>;
  /** When it took effect in its system. */
  effectiveAt?: InputMaybe<Scalars['Time']['input']>;
  /** The fact's id in that system (at most 128 bytes, no white space). */
  externalId: Scalars['String']['input'];
  /** The kind of identity the customer is known by in that system. */
  identityKind: IdentityKind;
  /** The identity: a phone number, an email address, an account id. */
  identityValue: Scalars['String']['input'];
  /** What the fact describes. */
  kind: FactKind;
  /** The recording system: 1 to 64 letters, digits, `.`, `_`, `-`. */
  source: Scalars['String']['input'];
  /** For a plan: the service tier it gives (VIP raises routing priority). */
  tier?: InputMaybe<Tier>;
  /** The fact's version in that system, a positive integer that grows with each change. */
  version: Scalars['Long']['input'];
};

/** What recordBusinessFact did. */
export type BusinessFactPayload = {
  __typename?: 'BusinessFactPayload';
  /** Whether this call registered the customer (the identity was unknown). */
  customerCreated: Scalars['Boolean']['output'];
  /** The customer the fact was recorded for. */
  customerId: Scalars['ID']['output'];
  /** What happened to the fact. */
  outcome: FactOutcome;
  /** The $all position of the fact's event (for UNCHANGED, the first recording's); 0 for STALE. */
  position: Scalars['Long']['output'];
  /** The fact's newest recorded version (for STALE, the newer one kept). */
  version: Scalars['Long']['output'];
};

/** How many interactions of a channel an agent takes at once. */
export type CapacityInput = {
  /** The channel. */
  channel: Channel;
  /** Concurrent interactions, at least 0. */
  count: Scalars['Int']['input'];
};

/** How a customer reached us. */
export type Channel =
  /** Chat in the mobile app. */
  | 'APP'
  /** Email. */
  | 'EMAIL'
  /** A phone call. */
  | 'PHONE'
  /** Text message. */
  | 'SMS'
  /** Chat on the web site. */
  | 'WEBCHAT'
  /** WeChat official account. */
  | 'WECHAT';

/** A number per channel. */
export type ChannelCount = {
  __typename?: 'ChannelCount';
  /** The channel. */
  channel: Channel;
  /** The number. */
  count: Scalars['Int']['output'];
};

/** Another department brought in to help with a ticket. */
export type Collaborator = {
  __typename?: 'Collaborator';
  /** The agent of that department, if named. */
  agentId?: Maybe<Scalars['ID']['output']>;
  /** The department. */
  department: Scalars['String']['output'];
  /** When the department owes its part; past it and still open, the ticket is overdue. */
  dueAt?: Maybe<Scalars['Time']['output']>;
};

/** How current the entity a mutation returns must be. */
export type Consistency =
  /** Answer at once from the read models, which may not show the change yet (a new entity may even be null). */
  | 'EVENTUAL'
  /** Wait until the read models have applied the position the mutation wrote (bounded by the request and by the server's limit), so the entity returned shows the change. */
  | 'READ_YOUR_WRITES';

/**
 * One customer across every channel and identity: the customer 360. Counts, last contact,
 * preferred channel and the timeline cover the customer and every customer merged into it.
 * Analysts see the display name and identity values masked.
 */
export type Customer = {
  __typename?: 'Customer';
  /** What the CRM and order systems recorded about the customer (recordBusinessFact), across every customer merged into it; attribute values are masked for analysts. */
  businessContext: BusinessContext;
  /** When the customer was registered. */
  createdAt: Scalars['Time']['output'];
  /** The name the customer is known by (masked for analysts, e.g. `W***`). */
  displayName: Scalars['String']['output'];
  /** The customer's id; their ledger stream is `customer-<id>`. */
  id: Scalars['ID']['output'];
  /** The handles the customer holds now (values masked for analysts, e.g. `+86*******8000`). */
  identities: Array<Identity>;
  /** How many interactions the customer had. */
  interactionCount: Scalars['Int']['output'];
  /** Interactions, newest first. `first` is 1 to 100 (default 20). */
  interactions: InteractionConnection;
  /** The channel of the latest contact. */
  lastChannel?: Maybe<Channel>;
  /** The latest contact on any channel; null if never contacted. */
  lastContactAt?: Maybe<Scalars['Time']['output']>;
  /** The latest satisfaction score (1 to 5); null when none was given. */
  lastCsat?: Maybe<Scalars['Int']['output']>;
  /** The ids of the customers merged into this one, directly or through another merge. */
  mergedFrom: Array<Scalars['ID']['output']>;
  /** The customer this one was merged into, if it was. */
  mergedInto?: Maybe<Customer>;
  /** Open tickets (not resolved or closed), most urgent first, then oldest first. */
  openTickets: Array<Ticket>;
  /** The channel of most interactions. */
  preferredChannel?: Maybe<Channel>;
  /** Tags, sorted. */
  tags: Array<Scalars['String']['output']>;
  /** Service tier. */
  tier: Tier;
  /** The cross-channel history, newest first: interactions started and ended, messages, calls, CSAT, ticket events. `first` is 1 to 100 (default 20). */
  timeline: TimelineConnection;
};


/**
 * One customer across every channel and identity: the customer 360. Counts, last contact,
 * preferred channel and the timeline cover the customer and every customer merged into it.
 * Analysts see the display name and identity values masked.
 */
export type CustomerInteractionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * One customer across every channel and identity: the customer 360. Counts, last contact,
 * preferred channel and the timeline cover the customer and every customer merged into it.
 * Analysts see the display name and identity values masked.
 */
export type CustomerTimelineArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of customers. */
export type CustomerConnection = {
  __typename?: 'CustomerConnection';
  /** The customers of this page. */
  nodes: Array<Customer>;
  /** Where the page ended. */
  pageInfo: PageInfo;
};

/** What a mutation on a customer wrote. */
export type CustomerPayload = {
  __typename?: 'CustomerPayload';
  /** The customer after the change (see Consistency; may fail with TIMEOUT). */
  customer?: Maybe<Customer>;
  /** The $all position of the last event written; 0 when the command changed nothing. */
  position: Scalars['Long']['output'];
};

/** One recorded read of a customer's personal data. */
export type DataAccess = {
  __typename?: 'DataAccess';
  /** When it was read. */
  at: Scalars['Time']['output'];
  /** The client's address, when the read came over HTTP. */
  clientAddress?: Maybe<Scalars['String']['output']>;
  /** Which fields, e.g. `displayName`, `identities`, `message.text`, `ticket.subject`. */
  fields: Array<Scalars['String']['output']>;
  /** Whether the reader saw the data masked (analysts). */
  masked: Scalars['Boolean']['output'];
  /** The GraphQL operation's name. */
  operation: Scalars['String']['output'];
  /** Their role. */
  role: Scalars['String']['output'];
  /** Who read it: the token's subject. */
  subject: Scalars['String']['output'];
};

/**
 * How an agent's reply reached the customer's channel, from the attempts the
 * outbound dispatcher recorded on delivery-<interactionId>.
 */
export type DeliveryState = {
  __typename?: 'DeliveryState';
  /** How many attempts were made so far (0 while pending). */
  attempts: Scalars['Int']['output'];
  /** Why the last attempt failed, as a sentence; null when it did not fail. */
  lastError?: Maybe<Scalars['String']['output']>;
  /** Where delivery stands. */
  state: DeliveryStatus;
};

/** Where the delivery of one reply stands. */
export type DeliveryStatus =
  /** An attempt handed the reply to the channel. */
  | 'DELIVERED'
  /** The reply could not be delivered and no further attempt will be made. */
  | 'FAILED'
  /** No attempt was recorded yet. */
  | 'PENDING'
  /** An attempt failed and another one will be made. */
  | 'RETRYING';

/** How an interaction ended. */
export type Disposition =
  /** The customer left. */
  | 'ABANDONED'
  /** Handed up. */
  | 'ESCALATED'
  /** Someone must come back to it. */
  | 'FOLLOW_UP'
  /** Nothing to do. */
  | 'NO_ACTION'
  /** The customer's need was met. */
  | 'RESOLVED'
  /** Spam. */
  | 'SPAM'
  /** Handed to another agent or queue. */
  | 'TRANSFERRED';

/** One named value of a business fact. */
export type FactAttribute = {
  __typename?: 'FactAttribute';
  /** The name, e.g. `planName`, `total`, `model`. */
  name: Scalars['String']['output'];
  /** The value (masked for analysts). */
  value: Scalars['String']['output'];
};

/** One named value of a business fact. */
export type FactAttributeInput = {
  /** The name. */
  name: Scalars['String']['input'];
  /** The value. */
  value: Scalars['String']['input'];
};

/** What a business fact describes. */
export type FactKind =
  /** A contract. */
  | 'CONTRACT'
  /** A device the customer owns or rents. */
  | 'DEVICE'
  /** A purchase. */
  | 'ORDER'
  /** A service plan or subscription. */
  | 'PLAN';

/** What recording a business fact did. */
export type FactOutcome =
  /** A new fact, or a newer version of one, was recorded. */
  | 'RECORDED'
  /** A newer version was recorded before: this one was ignored. */
  | 'STALE'
  /** This version was recorded before: nothing new was written. */
  | 'UNCHANGED';

/** A handle a customer is known by. */
export type Identity = {
  __typename?: 'Identity';
  /** What kind of handle. */
  kind: IdentityKind;
  /** The normalised value (masked for analysts). */
  value: Scalars['String']['output'];
};

/** How far a channel vouched for the identity a contact came in with. */
export type IdentityCheck =
  /** A trusted peer vouched for it (a SIP trunk's P-Asserted-Identity). */
  | 'ASSERTED'
  /** Only the sender says so (a SIP From header). */
  | 'CLAIMED'
  /** The sender's domain says it did not send it: an email that failed DMARC (a forged From). The contact is on an unverified customer of its own, never the address's owner. */
  | 'FAILED'
  /** The channel cannot tell. */
  | 'UNCHECKED'
  /** Nothing vouched for it and nothing contradicted it: an email from a domain with no DMARC policy, or whose DNS could not be read. The contact joined the customer who owns the address; treat it as not verified. */
  | 'UNVERIFIED'
  /** The sender's domain vouched for it: an email that passed DMARC (an aligned DKIM signature or SPF pass). */
  | 'VERIFIED';

/** The kind of handle a customer is known by. */
export type IdentityKind =
  /** An account id in our own systems. */
  | 'ACCOUNT'
  /** A device id of the mobile app. */
  | 'DEVICE'
  /** An email address, lower-cased. */
  | 'EMAIL'
  /** A phone number, E.164 (+<country code><number>). */
  | 'PHONE'
  /** A WeChat openid. */
  | 'WECHAT';

/**
 * One conversation with a customer on one channel, from first contact to close. Analysts see its
 * texts masked.
 */
export type Interaction = {
  __typename?: 'Interaction';
  /** The agent handling it. */
  agent?: Maybe<Agent>;
  /** When the agent picked up (phone). */
  answeredAt?: Maybe<Scalars['Time']['output']>;
  /** When an agent got it. */
  assignedAt?: Maybe<Scalars['Time']['output']>;
  /** When the call ended (phone). */
  callEndedAt?: Maybe<Scalars['Time']['output']>;
  /** The channel. */
  channel: Channel;
  /** When it was closed or abandoned. */
  closedAt?: Maybe<Scalars['Time']['output']>;
  /** The customer's satisfaction score, 1 to 5. */
  csat?: Maybe<Scalars['Int']['output']>;
  /** The customer's comment on the score; `[masked]` for analysts. */
  csatComment?: Maybe<Scalars['String']['output']>;
  /** The customer. */
  customer: Customer;
  /** How it ended, as the agent recorded it. */
  disposition?: Maybe<Disposition>;
  /** The interaction's id; its ledger stream is `interaction-<id>`. */
  id: Scalars['ID']['output'];
  /** The handle the customer came in with (masked for analysts). */
  identity: Identity;
  /**
   * How far the channel vouched for `identity`: ASSERTED by a trusted peer (a SIP trunk's
   * P-Asserted-Identity), only CLAIMED by the sender (a SIP From from a device: confirm who is
   * calling before disclosing account details), VERIFIED by the sender's mail domain (DMARC
   * pass), UNVERIFIED (no DMARC policy: confirm who is writing), FAILED (DMARC fail: a forged
   * From, on a customer of its own), or UNCHECKED (the channel cannot tell). For email it is
   * the weakest check of the customer's messages in the interaction.
   */
  identityCheck: IdentityCheck;
  /** When the last message came. */
  lastMessageAt?: Maybe<Scalars['Time']['output']>;
  /** How many messages it holds. */
  messageCount: Scalars['Int']['output'];
  /**
   * The messages, in the order the ledger recorded them: at most `first`
   * (1 to the server's page limit, 100 by default, which is also the
   * default), those recorded after the message at position `after` when it
   * is given (pass the last one's `position` to read on).
   */
  messages: Array<Message>;
  /** Routing priority. */
  priority: Priority;
  /** The queue it waits or waited in. */
  queue?: Maybe<Scalars['String']['output']>;
  /** When it was queued. */
  queuedAt?: Maybe<Scalars['Time']['output']>;
  /**
   * Its response clocks (the latest cycle of each: first response, then next response), counted
   * in their SLA policy's business time. Empty until the customer waits for an agent (queued or
   * assigned), or when no SLA policy covers its priority and channel. Interactions have no
   * resolution clock; a breach is recorded, not escalated.
   */
  slaClocks: Array<SlaClock>;
  /** When it started. */
  startedAt: Scalars['Time']['output'];
  /** Where it is in its life. */
  status: InteractionStatus;
  /** The subject (email) or first words; `[masked]` for analysts. */
  subject: Scalars['String']['output'];
  /** The agent's closing summary, or why it was abandoned; `[masked]` for analysts. */
  summary?: Maybe<Scalars['String']['output']>;
  /**
   * A draft of the closing summary for the agent to edit: the customer's and the agent's
   * sentences that best cover the conversation, labelled, at most 300 characters. Null when
   * the conversation has nothing to summarise, or for callers who see it masked.
   */
  summaryDraft?: Maybe<Scalars['String']['output']>;
  /**
   * When the call's after-call work (wrap-up) ran past the wrap-up timeout with the interaction
   * still open (phone): from then on it no longer takes the agent's voice capacity, so the router
   * may give them the next call. It stays open and theirs to close with a disposition. Null when
   * it did not happen.
   */
  wrapUpExpiredAt?: Maybe<Scalars['Time']['output']>;
};


/**
 * One conversation with a customer on one channel, from first contact to close. Analysts see its
 * texts masked.
 */
export type InteractionMessagesArgs = {
  after?: InputMaybe<Scalars['Long']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of interactions, newest first. */
export type InteractionConnection = {
  __typename?: 'InteractionConnection';
  /** The interactions of this page. */
  nodes: Array<Interaction>;
  /** Where the page ended. */
  pageInfo: PageInfo;
};

/** What a mutation on an interaction wrote. */
export type InteractionPayload = {
  __typename?: 'InteractionPayload';
  /** The interaction after the change (see Consistency; may fail with TIMEOUT). */
  interaction?: Maybe<Interaction>;
  /** The $all position of the last event written; 0 when the command changed nothing. */
  position: Scalars['Long']['output'];
};

/** Where an interaction is in its life. */
export type InteractionStatus =
  /** The customer left before being served. */
  | 'ABANDONED'
  /** Started, not queued yet. */
  | 'ACTIVE'
  /** An agent has it. */
  | 'ASSIGNED'
  /** Closed by an agent. */
  | 'CLOSED'
  /** Waiting in a queue. */
  | 'QUEUED';

/** A live knowledge item found by a search. */
export type KnowledgeHit = {
  __typename?: 'KnowledgeHit';
  /** Markdown for an article, the template's text with its variables for a template. */
  body: Scalars['String']['output'];
  /** The business domain, e.g. `broadband`; empty when none. */
  businessDomain: Scalars['String']['output'];
  /** The item's category, e.g. `delivery`; empty when none. */
  category: Scalars['String']['output'];
  /** The channels a template is worded for; empty: every channel. */
  channels: Array<Channel>;
  /** The item's id; its ledger stream is `knowledge-<id>`. */
  id: Scalars['ID']['output'];
  /** An article or a reply template. */
  kind: KnowledgeKind;
  /** `zh` or `en`. */
  language: Scalars['String']['output'];
  /** The passage of the body around the first word found. */
  snippet: Scalars['String']['output'];
  /** The snippet cut into runs, the words found marked (to highlight them). */
  snippetParts: Array<SnippetPart>;
  /** Tags, lower-cased and sorted. */
  tags: Array<Scalars['String']['output']>;
  /** One line. */
  title: Scalars['String']['output'];
  /** The live version's number. */
  version: Scalars['Int']['output'];
};

/** A knowledge item with every version, for its authors. */
export type KnowledgeItem = {
  __typename?: 'KnowledgeItem';
  /** The item's id; its ledger stream is `knowledge-<id>`. */
  id: Scalars['ID']['output'];
  /** An article or a reply template. */
  kind: KnowledgeKind;
  /** The number of the newest version saved. */
  latestVersion: Scalars['Int']['output'];
  /** The number of the live version; null when none is (never published, or retired). */
  liveVersion?: Maybe<Scalars['Int']['output']>;
  /** The newest version, when it is newer than the live one and was never published; null when none. */
  pendingRevision?: Maybe<Scalars['Int']['output']>;
  /** Why the item was retired; null while it is not. */
  retireReason?: Maybe<Scalars['String']['output']>;
  /** When the item was retired; null while it is not. */
  retiredAt?: Maybe<Scalars['Time']['output']>;
  /** Where the item is in its lifecycle. */
  status: KnowledgeStatus;
  /** Every version, the newest first. */
  versions: Array<KnowledgeItemVersion>;
};

/** A page of knowledge items. */
export type KnowledgeItemConnection = {
  __typename?: 'KnowledgeItemConnection';
  /** The items of this page. */
  nodes: Array<KnowledgeListItem>;
  /** Where the page ended. */
  pageInfo: PageInfo;
};

/** A knowledge item after a change. */
export type KnowledgeItemPayload = {
  __typename?: 'KnowledgeItemPayload';
  /** The item's id (made by draftKnowledge when it created the item). */
  id: Scalars['ID']['output'];
  /** The number of the newest version saved. */
  latestVersion: Scalars['Int']['output'];
  /** The number of the live version; null when none is. */
  liveVersion?: Maybe<Scalars['Int']['output']>;
  /** The $all position of the last event written; 0 when the command changed nothing. */
  position: Scalars['Long']['output'];
  /** Where the item is in its lifecycle. */
  status: KnowledgeStatus;
};

/** A version of a knowledge item, as saved. */
export type KnowledgeItemVersion = {
  __typename?: 'KnowledgeItemVersion';
  /** Markdown for an article, the template's text with its variables for a template. */
  body: Scalars['String']['output'];
  /** Empty when none. */
  businessDomain: Scalars['String']['output'];
  /** Empty when none. */
  category: Scalars['String']['output'];
  /** The channels a template is worded for; empty: every channel. */
  channels: Array<Channel>;
  /** When it was saved. */
  draftedAt: Scalars['Time']['output'];
  /** Who saved it. */
  draftedBy: Scalars['String']['output'];
  /** `zh` or `en`. */
  language: Scalars['String']['output'];
  /** When it was last made live; null when never. */
  publishedAt?: Maybe<Scalars['Time']['output']>;
  /** Tags, lower-cased and sorted. */
  tags: Array<Scalars['String']['output']>;
  /** One line. */
  title: Scalars['String']['output'];
  /** Its number, from 1. */
  version: Scalars['Int']['output'];
};

/** What the knowledge base holds. */
export type KnowledgeKind =
  /** Reading for agents: how things work, what to check. */
  | 'ARTICLE'
  /** Approved wording an agent inserts into a reply, with its variables filled. */
  | 'TEMPLATE';

/** A knowledge item as its authors' list shows it. */
export type KnowledgeListItem = {
  __typename?: 'KnowledgeListItem';
  /** The newest version's category; empty when none. */
  category: Scalars['String']['output'];
  /** The item's id; its ledger stream is `knowledge-<id>`. */
  id: Scalars['ID']['output'];
  /** An article or a reply template. */
  kind: KnowledgeKind;
  /** The newest version's language (`zh`, `en`). */
  language: Scalars['String']['output'];
  /** The number of the newest version saved. */
  latestVersion: Scalars['Int']['output'];
  /** The number of the live version; null when none is. */
  liveVersion?: Maybe<Scalars['Int']['output']>;
  /** Where the item is in its lifecycle. */
  status: KnowledgeStatus;
  /** The newest version's title. */
  title: Scalars['String']['output'];
  /** When the item last changed (a version saved or published, or the item retired). */
  updatedAt: Scalars['Time']['output'];
};

/** Where a knowledge item is in its lifecycle. */
export type KnowledgeStatus =
  /** Never published. */
  | 'DRAFT'
  /** A version is live (a newer draft may wait). */
  | 'PUBLISHED'
  /** Out of search for good. */
  | 'RETIRED'
  /** A later version replaced the one first published. */
  | 'REVISED';

/** The outcome of recomputing every hash chain. */
export type LedgerVerification = {
  __typename?: 'LedgerVerification';
  /** How many events were examined, the bad one included. */
  checkedEvents: Scalars['Long']['output'];
  /** The first event, in $all order, that fails a check; null when ok. */
  firstBadEvent?: Maybe<BadEvent>;
  /** The position of the last event examined. */
  lastPosition: Scalars['Long']['output'];
  /** True when every event checked out. */
  ok: Scalars['Boolean']['output'];
  /** How many distinct streams were seen. */
  streams: Scalars['Int']['output'];
};

/** One message of an interaction. */
export type Message = {
  __typename?: 'Message';
  /** The agent who sent it, for OUT. */
  agentId?: Maybe<Scalars['ID']['output']>;
  /** When the ledger recorded it. */
  at: Scalars['Time']['output'];
  /** Files that came with it (names masked for analysts). */
  attachments: Array<Attachment>;
  /** How an agent's reply (OUT) reached the customer's channel; null for IN. */
  delivery?: Maybe<DeliveryState>;
  /** From the customer (IN) or from an agent (OUT). */
  direction: MessageDirection;
  /** The provider's (or the agent client's) message id. */
  id: Scalars['String']['output'];
  /** The $all position that recorded it: messages are in this order. */
  position: Scalars['Long']['output'];
  /** When the customer's device says it was sent; null if unknown. */
  sentAt?: Maybe<Scalars['Time']['output']>;
  /** The text; `[masked]` for analysts. */
  text: Scalars['String']['output'];
};

/** Who wrote a message. */
export type MessageDirection =
  /** From the customer. */
  | 'IN'
  /** From an agent. */
  | 'OUT';

/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type Mutation = {
  __typename?: 'Mutation';
  /** Brings another department in on a ticket. Agents, supervisors, admins. */
  addCollaborator: TicketPayload;
  /**
   * Gives a ticket to an agent. Agents may take an unassigned ticket for themselves
   * (`agentId` = their subject); assigning to someone else or moving an assigned ticket is a
   * reassignment: supervisors and admins.
   */
  assignTicket: TicketPayload;
  /**
   * Moves a ticket through its workflow: IN_PROGRESS, PENDING_CUSTOMER, RESOLVED (the reason is
   * the resolution), REOPENED (from RESOLVED) or CLOSED (from RESOLVED). NEW and ASSIGNED come
   * from opening and assignment. Agents, supervisors, admins.
   */
  changeTicketStatus: TicketPayload;
  /**
   * Closes an interaction with a disposition and an optional summary. Agents, supervisors,
   * admins.
   */
  closeInteraction: InteractionPayload;
  /** Adds an internal note to a ticket, as the caller. Agents, supervisors, admins. */
  commentOnTicket: TicketPayload;
  /**
   * Sends the customer of an interaction (typically the call the agent is on) a written
   * confirmation of what the agent promised, on the customer's preferred written channel (else
   * the one they used last; SMS to their phone number when they only ever called). Delivered like
   * any reply, with retries, each attempt recorded. Fails with NOT_FOUND when the customer has no
   * written channel. Agents, supervisors, admins.
   */
  confirmPromise: PromiseConfirmation;
  /**
   * Saves a new version of a knowledge item: an article (Markdown) or a reply template (text
   * with variables such as `{{customer.displayName}}`, `{{ticket.number}}`, `{{agent.name}}`).
   * Without `id` it creates an item (then `kind` is required; an `idempotencyKey` names the same
   * item on a retry). A version is not live until published. Saving the same content again
   * records nothing. Supervisors and admins.
   */
  draftKnowledge: KnowledgeItemPayload;
  /**
   * Erases a customer's personal data at their request (PIPL art. 47, GDPR art. 17): their
   * identities are released for reuse, the data keys of the customer and of the customers merged
   * into them are destroyed, so that every personal field they ever wrote reads "[erased]"
   * everywhere, and CustomerErased is recorded. Events, hashes and report counts stay. Cannot be
   * undone. Admins.
   */
  eraseCustomer: CustomerPayload;
  /**
   * Attaches an identity to a customer; fails with CONFLICT when another customer holds it.
   * Agents, supervisors, admins.
   */
  linkIdentity: CustomerPayload;
  /**
   * Merges the source customer into the target: the target absorbs the source's identities,
   * history and tickets. Undo with undoMerge. Returns the target. Agents, supervisors, admins.
   */
  mergeCustomers: CustomerPayload;
  /**
   * Opens a ticket for a customer (for the customer it was merged into, if it was) and gives it a
   * number. Agents, supervisors, admins.
   */
  openTicket: TicketPayload;
  /**
   * A supervisor's correction of one criterion of an automatic QA scorecard: the interaction's
   * scorecard result for `criterion` becomes `result`, with the reason recorded beside the
   * supervisor's id (a `QaOverridden` event; QA reports count the corrected score). Setting the
   * result it already has changes nothing. NOT_FOUND when the interaction was not scored with that
   * scorecard or the scorecard has no such criterion. Supervisors and admins.
   */
  overrideQaCriterion: QaOverride;
  /**
   * Makes a version of a knowledge item the live one (default: its newest); the version live
   * before is kept. Publishing an earlier version rolls back to it. Supervisors and admins.
   */
  publishKnowledge: KnowledgeItemPayload;
  /**
   * Records a fact a CRM or order system knows about the customer holding an identity (a customer
   * is registered for an unknown identity, as an inbound message would). Facts are idempotent by
   * source, kind, external id and version: the same version again records nothing and answers
   * UNCHANGED with the first position; an older version answers STALE. Attribute values are
   * personal data, sealed like the customer's other data. The integration role, and admins.
   */
  recordBusinessFact: BusinessFactPayload;
  /** Registers an agent; they start OFFLINE. Supervisors, admins. */
  registerAgent: AgentPayload;
  /** Sends an agent's reply on an interaction, as the caller. Agents, supervisors, admins. */
  replyToInteraction: InteractionPayload;
  /**
   * Takes a knowledge item out of search and suggestions for good; its versions stay in the
   * ledger and the audit trail. Supervisors and admins.
   */
  retireKnowledge: KnowledgeItemPayload;
  /**
   * Sets an agent's presence. Agents set their own (`agentId` absent or their subject);
   * supervisors and admins anyone's.
   */
  setPresence: AgentPayload;
  /**
   * Reverts a wrong merge: the source becomes a customer of its own again with the identities it
   * brought. Returns the source. Supervisors, admins.
   */
  undoMerge: CustomerPayload;
  /** Detaches an identity from a customer and frees it for another. Agents, supervisors, admins. */
  unlinkIdentity: CustomerPayload;
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationAddCollaboratorArgs = {
  agentId?: InputMaybe<Scalars['ID']['input']>;
  consistency?: InputMaybe<Consistency>;
  department: Scalars['String']['input'];
  dueAt?: InputMaybe<Scalars['Time']['input']>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  ticketId: Scalars['ID']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationAssignTicketArgs = {
  agentId: Scalars['ID']['input'];
  consistency?: InputMaybe<Consistency>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  ticketId: Scalars['ID']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationChangeTicketStatusArgs = {
  consistency?: InputMaybe<Consistency>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  reason?: InputMaybe<Scalars['String']['input']>;
  status: TicketStatus;
  ticketId: Scalars['ID']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationCloseInteractionArgs = {
  consistency?: InputMaybe<Consistency>;
  disposition: Disposition;
  draftSummary?: InputMaybe<Scalars['String']['input']>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  interactionId: Scalars['ID']['input'];
  summary?: InputMaybe<Scalars['String']['input']>;
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationCommentOnTicketArgs = {
  consistency?: InputMaybe<Consistency>;
  files?: InputMaybe<Array<Scalars['String']['input']>>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  text: Scalars['String']['input'];
  ticketId: Scalars['ID']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationConfirmPromiseArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  interactionId: Scalars['ID']['input'];
  promise: Scalars['String']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationDraftKnowledgeArgs = {
  body: Scalars['String']['input'];
  businessDomain?: InputMaybe<Scalars['String']['input']>;
  category?: InputMaybe<Scalars['String']['input']>;
  channels?: InputMaybe<Array<Channel>>;
  id?: InputMaybe<Scalars['ID']['input']>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  kind?: InputMaybe<KnowledgeKind>;
  language: Scalars['String']['input'];
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  title: Scalars['String']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationEraseCustomerArgs = {
  consistency?: InputMaybe<Consistency>;
  customerId: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  reason: Scalars['String']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationLinkIdentityArgs = {
  consistency?: InputMaybe<Consistency>;
  customerId: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  kind: IdentityKind;
  value: Scalars['String']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationMergeCustomersArgs = {
  consistency?: InputMaybe<Consistency>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  reason?: InputMaybe<Scalars['String']['input']>;
  sourceId: Scalars['ID']['input'];
  targetId: Scalars['ID']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationOpenTicketArgs = {
  businessDomain?: InputMaybe<Scalars['String']['input']>;
  category: TicketCategory;
  consistency?: InputMaybe<Consistency>;
  customerId: Scalars['ID']['input'];
  description?: InputMaybe<Scalars['String']['input']>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  interactionId?: InputMaybe<Scalars['ID']['input']>;
  priority?: InputMaybe<Priority>;
  subject: Scalars['String']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationOverrideQaCriterionArgs = {
  criterion: Scalars['String']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  interactionId: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
  result: QaResult;
  scorecard: Scalars['String']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationPublishKnowledgeArgs = {
  id: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  version?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationRecordBusinessFactArgs = {
  input: BusinessFactInput;
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationRegisterAgentArgs = {
  capacity?: InputMaybe<Array<CapacityInput>>;
  consistency?: InputMaybe<Consistency>;
  id: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  skills?: InputMaybe<Array<SkillInput>>;
  team?: InputMaybe<Scalars['String']['input']>;
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationReplyToInteractionArgs = {
  consistency?: InputMaybe<Consistency>;
  files?: InputMaybe<Array<Scalars['String']['input']>>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  interactionId: Scalars['ID']['input'];
  template?: InputMaybe<TemplateUseInput>;
  text: Scalars['String']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationRetireKnowledgeArgs = {
  id: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  reason: Scalars['String']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationSetPresenceArgs = {
  agentId?: InputMaybe<Scalars['ID']['input']>;
  consistency?: InputMaybe<Consistency>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  presence: Presence;
  reason?: InputMaybe<Scalars['String']['input']>;
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationUndoMergeArgs = {
  consistency?: InputMaybe<Consistency>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  reason?: InputMaybe<Scalars['String']['input']>;
  sourceId: Scalars['ID']['input'];
};


/**
 * The commands agents and supervisors issue. Every mutation is recorded as events whose metadata
 * names the caller (`agent:<subject>`, `supervisor:<subject>`, `admin:<subject>`) and the
 * request's correlation id.
 *
 * Every mutation takes `idempotencyKey`: the same key (per mutation and entity) makes a retried
 * request append nothing new and answer with what the first one wrote. It takes `consistency`
 * (default EVENTUAL): READ_YOUR_WRITES waits until the read models show the change before the
 * payload's entity is read. Every payload carries the ledger `position` the mutation wrote.
 */
export type MutationUnlinkIdentityArgs = {
  consistency?: InputMaybe<Consistency>;
  customerId: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  kind: IdentityKind;
  reason?: InputMaybe<Scalars['String']['input']>;
  value: Scalars['String']['input'];
};

/** A page of a list: where it ended and whether more follows. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` to get the next page; null when the page is empty. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** Whether a next page exists (as the list was when this page was read). */
  hasNextPage: Scalars['Boolean']['output'];
};

/** An agent's availability. */
export type Presence =
  /** Wrapping up the last interaction. */
  | 'AFTER_CALL_WORK'
  /** Ready for work. */
  | 'AVAILABLE'
  /** On a break. */
  | 'BREAK'
  /** Busy. */
  | 'BUSY'
  /** Not working. */
  | 'OFFLINE';

/** Urgency of a ticket or an interaction, lowest first. */
export type Priority =
  /** Critical: served first. */
  | 'CRITICAL'
  /** Normal. */
  | 'NORMAL'
  /** Urgent. */
  | 'URGENT';

/** A written confirmation on its way to the customer. */
export type PromiseConfirmation = {
  __typename?: 'PromiseConfirmation';
  /** The written channel it goes out on. */
  channel: Channel;
  /** The outbound interaction the confirmation was written to. */
  interactionId: Scalars['ID']['output'];
  /** The ledger position of the confirmation's MessageSent event. */
  position: Scalars['Long']['output'];
};

/** One criterion's outcome on a scored interaction. */
export type QaCriterion = {
  __typename?: 'QaCriterion';
  /** What the outcome rests on: JSON objects with messageId, phrase, seconds, sentiment or note (never message text). */
  evidence: Array<Scalars['JSON']['output']>;
  /** The criterion's id within the scorecard. */
  id: Scalars['String']['output'];
  /** What the rule checks, e.g. `greeting`, `forbidden_words`, `first_response_time`. */
  kind: Scalars['String']['output'];
  /** Whether a supervisor changed the automatic result. */
  overridden: Scalars['Boolean']['output'];
  /** The outcome (after any override). */
  result: QaResult;
  /** Its weight in the score. */
  weight: Scalars['Int']['output'];
};

/** The outcome of a QA override. */
export type QaOverride = {
  __typename?: 'QaOverride';
  /** The scored interaction. */
  interactionId: Scalars['ID']['output'];
  /** The ledger position of the override (0 when nothing changed). */
  position: Scalars['Long']['output'];
  /** The scorecard's score after the override, 0 to 10000 (hundredths of a percent). */
  score: Scalars['Int']['output'];
  /** The scorecard corrected. */
  scorecard: Scalars['String']['output'];
};

/** One criterion's verdict on a QA scorecard. */
export type QaResult =
  /** The interaction broke the criterion. */
  | 'FAIL'
  /** The criterion did not apply (it does not count toward the score). */
  | 'NA'
  /** The interaction met the criterion. */
  | 'PASS';

/** A scorecard's verdict on one closed interaction, after overrides. */
export type QaScorecard = {
  __typename?: 'QaScorecard';
  /** The agent who handled the interaction, when it closed. */
  agentId?: Maybe<Scalars['ID']['output']>;
  /** The interaction's channel. */
  channel: Channel;
  /** When the interaction closed. */
  closedAt: Scalars['Time']['output'];
  /** Each criterion's outcome, in the scorecard's order. */
  criteria: Array<QaCriterion>;
  /** The scored interaction. */
  interactionId: Scalars['ID']['output'];
  /** The interaction's queue. */
  queue?: Maybe<Scalars['String']['output']>;
  /** The score, 0 to 10000 (hundredths of a percent): the weighted share of applicable criteria passed. */
  score: Scalars['Int']['output'];
  /** The scorecard's id, as in the scorecards file. */
  scorecard: Scalars['String']['output'];
  /** The agent's team, when it closed. */
  team?: Maybe<Scalars['String']['output']>;
};

/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type Query = {
  __typename?: 'Query';
  /**
   * Who read a customer's personal data through this API, oldest first: every query that returned
   * their name, identities, message text, ticket subjects and descriptions, interaction subjects,
   * summaries or CSAT comments is recorded in the access ledger (`CustomerDataAccessed` events,
   * hash-chained like every event), masked reads as masked. Reads are recorded within a fraction
   * of a second. At most `first` (default and limit: the server's page limit). Auditors and admins.
   */
  accessLog: Array<DataAccess>;
  /** One agent. Fails with NOT_FOUND when there is no such agent. Every role. */
  agent?: Maybe<Agent>;
  /** Every agent, by name, with presence and load. Every role. */
  agents: Array<Agent>;
  /**
   * The events of one ledger stream recorded up to `asOf` (default: now) and the state they fold
   * into: what the ledger knew at that moment. Streams are named `customer-<id>`,
   * `interaction-<id>`, `ticket-<id>`, `agent-<id>`, `identity-<kind>-<digest>`,
   * `conversation-<digest>` and `ticketnumber-<number>`. Fails with NOT_FOUND when the stream
   * has no events by then. Auditors and admins, unmasked (auditors read exactly what was
   * recorded).
   */
  auditTrail: AuditTrail;
  /**
   * One customer's 360 profile by id. Fails with NOT_FOUND when there is no such customer.
   * Agents, supervisors, auditors, admins; analysts masked.
   */
  customer?: Maybe<Customer>;
  /**
   * The customer 360 (profile, timeline, open tickets, interactions) exactly as it stood at `at`:
   * every read model rebuilt, in a scratch database, from the events recorded up to then, so an
   * auditor can put what an agent was shown next to what the ledger says they read. The first
   * call for a moment reads the ledger up to it (about 120,000 events a second); the last few
   * moments asked are kept. Null when the customer did not exist yet. Auditors and admins,
   * unmasked.
   */
  customerAsOf?: Maybe<Customer>;
  /**
   * The customer who holds an identity now (a phone number, an email address, a WeChat openid, a
   * device id or an account id). The value is normalised first, so `138 0013 8000` finds
   * `+8613800138000`. Null when nobody holds it (a new caller): that is an answer, not an error.
   * Agents, supervisors, auditors, admins; FORBIDDEN for analysts (a lookup by personal data
   * would tell them whose number it is).
   */
  customerByIdentity?: Maybe<Customer>;
  /**
   * Customers whose display name starts with `search` (case-insensitive), who hold an identity
   * equal to it, or whose id it is; every customer when absent. Ordered by name, then id.
   * `first` is 1 to 100 (default 20). Agents, supervisors, auditors, admins; analysts masked,
   * and FORBIDDEN to pass `search` (its answers would reveal names and handles one query at a
   * time).
   */
  customers: CustomerConnection;
  /**
   * One interaction (a conversation on one channel). Fails with NOT_FOUND when there is no such
   * interaction. Agents, supervisors, auditors, admins; analysts masked.
   */
  interaction?: Maybe<Interaction>;
  /**
   * A knowledge item with every version, read from its ledger stream `knowledge-<id>`; null when
   * there is none. Supervisors and admins.
   */
  knowledgeItem?: Maybe<KnowledgeItem>;
  /**
   * Every knowledge item, drafts and retired ones too, for its authors: the most recently changed
   * first, a page of `first` (default 20) after the cursor `after`. Filters narrow by kind, status
   * and a part of the newest version's title (`text`). Supervisors and admins.
   */
  knowledgeItems: KnowledgeItemConnection;
  /** Who the caller is, as the token says. Every role. */
  me: Viewer;
  /**
   * An interaction's QA review: every scorecard that scored it, with each criterion's result
   * after supervisors' overrides, ordered by scorecard id; empty when it was not scored.
   * Supervisors and admins.
   */
  qaReview: Array<QaScorecard>;
  /**
   * One routing queue by name. Fails with NOT_FOUND when no interaction was ever queued there.
   * Agents, supervisors, analysts, admins.
   */
  queue?: Maybe<Queue>;
  /**
   * Every routing queue ever used, by name, with what waits in it now. Agents, supervisors,
   * analysts, admins.
   */
  queues: Array<Queue>;
  /**
   * One report of the catalogue over [from, to), cut in `timeZone` (IANA, default UTC), grouped
   * by the dimensions in `groupBy` (among the report's own). Analysts, supervisors, admins. Fails
   * with UNAVAILABLE when the analytics component is not running.
   */
  report: ReportTable;
  /**
   * The report catalogue. Analysts, supervisors, admins. Fails with UNAVAILABLE when the
   * analytics component is not running.
   */
  reports: Array<ReportDefinition>;
  /**
   * Searches the knowledge base's live articles and reply templates (published, not retired) in
   * Chinese and English: the items holding more of the text's words, and rarer ones, first.
   * Filters narrow by kind, language (`zh`, `en`), category, and the channel a template is worded
   * for (templates for every channel match any). `first` is 1 to 100, default 20. Every role.
   */
  searchKnowledge: Array<KnowledgeHit>;
  /**
   * The running SLA clocks of tickets and interactions that need a supervisor: at risk (their
   * warning fired) or late (breached, or past their deadline before the SLA policy recorded the
   * breach), most urgent (earliest deadline) first: the wallboard's SLA alerts. `first` is 1 to
   * 100, default 100. Supervisors and admins.
   */
  slaAlerts: Array<SlaAlert>;
  /**
   * Replies for an interaction as the agent writes one: the live reply templates and articles
   * that best answer the customer's last messages and the agent's draft (the draft's words count
   * most), in the conversation's language (the draft's, else the customer's last message's), and
   * templates worded for the interaction's channel or for every channel. A template comes with
   * its text filled from the interaction, its customer, its ticket and the caller; a variable
   * with no value stays written as `{{name}}` and is listed in `missingVariables`. `first` is 1
   * to 10 of each kind, default 3. Agents, supervisors, admins.
   */
  suggestReplies: ReplySuggestions;
  /**
   * One ticket by id. Fails with NOT_FOUND when there is no such ticket. Agents, supervisors,
   * auditors, admins; analysts masked.
   */
  ticket?: Maybe<Ticket>;
  /** A ticket exactly as it stood at `at` (see `customerAsOf`). Auditors and admins, unmasked. */
  ticketAsOf?: Maybe<Ticket>;
  /**
   * One ticket by the number the customer quotes (e.g. `T0123456789`). Fails with NOT_FOUND when
   * there is no such ticket. Agents, supervisors, auditors, admins; analysts masked.
   */
  ticketByNumber?: Maybe<Ticket>;
  /**
   * Self-service: the status of a ticket, for the customer who quotes its number (e.g.
   * `T0123456789`) and the phone number on their profile (any usual form: `138 0013 8000`,
   * `+86 138 0013 8000`). Needs no login. Null when the pair does not match, whether the number
   * is unknown or not that phone's: the answer never tells which. Rate limited per client
   * address: past the limit it fails with RATE_LIMITED.
   */
  ticketStatus?: Maybe<SelfServiceTicketStatus>;
  /**
   * Tickets matching `filter`, in `orderBy` order (default: oldest opened first), a page of
   * `first` (1 to 100, default 20) after the cursor `after`. Paging in OPENED_AT order never shows
   * a ticket twice; see TicketSortField for the others. Agents, supervisors, auditors, admins;
   * analysts masked.
   */
  tickets: TicketConnection;
  /**
   * Recomputes every stream's hash chain from the first event and names the first event that does
   * not match, like `ledger verify`. It reads the whole ledger (about 140,000 events a second);
   * concurrent calls share one run. Auditors and admins.
   */
  verifyLedger: LedgerVerification;
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryAccessLogArgs = {
  customerId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  from?: InputMaybe<Scalars['Time']['input']>;
  to?: InputMaybe<Scalars['Time']['input']>;
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryAgentArgs = {
  id: Scalars['ID']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryAuditTrailArgs = {
  asOf?: InputMaybe<Scalars['Time']['input']>;
  stream: Scalars['String']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryCustomerArgs = {
  id: Scalars['ID']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryCustomerAsOfArgs = {
  at: Scalars['Time']['input'];
  id: Scalars['ID']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryCustomerByIdentityArgs = {
  kind: IdentityKind;
  value: Scalars['String']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryCustomersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryInteractionArgs = {
  id: Scalars['ID']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryKnowledgeItemArgs = {
  id: Scalars['ID']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryKnowledgeItemsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  kind?: InputMaybe<KnowledgeKind>;
  status?: InputMaybe<KnowledgeStatus>;
  text?: InputMaybe<Scalars['String']['input']>;
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryQaReviewArgs = {
  interactionId: Scalars['ID']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryQueueArgs = {
  name: Scalars['String']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryReportArgs = {
  filter?: InputMaybe<ReportFilter>;
  from: Scalars['Time']['input'];
  groupBy?: InputMaybe<Array<Scalars['String']['input']>>;
  name: Scalars['String']['input'];
  options?: InputMaybe<Array<ReportOptionInput>>;
  timeZone?: InputMaybe<Scalars['String']['input']>;
  to: Scalars['Time']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QuerySearchKnowledgeArgs = {
  category?: InputMaybe<Scalars['String']['input']>;
  channel?: InputMaybe<Channel>;
  first?: InputMaybe<Scalars['Int']['input']>;
  kind?: InputMaybe<KnowledgeKind>;
  language?: InputMaybe<Scalars['String']['input']>;
  text: Scalars['String']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QuerySlaAlertsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QuerySuggestRepliesArgs = {
  draft?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  interactionId: Scalars['ID']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryTicketArgs = {
  id: Scalars['ID']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryTicketAsOfArgs = {
  at: Scalars['Time']['input'];
  id: Scalars['ID']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryTicketByNumberArgs = {
  number: Scalars['String']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryTicketStatusArgs = {
  number: Scalars['String']['input'];
  phone: Scalars['String']['input'];
};


/** The entry points for reading the ledger's projections and, for auditors, the ledger itself. */
export type QueryTicketsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<TicketFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<TicketOrder>;
};

/** A routing queue and the interactions waiting in it. */
export type Queue = {
  __typename?: 'Queue';
  /** How long the longest-waiting one has waited, in seconds, now. */
  longestWaitSeconds: Scalars['Float']['output'];
  /** The queue's name. */
  name: Scalars['String']['output'];
  /**
   * What waits, most urgent first, then longest waiting first: the first
   * `first` (1 to the server's page limit, 100 by default, which is also the
   * default); `waitingCount` says how many wait in all.
   */
  waiting: Array<QueueEntry>;
  /** How many wait. */
  waitingCount: Scalars['Int']['output'];
};


/** A routing queue and the interactions waiting in it. */
export type QueueWaitingArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** An interaction waiting in a queue. */
export type QueueEntry = {
  __typename?: 'QueueEntry';
  /** The channel. */
  channel?: Maybe<Channel>;
  /** The customer. */
  customer?: Maybe<Customer>;
  /** The interaction. */
  interaction: Interaction;
  /** Routing priority. */
  priority: Priority;
  /** Since when it waits in this queue. */
  queuedAt: Scalars['Time']['output'];
  /** How long it has waited, in seconds, now. */
  waitSeconds: Scalars['Float']['output'];
};

/** Suggested replies for an interaction. */
export type ReplySuggestions = {
  __typename?: 'ReplySuggestions';
  /** Articles, the best first, for the agent to read. */
  articles: Array<KnowledgeHit>;
  /** The language they were chosen in (`zh`, `en`); empty when there was no text to go on. */
  language: Scalars['String']['output'];
  /** Reply templates, the best first, filled for the interaction. */
  templates: Array<TemplateSuggestion>;
};

/** One column of a report. */
export type ReportColumn = {
  __typename?: 'ReportColumn';
  /** Its name. */
  name: Scalars['String']['output'];
  /** One of `string`, `int`, `float`, `time`. */
  type: Scalars['String']['output'];
};

/** A report of the analytics catalogue. */
export type ReportDefinition = {
  __typename?: 'ReportDefinition';
  /** The dimensions it is grouped by when `report` is given no `groupBy`. */
  defaultGroupBy: Array<Scalars['String']['output']>;
  /** What it measures. */
  description: Scalars['String']['output'];
  /** The filters it accepts, among `channel`, `queue` and `agent` (the fields of ReportFilter it honours). */
  filters: Array<Scalars['String']['output']>;
  /** The dimensions it can be grouped by. */
  groupBy: Array<Scalars['String']['output']>;
  /** The snake_case name to ask for, e.g. `channel_volume`. */
  name: Scalars['String']['output'];
  /** The options that tune it (pass them to `report` as `options`); empty when it has none. */
  options: Array<ReportOption>;
  /** A title for people. */
  title: Scalars['String']['output'];
};

/** Narrows the facts a report counts; absent lists do not restrict. */
export type ReportFilter = {
  /** Only these agents. */
  agents?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** Only these channels. */
  channels?: InputMaybe<Array<Channel>>;
  /** Only these queues. */
  queues?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** A tunable parameter of a report, e.g. `threshold_seconds` of `service_level`. */
export type ReportOption = {
  __typename?: 'ReportOption';
  /** The value used when the option is not given, as a decimal number. */
  defaultValue: Scalars['String']['output'];
  /** What it changes, for people. */
  description: Scalars['String']['output'];
  /** The name to pass in `ReportOptionInput.name`. */
  name: Scalars['String']['output'];
};

/** A value for one option of a report. */
export type ReportOptionInput = {
  /** The option's name, among the report's `options`. */
  name: Scalars['String']['input'];
  /** Its value: a decimal number from 0 to 1e9, e.g. `20`. */
  value: Scalars['String']['input'];
};

/** A report's result: the same on every analytics back end. */
export type ReportTable = {
  __typename?: 'ReportTable';
  /** The columns, in order. */
  columns: Array<ReportColumn>;
  /** The report's name. */
  report: Scalars['String']['output'];
  /** The rows: each a JSON array of values in column order (times as RFC 3339 strings). */
  rows: Array<Scalars['JSON']['output']>;
};

/** What a token lets its holder do. */
export type Role =
  /** Administrator: everything. */
  | 'ADMIN'
  /** Contact-centre agent: reads and acts on interactions and tickets, sets their own presence, takes unassigned tickets. */
  | 'AGENT'
  /** Analyst: reports and aggregates; customer data with personal data masked; no changes. */
  | 'ANALYST'
  /** Auditor: the audit trail and hash-chain verification, and every read needed to find a stream; no changes. */
  | 'AUDITOR'
  /** A CRM or order system: records business facts (recordBusinessFact) and reads nothing. */
  | 'INTEGRATION'
  /** Supervisor: everything an agent does, plus reassigning tickets, managing agents, undoing merges and reports. */
  | 'SUPERVISOR';

/** The language a self-service answer is written in. */
export type SelfServiceLanguage =
  /** English. */
  | 'EN'
  /** Chinese (simplified). */
  | 'ZH';

/** What self-service tells a customer about their ticket: where it stands, nothing more. */
export type SelfServiceTicketStatus = {
  __typename?: 'SelfServiceTicketStatus';
  /** The status in a sentence, in English or Chinese (as `language` asks; default EN). */
  message: Scalars['String']['output'];
  /** The ticket's number, as the customer quotes it. */
  number: Scalars['String']['output'];
  /** When the ticket was opened. */
  openedAt: Scalars['Time']['output'];
  /** Set once resolved; cleared by a reopen. */
  resolvedAt?: Maybe<Scalars['Time']['output']>;
  /** Where the ticket stands. */
  status: TicketStatus;
};


/** What self-service tells a customer about their ticket: where it stands, nothing more. */
export type SelfServiceTicketStatusMessageArgs = {
  language?: InputMaybe<SelfServiceLanguage>;
};

/** A skill and how good the agent is at it. */
export type Skill = {
  __typename?: 'Skill';
  /** Proficiency, 1 to 10. */
  level: Scalars['Int']['output'];
  /** The skill, e.g. `billing`. */
  name: Scalars['String']['output'];
};

/** A skill to give an agent. */
export type SkillInput = {
  /** Proficiency, 1 to 10. */
  level: Scalars['Int']['input'];
  /** The skill, e.g. `billing`. */
  name: Scalars['String']['input'];
};

/**
 * One running SLA clock at risk or late, with what a supervisor needs to act on its subject: a
 * ticket's number, subject and assignee, or an interaction's channel, agent and customer.
 */
export type SlaAlert = {
  __typename?: 'SlaAlert';
  /** The ticket's assignee or the interaction's agent; null while nobody has it. */
  agentId?: Maybe<Scalars['ID']['output']>;
  /** The SLA policy recorded the breach. A clock past its deadline is late even before then. */
  breached: Scalars['Boolean']['output'];
  /** The interaction's channel, for an interaction. */
  channel?: Maybe<Channel>;
  /** The interaction's customer, for an interaction. */
  customerId?: Maybe<Scalars['ID']['output']>;
  /** The interaction's customer's display name, for an interaction. */
  customerName?: Maybe<Scalars['String']['output']>;
  /** When the clock breaches (or breached). */
  deadline: Scalars['Time']['output'];
  /** What the clock measures. */
  metric: SlaMetric;
  /** The ticket's or the interaction's subject; empty when it has none. */
  subject: Scalars['String']['output'];
  /** The ticket's or the interaction's id. */
  subjectId: Scalars['ID']['output'];
  /** Whether the clock is a ticket's or an interaction's. */
  subjectKind: SlaSubjectKind;
  /** The ticket's number, for a ticket. */
  ticketNumber?: Maybe<Scalars['String']['output']>;
  /** The warning share of the target was reached: at risk. */
  warned: Scalars['Boolean']['output'];
};

/** One SLA clock of a ticket or an interaction, counted in its policy's business time. */
export type SlaClock = {
  __typename?: 'SlaClock';
  /** The deadline passed before the clock was fulfilled. */
  breached: Scalars['Boolean']['output'];
  /** Business time used, in seconds, up to the last pause or the fulfilment. */
  consumedSeconds: Scalars['Float']['output'];
  /** 0 for the first run; the next-response clock runs again after each customer message. */
  cycle: Scalars['Int']['output'];
  /** When the clock breaches, while it runs. */
  deadline?: Maybe<Scalars['Time']['output']>;
  /** What the clock measures. */
  metric: SlaMetric;
  /** The SLA policy that set the target. */
  policy: Scalars['String']['output'];
  /** RUNNING, PAUSED (a ticket waits on the customer) or FULFILLED. */
  state: SlaClockState;
  /** The target, in seconds of business time. */
  targetSeconds: Scalars['Float']['output'];
  /** The warning share of the target was reached. */
  warned: Scalars['Boolean']['output'];
};

/** Whether an SLA clock counts. */
export type SlaClockState =
  /** What it measures happened. */
  | 'FULFILLED'
  /** Stopped while a ticket waits on the customer. */
  | 'PAUSED'
  /** Counting. */
  | 'RUNNING';

/** What an SLA clock measures. */
export type SlaMetric =
  /** From opening to the first response. */
  | 'FIRST_RESPONSE'
  /** From a customer's message to the next response. */
  | 'NEXT_RESPONSE'
  /** From opening to resolution (tickets only). */
  | 'RESOLUTION';

/** What an SLA clock belongs to. */
export type SlaSubjectKind =
  /** An interaction's response clock. */
  | 'INTERACTION'
  /** A ticket's clock (first response or resolution). */
  | 'TICKET';

/** A run of a snippet's text. */
export type SnippetPart = {
  __typename?: 'SnippetPart';
  /** Whether it is one of the words searched for. */
  match: Scalars['Boolean']['output'];
  /** Plain text, never markup. */
  text: Scalars['String']['output'];
};

/** A sort direction. */
export type SortDirection =
  /** Smallest first. */
  | 'ASC'
  /** Largest first. */
  | 'DESC';

/**
 * Live updates over WebSocket (`graphql-transport-ws`, the protocol of the `graphql-ws`
 * JavaScript client) on GET /graphql; the token goes in `connection_init`'s payload as
 * `{"Authorization": "Bearer <jwt>"}`. Each update is read from the read models after they
 * applied the event that caused it, so it is never older than that event. Updates start from the
 * ledger's head at subscribe time. A subscriber that does not keep up is dropped (its
 * subscription completes) instead of slowing the others. Each field needs the same role as the
 * matching query.
 */
export type Subscription = {
  __typename?: 'Subscription';
  /** An agent, each time an agent's presence changes or an agent is registered. */
  agentPresenceChanged: Agent;
  /**
   * One agent, each time their presence changes or the set of open interactions assigned to
   * them changes (one is assigned, transferred away, re-queued, closed or abandoned): what an
   * agent's inbox listens to. Every role; `openInteractions` needs the role that reads
   * interactions.
   */
  agentUpdated: Agent;
  /**
   * A phone call offered to one agent's phone, before they answer: the call's interaction each
   * time the router offers it to the agent (`CallOffered`) and again when their phone starts
   * ringing (`CallRingingStarted`). What the agent desktop's screen pop listens to. Same role as
   * `interactionUpdated`.
   */
  callOffered: Interaction;
  /** The interaction, each time an event changes it. */
  interactionUpdated: Interaction;
  /** The queue, each time what waits in it changes (not for the ticking of wait times). */
  queueChanged: Queue;
  /**
   * The SLA alerts (as `slaAlerts`), each time they change: a clock starts, warns, breaches,
   * pauses or is fulfilled, or an alerted ticket or interaction changes hands. A clock that passes
   * its deadline records no event until the SLA policy records the breach: clients count down to
   * `deadline` themselves. Same role as `slaAlerts`.
   */
  slaAlertsChanged: Array<SlaAlert>;
  /** The ticket, each time an event changes it (its SLA clocks included). */
  ticketUpdated: Ticket;
};


/**
 * Live updates over WebSocket (`graphql-transport-ws`, the protocol of the `graphql-ws`
 * JavaScript client) on GET /graphql; the token goes in `connection_init`'s payload as
 * `{"Authorization": "Bearer <jwt>"}`. Each update is read from the read models after they
 * applied the event that caused it, so it is never older than that event. Updates start from the
 * ledger's head at subscribe time. A subscriber that does not keep up is dropped (its
 * subscription completes) instead of slowing the others. Each field needs the same role as the
 * matching query.
 */
export type SubscriptionAgentUpdatedArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Live updates over WebSocket (`graphql-transport-ws`, the protocol of the `graphql-ws`
 * JavaScript client) on GET /graphql; the token goes in `connection_init`'s payload as
 * `{"Authorization": "Bearer <jwt>"}`. Each update is read from the read models after they
 * applied the event that caused it, so it is never older than that event. Updates start from the
 * ledger's head at subscribe time. A subscriber that does not keep up is dropped (its
 * subscription completes) instead of slowing the others. Each field needs the same role as the
 * matching query.
 */
export type SubscriptionCallOfferedArgs = {
  agentId: Scalars['ID']['input'];
};


/**
 * Live updates over WebSocket (`graphql-transport-ws`, the protocol of the `graphql-ws`
 * JavaScript client) on GET /graphql; the token goes in `connection_init`'s payload as
 * `{"Authorization": "Bearer <jwt>"}`. Each update is read from the read models after they
 * applied the event that caused it, so it is never older than that event. Updates start from the
 * ledger's head at subscribe time. A subscriber that does not keep up is dropped (its
 * subscription completes) instead of slowing the others. Each field needs the same role as the
 * matching query.
 */
export type SubscriptionInteractionUpdatedArgs = {
  id: Scalars['ID']['input'];
};


/**
 * Live updates over WebSocket (`graphql-transport-ws`, the protocol of the `graphql-ws`
 * JavaScript client) on GET /graphql; the token goes in `connection_init`'s payload as
 * `{"Authorization": "Bearer <jwt>"}`. Each update is read from the read models after they
 * applied the event that caused it, so it is never older than that event. Updates start from the
 * ledger's head at subscribe time. A subscriber that does not keep up is dropped (its
 * subscription completes) instead of slowing the others. Each field needs the same role as the
 * matching query.
 */
export type SubscriptionQueueChangedArgs = {
  name: Scalars['String']['input'];
};


/**
 * Live updates over WebSocket (`graphql-transport-ws`, the protocol of the `graphql-ws`
 * JavaScript client) on GET /graphql; the token goes in `connection_init`'s payload as
 * `{"Authorization": "Bearer <jwt>"}`. Each update is read from the read models after they
 * applied the event that caused it, so it is never older than that event. Updates start from the
 * ledger's head at subscribe time. A subscriber that does not keep up is dropped (its
 * subscription completes) instead of slowing the others. Each field needs the same role as the
 * matching query.
 */
export type SubscriptionSlaAlertsChangedArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * Live updates over WebSocket (`graphql-transport-ws`, the protocol of the `graphql-ws`
 * JavaScript client) on GET /graphql; the token goes in `connection_init`'s payload as
 * `{"Authorization": "Bearer <jwt>"}`. Each update is read from the read models after they
 * applied the event that caused it, so it is never older than that event. Updates start from the
 * ledger's head at subscribe time. A subscriber that does not keep up is dropped (its
 * subscription completes) instead of slowing the others. Each field needs the same role as the
 * matching query.
 */
export type SubscriptionTicketUpdatedArgs = {
  id: Scalars['ID']['input'];
};

/** A reply template suggested for an interaction. */
export type TemplateSuggestion = {
  __typename?: 'TemplateSuggestion';
  /** The variables without a value, still written as `{{name}}` in `text` for the agent to complete. */
  missingVariables: Array<Scalars['String']['output']>;
  /** The template (its `id` and `version` go to replyToInteraction's `template`). */
  template: KnowledgeHit;
  /** The template's text with its variables filled, ready to send. */
  text: Scalars['String']['output'];
};

/** The reply template a reply was written from. */
export type TemplateUseInput = {
  /** The template's id. */
  id: Scalars['ID']['input'];
  /** The version the agent inserted. */
  version: Scalars['Int']['input'];
};

/**
 * A piece of work owed to a customer: a complaint, a fault report, an inquiry, a suggestion.
 * Analysts see its texts masked.
 */
export type Ticket = {
  __typename?: 'Ticket';
  /** The agent working on it. */
  assignee?: Maybe<Agent>;
  /** The id of the agent working on it (also when that agent is not registered). */
  assigneeId?: Maybe<Scalars['ID']['output']>;
  /** The business domain it belongs to, e.g. `broadband`. */
  businessDomain?: Maybe<Scalars['String']['output']>;
  /** What kind of request it is. */
  category: TicketCategory;
  /** When it was closed. */
  closedAt?: Maybe<Scalars['Time']['output']>;
  /** Other departments helping with it. */
  collaborators: Array<Collaborator>;
  /** The customer it is owed to. */
  customer: Customer;
  /** The full description; `[masked]` for analysts. */
  description?: Maybe<Scalars['String']['output']>;
  /** The ticket's id; its ledger stream is `ticket-<id>`. */
  id: Scalars['ID']['output'];
  /** The interactions linked to it, in the order they were linked. */
  interactions: Array<Interaction>;
  /** How many internal notes it has. */
  noteCount: Scalars['Int']['output'];
  /**
   * Internal notes, never shown to the customer, in order; texts `[masked]`
   * for analysts. At most `first` (1 to the server's page limit, 100 by
   * default, which is also the default), those written after the note at
   * position `after` when it is given; `noteCount` says how many there are.
   */
  notes: Array<TicketNote>;
  /** The number the customer quotes, e.g. `T0123456789`. */
  number: Scalars['String']['output'];
  /** When it was opened. */
  openedAt: Scalars['Time']['output'];
  /** Who opened it (an actor, e.g. `agent:a-007`). */
  openedBy?: Maybe<Scalars['String']['output']>;
  /** Urgency. */
  priority: Priority;
  /** How it was resolved; `[masked]` for analysts. */
  resolution?: Maybe<Scalars['String']['output']>;
  /** When it was resolved (cleared by a reopen). */
  resolvedAt?: Maybe<Scalars['Time']['output']>;
  /** Who resolved it. */
  resolvedBy?: Maybe<Scalars['String']['output']>;
  /**
   * The ticket's SLA clocks (the latest cycle of each metric), first response first. Empty when
   * no SLA policy covered the ticket when it was opened.
   */
  slaClocks: Array<SlaClock>;
  /** Where it is in its workflow. */
  status: TicketStatus;
  /** One line; `[masked]` for analysts. */
  subject: Scalars['String']['output'];
  /** When it last changed. */
  updatedAt: Scalars['Time']['output'];
};


/**
 * A piece of work owed to a customer: a complaint, a fault report, an inquiry, a suggestion.
 * Analysts see its texts masked.
 */
export type TicketNotesArgs = {
  after?: InputMaybe<Scalars['Long']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** What kind of request a ticket is. */
export type TicketCategory =
  /** A complaint. */
  | 'COMPLAINT'
  /** Something is broken. */
  | 'FAULT_REPORT'
  /** A question. */
  | 'INQUIRY'
  /** A suggestion. */
  | 'SUGGESTION';

/** A page of tickets. */
export type TicketConnection = {
  __typename?: 'TicketConnection';
  /** The tickets of this page. */
  nodes: Array<Ticket>;
  /** Where the page ended. */
  pageInfo: PageInfo;
};

/**
 * Which tickets to list. Absent fields do not filter; within a list any value matches; across
 * fields all must.
 */
export type TicketFilter = {
  /** Assigned to this agent. */
  assigneeId?: InputMaybe<Scalars['ID']['input']>;
  /** In this business domain. */
  businessDomain?: InputMaybe<Scalars['String']['input']>;
  /** Any of these categories. */
  category?: InputMaybe<Array<TicketCategory>>;
  /** Owed to this customer (or a customer merged into it). */
  customerId?: InputMaybe<Scalars['ID']['input']>;
  /** true: only tickets still open (not resolved or closed). */
  open?: InputMaybe<Scalars['Boolean']['input']>;
  /** true: only open tickets past a deadline now (a collaborating department's due date; SLA deadlines join when SLA clocks exist). */
  overdue?: InputMaybe<Scalars['Boolean']['input']>;
  /** Any of these priorities. */
  priority?: InputMaybe<Array<Priority>>;
  /** Any of these statuses. */
  status?: InputMaybe<Array<TicketStatus>>;
};

/** An internal note on a ticket. */
export type TicketNote = {
  __typename?: 'TicketNote';
  /** When it was written. */
  at: Scalars['Time']['output'];
  /** Files attached with the note. */
  attachments: Array<Attachment>;
  /** Who wrote it. */
  authorId: Scalars['String']['output'];
  /** The $all position of the note. */
  position: Scalars['Long']['output'];
  /** The text; `[masked]` for analysts. */
  text: Scalars['String']['output'];
};

/** The order of a ticket list. */
export type TicketOrder = {
  /** Ascending or descending; ties are broken by id in the same direction. */
  direction?: InputMaybe<SortDirection>;
  /** What to sort by. */
  field: TicketSortField;
};

/** What a mutation on a ticket wrote. */
export type TicketPayload = {
  __typename?: 'TicketPayload';
  /** The $all position of the last event written; 0 when the command changed nothing. */
  position: Scalars['Long']['output'];
  /** The ticket after the change (see Consistency; may fail with TIMEOUT). */
  ticket?: Maybe<Ticket>;
};

/** What tickets can be sorted by. */
export type TicketSortField =
  /** When opened; never changes, so paging never shows a ticket twice. */
  | 'OPENED_AT'
  /** Priority; a ticket changing priority while you page can move across your cursor. */
  | 'PRIORITY'
  /** When last changed; a ticket changing while you page can move across your cursor. */
  | 'UPDATED_AT';

/** Where a ticket is in its workflow. */
export type TicketStatus =
  /** An agent has it. */
  | 'ASSIGNED'
  /** Closed for good. */
  | 'CLOSED'
  /** Being worked on. */
  | 'IN_PROGRESS'
  /** Opened, nobody assigned. */
  | 'NEW'
  /** Waiting on the customer. */
  | 'PENDING_CUSTOMER'
  /** Reopened after a resolution. */
  | 'REOPENED'
  /** Resolved; can be reopened or closed. */
  | 'RESOLVED';

/** A customer's service tier; it raises routing priority. */
export type Tier =
  /** Gold. */
  | 'GOLD'
  /** Silver. */
  | 'SILVER'
  /** The default tier. */
  | 'STANDARD'
  /** Very important: served first. */
  | 'VIP';

/** A page of a customer's timeline, newest first. */
export type TimelineConnection = {
  __typename?: 'TimelineConnection';
  /** The entries of this page. */
  nodes: Array<TimelineEntry>;
  /** Where the page ended; entries added while paging never shift the pages not read yet. */
  pageInfo: PageInfo;
};

/** One notable event in a customer's history, on any channel. */
export type TimelineEntry = {
  __typename?: 'TimelineEntry';
  /** When it happened. */
  at: Scalars['Time']['output'];
  /** The channel; null for ticket events. */
  channel?: Maybe<Channel>;
  /** The customer it happened to: this one or one merged into it. */
  customerId: Scalars['ID']['output'];
  /** The interaction it belongs to, if any. */
  interactionId?: Maybe<Scalars['ID']['output']>;
  /** What happened. */
  kind: TimelineKind;
  /** The $all position of the event: unique, and the link into the audit trail. */
  position: Scalars['Long']['output'];
  /** One line of at most 140 characters (`[masked]` for analysts: summaries quote messages and notes). */
  summary: Scalars['String']['output'];
  /** The ticket it belongs to, if any. */
  ticketId?: Maybe<Scalars['ID']['output']>;
};

/** What a timeline entry records. */
export type TimelineKind =
  /** The customer left before being served. */
  | 'ABANDONED'
  /** An agent answered a call. */
  | 'CALL_ANSWERED'
  /** A call ended. */
  | 'CALL_ENDED'
  /** The customer rated an interaction. */
  | 'CSAT'
  /** An interaction was closed. */
  | 'INTERACTION_CLOSED'
  /** An interaction started. */
  | 'INTERACTION_STARTED'
  /** A message from the customer. */
  | 'MESSAGE_IN'
  /** A message from an agent. */
  | 'MESSAGE_OUT'
  /** A ticket was closed. */
  | 'TICKET_CLOSED'
  /** A ticket was opened. */
  | 'TICKET_OPENED'
  /** A ticket was reopened. */
  | 'TICKET_REOPENED'
  /** A ticket was resolved. */
  | 'TICKET_RESOLVED'
  /** A ticket changed status. */
  | 'TICKET_STATUS_CHANGED';

/** The caller, as authenticated by the bearer token. */
export type Viewer = {
  __typename?: 'Viewer';
  /** The operations this role may perform (see the rules on each field), for clients that hide what the caller cannot do. */
  operations: Array<Scalars['String']['output']>;
  /** The token's role. */
  role: Role;
  /** The token's subject: for agents and supervisors their agent id in the ledger. */
  subject: Scalars['String']['output'];
};
