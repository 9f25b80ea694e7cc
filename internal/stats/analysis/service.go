// Package analysis is the statistics domain service: the analysis datasets imported from
// published CTDC files, the tables, charts and reports computed from them or from the case
// database, and their export. Every entry point (dashboard, API, command line) goes through it,
// so that access checks, disclosure control and the audit of exports happen once, here.
package analysis

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"nanduti/internal/access"
	"nanduti/internal/audit"
	"nanduti/internal/core"
	"nanduti/internal/stats"
	"nanduti/internal/stats/ctdc"
)

// Store is the storage the service needs. Read runs fn in a read-only transaction, Write in a
// read-write one; fn's error rolls the transaction back.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction's view of the analysis datasets. A missing row is core.NotFound.
type Tx interface {
	// AppendAudit adds a row to the audit chain, in this transaction.
	AppendAudit(ctx context.Context, actor core.Actor, at time.Time, e audit.Entry) error
	// CreateLoadingDataset stores d in the loading state and sets its ID.
	CreateLoadingDataset(ctx context.Context, d *Dataset) error
	// InsertDatasetRows appends records to a loading dataset.
	InsertDatasetRows(ctx context.Context, datasetID int64, rows []stats.Victim) error
	// PublishDataset makes a loading dataset ready with its row count, removing the ready
	// dataset of the same owner and name it replaces, whose id it returns (0 if none).
	PublishDataset(ctx context.Context, datasetID, rows int64) (replaced int64, err error)
	// DeleteDataset removes a dataset and its rows, in whatever state.
	DeleteDataset(ctx context.Context, datasetID int64) error
	// DeleteLoadingDatasets removes the leftovers of interrupted imports of a name.
	DeleteLoadingDatasets(ctx context.Context, ownerAgencyID int64, name string) error
	// ReadyDatasets lists every ready dataset, by name.
	ReadyDatasets(ctx context.Context) ([]Dataset, error)
	// ReadyDataset returns one ready dataset.
	ReadyDataset(ctx context.Context, datasetID int64) (Dataset, error)
	// EachDatasetRow streams a dataset's records through fn, reusing the record.
	EachDatasetRow(ctx context.Context, datasetID int64, fn func(*stats.Victim) error) error
}

// Dataset is an imported CTDC file.
type Dataset struct {
	ID int64
	// AgencyID owns the dataset; 0 when it is shared with every agency.
	AgencyID int64
	Name     string
	// FileName is the base name of the imported file.
	FileName string
	// Layout is the CTDC layout recognised in the file (ctdc.Layout's String).
	Layout     string
	Rows       int64
	ImportedBy int64
	ImportedAt time.Time
}

// Config sets up the service.
type Config struct {
	Clock core.Clock
	// Cases is the case database as statistics see it; nil until the case module provides
	// it, and the "db" source is then refused with an explanation.
	Cases stats.CaseData
	// BatchSize is the number of records written per transaction when importing (default
	// 2000): small enough that other writers are not held up, large enough to be fast.
	BatchSize int
}

// Service is the statistics domain.
type Service struct {
	store Store
	cfg   Config
}

// New returns a Service.
func New(store Store, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = core.SystemClock{}
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 2000
	}
	return &Service{store: store, cfg: cfg}
}

// HasCaseData reports whether the case database can be counted.
func (s *Service) HasCaseData() bool { return s.cfg.Cases != nil }

var (
	notFound  = core.Errorf(core.NotFound, "error.not_found")
	forbidden = core.Errorf(core.Forbidden, "error.forbidden")
)

// MaxNameLength bounds a dataset's name.
const MaxNameLength = 80

