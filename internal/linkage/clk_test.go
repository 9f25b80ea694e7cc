package linkage

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/bits"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/blake2b"

	"nanduti/internal/testutil"
)

type testVectors struct {
	DoubleHash struct {
		Secret     string            `json:"secret_utf8"`
		SchemaV1   json.RawMessage   `json:"schema_v1"`
		V3PerField []json.RawMessage `json:"equivalent_v3_per_field"`
		Cases      []struct {
			Row       []string `json:"row"`
			Formatted []string `json:"formatted"`
			CLK       string   `json:"clk_base64"`
		} `json:"cases"`
	} `json:"doubleHash_regression_v1_schema"`
	Singularity struct {
		KeySHA1 string            `json:"key_sha1"`
		KeyMD5  string            `json:"key_md5"`
		K       int               `json:"k"`
		L       int               `json:"l"`
		Expect  map[string]string `json:"expect"`
	} `json:"doubleHash_singularity"`
	EM struct {
		Truth map[string]json.RawMessage `json:"truth"`
	} `json:"splink_em_known_params"`
	JaroWinkler struct {
		Values map[string]float64 `json:"values"`
	} `json:"jaro_winkler_standard"`
}

func loadVectors(t testing.TB) *testVectors {
	t.Helper()
	data, err := os.ReadFile(testutil.SharedFile(t, "data/linkage/test-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v testVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return &v
}

func mustSchema(t testing.TB, doc string) *Schema {
	t.Helper()
	s, err := ParseSchema(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("ParseSchema: %v", err)
	}
	return s
}

func TestLinkageDoubleHashRegressionV1(t *testing.T) {
	v := loadVectors(t)
	dh := v.DoubleHash
	s := mustSchema(t, string(dh.SchemaV1))
	if s.Version != 1 || len(s.Features) != 5 {
		t.Fatalf("schema: version %d, %d features", s.Version, len(s.Features))
	}
	// The v1 upgrade must give the v3 settings the reference lists.
	for i, raw := range dh.V3PerField {
		var want struct {
			Comparison struct {
				N          int  `json:"n"`
				Positional bool `json:"positional"`
			} `json:"comparison"`
			Strategy struct {
				BitsPerToken int `json:"bitsPerToken"`
			} `json:"strategy"`
			Hash struct {
				Type string `json:"type"`
			} `json:"hash"`
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		h := s.Features[i].Hashing
		if h.Comparison.N != want.Comparison.N || h.Comparison.Positional != want.Comparison.Positional ||
			h.BitsPerToken != want.Strategy.BitsPerToken || h.Hash != want.Hash.Type {
			t.Errorf("feature %d upgraded to %+v, want %s", i, h, raw)
		}
	}
	enc, err := NewEncoder(s, []byte(dh.Secret))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range dh.Cases {
		for j, f := range s.Features {
			got, err := formatValue(&f, c.Row[j])
			if err != nil || got != c.Formatted[j] {
				t.Errorf("case %d feature %d: formatted %q, %v; want %q", i, j, got, err, c.Formatted[j])
			}
		}
		clk, err := enc.Encode(c.Row)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if got := base64.StdEncoding.EncodeToString(clk); got != c.CLK {
			t.Errorf("case %d: CLK\n got %s\nwant %s", i, got, c.CLK)
		}
	}

	// The same CLKs from a hand-written v3 schema with the upgraded settings.
	var v1 map[string]any
	if err := json.Unmarshal(dh.SchemaV1, &v1); err != nil {
		t.Fatal(err)
	}
	cfg := v1["clkConfig"].(map[string]any)
	delete(cfg, "k")
	delete(cfg, "hash")
	v1["version"] = 3
	for i, f := range v1["features"].([]any) {
		var hashing map[string]any
		if err := json.Unmarshal(dh.V3PerField[i], &hashing); err != nil {
			t.Fatal(err)
		}
		f.(map[string]any)["hashing"] = hashing
	}
	v3doc, _ := json.Marshal(v1)
	s3 := mustSchema(t, string(v3doc))
	enc3, err := NewEncoder(s3, []byte(dh.Secret))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range dh.Cases {
		clk, err := enc3.Encode(c.Row)
		if err != nil {
			t.Fatal(err)
		}
		if got := base64.StdEncoding.EncodeToString(clk); got != c.CLK {
			t.Errorf("v3 case %d: CLK differs from the v1 one", i)
		}
	}
}

func TestLinkageDoubleHashSingularity(t *testing.T) {
	v := loadVectors(t).Singularity
	if len(v.Expect) == 0 {
		t.Fatal("no singularity cases in the test vectors")
	}
	encode := func(token string, prevent bool) []byte {
		s := &Schema{L: v.L, KDF: KDF{KeySize: len(v.KeySHA1)}, Features: []Feature{{
			Identifier: "x", Format: Format{Type: "string", Encoding: "ascii"},
			Hashing: Hashing{Comparison: Comparison{Type: "exact"}, BitsPerToken: v.K,
				Hash: "doubleHash", PreventSingularity: prevent},
		}}}
		e := &Encoder{schema: s, hashBits: v.L, features: []featureEncoder{{
			f: &s.Features[0], key0: []byte(v.KeySHA1), key1: []byte(v.KeyMD5)}}}
		e.scratch.New = func() any { return e.newScratch() }
		clk, err := e.Encode([]string{token})
		if err != nil {
			t.Fatal(err)
		}
		return clk
	}
	for token, expect := range v.Expect {
		plain, fixed := popcount(encode(token, false)), popcount(encode(token, true))
		singular := strings.HasPrefix(expect, "popcount 1 ")
		switch {
		case singular && (plain != 1 || fixed <= 1):
			t.Errorf("%s: popcount %d without and %d with prevent_singularity; want 1 and more", token, plain, fixed)
		case !singular && (plain <= 1 || !bytes.Equal(encode(token, false), encode(token, true))):
			t.Errorf("%s: popcount %d; want > 1 and the same filter either way", token, plain)
		}
	}
}

func popcount(b []byte) int {
	n := 0
	for _, c := range b {
		n += bits.OnesCount8(c)
	}
	return n
}

func TestLinkageBlake2bSalted(t *testing.T) {
	key := make([]byte, 64)
	for i := range key {
		key[i] = byte(i)
	}
	// Expected digests from Python's hashlib.blake2b(msg, key=key, salt=str(d).encode()).
	cases := []struct {
		msg  string
		salt int
		want string
	}{
		{"ab", 0, "52872e07b331713aff6aec8150e0211abbb611f00bf4673e22a09a766df9c6b9c2d229c95d506d1d6ed9492fcbb8a95766c38e19412be55cbf72e220b8c4e901"},
		{"ab", 1, "3f0f1a3286a096e69cb538e05a97a2831619469ea58e6f79f719eb520acbe4a487f6e53ac8edc8d9c5373b063ff08ca8dea501ede8f15e15a634440794e5b385"},
		{"ab", 12, "c25310d04ad82d418833e2426cda6294c58620fd40786e22dc4c88b53583b4651d6d2ea2ea221082dd820e30b9d8d101082090fab43d35a458b21df233e7d028"},
		{"", 0, "906660fea884daa64847b4686cfbb0e13ae72c1688fa7afe1a20ce8ae5b4f7e5e26c880aff0507419cee3432702e3cf5fa997c85b3172da579994ceeb94969b3"},
		{strings.Repeat("x", 300), 3, "d0e2108a5199ed2d723c78dca87ddfc743ce9259c00b1faf144d33d5b28c1350c5184d4283d855d006eb92f6cca4ba18e822122da0ecec5d93e6cb8295fd665c"},
	}
	for _, c := range cases {
		var out [64]byte
		newBlakeKeyed(key, blakeSalt(c.salt)).sum([]byte(c.msg), &out)
		if got := hex.EncodeToString(out[:]); got != c.want {
			t.Errorf("blake2b(%d bytes, salt %d) = %s, want %s", len(c.msg), c.salt, got, c.want)
		}
	}
	// With an all-zero salt the result must be plain keyed BLAKE2b-512.
	for _, n := range []int{0, 1, 127, 128, 129, 256, 1000} {
		msg := bytes.Repeat([]byte{0xa5}, n)
		var out [64]byte
		newBlakeKeyed(key[:37], &[16]byte{}).sum(msg, &out)
		h, _ := blake2b.New512(key[:37])
		h.Write(msg)
		if !bytes.Equal(out[:], h.Sum(nil)) {
			t.Errorf("unsalted %d-byte message differs from x/crypto blake2b", n)
		}
	}
}
