package api_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// testOP is an OpenID provider on loopback, made from go-jose: discovery,
// its signing keys (JWKS), an authorization endpoint that sends the browser
// through a login page of its own and back with a code, and a token
// endpoint that checks the client's secret and the PKCE verifier before
// it signs an ID token (RS256). The person who signs in, and what may be
// wrong with their token, are the test's to set.
type testOP struct {
	t        testing.TB
	srv      *httptest.Server
	key      *rsa.PrivateKey
	keyID    string
	clientID string
	secret   string

	mu      sync.Mutex
	person  opPerson
	tamper  func(claims map[string]any)
	pending map[string]opRequest // by request ID, then by code
	// tokens counts the ID tokens signed.
	tokens int
}

type opPerson struct {
	Subject  string
	Email    string
	Name     string
	Verified bool
	Groups   []string
}

type opRequest struct {
	ClientID, RedirectURI, State, Nonce, Challenge string
}

func newTestOP(t testing.TB, clientID, secret string) *testOP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	op := &testOP{t: t, key: key, keyID: "k1", clientID: clientID, secret: secret, pending: map[string]opRequest{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", op.discovery)
	mux.HandleFunc("GET /jwks", op.jwks)
	mux.HandleFunc("GET /authorize", op.authorize)
	mux.HandleFunc("GET /login", op.login)
	mux.HandleFunc("POST /token", op.token)
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *testOP) issuer() string { return op.srv.URL }

// signIn sets who signs in at the provider next.
func (op *testOP) signIn(p opPerson) {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.person = p
}

// spoil changes the claims of the ID tokens signed from now on.
func (op *testOP) spoil(f func(claims map[string]any)) {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.tamper = f
}

func (op *testOP) signed() int {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.tokens
}

func (op *testOP) discovery(w http.ResponseWriter, r *http.Request) {
	writeOPJSON(w, http.StatusOK, map[string]any{
		"issuer":                                op.issuer(),
		"authorization_endpoint":                op.issuer() + "/authorize",
		"token_endpoint":                        op.issuer() + "/token",
		"jwks_uri":                              op.issuer() + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (op *testOP) jwks(w http.ResponseWriter, r *http.Request) {
	writeOPJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: op.key.Public(), KeyID: op.keyID, Algorithm: string(jose.RS256), Use: "sig"}}})
}

// authorize checks the request as a provider would (known client, code
// flow, openid scope, PKCE with S256, a nonce) and sends the browser to
// its login page.
func (op *testOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("client_id") != op.clientID:
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		http.Error(w, "code flow with PKCE (S256) only", http.StatusBadRequest)
		return
	case q.Get("nonce") == "" || q.Get("state") == "" || q.Get("redirect_uri") == "":
		http.Error(w, "state, nonce and redirect_uri are required", http.StatusBadRequest)
		return
	}
	id := rand.Text()
	op.mu.Lock()
	op.pending[id] = opRequest{ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), State: q.Get("state"),
		Nonce: q.Get("nonce"), Challenge: q.Get("code_challenge")}
	op.mu.Unlock()
	http.Redirect(w, r, "/login?request="+id, http.StatusFound)
}

// login is the provider's sign-in page, which signs in the test's person
// at once and sends the browser back with a code.
func (op *testOP) login(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("request")
	op.mu.Lock()
	req, ok := op.pending[id]
	delete(op.pending, id)
	code := rand.Text()
	if ok {
		op.pending["code:"+code] = req
	}
	op.mu.Unlock()
	if !ok {
		http.Error(w, "unknown request", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(req.RedirectURI)
	v := back.Query()
	v.Set("code", code)
	v.Set("state", req.State)
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token redeems a code once: right client and secret, the same redirect
// URI, and a verifier whose S256 is the challenge.
func (op *testOP) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOPJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if u, err := url.QueryUnescape(id); err == nil {
		id = u
	}
	if s, err := url.QueryUnescape(secret); err == nil {
		secret = s
	}
	if id != op.clientID || secret != op.secret {
		writeOPJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	code := r.PostForm.Get("code")
	op.mu.Lock()
	req, ok := op.pending["code:"+code]
	delete(op.pending, "code:"+code)
	person, tamper := op.person, op.tamper
	op.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code" || !ok:
		writeOPJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	case r.PostForm.Get("redirect_uri") != req.RedirectURI:
		writeOPJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "redirect_uri"})
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != req.Challenge:
		writeOPJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE"})
		return
	}
	now := time.Now()
	claims := map[string]any{
		"iss": op.issuer(), "sub": person.Subject, "aud": op.clientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": req.Nonce, "email": person.Email, "email_verified": person.Verified, "name": person.Name,
	}
	if person.Groups != nil {
		claims["groups"] = person.Groups
	}
	if tamper != nil {
		tamper(claims)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: op.key, KeyID: op.keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		op.t.Error(err)
		return
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		op.t.Error(err)
		return
	}
	idToken, _ := jws.CompactSerialize()
	op.mu.Lock()
	op.tokens++
	op.mu.Unlock()
	writeOPJSON(w, http.StatusOK, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

func writeOPJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
