package sso_test

import (
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/app/sso"
	"github.com/hindsight-retro/hindsight/domain"
)

func TestThePresetsNameTheirProvidersIssuers(t *testing.T) {
	if got, err := sso.PresetIssuer(sso.PresetGoogle, ""); err != nil || got != "https://accounts.google.com" {
		t.Errorf("google = %q, %v", got, err)
	}
	tenant := "0b5e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"
	if got, err := sso.PresetIssuer(sso.PresetEntra, tenant); err != nil || got != "https://login.microsoftonline.com/"+tenant+"/v2.0" {
		t.Errorf("entra = %q, %v", got, err)
	}
	// Entra's multi-tenant endpoints take tokens of every directory: refused.
	for _, tenant := range []string{"", "common", "organizations", "consumers", "0b5e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2", "../../evil.example/x"} {
		if _, err := sso.PresetIssuer(sso.PresetEntra, tenant); domain.CodeOf(err) != sso.CodeProviderInvalid {
			t.Errorf("entra with tenant %q: %v, want %s", tenant, err, sso.CodeProviderInvalid)
		}
	}
	if _, err := sso.PresetIssuer("okta", ""); domain.CodeOf(err) != sso.CodeProviderInvalid {
		t.Errorf("an unknown preset: %v", err)
	}
}

func TestAProviderNeedsAnHTTPSIssuerAndItsClientsCredentials(t *testing.T) {
	ok := sso.Provider{Issuer: "https://id.example.com/realms/acme", ClientID: "c", ClientSecret: "s"}
	if err := ok.Check(false); err != nil {
		t.Fatalf("a complete https provider: %v", err)
	}
	cases := map[string]sso.Provider{
		"plain http":                      {Issuer: "http://id.example.com", ClientID: "c", ClientSecret: "s"},
		"plain http on a private address": {Issuer: "http://10.0.0.1", ClientID: "c", ClientSecret: "s"},
		"no host":                         {Issuer: "https://", ClientID: "c", ClientSecret: "s"},
		"a query":                         {Issuer: "https://id.example.com?x=1", ClientID: "c", ClientSecret: "s"},
		"no client ID":                    {Issuer: "https://id.example.com", ClientSecret: "s"},
		"no client secret":                {Issuer: "https://id.example.com", ClientID: "c"},
		"an unknown preset":               {Issuer: "https://id.example.com", ClientID: "c", ClientSecret: "s", Preset: "okta"},
	}
	for name, p := range cases {
		if err := p.Check(true); domain.CodeOf(err) != sso.CodeProviderInvalid {
			t.Errorf("%s: %v, want %s", name, err, sso.CodeProviderInvalid)
		}
	}
	loop := sso.Provider{Issuer: "http://127.0.0.1:5556", ClientID: "c", ClientSecret: "s"}
	if err := loop.Check(false); err == nil {
		t.Error("plain http on loopback was taken without being allowed")
	}
	if err := loop.Check(true); err != nil {
		t.Errorf("plain http on loopback, allowed: %v", err)
	}
}

func TestEmailDomainsAreHostNamesListedOnce(t *testing.T) {
	got, err := sso.NormalizeDomains([]string{" Acme.COM", "@acme.de", "acme.com"})
	if err != nil || strings.Join(got, ",") != "acme.com,acme.de" {
		t.Fatalf("domains = %v, %v", got, err)
	}
	for _, bad := range [][]string{nil, {"localhost"}, {"acme..com"}, {"*.acme.com"}, {"acme.com/x"}, {".acme.com"}} {
		if _, err := sso.NormalizeDomains(bad); domain.CodeOf(err) != sso.CodeProviderInvalid {
			t.Errorf("domains %q: %v, want %s", bad, err, sso.CodeProviderInvalid)
		}
	}
	if sso.DomainOf("Bob@Acme.COM") != "acme.com" {
		t.Error("DomainOf does not lower-case")
	}
}
