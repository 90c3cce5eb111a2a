package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/interactionledger/ledger/channels/sip"
)

const sipCredentialsUsage = `usage: ledger sip-credentials <verb> [--data DIR] [--file FILE] [--realm REALM]
  set --agent ID [--password-file FILE|-]   store the agent's SIP digest credential (HA1, never the
                                            password); without a password file a random password
                                            is generated and printed once
  remove --agent ID                         delete the agent's credential
  list                                      print agent and realm of every credential`

// runSIPCredentials manages the agents' SIP digest credentials file read
// by the phone channel (`ledger serve --sip`). A running server picks up
// changes at the agent's next REGISTER.
func runSIPCredentials(_ context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || !slices.Contains([]string{"set", "remove", "list"}, args[0]) {
		fmt.Fprintln(out, sipCredentialsUsage)
		return &exitError{code: 2, err: errors.New("sip-credentials: unknown or missing verb")}
	}
	verb := args[0]
	fs, data := newFlagSet("sip-credentials "+verb, out)
	file := fs.String("file", envOr("LEDGER_SIP_CREDENTIALS", ""), "credentials file; default DATA/"+sip.CredentialsFileName+" (env LEDGER_SIP_CREDENTIALS)")
	realm := fs.String("realm", envOr("LEDGER_SIP_REALM", "ledger"), "digest realm, as `serve --sip-realm` (env LEDGER_SIP_REALM)")
	agent := fs.String("agent", "", "agent id (the SIP user name)")
	passwordFile := fs.String("password-file", "", "read the password from the first line of this file (- for stdin)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	path := *file
	if path == "" {
		path = filepath.Join(*data, sip.CredentialsFileName)
	}
	creds, err := sip.ReadCredentialsFile(path)
	if err != nil {
		return err
	}
	switch verb {
	case "list":
		for _, c := range creds {
			fmt.Fprintf(out, "%s\t%s\n", c.AgentID, c.Realm)
		}
		return nil
	case "remove":
		if err := sip.ValidAgentID(*agent); err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--agent: %w", err)}
		}
		kept := slices.DeleteFunc(slices.Clone(creds), func(c sip.Credential) bool { return c.AgentID == *agent && c.Realm == *realm })
		if len(kept) == len(creds) {
			return fmt.Errorf("no credential for agent %s in realm %s", *agent, *realm)
		}
		if err := sip.WriteCredentialsFile(path, kept); err != nil {
			return err
		}
		fmt.Fprintf(out, "removed the SIP credential of %s (realm %s) from %s\n", *agent, *realm, path)
		return nil
	}
	return setSIPCredential(out, path, creds, *agent, *realm, *passwordFile)
}

func setSIPCredential(out io.Writer, path string, creds []sip.Credential, agent, realm, passwordFile string) error {
	if err := sip.ValidAgentID(agent); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--agent: %w", err)}
	}
	password, generated, err := sipPassword(passwordFile)
	if err != nil {
		return err
	}
	next := slices.DeleteFunc(slices.Clone(creds), func(c sip.Credential) bool { return c.AgentID == agent && c.Realm == realm })
	next = append(next, sip.Credential{AgentID: agent, Realm: realm, HA1: sip.HA1(agent, realm, password)})
	// Validate the realm the same way the file is read back.
	if _, err := sip.ParseCredentials(strings.NewReader(string(sip.FormatCredentials(next)))); err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := sip.WriteCredentialsFile(path, next); err != nil {
		return err
	}
	fmt.Fprintf(out, "stored the SIP credential of %s (realm %s) in %s\n", agent, realm, path)
	if generated {
		fmt.Fprintf(out, "password: %s\n", password)
	}
	return nil
}

// sipPassword reads the password from a file or stdin, or generates one.
func sipPassword(file string) (string, bool, error) {
	if file == "" {
		return rand.Text(), true, nil
	}
	var r io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", false, fmt.Errorf("password file: %w", err)
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if len(password) < 8 {
		return "", false, &exitError{code: 2, err: errors.New("the password must have at least 8 characters")}
	}
	return password, false, nil
}
