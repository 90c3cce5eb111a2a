package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/auth/accounts"
)

// stdin is where --password-stdin reads (tests replace it).
var stdin io.Reader = os.Stdin

// runUsers manages the accounts that sign in to the desktop, kept in
// <data>/users.json (never in the ledger).
func runUsers(ctx context.Context, args []string, out io.Writer) error {
	verbs := map[string]func(context.Context, []string, io.Writer) error{
		"add": runUsersAdd, "set-password": runUsersSetPassword,
		"disable": runUsersDisable, "enable": runUsersEnable, "list": runUsersList,
	}
	if len(args) == 0 || verbs[args[0]] == nil {
		fmt.Fprintln(out, "usage: ledger users add|set-password|disable|enable|list [flags] (ledger users <verb> -h for its flags)")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return &exitError{code: 2, err: errors.New("users: want add, set-password, disable, enable or list")}
	}
	return verbs[args[0]](ctx, args[1:], out)
}

// passwordFlags are how a verb that sets a password gets it.
type passwordFlags struct {
	fromStdin, prompt bool
}

func (p *passwordFlags) add(fs interface {
	BoolVar(*bool, string, bool, string)
}) {
	fs.BoolVar(&p.fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	fs.BoolVar(&p.prompt, "prompt", false, "ask for the password on the terminal (not echoed)")
}

// password returns the password asked for, or a generated one (and true)
// when neither flag was given.
func (p passwordFlags) password(out io.Writer) (string, bool, error) {
	switch {
	case p.fromStdin && p.prompt:
		return "", false, &exitError{code: 2, err: errors.New("give --password-stdin or --prompt, not both")}
	case p.fromStdin:
		line, err := bufio.NewReader(io.LimitReader(stdin, accounts.MaxPasswordLength+2)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("reading the password: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		return pw, false, accounts.ValidatePassword(pw)
	case p.prompt:
		fd := int(os.Stdin.Fd())
		if !term.IsTerminal(fd) {
			return "", false, &exitError{code: 2, err: errors.New("--prompt needs a terminal; use --password-stdin")}
		}
		fmt.Fprint(out, "Password: ")
		first, err := term.ReadPassword(fd)
		fmt.Fprintln(out)
		if err != nil {
			return "", false, err
		}
		fmt.Fprint(out, "Again: ")
		second, err := term.ReadPassword(fd)
		fmt.Fprintln(out)
		if err != nil {
			return "", false, err
		}
		if string(first) != string(second) {
			return "", false, errors.New("the two passwords differ")
		}
		return string(first), false, accounts.ValidatePassword(string(first))
	}
	pw, err := accounts.GeneratePassword()
	return pw, true, err
}

func openAccounts(data string) (*accounts.Store, error) {
	if err := os.MkdirAll(data, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	return accounts.Open(filepath.Join(data, accounts.File)), nil
}

// revokeSubject ends every token of subject minted so far (as `ledger
// token revoke`), so a running server refuses its sessions.
func revokeSubject(data, subject string) (time.Time, error) {
	r, err := auth.OpenRevocations(filepath.Join(data, auth.RevocationsFile))
	if err != nil {
		return time.Time{}, err
	}
	now := time.Now()
	return now, r.Revoke(subject, now)
}

func runUsersAdd(_ context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("users add", out)
	subject := fs.String("subject", "", "who signs in: for agents and supervisors their agent id (required)")
	role := fs.String("role", "", "agent, supervisor, analyst, auditor, admin or integration (required)")
	name := fs.String("name", "", "display name (default: the subject)")
	var pw passwordFlags
	pw.add(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *subject == "" || *role == "" {
		return &exitError{code: 2, err: errors.New("users add: --subject and --role are required")}
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("users add: %w", err)}
	}
	acct := accounts.Account{Subject: *subject, Role: r, DisplayName: *name}
	if err := acct.Validate(); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("users add: %w", err)}
	}
	store, err := openAccounts(*data)
	if err != nil {
		return err
	}
	password, generated, err := pw.password(out)
	if err != nil {
		return fmt.Errorf("users add: %w", err)
	}
	if err := store.Add(acct, password); err != nil {
		return fmt.Errorf("users add: %w", err)
	}
	fmt.Fprintf(out, "added %s (%s)\n", acct.Subject, acct.Role)
	if generated {
		fmt.Fprintf(out, "password: %s\n(shown this once; `ledger users set-password` replaces it)\n", password)
	}
	return nil
}

func runUsersSetPassword(_ context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("users set-password", out)
	subject := fs.String("subject", "", "whose password to set (required)")
	var pw passwordFlags
	pw.add(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *subject == "" {
		return &exitError{code: 2, err: errors.New("users set-password: --subject is required")}
	}
	store, err := openAccounts(*data)
	if err != nil {
		return err
	}
	if _, found, err := store.Get(*subject); err != nil {
		return err
	} else if !found {
		return fmt.Errorf("users set-password: %s: %w", *subject, accounts.ErrNotFound)
	}
	password, generated, err := pw.password(out)
	if err != nil {
		return fmt.Errorf("users set-password: %w", err)
	}
	if err := store.SetPassword(*subject, password); err != nil {
		return fmt.Errorf("users set-password: %w", err)
	}
	// A new password ends the sessions the old one opened.
	if _, err := revokeSubject(*data, *subject); err != nil {
		return fmt.Errorf("users set-password: the password is set, but its sessions could not be ended: %w", err)
	}
	fmt.Fprintf(out, "set the password of %s and ended its sessions\n", *subject)
	if generated {
		fmt.Fprintf(out, "password: %s\n(shown this once)\n", password)
	}
	return nil
}

func runUsersDisable(_ context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("users disable", out)
	subject := fs.String("subject", "", "whose account to disable (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *subject == "" {
		return &exitError{code: 2, err: errors.New("users disable: --subject is required")}
	}
	store, err := openAccounts(*data)
	if err != nil {
		return err
	}
	if err := store.SetDisabled(*subject, true); err != nil {
		return fmt.Errorf("users disable: %w", err)
	}
	at, err := revokeSubject(*data, *subject)
	if err != nil {
		return fmt.Errorf("users disable: the account is disabled, but its tokens could not be revoked: %w", err)
	}
	fmt.Fprintf(out, "disabled %s and revoked every token of it minted up to %s\n", *subject, at.UTC().Format(time.RFC3339))
	return nil
}

func runUsersEnable(_ context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("users enable", out)
	subject := fs.String("subject", "", "whose account to enable (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *subject == "" {
		return &exitError{code: 2, err: errors.New("users enable: --subject is required")}
	}
	store, err := openAccounts(*data)
	if err != nil {
		return err
	}
	if err := store.SetDisabled(*subject, false); err != nil {
		return fmt.Errorf("users enable: %w", err)
	}
	fmt.Fprintf(out, "enabled %s\n", *subject)
	return nil
}

func runUsersList(_ context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("users list", out)
	if err := fs.Parse(args); err != nil {
		return err
	}
	list, err := accounts.Open(filepath.Join(*data, accounts.File)).List()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBJECT\tROLE\tNAME\tSTATUS\tCREATED\tUPDATED")
	for _, a := range list {
		status := "enabled"
		if a.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Subject, a.Role, a.DisplayName, status,
			a.Created.Format(time.RFC3339), a.Updated.Format(time.RFC3339))
	}
	return tw.Flush()
}
