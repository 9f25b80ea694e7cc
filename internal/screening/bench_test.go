package screening

import (
	"os"
	"testing"
)

// BenchmarkScreen measures a whole screening as the CLI and the API do it: parse and validate
// the input document, apply the four frameworks, explain in Spanish. It reports screenings/s.
func BenchmarkScreen(b *testing.B) {
	rb, err := Embedded()
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile("testdata/inputs/brick-kiln-boy-15.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		in, err := rb.ParseInput(data)
		if err != nil {
			b.Fatal(err)
		}
		rb.Screen(in, Spanish)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "screenings/s")
}

// BenchmarkScreenEngineOnly leaves out parsing, to show what the rules themselves cost.
func BenchmarkScreenEngineOnly(b *testing.B) {
	rb, err := Embedded()
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile("testdata/inputs/brick-kiln-boy-15.json")
	if err != nil {
		b.Fatal(err)
	}
	in, err := rb.ParseInput(data)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rb.Screen(in, Spanish)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "screenings/s")
}
