package linkage

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
)

// The CLK file format is clkhash's: {"clks": ["<base64>", ...]}. anonlink-client's blocked
// form {"clknblocks": [["<base64>", "<block id>", ...], ...]} is read too; its block ids then
// restrict the comparisons to records sharing one.

// CLKFileError reports a problem in a CLK file: which CLK (0-based, -1 for the file as a whole)
// and what is wrong, never the content.
type CLKFileError struct {
	Index int
	Msg   string
}

func (e *CLKFileError) Error() string {
	if e.Index < 0 {
		return e.Msg
	}
	return fmt.Sprintf("CLK %d: %s", e.Index, e.Msg)
}

// CLKFile is what ReadCLKFile returns.
type CLKFile struct {
	CLKs *CLKSet
	// Blocks holds each CLK's block keys when the file had them (clknblocks), else nil.
	Blocks [][]uint64
}

// ReadCLKFile reads a CLK file as a stream: memory holds the decoded CLKs, never the JSON
// text. nbits is the expected CLK length in bits; 0 takes the length of the first CLK.
func ReadCLKFile(r io.Reader, nbits int) (*CLKFile, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	fail := func(i int, format string, args ...any) error {
		return &CLKFileError{Index: i, Msg: fmt.Sprintf(format, args...)}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fail(-1, "not a JSON object")
	}
	var out *CLKFile
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail(-1, "malformed JSON at byte %d", dec.InputOffset())
		}
		key, _ := tok.(string)
		switch key {
		case "clks", "clknblocks":
			if out != nil {
				return nil, fail(-1, "more than one list of CLKs")
			}
			out = &CLKFile{}
			if err := readCLKList(dec, key == "clknblocks", nbits, out); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fail(-1, "malformed JSON at byte %d", dec.InputOffset())
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail(-1, "malformed JSON at byte %d", dec.InputOffset())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail(-1, "data after the JSON object")
	}
	if out == nil {
		return nil, fail(-1, `no "clks" list`)
	}
	if out.CLKs == nil {
		out.CLKs = NewCLKSet(nbits)
	}
	return out, nil
}

func readCLKList(dec *json.Decoder, blocked bool, nbits int, out *CLKFile) error {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return &CLKFileError{Index: -1, Msg: "the CLKs are not a JSON list"}
	}
	var buf []byte
	for i := 0; dec.More(); i++ {
		fail := func(format string, args ...any) error {
			return &CLKFileError{Index: i, Msg: fmt.Sprintf(format, args...)}
		}
		if i >= maxRecords {
			return fail("too many CLKs")
		}
		var text string
		var keys []uint64
		if blocked {
			var entry []string
			if err := dec.Decode(&entry); err != nil {
				return fail("not a list of strings")
			}
			if len(entry) == 0 {
				return fail("empty entry")
			}
			text = entry[0]
			for _, b := range entry[1:] {
				keys = append(keys, hashBlockID(b))
			}
		} else {
			tok, err := dec.Token()
			if err != nil {
				return fail("malformed JSON")
			}
			s, ok := tok.(string)
			if !ok {
				return fail("not a string")
			}
			text = s
		}
		var err error
		buf, err = base64.StdEncoding.AppendDecode(buf[:0], []byte(text))
		if err != nil {
			return fail("not standard base64")
		}
		if out.CLKs == nil {
			if nbits == 0 {
				nbits = 8 * len(buf)
			}
			if nbits == 0 {
				return fail("empty CLK")
			}
			out.CLKs = NewCLKSet(nbits)
		}
		if err := out.CLKs.Add(buf); err != nil {
			if errors.Is(err, errCLKLength) {
				return fail("%v", err)
			}
			return fail("cannot be read")
		}
		if blocked {
			out.Blocks = append(out.Blocks, keys)
		}
	}
	if _, err := dec.Token(); err != nil {
		return &CLKFileError{Index: -1, Msg: "the CLK list is not closed"}
	}
	return nil
}

func hashBlockID(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// CLKWriter writes a CLK file as a stream, in the order the CLKs are given.
type CLKWriter struct {
	w   *bufio.Writer
	n   int
	buf []byte
}

// NewCLKWriter starts a CLK file on w.
func NewCLKWriter(w io.Writer) *CLKWriter {
	return &CLKWriter{w: bufio.NewWriterSize(w, 1<<16)}
}

// Write appends one CLK.
func (cw *CLKWriter) Write(clk []byte) error {
	if cw.n == 0 {
		cw.w.WriteString(`{"clks": [`)
	} else {
		cw.w.WriteString(", ")
	}
	cw.n++
	cw.buf = append(cw.buf[:0], '"')
	cw.buf = base64.StdEncoding.AppendEncode(cw.buf, clk)
	cw.buf = append(cw.buf, '"')
	_, err := cw.w.Write(cw.buf)
	return err
}

// Close ends the file (an empty list if nothing was written) and flushes it.
func (cw *CLKWriter) Close() error {
	if cw.n == 0 {
		cw.w.WriteString(`{"clks": [`)
	}
	cw.w.WriteString("]}\n")
	return cw.w.Flush()
}
