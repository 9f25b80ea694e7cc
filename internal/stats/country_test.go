package stats

import (
	"encoding/csv"
	"os"
	"testing"

	"nanduti/internal/testutil"
)

// checkRegionTable compares the built-in ISO table with the CTDC dictionary's region table,
// which lists alpha-2 and alpha-3 codes side by side (some rows there are CTDC's own codes
// without an alpha-3; those are skipped).
func checkRegionTable(t *testing.T) {
	f, err := os.Open(testutil.SharedFile(t, "data/ctdc/CTDC_VPsynthetic_dict_20221201_Region.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for _, r := range rows[1:] {
		a2, a3 := r[0], r[1]
		if len(a3) != 3 || a3 == "NULL" {
			continue
		}
		c, ok := LookupCountry(a2)
		if !ok {
			// CTDC's own codes (Y1 for Kosovo counted under Serbia, TB under China).
			continue
		}
		if c.Alpha3 != a3 {
			t.Errorf("%s: alpha-3 %s, the CTDC table says %s", a2, c.Alpha3, a3)
		}
		matched++
	}
	if matched < 240 {
		t.Errorf("only %d countries matched", matched)
	}
}
