package analysis

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"

	"nanduti/internal/core"
	"nanduti/internal/stats"
)

// CaseTables are the case-database tables that are not counts of victims: investigations,
// prosecutions and convictions (by year, and by form of exploitation), referrals to services,
// and the time from identification to first referral.
var CaseTables = []string{"proceedings", "proceedings-by-exploitation", "referrals", "time-to-referral"}

// CaseTable computes one of CaseTables from the case database within the actor's scope,
// protects it with the threshold, records the export in the audit chain before anything is
// written, and writes it in format.
func (s *Service) CaseTable(ctx context.Context, actor core.Actor, name string, threshold int, format string, w io.Writer) error {
	if !slices.Contains(CaseTables, name) {
		return invalidField("table", "stats.error.table", strings.Join(CaseTables, ", "))
	}
	if !slices.Contains(stats.Formats, format) {
		return invalidField("format", "stats.error.format", strings.Join(stats.Formats, ", "))
	}
	if threshold < MinThreshold || threshold > MaxThreshold {
		return invalidField("threshold", "stats.error.threshold", MinThreshold, MaxThreshold)
	}
	o, err := s.open(ctx, actor, Request{Source: SourceDB, Threshold: threshold})
	if err != nil {
		return err
	}
	scope := o.src.(stats.CaseSource).Scope
	var t *stats.Table
	var title string
	switch name {
	case "proceedings":
		t, err = stats.ProceedingsTable(ctx, s.cfg.Cases, scope, false)
		title = "Investigations, prosecutions and convictions by year"
	case "proceedings-by-exploitation":
		t, err = stats.ProceedingsTable(ctx, s.cfg.Cases, scope, true)
		title = "Investigations, prosecutions and convictions by year and form of exploitation"
	case "referrals":
		t, err = stats.ReferralsTable(ctx, s.cfg.Cases, scope)
		title = "Referrals to services by year, service and delivery"
	case "time-to-referral":
		t, err = stats.TimeToReferralTable(ctx, s.cfg.Cases, scope)
		title = "Victims by year of first referral and time from identification"
	}
	if err != nil {
		return err
	}
	p, err := stats.Protect(t, threshold)
	if errors.Is(err, stats.ErrUnprotectable) {
		return core.Wrap(core.Invalid, "stats.error.unprotectable", err)
	}
	if err != nil {
		return err
	}
	doc := &stats.Document{Title: title, Source: "Ñandutí case database", Table: p}
	if err := s.auditExport(ctx, actor, o, []string{"format", "suppress", "table:" + name}); err != nil {
		return err
	}
	return stats.Write(w, format, doc)
}
