package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tierchain/tierchain/internal/selfcustody"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/wallet"
)

const walletUsage = `usage: tierchain wallet <command> [flags]

A self-custody enterprise's wallet: its keys in a passphrase-sealed file
(--key, mode 0600, refused if others may read it), its openings in a local
database beside it, rebuilt from the chain at will. Every command prints
JSON. The passphrase comes from $TIERCHAIN_WALLET_PASSPHRASE or
--passphrase-file.

commands:
  create    --id ID --gateway URL           new keys (nothing leaves the machine)
  request   --name N --legal-id L           the onboarding request for the operator (public keys, proof)
  onboard   --name N --legal-id L           send it with the operator's token ($TIERCHAIN_OPERATOR_TOKEN)
  accept    --response FILE                 record the operator's answer (certificate, API token)
  move-in   --id ID --gateway URL           a hosted enterprise takes its keys ($TIERCHAIN_API_TOKEN)
  move-out                                  hand the keys back to the gateway (hosted again)
  sync                                      receive: open what the ledger holds for the enterprise
  holdings                                  the tokens held, with their amounts
  split     --token T --to E --amount A     pay A to E from token T, the change back
  finance   --token T --bank B              ask bank B to finance token T
  invoice upload [--due-date D] [--format json|ubl] FILE
                                            file an invoice (TierChain JSON or UBL 2.1 / Peppol BIS 3):
                                            parsed, fingerprinted, committed and signed here; the
                                            gateway relays the ledger's request only
`

type walletFlags struct {
	fs       *flag.FlagSet
	key      *string
	passFile *string
	timeout  *time.Duration
}

func newWalletFlags(name string, w io.Writer) walletFlags {
	fs := flag.NewFlagSet("wallet "+name, flag.ContinueOnError)
	fs.SetOutput(w)
	home, _ := os.UserHomeDir()
	return walletFlags{fs: fs,
		key:      fs.String("key", filepath.Join(home, ".tierchain", "wallet", "keys.json"), "the key file"),
		passFile: fs.String("passphrase-file", "", "read the passphrase from this file (mode 0600) instead of $TIERCHAIN_WALLET_PASSPHRASE"),
		timeout:  fs.Duration("timeout", 2*time.Minute, "give up after"),
	}
}

