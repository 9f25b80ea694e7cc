package persons

import (
	"bytes"
	"encoding/csv"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"nanduti/internal/testutil"
)

func TestNormalizePhone(t *testing.T) {
	cases := []struct{ in, want string }{
		{"0981 123 456", "+595981123456"},
		{"(021) 555-123", "+59521555123"},
		{"981123456", "+595981123456"},
		{"+595 981 123456", "+595981123456"},
		{"00 55 45 99999 8888", "+5545999998888"},
		{"+54 9 11 1234 5678", "+5491112345678"},
		{"0981.123.456", "+595981123456"},
	}
	for _, c := range cases {
		if got, err := NormalizePhone(c.in); err != nil || got != c.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "abc", "12", "+0981123456", "0981-123-456 int 4", "1234567890123456789", "++595981"} {
		if got, err := NormalizePhone(bad); err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", bad, got)
		}
	}
}

func TestNormalizeDocument(t *testing.T) {
	cases := map[string]string{"1.234.567": "1234567", " 1 234 567 ": "1234567", "fz-123456": "FZ123456",
		"Pasaporte Nº 55": "PASAPORTEN55", "Ñú-1": "ÑU1", "---": ""}
	for in, want := range cases {
		if got := NormalizeDocument(in); got != want {
			t.Errorf("NormalizeDocument(%q) = %q, want %q", in, got, want)
		}
	}
}

// The embedded departments are the INE's, and every district code of the INE table passes the
// district check (read from ../shared at test time, never copied here).
func TestDepartmentsMatchINE(t *testing.T) {
	read := func(rel string) [][]string {
		f, err := os.Open(testutil.SharedFile(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows[1:]
	}
	deps := read("data/paraguay/py_departamentos_ine_codes.csv")
	if len(deps) != len(Departments) {
		t.Fatalf("INE lists %d departments, the code %d", len(deps), len(Departments))
	}
	for i, row := range deps {
		d := Departments[i]
		if d.Code != row[0] || strings.ToUpper(d.Name) != row[1] {
			t.Errorf("department %d: code has %s %q, INE %s %q", i, d.Code, d.Name, row[0], row[1])
		}
	}
	districts := read("data/paraguay/py_departamentos_distritos_ine_codes.csv")
	for _, row := range districts {
		if !ValidDistrict(row[1], row[3]) {
			t.Errorf("district %s %s (%s) fails the check", row[1], row[3], row[4])
		}
	}
	if len(districts) < 250 {
		t.Errorf("only %d districts read", len(districts))
	}
	for _, bad := range [][2]string{{"10", "00"}, {"00", "01"}, {"18", "01"}, {"10", "1"}, {"10", "a1"}, {"", "01"}} {
		if ValidDistrict(bad[0], bad[1]) {
			t.Errorf("ValidDistrict(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestCountriesAndLanguages(t *testing.T) {
	for in, want := range map[string]string{"PY": "PRY", "pry": "PRY", "BR": "BRA", "ARG": "ARG", "xk": "XKX", "KOR": "KOR"} {
		if got, ok := NormalizeCountry(in); !ok || got != want {
			t.Errorf("NormalizeCountry(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "EU", "ZZ", "UN", "QO", "419", "PARAGUAY", "P1"} {
		if got, ok := NormalizeCountry(bad); ok {
			t.Errorf("NormalizeCountry(%q) = %q, want refused", bad, got)
		}
	}
	for in, want := range map[string]string{"es": "es", "spa": "es", "GN": "gn", "grn": "gn", "pdt": "pdt", "por": "pt"} {
		if got, ok := NormalizeLanguage(in); !ok || got != want {
			t.Errorf("NormalizeLanguage(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "xx", "und", "spanish", "e"} {
		if got, ok := NormalizeLanguage(bad); ok {
			t.Errorf("NormalizeLanguage(%q) = %q, want refused", bad, got)
		}
	}
	for _, l := range Languages {
		if got, ok := NormalizeLanguage(l); !ok || got != l {
			t.Errorf("offered language %q is not canonical (%q)", l, got)
		}
	}
}

// testImage encodes a small image; the tests of the whole module use it for photos.
func testImage(t testing.TB, format string, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{200, 30, 60, 255})
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCheckPhoto(t *testing.T) {
	for format, want := range map[string]string{"png": "image/png", "jpeg": "image/jpeg"} {
		b := testImage(t, format, 40, 30)
		if ct, err := CheckPhoto(b); err != nil || ct != want || PhotoContentType(b) != want {
			t.Errorf("%s: %q %v", format, ct, err)
		}
	}
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	cases := map[string][]byte{
		"gif":        gif,
		"text":       []byte("<svg onload=alert(1)>"),
		"jpeg magic": []byte("\xff\xd8\xff garbage"),
		"too large":  append(testImage(t, "png", 2, 2), make([]byte, MaxPhotoBytes)...),
		"huge size":  pngHeader(t, 20000, 20000),
	}
	for name, b := range cases {
		if _, err := CheckPhoto(b); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// pngHeader is the start of a PNG that claims the given size.
func pngHeader(t *testing.T, w, h int) []byte {
	b := testImage(t, "png", 1, 1)
	out := append([]byte(nil), b...)
	// IHDR width and height, big-endian, at bytes 16..23; the CRC is not checked by
	// DecodeConfig.
	out[16], out[17], out[18], out[19] = byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
	out[20], out[21], out[22], out[23] = byte(h>>24), byte(h>>16), byte(h>>8), byte(h)
	return out
}
