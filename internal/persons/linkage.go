package persons

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/linkage"
	"nanduti/internal/seal"
)

// The schema feature identifiers that encoding persons for linkage fills from a person, and
// how (docs/linkage.md, "Encoding from the database"). Every value is normalised as the
// documentation asks partners to normalise a CSV before encoding it, so that a person encoded
// from the database gives the same CLK as the same person written to a CSV by those rules.
const (
	// LinkageGivenName is the given names, as name words (linkage.NameTokens) joined by one space.
	LinkageGivenName = "given_name"
	// LinkageSurname is the father's surname then the mother's, as name words joined by one space.
	LinkageSurname = "surname"
	// LinkagePaternalSurname and LinkageMaternalSurname are one surname each, as name words.
	LinkagePaternalSurname = "paternal_surname"
	LinkageMaternalSurname = "maternal_surname"
	// LinkageDateOfBirth is the birth date as YYYYMMDD (for a date feature, in its pattern).
	LinkageDateOfBirth = "date_of_birth"
	// LinkageBirthYear is the year of the birth date, or the recorded (estimated) birth year.
	LinkageBirthYear = "birth_year"
	// LinkageSex is "f" or "m" for the genders Feminine and Masculine, missing otherwise.
	LinkageSex = "sex"
	// LinkageGender is the HTCDS gender in lower case ("feminine", "transgendermasculine"),
	// missing when NonSpecifiedUnknown or not recorded.
	LinkageGender = "gender"
	// LinkageDocument is the main identity document's number (linkage.NormalizeDocument).
	LinkageDocument = "document"
)

// LinkageFeatures lists the recognised feature identifiers.
var LinkageFeatures = []string{LinkageGivenName, LinkageSurname, LinkagePaternalSurname, LinkageMaternalSurname,
	LinkageDateOfBirth, LinkageBirthYear, LinkageSex, LinkageGender, LinkageDocument}

// linkageSources are the sealed fields each recognised feature reads: what the audit row of an
// encoding names.
var linkageSources = map[string][]string{
	LinkageGivenName:       {FieldGivenNames},
	LinkageSurname:         {FieldPaternalSurname, FieldMaternalSurname},
	LinkagePaternalSurname: {FieldPaternalSurname},
	LinkageMaternalSurname: {FieldMaternalSurname},
	LinkageDateOfBirth:     {FieldBirthDate},
	LinkageBirthYear:       {FieldBirthDate},
	LinkageDocument:        {FieldDocument},
}

// linkageName is a name field as name words joined by one space.
func linkageName(s string) string { return strings.Join(linkage.NameTokens(s), " ") }

// LinkageValue is the value of the recognised feature for a person, normalised; "" when the
// person has none (or the feature is not recognised). Dates are YYYYMMDD here; a date feature
// with another pattern gets them rewritten by the columns LinkageColumns returns.
func LinkageValue(feature string, id Identity, p Profile) string {
	switch feature {
	case LinkageGivenName:
		return linkageName(id.GivenNames)
	case LinkageSurname:
		return linkageName(id.PaternalSurname + " " + id.MaternalSurname)
	case LinkagePaternalSurname:
		return linkageName(id.PaternalSurname)
	case LinkageMaternalSurname:
		return linkageName(id.MaternalSurname)
	case LinkageDateOfBirth:
		if d, ok := birthDate(id); ok {
			return d.Format("20060102")
		}
	case LinkageBirthYear:
		if d, ok := birthDate(id); ok {
			return strconv.Itoa(d.Year())
		}
		if p.BirthYear > 0 {
			return strconv.Itoa(p.BirthYear)
		}
	case LinkageSex:
		switch p.Gender {
		case "Feminine":
			return "f"
		case "Masculine":
			return "m"
		}
	case LinkageGender:
		if p.Gender != "" && p.Gender != "NonSpecifiedUnknown" {
			return strings.ToLower(p.Gender)
		}
	case LinkageDocument:
		return linkage.NormalizeDocument(id.Document.Number)
	}
	return ""
}

func birthDate(id Identity) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, id.BirthDate)
	return d, err == nil
}

// LinkageColumn is how one schema feature is filled from a person.
type LinkageColumn struct {
	// Feature is the schema's identifier; "" for an ignored feature, which is left empty.
	Feature string
	// datePattern, for a date feature, is the strptime pattern the date is written in.
	datePattern string
}