func (f walletFlags) passphrase() (string, error) {
	if *f.passFile != "" {
		if err := selfcustody.CheckPermissions(*f.passFile); err != nil {
			return "", err
		}
		b, err := os.ReadFile(*f.passFile)
		if err != nil {
			return "", err
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if p := os.Getenv("TIERCHAIN_WALLET_PASSPHRASE"); p != "" {
		return p, nil
	}
	return "", errors.New("no passphrase: set TIERCHAIN_WALLET_PASSPHRASE or --passphrase-file")
}

func printJSON(w io.Writer, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(v)
}

// runWallet is `tierchain wallet`.
func runWallet(w io.Writer, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(w, walletUsage)
		if len(args) == 0 {
			return errors.New("wallet: a command is required")
		}
		return nil
	}
	cmd, args := args[0], args[1:]
	sub := ""
	if cmd == "invoice" {
		if len(args) == 0 || args[0] != "upload" {
			return errors.New("wallet invoice: the command is `wallet invoice upload [flags] FILE`")
		}
		sub, args = args[0], args[1:]
	}
	f := newWalletFlags(strings.TrimSpace(cmd+" "+sub), w)
	id := f.fs.String("id", "", "enterprise ID")
	gw := f.fs.String("gateway", "", "base URL of the organisation's gateway")
	name := f.fs.String("name", "", "the enterprise's name")
	legal := f.fs.String("legal-id", "", "the enterprise's legal ID (e.g. 0192:915600123)")
	response := f.fs.String("response", "", "the operator's onboarding answer (JSON file)")
	token := f.fs.String("token", "", "token ID")
	to := f.fs.String("to", "", "recipient enterprise")
	amount := f.fs.String("amount", "", "amount, a decimal in the token's currency")
	bank := f.fs.String("bank", "", "bank enterprise")
	dueDate := f.fs.String("due-date", "", "the due date agreed outside the document (YYYY-MM-DD), for one that names none")
	format := f.fs.String("format", "", "the document's format, json or ubl (default: from the file's name or first byte)")
	if err := f.fs.Parse(args); err != nil {
		return err
	}
	var files []string
	for f.fs.NArg() > 0 { // flags may follow the file too
		files = append(files, f.fs.Arg(0))
		if err := f.fs.Parse(f.fs.Args()[1:]); err != nil {
			return err
		}
	}
	if cmd == "invoice" && len(files) != 1 {
		return errors.New("wallet invoice upload: one invoice FILE is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *f.timeout)
	defer cancel()
	pass, err := f.passphrase()
	if err != nil {
		return err
	}
	switch cmd {
	case "create":
		if *id == "" || *gw == "" {
			return errors.New("wallet create: --id and --gateway are required")
		}
		k, err := selfcustody.Create(*f.key, pass, *id, *gw)
		if err != nil {
			return err
		}
		return printJSON(w, map[string]any{"enterprise": k.EnterpriseID, "gateway": k.Gateway, "keyFile": *f.key})
	case "request":
		k, err := selfcustody.Load(*f.key, pass)
		if err != nil {
			return err
		}
		req, err := selfcustody.NewOnboardRequest(k, *name, *legal)
		if err != nil {
			return err
		}
		return printJSON(w, req)
	case "onboard":
		op := os.Getenv("TIERCHAIN_OPERATOR_TOKEN")
		if op == "" {
			return errors.New("wallet onboard: set TIERCHAIN_OPERATOR_TOKEN (or send `wallet request`'s output to the operator and `wallet accept` its answer)")
		}
		resp, err := selfcustody.Onboard(ctx, *f.key, pass, op, *name, *legal, nil)
		if err != nil {
			return err
		}
		return printJSON(w, map[string]any{"enterprise": resp.Enterprise, "mspId": resp.MSPID})
	case "accept":
		raw, err := os.ReadFile(*response)
		if err != nil {
			return err
		}
		var resp selfcustody.OnboardResponse
		if err := json.Unmarshal(raw, &resp); err != nil {
			return fmt.Errorf("wallet accept: %w", err)
		}
		if err := selfcustody.Accept(*f.key, pass, resp.MSPID, []byte(resp.Certificate), resp.APIToken); err != nil {
			return err
		}
		return printJSON(w, map[string]any{"enterprise": resp.Enterprise.ID, "accepted": true})
	case "move-in":
		tok := os.Getenv("TIERCHAIN_API_TOKEN")
		if *gw == "" || tok == "" {
			return errors.New("wallet move-in: --gateway and TIERCHAIN_API_TOKEN (the hosted enterprise's token) are required")
		}
		k, err := selfcustody.MoveToSelf(ctx, *f.key, pass, *gw, tok, nil)
		if err != nil {
			return err
		}
		return printJSON(w, map[string]any{"enterprise": k.EnterpriseID, "mode": "self", "keyFile": *f.key})
	}
	d, err := selfcustody.Open(ctx, *f.key, pass, selfcustody.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	switch cmd {
	case "move-out":
		if err := d.MoveToHosted(ctx); err != nil {
			return err
		}
		return printJSON(w, map[string]any{"enterprise": d.Keys.EnterpriseID, "mode": "hosted"})
	case "sync":
		rep, err := d.Sync(ctx)
		if err != nil {
			return err
		}
		return printJSON(w, map[string]any{"opened": rep.Opened, "kept": rep.Kept, "refused": len(rep.Refused), "bad": len(rep.Bad)})
	case "holdings":
		hs, err := d.Holdings(ctx)
		if err != nil {
			return err
		}
		out := []map[string]any{}
		for _, h := range hs {
			out = append(out, map[string]any{"tokenId": h.TokenID, "root": h.Root, "bank": h.Bank, "status": h.Status,
				"amount": map[string]any{"minor": h.Value, "decimal": invoice.FormatMinor(h.Value, invoice.MinorUnitExponent(h.Currency)),
					"currency": h.Currency}})
		}
		return printJSON(w, map[string]any{"enterprise": d.Keys.EnterpriseID, "holdings": out})
	case "split":
		if *token == "" || *to == "" || *amount == "" {
			return errors.New("wallet split: --token, --to and --amount are required")
		}
		// The amount is in the currency of the token split.
		hs, err := d.Holdings(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(hs, func(h wallet.Holding) bool { return h.TokenID == *token })
		if i < 0 {
			return fmt.Errorf("wallet split: this wallet holds no token %s (run sync)", *token)
		}
		cur := hs[i].Currency
		v, err := invoice.ParseMinorUnits(*amount, invoice.MinorUnitExponent(cur))
		if err != nil {
			return fmt.Errorf("wallet split: --amount must be a positive decimal of %s with at most %d decimals: %v",
				cmp.Or(cur, "the token's currency"), invoice.MinorUnitExponent(cur), err)
		}
		res, err := d.Split(ctx, *token, []selfcustody.Output{{To: *to, Amount: uint64(v)}})
		if err != nil {
			return err
		}
		return printJSON(w, res)
	case "invoice":
		up, err := invoiceUpload(files[0], *format, *dueDate)
		if err != nil {
			return err
		}
		res, err := d.UploadInvoice(ctx, up)
		if err != nil {
			return fmt.Errorf("wallet invoice upload: %w", err)
		}
		return printJSON(w, res)
	case "finance":
		if *token == "" || *bank == "" {
			return errors.New("wallet finance: --token and --bank are required")
		}
		res, err := d.RequestFinancing(ctx, *token, *bank)
		if err != nil {
			return err
		}
		return printJSON(w, res)
	}
	return fmt.Errorf("wallet: unknown command %q\n\n%s", cmd, walletUsage)
}

// invoiceUpload reads an invoice document and tells its format: format
// when given, else from the file's extension (.json, .xml), else from its
// first byte ({ or <).
func invoiceUpload(path, format, dueDate string) (selfcustody.InvoiceUpload, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return selfcustody.InvoiceUpload{}, err
	}
	if len(doc) > invoice.MaxDocumentSize {
		return selfcustody.InvoiceUpload{}, fmt.Errorf("wallet invoice upload: %w", invoice.ErrTooLarge)
	}
	up := selfcustody.InvoiceUpload{Document: doc, DueDate: dueDate}
	switch format {
	case "json":
		up.Format = invoice.FormatJSON
	case "ubl", "xml":
		up.Format = invoice.FormatUBL
	case "":
		switch ext := strings.ToLower(filepath.Ext(path)); {
		case ext == ".json":
			up.Format = invoice.FormatJSON
		case ext == ".xml":
			up.Format = invoice.FormatUBL
		default:
			switch t := strings.TrimSpace(string(doc[:min(len(doc), 512)])); {
			case strings.HasPrefix(t, "{"):
				up.Format = invoice.FormatJSON
			case strings.HasPrefix(t, "<"):
				up.Format = invoice.FormatUBL
			default:
				return up, errors.New("wallet invoice upload: not a JSON or XML document: give --format")
			}
		}
	default:
		return up, fmt.Errorf("wallet invoice upload: --format %q: json or ubl", format)
	}
	return up, nil
}
