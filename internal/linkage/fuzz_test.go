package linkage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func FuzzLinkageParseSchema(f *testing.F) {
	f.Add(febrlSchema)
	f.Add(`{"version": 1, "clkConfig": {"l": 1024, "k": 20, "kdf": {"type": "HKDF"}, "hash": {"type": "doubleHash", "prevent_singularity": true}}, "features": [{"identifier": "a", "format": {"type": "date", "format": "%d/%m/%Y"}, "hashing": {"ngram": 2, "weight": 1.5}}]}`)
	f.Add(`{"version": 2, "clkConfig": {"l": 512, "xor_folds": 1, "kdf": {"type": "HKDF", "hash": "SHA512"}}, "features": [{"identifier": "a", "format": {"type": "enum", "values": ["M", "F"]}, "hashing": {"ngram": 1, "strategy": {"numBits": 50}}}]}`)
	f.Add(`{"version": 3, "clkConfig": {"l": 64, "kdf": {"type": "HKDF"}}, "features": [{"identifier": "age", "format": {"type": "integer"}, "hashing": {"comparison": {"type": "numeric", "thresholdDistance": 3, "resolution": 2}, "strategy": {"bitsPerToken": 5}}}]}`)
	f.Add(`{"version": 3}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, doc string) {
		s, err := ParseSchema(strings.NewReader(doc))
		if err != nil {
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		// Whatever parses must give an encoder that encodes a row of empty values.
		if s.L > 4096 || s.XorFolds > 2 {
			return
		}
		enc, err := NewEncoder(s, []byte("k"))
		if err != nil {
			return
		}
		row := make([]string, len(s.Features))
		if clk, err := enc.Encode(row); err == nil && len(clk) != enc.Len() {
			t.Fatalf("CLK of %d bytes, want %d", len(clk), enc.Len())
		}
	})
}

func FuzzLinkageReadCLKFile(f *testing.F) {
	f.Add(`{"clks": ["AAAA", "////"]}`)
	f.Add(`{"clknblocks": [["AAAA", "1", "2"], ["////", "2"]]}`)
	f.Add(`{"meta": {"x": [1, 2]}, "clks": []}`)
	f.Add(`{"clks": ["AAAA"]} trailing`)
	f.Add(`{"clks": [1]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		file, err := ReadCLKFile(strings.NewReader(doc), 0)
		if err != nil {
			var fe *CLKFileError
			if !errors.As(err, &fe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if file.Blocks != nil && len(file.Blocks) != file.CLKs.Len() {
			t.Fatalf("%d block lists for %d CLKs", len(file.Blocks), file.CLKs.Len())
		}
		// Writing the CLKs back and reading them again gives the same set.
		var buf bytes.Buffer
		w := NewCLKWriter(&buf)
		for i := 0; i < file.CLKs.Len(); i++ {
			w.Write(clkBytes(file.CLKs, i))
		}
		w.Close()
		again, err := ReadCLKFile(&buf, file.CLKs.Bits())
		if err != nil || again.CLKs.Len() != file.CLKs.Len() {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func clkBytes(s *CLKSet, i int) []byte {
	out := make([]byte, 0, 8*s.words)
	for _, w := range s.row(i) {
		out = append(out, byte(w>>56), byte(w>>48), byte(w>>40), byte(w>>32), byte(w>>24), byte(w>>16), byte(w>>8), byte(w))
	}
	return out[:(s.bits+7)/8]
}

func FuzzLinkageEncodeCSV(f *testing.F) {
	header := "rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id\n"
	f.Add(header + "rec-1-org,ana,benitez,12,calle palma,,asuncion,1209,py,19900102,1\n")
	f.Add(header + "rec-1-org,\"ana, maria\",benitez,,x,,y,1209,py,,1\n")
	f.Add(header + "a,b\n")
	f.Add(header + "rec-1-org,ana,benitez,12,calle,,x,12000,py,1990,1\n")
	f.Add("\xef\xbb\xbf" + header)
	f.Add("")
	s, err := ParseSchema(strings.NewReader(febrlSchema))
	if err != nil {
		f.Fatal(err)
	}
	enc, err := NewEncoder(s, []byte("fuzz"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data string) {
		n, err := EncodeCSV(context.Background(), enc, strings.NewReader(data), io.Discard, EncodeOptions{Workers: 2})
		if err != nil {
			// Errors name positions and reasons, never the values: no field of the input may
			// appear in the message unless it is also in the schema's text.
			for _, field := range strings.FieldsFunc(data, func(r rune) bool { return r == ',' || r == '\n' || r == '"' }) {
				if len(field) >= 6 && strings.Contains(err.Error(), field) && !strings.Contains(febrlSchema, field) {
					t.Fatalf("error %q repeats input %q", err, field)
				}
			}
			return
		}
		if n < 0 {
			t.Fatalf("negative count %d", n)
		}
	})
}

func FuzzLinkageStrptime(f *testing.F) {
	f.Add("1963-12-13", "%Y-%m-%d")
	f.Add("13 Dec 63", "%d %b %y")
	f.Add("2000/366", "%Y/%j")
	f.Fuzz(func(t *testing.T, value, layout string) {
		if checkDateLayout(layout) != nil {
			return
		}
		y, m, d, err := strptimeDate(value, layout)
		if err != nil {
			return
		}
		if m < 1 || m > 12 || d < 1 || d > daysIn(m, isLeap(y)) || y < 0 {
			t.Fatalf("%q in %q gave %d-%d-%d", value, layout, y, m, d)
		}
	})
}