func validName(name string) bool {
	if name == "" || utf8.RuneCountInString(name) > MaxNameLength || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// ImportCTDC reads a published CTDC file (any layout ctdc.NewReader knows) into the analysis
// dataset called name, streaming it in batches of Config.BatchSize records per transaction.
// The dataset becomes visible, replacing one of the same owner and name, only once the whole
// file has been read; an error leaves the previous dataset as it was. progress, when not nil,
// is called with the number of records read after each batch.
func (s *Service) ImportCTDC(ctx context.Context, actor core.Actor, name, fileName string, r io.Reader, progress func(int64)) (Dataset, error) {
	if !access.CanImportDataset(actor) {
		return Dataset{}, forbidden
	}
	name = strings.TrimSpace(name)
	var v core.Validation
	if !validName(name) {
		v.Add("name", "stats.error.dataset_name", MaxNameLength)
	}
	fileName = filepath.Base(strings.ReplaceAll(fileName, `\`, "/"))
	if fileName == "." || fileName == "/" || !utf8.ValidString(fileName) {
		fileName = "data.csv"
	}
	if err := v.Err(); err != nil {
		return Dataset{}, err
	}
	rd, err := ctdc.NewReader(r, fileName)
	if err != nil {
		return Dataset{}, ctdcError(err)
	}
	d := Dataset{AgencyID: access.DatasetOwner(actor), Name: name, FileName: fileName, Layout: rd.Layout().String(),
		ImportedBy: actor.UserID, ImportedAt: s.cfg.Clock.Now()}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.DeleteLoadingDatasets(ctx, d.AgencyID, d.Name); err != nil {
			return err
		}
		return tx.CreateLoadingDataset(ctx, &d)
	})
	if err != nil {
		return Dataset{}, err
	}
	fail := func(err error) (Dataset, error) {
		// The partial rows go, whatever happened to ctx; the previous dataset was never touched.
		cleanup := context.WithoutCancel(ctx)
		s.store.Write(cleanup, func(tx Tx) error { return tx.DeleteDataset(cleanup, d.ID) })
		return Dataset{}, err
	}
	batch := make([]stats.Victim, 0, s.cfg.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.store.Write(ctx, func(tx Tx) error { return tx.InsertDatasetRows(ctx, d.ID, batch) })
		batch = batch[:0]
		if progress != nil {
			progress(d.Rows)
		}
		return err
	}
	for {
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return fail(err)
			}
			if err := ctx.Err(); err != nil {
				return fail(err)
			}
		}
		batch = batch[:len(batch)+1]
		if err := rd.Read(&batch[len(batch)-1]); err != nil {
			batch = batch[:len(batch)-1]
			if err == io.EOF {
				break
			}
			return fail(ctdcError(err))
		}
		d.Rows++
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		replaced, err := tx.PublishDataset(ctx, d.ID, d.Rows)
		if err != nil {
			return err
		}
		fields := []string{"name", "file_name", "layout", "rows"}
		if replaced != 0 {
			fields = append(fields, "replaced_dataset")
		}
		return tx.AppendAudit(ctx, actor, s.cfg.Clock.Now(), audit.Entry{Action: "stats.dataset.import",
			ObjectType: "stats_dataset", ObjectID: strconv.FormatInt(d.ID, 10), ObjectAgencyID: d.AgencyID, Fields: fields})
	})
	if err != nil {
		return fail(err)
	}
	return d, nil
}

// ctdcError turns a malformed file into an invalid-input error whose message names the file,
// line and column and says what to write; CTDC files are public data, so quoting them is safe.
func ctdcError(err error) error {
	var ce *ctdc.Error
	if errors.As(err, &ce) {
		return &core.Error{Code: core.Invalid, Key: "error.invalid_form",
			Fields: []core.FieldError{{Field: "file", Key: "stats.error.ctdc_file", Args: []any{ce.Error()}}}, Err: err}
	}
	return err
}

// Datasets lists the datasets the actor may use, by name.
func (s *Service) Datasets(ctx context.Context, actor core.Actor) ([]Dataset, error) {
	if !access.CanUseStats(actor) {
		return nil, forbidden
	}
	var all []Dataset
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		all, err = tx.ReadyDatasets(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	out := all[:0]
	for _, d := range all {
		if access.CanSeeDataset(actor, d.AgencyID) {
			out = append(out, d)
		}
	}
	return out, nil
}

// DatasetByName finds a dataset the actor may use by its name, preferring the actor's own
// agency's over a shared one.
func (s *Service) DatasetByName(ctx context.Context, actor core.Actor, name string) (Dataset, error) {
	list, err := s.Datasets(ctx, actor)
	if err != nil {
		return Dataset{}, err
	}
	var found *Dataset
	for i, d := range list {
		if d.Name == name && (found == nil || d.AgencyID != 0) {
			found = &list[i]
		}
	}
	if found == nil {
		return Dataset{}, notFound
	}
	return *found, nil
}

// dataset returns a dataset the actor may use, or not found.
func (s *Service) dataset(ctx context.Context, actor core.Actor, id int64) (Dataset, error) {
	var d Dataset
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		d, err = tx.ReadyDataset(ctx, id)
		return err
	})
	if err != nil {
		return Dataset{}, err
	}
	if !access.CanSeeDataset(actor, d.AgencyID) {
		return Dataset{}, notFound
	}
	return d, nil
}

// datasetSource streams a dataset's rows in one read transaction per pass.
type datasetSource struct {
	s  *Service
	id int64
}

func (d datasetSource) Each(ctx context.Context, fn func(*stats.Victim) error) error {
	return d.s.store.Read(ctx, func(tx Tx) error { return tx.EachDatasetRow(ctx, d.id, fn) })
}
