// Command devtoken prints a signed token that the local API accepts, for any
// actor:
//
//	go run ./scripts/devtoken -org ORG -sub USER -roles "org-admin site-admin:SITE" [-ttl 1h]
//
// The signing key is created under .local/jwt on first use (DEVJWT_DIR
// overrides the directory). The roles claim is a JSON array in the token; the
// local API passes it on as API Gateway does, in the string form "[a b]".
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cloudconnector/cloudconnector/scripts/internal/devjwt"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "devtoken:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("devtoken", flag.ContinueOnError)
	flags.SetOutput(stderr)
	org := flags.String("org", "", "organization id, the org claim (required)")
	sub := flags.String("sub", "", "actor id, the sub claim (required)")
	roles := flags.String("roles", "", `space-separated roles, such as "org-admin site-admin:SITE dc-admin:CONNECTOR site-app:SITE"`)
	ttl := flags.Duration("ttl", time.Hour, "how long the token stays valid, as a Go duration such as 15m or 2h")
	keyDir := flags.String("key-dir", "", "directory of the signing key (default: $DEVJWT_DIR, else .local/jwt under the module root)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q; pass roles as one quoted -roles value", flags.Args())
	}
	if *org == "" || *sub == "" {
		return fmt.Errorf("-org and -sub are required")
	}

	dir := *keyDir
	if dir == "" {
		var err error
		if dir, err = devjwt.DefaultDir(); err != nil {
			return err
		}
	}
	key, err := devjwt.LoadOrCreate(dir)
	if err != nil {
		return err
	}

	actor := devjwt.Actor{Org: *org, Sub: *sub, Roles: strings.Fields(*roles)}
	claims, err := devjwt.NewClaims(actor, *ttl, time.Now())
	if err != nil {
		return err
	}
	token, err := key.Sign(claims)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}
