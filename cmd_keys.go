package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/commands"
)

// keys lists the keys of the environment and of DIR with what identifies
// them (never a secret), then the files that look like keys but are not
// usable. It fails when DIR is not a folder or nothing usable was found.
func keys(args []string, stdout io.Writer) error {
	fs := newFlags("keys")
	asJSON := fs.Bool("json", false, "print the key entries of doxls.loadServiceKey as a JSON array")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, err := folderArg("keys", fs.Args())
	if err != nil {
		return err
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	// Discovery names files relative to dir; show them relative to here.
	inDir := func(name string) string {
		if filepath.IsAbs(filepath.FromSlash(name)) {
			return name
		}
		return filepath.ToSlash(filepath.Join(dir, filepath.FromSlash(name)))
	}
	found, problems := auth.Discover(dir, auth.DiscoverOptions{})
	for _, p := range problems {
		if ke, ok := p.(*auth.KeyError); ok {
			ke.Name = inDir(ke.Name)
		}
	}
	env, err := auth.KeysFromEnv(os.Getenv)
	if err != nil {
		problems = append([]error{err}, problems...)
	}
	all := append(env, found...)
	if *asJSON {
		// The ids are those a server with DIR as its workspace folder gives.
		entries := make([]commands.KeyEntry, 0, len(all))
		for _, k := range all {
			entries = append(entries, commands.Entry(k))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(entries); err != nil {
			return err
		}
		if len(all) == 0 {
			return fmt.Errorf("no usable service key in %s", dir)
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if len(all) > 0 {
		fmt.Fprintln(tw, "KEY\tTYPE\tCLIENT ID\tZONE\tAPI\tCERTIFICATE EXPIRES")
	}
	now := time.Now()
	var warnings []string
	for _, k := range all {
		id := k.ID
		if k.Path != "" {
			id = inDir(k.ID)
		}
		expires := "-"
		if at := k.CertificateExpiresAt(); !at.IsZero() {
			expires = at.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id, credType(k), k.UAA.ClientID, orDash(k.UAA.IdentityZone), orDash(k.APIURL), expires)
		if msg, ok := commands.CertificateWarning(k, now, commands.DefaultSettings().CertificateWarning); ok {
			warnings = append(warnings, msg)
		}
	}
	tw.Flush()
	for _, w := range warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "problem: %v\n", p)
	}
	if len(all) == 0 {
		return fmt.Errorf("no usable service key in %s", dir)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func credType(k *auth.ServiceKey) string {
	if k.UAA.CredentialType == "" {
		return auth.BindingSecret
	}
	return k.UAA.CredentialType
}
