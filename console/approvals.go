package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
)

// Approvals: the writes held for an operator (vault.HoldApproval), listed
// at /approvals with the pending ones first, each with its page at
// /approvals/ID where a signed-in operator approves or rejects it. That
// page is where a server sends clients that support URL elicitation (serve
// --approval-url): the URL alone decides nothing, since the page needs the
// console's sign-in. A decision is a POST carrying the session's CSRF
// token (the cookie is SameSite=Strict besides), recorded as the console's
// operator (Options.Operator).

// maxApprovals bounds the decided approvals the list shows.
const maxApprovals = 100

type approvalsPage struct {
	Pending, Decided []vault.Approval
	Now              time.Time
}

type approvalPage struct {
	Approval vault.Approval
	Error    string
	CSRF     string
	Now      time.Time
}

func (c *Console) approvals(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pending, err := c.v.Approvals(ctx, vault.ApprovalPending, 0)
	var decided []vault.Approval
	if err == nil {
		decided, err = c.v.Approvals(ctx, "", maxApprovals)
	}
	if err != nil {
		c.log.Error("console: list approvals", "err", err)
		http.Error(w, "the store could not be read; see the console's log", http.StatusInternalServerError)
		return
	}
	p := approvalsPage{Pending: pending, Now: c.now()}
	for _, a := range decided {
		if a.Status != vault.ApprovalPending {
			p.Decided = append(p.Decided, a)
		}
	}
	c.render(w, http.StatusOK, "approvals.html", p)
}

func (c *Console) approval(w http.ResponseWriter, r *http.Request) {
	a, err := c.v.Approval(r.Context(), r.PathValue("id"))
	if errors.Is(err, vault.ErrApprovalNotFound) {
		c.render(w, http.StatusNotFound, "approval.html", approvalPage{Error: "No such approval."})
		return
	}
	if err != nil {
		c.log.Error("console: read an approval", "err", err)
		http.Error(w, "the store could not be read; see the console's log", http.StatusInternalServerError)
		return
	}
	now := c.now()
	if a.Status == vault.ApprovalPending && !now.Before(a.Expires) {
		a.Status = vault.ApprovalExpired
	}
	c.render(w, http.StatusOK, "approval.html", approvalPage{Approval: a, CSRF: c.csrf(r), Now: now})
}

// decide approves or rejects an approval, on the word of the console's
// operator, and shows its page again.
func (c *Console) decide(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	want := c.csrf(r)
	if want == "" || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(want)) != 1 {
		c.log.Warn("console: a decision without this session's CSRF token was refused", "approval", id, "remote", r.RemoteAddr)
		http.Error(w, "forbidden: the form is not this page's (reload the approval's page)", http.StatusForbidden)
		return
	}
	var approve bool
	switch r.PostForm.Get("decision") {
	case "approve":
		approve = true
	case "reject":
	default:
		http.Error(w, "decision must be approve or reject", http.StatusBadRequest)
		return
	}
	a, err := c.v.DecideApproval(r.Context(), id, approve, c.operator+" (console)")
	if err != nil {
		if a.ID == "" {
			a, _ = c.v.Approval(r.Context(), id)
		}
		status := http.StatusConflict
		if errors.Is(err, vault.ErrApprovalNotFound) {
			status = http.StatusNotFound
		}
		c.render(w, status, "approval.html", approvalPage{Approval: a, Error: err.Error(), CSRF: want, Now: c.now()})
		return
	}
	c.log.Info("console: approval decided", "approval", id, "decision", a.Status, "by", a.DecidedBy, "remote", r.RemoteAddr)
	http.Redirect(w, r, "/approvals/"+id, http.StatusSeeOther)
}

// csrf is the CSRF token of the request's session: a MAC of its cookie
// under a key of this console's; "" without a session.
func (c *Console) csrf(r *http.Request) string {
	ck, err := r.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return ""
	}
	m := hmac.New(sha256.New, c.csrfKey[:])
	m.Write([]byte(ck.Value))
	return hex.EncodeToString(m.Sum(nil))
}
