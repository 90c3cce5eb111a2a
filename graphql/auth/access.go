package auth

import (
	"context"
	"slices"

	"github.com/interactionledger/ledger/graphql/apierror"
)

// Operation names one thing a caller can do through the API. Resolvers
// ask for the operation they perform; the rules table below is the only
// place that says which role may.
type Operation string

// The operations of the API.
const (
	OpReadCustomers    Operation = "readCustomers"    // customer, customerByIdentity, customers, nested customers
	OpReadInteractions Operation = "readInteractions" // interaction and its messages, interactionUpdated
	OpReadTickets      Operation = "readTickets"      // ticket, tickets, ticketUpdated
	OpReadQueues       Operation = "readQueues"       // queues, queueChanged
	OpReadAgents       Operation = "readAgents"       // agents, agentPresenceChanged
	OpReadReports      Operation = "readReports"      // reports, report
	OpReadAuditTrail   Operation = "readAuditTrail"   // auditTrail
	OpVerifyLedger     Operation = "verifyLedger"     // verifyLedger
	OpActOnInteraction Operation = "actOnInteraction" // replyToInteraction, closeInteraction, confirmPromise, suggestReplies
	OpActOnTicket      Operation = "actOnTicket"      // openTicket, changeTicketStatus, commentOnTicket, addCollaborator
	OpTakeTicket       Operation = "takeTicket"       // assignTicket of an unassigned ticket to oneself
	OpReassignTicket   Operation = "reassignTicket"   // any other assignTicket
	OpEditIdentities   Operation = "editIdentities"   // linkIdentity, unlinkIdentity, mergeCustomers
	OpUndoMerge        Operation = "undoMerge"        // undoMerge
	OpEraseCustomer    Operation = "eraseCustomer"    // eraseCustomer
	OpSetOwnPresence   Operation = "setOwnPresence"   // setPresence of oneself
	OpManageAgents     Operation = "manageAgents"     // registerAgent, setPresence of another agent
	OpOverrideQa       Operation = "overrideQa"       // overrideQaCriterion
	OpReadQa           Operation = "readQa"           // qaReview
	OpReadSlaAlerts    Operation = "readSlaAlerts"    // slaAlerts, slaAlertsChanged: the wallboard's, across every agent's work
	OpReadKnowledge    Operation = "readKnowledge"    // searchKnowledge
	OpAuthorKnowledge  Operation = "authorKnowledge"  // draftKnowledge, publishKnowledge, retireKnowledge, knowledgeItems, knowledgeItem
	OpDownloadFiles    Operation = "downloadFiles"    // GET /files/..., Attachment.downloadUrl
	OpRecordFacts      Operation = "recordFacts"      // recordBusinessFact, POST /integrations/facts
)

// Access is how much of an operation a role gets.
type Access int

// Access levels.
const (
	// Denied: the operation fails with FORBIDDEN.
	Denied Access = iota
	// Masked: allowed, with customers' personal data masked (see mask.go).
	Masked
	// Full: allowed, everything shown.
	Full
)

// rules is the role x operation table: the one place access is decided.
// A role missing from a row is denied. The test of this table is
// TestRoleOperationTable, which drives every cell through the API.
var rules = map[Operation]map[Role]Access{
	//                    agent                  supervisor                  analyst                  auditor                 admin
	OpReadCustomers:    {RoleAgent: Full, RoleSupervisor: Full, RoleAnalyst: Masked, RoleAuditor: Full, RoleAdmin: Full},
	OpReadInteractions: {RoleAgent: Full, RoleSupervisor: Full, RoleAnalyst: Masked, RoleAuditor: Full, RoleAdmin: Full},
	OpReadTickets:      {RoleAgent: Full, RoleSupervisor: Full, RoleAnalyst: Masked, RoleAuditor: Full, RoleAdmin: Full},
	OpReadQueues:       {RoleAgent: Full, RoleSupervisor: Full, RoleAnalyst: Full, RoleAdmin: Full},
	OpReadAgents:       {RoleAgent: Full, RoleSupervisor: Full, RoleAnalyst: Full, RoleAuditor: Full, RoleAdmin: Full},
	OpReadReports:      {RoleSupervisor: Full, RoleAnalyst: Full, RoleAdmin: Full},
	OpReadAuditTrail:   {RoleAuditor: Full, RoleAdmin: Full},
	OpVerifyLedger:     {RoleAuditor: Full, RoleAdmin: Full},
	OpActOnInteraction: {RoleAgent: Full, RoleSupervisor: Full, RoleAdmin: Full},
	OpActOnTicket:      {RoleAgent: Full, RoleSupervisor: Full, RoleAdmin: Full},
	OpTakeTicket:       {RoleAgent: Full, RoleSupervisor: Full, RoleAdmin: Full},
	OpReassignTicket:   {RoleSupervisor: Full, RoleAdmin: Full},
	OpEditIdentities:   {RoleAgent: Full, RoleSupervisor: Full, RoleAdmin: Full},
	OpUndoMerge:        {RoleSupervisor: Full, RoleAdmin: Full},
	OpEraseCustomer:    {RoleAdmin: Full},
	OpSetOwnPresence:   {RoleAgent: Full, RoleSupervisor: Full, RoleAdmin: Full},
	OpManageAgents:     {RoleSupervisor: Full, RoleAdmin: Full},
	OpOverrideQa:       {RoleSupervisor: Full, RoleAdmin: Full},
	OpReadQa:           {RoleSupervisor: Full, RoleAdmin: Full},
	OpReadSlaAlerts:    {RoleSupervisor: Full, RoleAdmin: Full},
	OpReadKnowledge:    {RoleAgent: Full, RoleSupervisor: Full, RoleAnalyst: Full, RoleAuditor: Full, RoleAdmin: Full},
	OpAuthorKnowledge:  {RoleSupervisor: Full, RoleAdmin: Full},
	OpDownloadFiles:    {RoleAgent: Full, RoleSupervisor: Full, RoleAuditor: Full, RoleAdmin: Full},
	// The integration role (a CRM, an order system) records facts and
	// nothing else: it reads no customer, not even the one it wrote to.
	OpRecordFacts: {RoleIntegration: Full, RoleAdmin: Full},
}

// AccessOf returns what role gets of op.
func AccessOf(role Role, op Operation) Access { return rules[op][role] }

// Authorize returns the caller's access to op, or an UNAUTHENTICATED
// error without a caller and a FORBIDDEN error when the role is denied.
func Authorize(ctx context.Context, op Operation) (Access, error) {
	v, ok := ViewerFrom(ctx)
	if !ok {
		return Denied, apierror.Unauthenticated("no bearer token")
	}
	a := AccessOf(v.Role, op)
	if a == Denied {
		return Denied, apierror.Forbidden("role %s may not %s", v.Role, op)
	}
	return a, nil
}

// OperationsOf lists, sorted, the operations role may perform.
func OperationsOf(role Role) []string {
	var out []string
	for op, byRole := range rules {
		if byRole[role] != Denied {
			out = append(out, string(op))
		}
	}
	slices.Sort(out)
	return out
}
