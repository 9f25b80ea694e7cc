package training

import (
	"bytes"
	"context"
	"encoding/base32"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"rsc.io/qr"

	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Verification codes are 16 characters of the RFC 4648 base32 alphabet (A-Z, 2-7): 80 random
// bits. With a million certificates in the database, a guesser making a thousand requests a
// second would need, on average, about 19 000 years to hit any one of them. They are printed
// in four groups of four; verification ignores case, spaces and hyphens.
const (
	codeBytes = 10
	codeChars = 16
)

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func (s *Service) newCode() (string, error) {
	b := make([]byte, codeBytes)
	if _, err := io.ReadFull(s.cfg.Random, b); err != nil {
		return "", err
	}
	return codeEncoding.EncodeToString(b), nil
}

// NormaliseCode turns what a person typed into the stored form of a code, and reports
// whether it can be a code at all.
func NormaliseCode(typed string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == '-' || r == ' ':
		case (r >= 'A' && r <= 'Z') || (r >= '2' && r <= '7'):
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	code := b.String()
	return code, len(code) == codeChars
}

// FormatCode prints a code in groups of four: ABCD-EFGH-IJKL-MNOP.
func FormatCode(code string) string {
	var parts []string
	for i := 0; i < len(code); i += 4 {
		parts = append(parts, code[i:min(i+4, len(code))])
	}
	return strings.Join(parts, "-")
}

// IssueCertificates issues a certificate to every participant of the session who meets the
// course's completion rule and has none yet; it returns how many it issued.
func (s *Service) IssueCertificates(ctx context.Context, actor core.Actor, sessionID int64) (int, error) {
	n := 0
	err := s.manage(ctx, actor, sessionID, func(tx Tx, d SessionDetail) error {
		n = 0
		for _, e := range d.Enrolments {
			if !e.Progress.Completed || e.Certificate != nil {
				continue
			}
			code, err := s.newCode()
			if err != nil {
				return core.Wrap(core.Internal, "error.internal", err)
			}
			c := Certificate{SessionID: d.Session.ID, ParticipantID: e.Participant.ID, Code: code, IssuedAt: s.Now()}
			if err := tx.CreateCertificate(ctx, &c); err != nil {
				return err
			}
			if err := tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.certificate.issue", ObjectType: "training_certificate",
				ObjectID: id(c.ID), ObjectAgencyID: d.Session.HostAgencyID, Fields: []string{"session", "participant", "code"}}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// certificateSession loads a certificate and checks that the actor manages its session.
func (s *Service) certificateSession(ctx context.Context, tx Tx, actor core.Actor, certID int64) (Certificate, SessionDetail, error) {
	c, err := tx.CertificateByID(ctx, certID)
	if err != nil {
		return Certificate{}, SessionDetail{}, err
	}
	d, err := s.loadDetail(ctx, tx, actor, c.SessionID)
	if err != nil {
		return Certificate{}, SessionDetail{}, err
	}
	if !d.CanManage() {
		return Certificate{}, SessionDetail{}, notFound
	}
	return c, d, nil
}

// RevokeCertificate withdraws a certificate; verification then says it was revoked.
func (s *Service) RevokeCertificate(ctx context.Context, actor core.Actor, certID int64) (Certificate, error) {
	var out Certificate
	err := s.store.Write(ctx, func(tx Tx) error {
		c, d, err := s.certificateSession(ctx, tx, actor, certID)
		if err != nil {
			return err
		}
		if c.Revoked() {
			return core.Errorf(core.Conflict, "training.certificate_already_revoked")
		}
		if err := tx.RevokeCertificate(ctx, c.ID, s.Now()); err != nil {
			return err
		}
		c.RevokedAt = s.Now()
		out = c
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.certificate.revoke", ObjectType: "training_certificate",
			ObjectID: id(c.ID), ObjectAgencyID: d.Session.HostAgencyID, Fields: []string{"revoked_at"}})
	})
	return out, err
}

// Verification is all the public verification page may show.
type Verification struct {
	Found       bool
	Revoked     bool
	CourseTitle string
	Date        time.Time // the session's last day
	Initials    string
}

// Verify looks a code up for the public page. It needs no actor. A malformed code and an
// unknown code take the same path, one database lookup, and give the same answer; nothing
// about the participant but their initials leaves this function.
func (s *Service) Verify(ctx context.Context, typed string) (Verification, error) {
	code, ok := NormaliseCode(typed)
	if !ok {
		// A lookup that cannot match, so that malformed codes cost what unknown ones cost.
		code = strings.Repeat("0", codeChars)
	}
	var out Verification
	err := s.store.Read(ctx, func(tx Tx) error {
		c, err := tx.CertificateByCode(ctx, code)
		if core.Is(err, core.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		ss, err := tx.SessionByID(ctx, c.SessionID)
		if err != nil {
			return err
		}
		course, err := tx.CourseByID(ctx, ss.CourseID)
		if err != nil {
			return err
		}
		p, err := tx.ParticipantByID(ctx, c.ParticipantID)
		if err != nil {
			return err
		}
		out = Verification{Found: true, Revoked: c.Revoked(), CourseTitle: course.Title, Date: ss.EndsOn, Initials: p.Initials()}
		return nil
	})
	return out, err
}

// CertificatePDF renders a certificate. verifyURL is the address of the public verification
// page without the code (for example "https://nanduti.example/verify/"); it is printed and
// drawn as a QR code. Printing is audited: the PDF carries the participant's name.
func (s *Service) CertificatePDF(ctx context.Context, actor core.Actor, certID int64, verifyURL string) ([]byte, error) {
	var c Certificate
	var d SessionDetail
	var p Participant
	var hostAgencyName string
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if c, d, err = s.certificateSession(ctx, tx, actor, certID); err != nil {
			return err
		}
		if p, err = tx.ParticipantByID(ctx, c.ParticipantID); err != nil {
			return err
		}
		if hostAgencyName, err = tx.AgencyName(ctx, d.Session.HostAgencyID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, s.Now(), audit.Entry{Action: "training.certificate.print", ObjectType: "training_certificate",
			ObjectID: id(c.ID), ObjectAgencyID: d.Session.HostAgencyID, Fields: []string{"participant.name"}})
	})
	if err != nil {
		return nil, err
	}
	return RenderCertificate(c, d.Session, d.Course, p, verifyURL, hostAgencyName)
}

// RenderCertificate draws the certificate as an A4 landscape PDF in the core Helvetica font;
// the cp1252 translator covers Spanish accents and ñ.
func RenderCertificate(c Certificate, ss Session, course Course, p Participant, verifyURL, hostAgencyName string) ([]byte, error) {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetTitle("Certificado", true)
	pdf.SetCreator("Ñandutí", true)
	pdf.SetCreationDate(c.IssuedAt)
	pdf.SetModificationDate(c.IssuedAt)
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(false, 10)
	pdf.AddPage()
	w, _ := pdf.GetPageSize()
	inner := w - 40
	pdf.SetDrawColor(40, 70, 110)
	pdf.SetLineWidth(1.2)
	pdf.Rect(10, 10, w-20, 190, "D")
	center := func(size float64, style, text string, h float64) {
		pdf.SetFont("Helvetica", style, size)
		pdf.SetX(20)
		pdf.MultiCell(inner, h, tr(text), "", "C", false)
	}
	pdf.SetY(28)
	center(12, "", hostAgencyName, 7)
	pdf.Ln(6)
	center(30, "B", "Certificado de aprobación", 14)
	pdf.Ln(6)
	center(13, "", "Se certifica que", 8)
	pdf.Ln(2)
	center(22, "B", p.Name, 11)
	pdf.Ln(4)
	center(13, "", "completó el curso", 8)
	pdf.Ln(2)
	center(17, "B", course.Title, 9)
	pdf.Ln(4)
	hours := strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", course.TotalHours()), "0"), ".")
	place := ss.Place
	if ss.District != "" {
		place += ", " + ss.District
	}
	place += ", " + DepartmentName(ss.Department)
	center(12, "", fmt.Sprintf("%s horas, del %s al %s, en %s.", hours, SpanishDate(ss.StartsOn), SpanishDate(ss.EndsOn), place), 7)
	center(12, "", fmt.Sprintf("Asistencia mínima %d %% y evaluación final de al menos %d puntos sobre 100.",
		course.MinAttendancePct, course.MinPostScore), 7)

	// Verification: the code in words and as a QR code of the public page's address.
	url := verifyURL + c.Code
	if q, err := qr.Encode(url, qr.M); err == nil {
		pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(q.PNG()))
		pdf.ImageOptions("qr", w-62, 150, 36, 36, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	}
	pdf.SetXY(24, 160)
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(inner-50, 5, tr(fmt.Sprintf("Código de verificación: %s\nVerifique este certificado en %s\nEmitido el %s.",
		FormatCode(c.Code), url, SpanishDate(c.IssuedAt))), "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, core.Wrap(core.Internal, "error.internal", err)
	}
	return buf.Bytes(), nil
}

var spanishMonths = []string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
	"septiembre", "octubre", "noviembre", "diciembre"}

// SpanishDate writes a date as "4 de mayo de 2026".
func SpanishDate(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%d de %s de %d", t.Day(), spanishMonths[t.Month()-1], t.Year())
}
