package linkage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// RowError reports a record that could not be read or encoded: its 1-based position among the
// data records and its line in the file, and what is wrong, never the values.
type RowError struct {
	Record int
	Line   int
	Err    error
}

func (e *RowError) Error() string {
	return fmt.Sprintf("record %d (line %d): %v", e.Record, e.Line, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }

// EncodeOptions tunes EncodeCSV.
type EncodeOptions struct {
	// Workers is the number of goroutines hashing; 0 means GOMAXPROCS.
	Workers int
	// SkipHeaderCheck accepts a header whose names differ from the schema's identifiers (the
	// number of columns must still match).
	SkipHeaderCheck bool
	// Progress, when set, is called after each batch with the number of records written.
	Progress func(records int64)
}

// Rows is a source of records to encode, one value per schema feature; Next returns io.EOF at
// the end. EncodeCSV reads CSV; a database export can provide the same.
type Rows interface {
	Next() (values []string, line int, err error)
}

type csvRows struct {
	r      *csv.Reader
	record int
}

func (c *csvRows) Next() ([]string, int, error) {
	values, err := c.r.Read()
	if err != nil {
		return nil, 0, err
	}
	c.record++
	line, _ := c.r.FieldPos(0)
	return values, line, nil
}

// EncodeCSV reads a CSV file with a header row and one column per schema feature, in schema
// order (as clkhash's command line takes it), and writes the CLK file to out in input order.
// It returns the number of CLKs written.
func EncodeCSV(ctx context.Context, enc *Encoder, in io.Reader, out io.Writer, opt EncodeOptions) (int64, error) {
	br := bufio.NewReaderSize(in, 1<<16)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xef, 0xbb, 0xbf}) {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = len(enc.schema.Features)
	header, err := r.Read()
	if err == io.EOF {
		return 0, errors.New("the file is empty: a header row is expected")
	}
	if err != nil {
		return 0, fmt.Errorf("header: %w", err)
	}
	if !opt.SkipHeaderCheck {
		for i, name := range header {
			if name != enc.schema.Features[i].Identifier {
				// The name is not repeated: a file without its header row would have a person's
				// values there.
				return 0, fmt.Errorf("header column %d is not the schema's feature %d, %q (is the header row missing?)", i+1, i+1, enc.schema.Features[i].Identifier)
			}
		}
	}
	return EncodeRows(ctx, enc, &csvRows{r: r}, out, opt)
}

// EncodeRows encodes every record of rows in parallel and writes the CLKs to out in input
// order. Memory stays bounded whatever the number of records.
func EncodeRows(ctx context.Context, enc *Encoder, rows Rows, out io.Writer, opt EncodeOptions) (int64, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type batch struct {
		first  int // 1-based record number of the first row
		rows   [][]string
		lines  []int
		clks   []byte
		err    error
		done   chan struct{}
		readEr error // a read error after these rows
	}
	const batchSize = 512
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// On an early return the reader and the workers must see the cancellation before waiting
	// for them, or they would wait for a writer that is gone.
	defer func() {
		cancel()
		wg.Wait()
	}()
	work := make(chan *batch, workers)
	order := make(chan *batch, 2*workers)

	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(work)
		defer close(order)
		record := 0
		for {
			b := &batch{first: record + 1, done: make(chan struct{})}
			for len(b.rows) < batchSize {
				values, line, err := rows.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.readEr = &RowError{Record: record + 1, Line: csvLine(err), Err: csvProblem(err)}
					break
				}
				record++
				b.rows = append(b.rows, values)
				b.lines = append(b.lines, line)
			}
			// Decided before handing b over: a worker clears b.rows.
			last := len(b.rows) < batchSize || b.readEr != nil
			select {
			case order <- b:
			case <-ctx.Done():
				return
			}
			select {
			case work <- b:
			case <-ctx.Done():
				return
			}
			if last {
				return
			}
		}
	}()

	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				n := enc.Len()
				b.clks = make([]byte, n*len(b.rows))
				for i, row := range b.rows {
					if err := enc.EncodeTo(b.clks[i*n:(i+1)*n], row); err != nil {
						b.err = &RowError{Record: b.first + i, Line: b.lines[i], Err: err}
						break
					}
				}
				b.rows = nil
				close(b.done)
			}
		}()
	}
	cw := NewCLKWriter(out)
	var written int64
	for b := range order {
		select {
		case <-b.done:
		case <-ctx.Done():
			return written, ctx.Err()
		}
		if b.err != nil {
			return written, b.err
		}
		n := enc.Len()
		for i := 0; i < len(b.clks)/n; i++ {
			if err := cw.Write(b.clks[i*n : (i+1)*n]); err != nil {
				return written, err
			}
			written++
		}
		if b.readEr != nil {
			return written, b.readEr
		}
		if opt.Progress != nil {
			opt.Progress(written)
		}
	}
	if err := ctx.Err(); err != nil {
		return written, err
	}
	return written, cw.Close()
}

// csvLine and csvProblem keep encoding/csv's line number and reason; the parse error itself
// never contains field values.
func csvLine(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return 0
}

func csvProblem(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return fmt.Errorf("wrong number of columns")
		}
		return fmt.Errorf("character %d of the line: %w", pe.Column, pe.Err)
	}
	return err
}