func (c LinkageColumn) value(id Identity, p Profile) string {
	v := LinkageValue(c.Feature, id, p)
	if c.datePattern == "" || v == "" {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(c.datePattern); i++ {
		if c.datePattern[i] != '%' || i+1 == len(c.datePattern) {
			b.WriteByte(c.datePattern[i])
			continue
		}
		i++
		switch c.datePattern[i] {
		case 'Y':
			b.WriteString(v[:4])
		case 'm':
			b.WriteString(v[4:6])
		case 'd':
			b.WriteString(v[6:8])
		default:
			b.WriteByte('%')
		}
	}
	return b.String()
}

// LinkageColumns says how each feature of the schema, in schema order, is filled from a
// person. A feature that is not ignored must have one of the LinkageFeatures identifiers; a
// date feature's pattern may use only %Y, %m, %d and %%. The error names the feature by its
// position and identifier (schema text, never a person's data).
func LinkageColumns(s *linkage.Schema) ([]LinkageColumn, error) {
	cols := make([]LinkageColumn, len(s.Features))
	for i, f := range s.Features {
		if f.Ignored {
			continue
		}
		if !slices.Contains(LinkageFeatures, f.Identifier) {
			return nil, fmt.Errorf("feature %d (%q) is not one the database can fill; rename it to one of %s, or mark it \"ignored\"",
				i+1, f.Identifier, strings.Join(LinkageFeatures, ", "))
		}
		cols[i].Feature = f.Identifier
		if f.Format.Type == "date" {
			if f.Identifier != LinkageDateOfBirth {
				return nil, fmt.Errorf("feature %d (%q) has the date format; only %s is a date", i+1, f.Identifier, LinkageDateOfBirth)
			}
			p := f.Format.Date
			for j := 0; j < len(p); j++ {
				if p[j] != '%' {
					continue
				}
				if j+1 == len(p) || !strings.ContainsRune("Ymd%", rune(p[j+1])) {
					return nil, fmt.Errorf("feature %d (%q): the date pattern %q may use only %%Y, %%m and %%d when encoding from the database", i+1, f.Identifier, p)
				}
				j++
			}
			cols[i].datePattern = p
		}
	}
	return cols, nil
}

// LinkageRequest is what encoding persons for linkage needs.
type LinkageRequest struct {
	Schema *linkage.Schema
	// Fingerprint identifies the schema in the audit row, for example "sha256:<hex>" of the
	// schema file.
	Fingerprint string
	// PageSize is how many persons are opened at a time (default 1000).
	PageSize int
}

// ActionLinkageEncode is the audit action of encoding persons for linkage, and
// ObjectLinkageSchema the object type of its row (the object id is the schema fingerprint).
const (
	ActionLinkageEncode = "linkage.encode"
	ObjectLinkageSchema = "linkage_schema"
)

// LinkageRows streams the persons of one encoding, one value per schema feature; it is a
// linkage.Rows. Persons come in ascending id order; Next returns io.EOF after the last one.
type LinkageRows struct {
	s        *Service
	ctx      context.Context
	ring     *seal.Ring
	cols     []LinkageColumn
	agencyID int64
	through  int64
	after    int64
	pageSize int
	page     []Record
	ids      []int64
	// Count is the number of persons the encoding covers, as audited.
	Count int
}

// OpenForLinkage starts encoding the persons of the actor's agency for privacy-preserving
// record linkage. It is a reveal of every one of their identities, so only those who may see
// them may (access.CanEncodePersonsForLinkage), and before any identity is opened one
// linkage.encode row is appended to the audit chain: the actor, the schema's fingerprint as
// object, and as fields the sealed fields read and "persons=N", never a value. The persons are
// those the agency owns when the call is made (persons are never deleted nor moved between
// agencies, so the count holds); persons of other agencies, even shared in full through a case,
// are not included: the owning agency decides whether its records take part in a linkage.
// Identities are opened page by page, in memory only.
func (s *Service) OpenForLinkage(ctx context.Context, actor core.Actor, req LinkageRequest) (*LinkageRows, error) {
	if !access.CanEncodePersonsForLinkage(actor) {
		return nil, forbidden
	}
	cols, err := LinkageColumns(req.Schema)
	if err != nil {
		return nil, core.Wrap(core.Invalid, "error.invalid", err)
	}
	ring, err := s.ring()
	if err != nil {
		return nil, err
	}
	rows := &LinkageRows{s: s, ctx: ctx, ring: ring, cols: cols, agencyID: actor.AgencyID, pageSize: req.PageSize}
	if rows.pageSize <= 0 {
		rows.pageSize = 1000
	}
	// The sealed fields the schema reads, in SealedFields order, so that two runs of one
	// schema give the same row.
	var fields []string
	for _, f := range SealedFields {
		if slices.ContainsFunc(cols, func(c LinkageColumn) bool { return slices.Contains(linkageSources[c.Feature], f) }) {
			fields = append(fields, f)
		}
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		n, last, err := tx.AgencyPersonsExtent(ctx, actor.AgencyID)
		if err != nil {
			return err
		}
		rows.Count, rows.through = n, last
		return tx.AppendAudit(ctx, actor, s.cfg.Clock.Now(), audit.Entry{Action: ActionLinkageEncode,
			ObjectType: ObjectLinkageSchema, ObjectID: req.Fingerprint, ObjectAgencyID: actor.AgencyID,
			Fields: append(fields, "persons="+strconv.Itoa(n))})
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// Next returns the next person's values, in schema order, and their 1-based position.
func (r *LinkageRows) Next() ([]string, int, error) {
	if len(r.page) == 0 {
		if r.after >= r.through {
			return nil, 0, io.EOF
		}
		if err := r.ctx.Err(); err != nil {
			return nil, 0, err
		}
		err := r.s.store.Read(r.ctx, func(tx Tx) error {
			var err error
			r.page, err = tx.AgencyPersonPage(r.ctx, r.agencyID, r.after, r.through, r.pageSize)
			return err
		})
		if err != nil {
			return nil, 0, err
		}
		if len(r.page) == 0 {
			r.after = r.through
			return nil, 0, io.EOF
		}
		r.after = r.page[len(r.page)-1].ID
	}
	rec := r.page[0]
	r.page[0] = Record{}
	r.page = r.page[1:]
	id, err := openFields(r.ring, rec, nil)
	if err != nil {
		return nil, 0, err
	}
	values := make([]string, len(r.cols))
	for i, c := range r.cols {
		if c.Feature != "" {
			values[i] = c.value(id, rec.Profile)
		}
	}
	r.ids = append(r.ids, rec.ID)
	return values, len(r.ids), nil
}

// IDs returns the person id of every row returned so far, in order: row i (0-based) of the
// CLK file is the person IDs()[i].
func (r *LinkageRows) IDs() []int64 { return r.ids }
