package linkage

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
)

// Schema is a linkage schema (the clkhash format), upgraded to version 3 whatever version was
// read. Both parties of a linkage must use the same schema and the same secret.
type Schema struct {
	// Version is the version of the document as read (1, 2 or 3).
	Version int
	// L is the length of a CLK in bits, after XOR folding.
	L int
	// XorFolds is how many times the filter is folded in half.
	XorFolds int
	// KDF says how the per-feature keys are derived from the secret.
	KDF KDF
	// Features are in input-column order, ignored ones included.
	Features []Feature
}

// KDF is the key derivation configuration: HKDF with SHA-256 or SHA-512.
type KDF struct {
	Hash    string // "SHA256" or "SHA512"
	Salt    []byte // nil: HashLen zero bytes, as HKDF specifies
	Info    []byte
	KeySize int
}

// Feature is one input column.
type Feature struct {
	Identifier string
	Ignored    bool
	Format     Format
	Hashing    Hashing
}

// Format says how a column's values look and how they are turned into the string that is
// tokenised.
type Format struct {
	Type      string // "string", "integer", "date" or "enum"
	Encoding  string // for strings: "utf-8" (default), "ascii", "utf-16" or "utf-32"
	Case      string // for strings: "upper", "lower" or "mixed"
	MinLength int
	MaxLength int // 0: no maximum
	Pattern   *regexp.Regexp
	Minimum   *int64 // for integers
	Maximum   *int64
	Date      string // for dates: the strptime pattern
	Values    []string
}

// Hashing says how a feature's tokens become bits.
type Hashing struct {
	Comparison Comparison
	// Exactly one of BitsPerToken and BitsPerFeature is positive.
	BitsPerToken   int
	BitsPerFeature int
	// Hash is "blakeHash" or "doubleHash".
	Hash               string
	PreventSingularity bool
	Missing            *MissingValue
}

// Comparison is how a value is tokenised.
type Comparison struct {
	Type       string // "ngram", "exact" or "numeric"
	N          int
	Positional bool
	// Numeric comparison (Vatsalan and Christen's neighbourhoods).
	ThresholdDistance   float64
	Resolution          int
	FractionalPrecision int
}

// MissingValue replaces a sentinel value before formatting; a replacement is hashed as it is.
type MissingValue struct {
	Sentinel    string
	ReplaceWith string
}

// SchemaError reports a problem in a schema document, naming where it is.
type SchemaError struct {
	Path string // for example "features[2].hashing.strategy"
	Msg  string
}

func (e *SchemaError) Error() string {
	if e.Path == "" {
		return "schema: " + e.Msg
	}
	return "schema: " + e.Path + ": " + e.Msg
}

func schemaErr(path, format string, args ...any) error {
	return &SchemaError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// maxSchemaBytes bounds what ParseSchema reads: real schemas are a few kilobytes.
const maxSchemaBytes = 1 << 20

// ParseSchema reads a linkage schema of version 1, 2 or 3 and returns it as version 3.
func ParseSchema(r io.Reader) (*Schema, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSchemaBytes+1))
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if len(data) > maxSchemaBytes {
		return nil, schemaErr("", "larger than %d bytes", maxSchemaBytes)
	}
	var top map[string]json.RawMessage
	if err := decodeStrict(data, &top); err != nil {
		return nil, schemaErr("", "not a JSON object: %v", jsonProblem(data, err))
	}
	var version float64
	if err := need(top, "", "version", &version); err != nil {
		return nil, err
	}
	if version != 1 && version != 2 && version != 3 {
		return nil, schemaErr("version", "version %v is not supported (1, 2 or 3)", version)
	}
	s := &Schema{Version: int(version)}

	var cfg map[string]json.RawMessage
	if err := need(top, "", "clkConfig", &cfg); err != nil {
		return nil, err
	}
	if err := need(cfg, "clkConfig", "l", &s.L); err != nil {
		return nil, err
	}
	if s.L < 1 {
		return nil, schemaErr("clkConfig.l", "must be at least 1")
	}
	// The documented key is xorFolds; clkhash 0.18 reads xor_folds. Both are accepted and mean
	// the same here; a schema giving both must agree with itself.
	folds, err1 := optionalInt(cfg, "clkConfig", "xorFolds", 0)
	folds2, err2 := optionalInt(cfg, "clkConfig", "xor_folds", folds)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	if _, both := cfg["xorFolds"]; both && folds != folds2 {
		return nil, schemaErr("clkConfig", "xorFolds and xor_folds disagree")
	}
	if folds < 0 || folds > 8 {
		return nil, schemaErr("clkConfig.xorFolds", "must be between 0 and 8")
	}
	s.XorFolds = folds2
	// Real schemas use 1024 to 4096 bits; the bounds keep a hostile schema from exhausting
	// memory.
	if s.L > 1<<16 || s.L<<s.XorFolds > 1<<20 {
		return nil, schemaErr("clkConfig.l", "filter too long")
	}
	if err := parseKDF(cfg, &s.KDF); err != nil {
		return nil, err
	}

	// Version 1 keeps k and the hash function globally; the features inherit them.
	var v1 v1Globals
	if s.Version == 1 {
		if err := need(cfg, "clkConfig", "k", &v1.k); err != nil {
			return nil, err
		}
		var h map[string]json.RawMessage
		if err := need(cfg, "clkConfig", "hash", &h); err != nil {
			return nil, err
		}
		if err := parseHash(h, "clkConfig.hash", &v1.hash); err != nil {
			return nil, err
		}
	}

	var features []json.RawMessage
	if err := need(top, "", "features", &features); err != nil {
		return nil, err
	}
	if len(features) == 0 {
		return nil, schemaErr("features", "no features")
	}
	for i, raw := range features {
		path := fmt.Sprintf("features[%d]", i)
		f, err := parseFeature(raw, path, s.Version, &v1)
		if err != nil {
			return nil, err
		}
		s.Features = append(s.Features, f)
	}
	hashLen := 32
	if s.KDF.Hash == "SHA512" {
		hashLen = 64
	}
	if len(s.Features)*2*s.KDF.KeySize > 255*hashLen {
		return nil, schemaErr("clkConfig.kdf", "HKDF cannot derive %d keys of %d bytes", 2*len(s.Features), s.KDF.KeySize)
	}
	for _, f := range s.Features {
		if !f.Ignored && f.Hashing.Hash == "blakeHash" && !isPowerOfTwo(s.L<<s.XorFolds) {
			return nil, schemaErr("clkConfig.l", "blakeHash needs a power of two")
		}
	}
	return s, nil
}

// Active reports how many features are hashed (not ignored).
func (s *Schema) Active() int {
	n := 0
	for _, f := range s.Features {
		if !f.Ignored {
			n++
		}
	}
	return n
}

type v1Globals struct {
	k    float64
	hash hashSpec
}

type hashSpec struct {
	typ                string
	preventSingularity bool
}

func isPowerOfTwo(n int) bool { return n > 0 && n&(n-1) == 0 }

func parseKDF(cfg map[string]json.RawMessage, k *KDF) error {
	var kdf map[string]json.RawMessage
	if err := need(cfg, "clkConfig", "kdf", &kdf); err != nil {
		return err
	}
	var typ string
	if err := need(kdf, "clkConfig.kdf", "type", &typ); err != nil {
		return err
	}
	if typ != "HKDF" {
		return schemaErr("clkConfig.kdf.type", "only HKDF is supported")
	}
	k.Hash = "SHA256"
	if err := optional(kdf, "clkConfig.kdf", "hash", &k.Hash); err != nil {
		return err
	}
	if k.Hash != "SHA256" && k.Hash != "SHA512" {
		return schemaErr("clkConfig.kdf.hash", "must be SHA256 or SHA512")
	}
	for _, name := range []string{"salt", "info"} {
		if _, ok := kdf[name]; !ok {
			continue
		}
		var b64 string
		if err := need(kdf, "clkConfig.kdf", name, &b64); err != nil {
			return err
		}
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return schemaErr("clkConfig.kdf."+name, "not standard base64")
		}
		if name == "salt" {
			k.Salt = b
		} else {
			k.Info = b
		}
	}
	size, err := optionalInt(kdf, "clkConfig.kdf", "keySize", 64)
	if err != nil {
		return err
	}
	if size < 1 || size > 64 {
		// BLAKE2b keys are at most 64 bytes; clkhash's default is 64.
		return schemaErr("clkConfig.kdf.keySize", "must be between 1 and 64")
	}
	k.KeySize = size
	return nil
}

func parseHash(h map[string]json.RawMessage, path string, out *hashSpec) error {
	if err := need(h, path, "type", &out.typ); err != nil {
		return err
	}
	if out.typ != "blakeHash" && out.typ != "doubleHash" {
		return schemaErr(path+".type", "must be blakeHash or doubleHash")
	}
	if _, ok := h["prevent_singularity"]; ok {
		if out.typ != "doubleHash" {
			return schemaErr(path, "prevent_singularity applies to doubleHash only")
		}
		if err := need(h, path, "prevent_singularity", &out.preventSingularity); err != nil {
			return err
		}
	}
	return nil
}

func parseFeature(raw json.RawMessage, path string, version int, v1 *v1Globals) (Feature, error) {
	var obj map[string]json.RawMessage
	if err := decodeStrict(raw, &obj); err != nil {
		return Feature{}, schemaErr(path, "not a JSON object")
	}
	var f Feature
	if err := need(obj, path, "identifier", &f.Identifier); err != nil {
		return f, err
	}
	if err := optional(obj, path, "ignored", &f.Ignored); err != nil {
		return f, err
	}
	if f.Ignored {
		return f, nil
	}
	var format, hashing map[string]json.RawMessage
	if err := need(obj, path, "format", &format); err != nil {
		return f, err
	}
	if err := need(obj, path, "hashing", &hashing); err != nil {
		return f, err
	}
	if err := parseFormat(format, path+".format", &f.Format); err != nil {
		return f, err
	}
	hp := path + ".hashing"
	h := &f.Hashing
	switch version {
	case 1:
		weight := 1.0
		if err := optional(hashing, hp, "weight", &weight); err != nil {
			return f, err
		}
		if weight < 0 {
			return f, schemaErr(hp+".weight", "must not be negative")
		}
		if weight == 0 {
			// clkhash turns a zero-weight feature into an ignored one.
			return Feature{Identifier: f.Identifier, Ignored: true}, nil
		}
		// Python's round() rounds halves to even; so must this, to give the same k.
		h.BitsPerToken = int(math.RoundToEven(weight * v1.k))
		h.Hash, h.PreventSingularity = v1.hash.typ, v1.hash.preventSingularity
		if err := parseNgram(hashing, hp, &h.Comparison); err != nil {
			return f, err
		}
	case 2:
		if err := parseStrategy(hashing, hp, "k", "numBits", h); err != nil {
			return f, err
		}
		if err := parseNgram(hashing, hp, &h.Comparison); err != nil {
			return f, err
		}
		if err := parseFeatureHash(hashing, hp, h); err != nil {
			return f, err
		}
	default:
		if err := parseStrategy(hashing, hp, "bitsPerToken", "bitsPerFeature", h); err != nil {
			return f, err
		}
		var cmp map[string]json.RawMessage
		if err := need(hashing, hp, "comparison", &cmp); err != nil {
			return f, err
		}
		if err := parseComparison(cmp, hp+".comparison", &h.Comparison); err != nil {
			return f, err
		}
		if err := parseFeatureHash(hashing, hp, h); err != nil {
			return f, err
		}
	}
	if h.BitsPerToken <= 0 && h.BitsPerFeature <= 0 {
		return f, schemaErr(hp, "bits per token or per feature must be positive")
	}
	if h.BitsPerToken > 1<<12 || h.BitsPerFeature > 1<<16 {
		return f, schemaErr(hp, "too many bits")
	}
	if _, ok := hashing["missingValue"]; ok {
		var mv map[string]json.RawMessage
		if err := need(hashing, hp, "missingValue", &mv); err != nil {
			return f, err
		}
		h.Missing = &MissingValue{}
		if err := need(mv, hp+".missingValue", "sentinel", &h.Missing.Sentinel); err != nil {
			return f, err
		}
		h.Missing.ReplaceWith = h.Missing.Sentinel
		if err := optional(mv, hp+".missingValue", "replaceWith", &h.Missing.ReplaceWith); err != nil {
			return f, err
		}
	}
	return f, nil
}

func parseFeatureHash(hashing map[string]json.RawMessage, hp string, h *Hashing) error {
	h.Hash = "blakeHash"
	if _, ok := hashing["hash"]; !ok {
		return nil
	}
	var hm map[string]json.RawMessage
	if err := need(hashing, hp, "hash", &hm); err != nil {
		return err
	}
	var spec hashSpec
	if err := parseHash(hm, hp+".hash", &spec); err != nil {
		return err
	}
	h.Hash, h.PreventSingularity = spec.typ, spec.preventSingularity
	return nil
}

func parseStrategy(hashing map[string]json.RawMessage, hp, perToken, perFeature string, h *Hashing) error {
	var st map[string]json.RawMessage
	if err := need(hashing, hp, "strategy", &st); err != nil {
		return err
	}
	_, hasT := st[perToken]
	_, hasF := st[perFeature]
	switch {
	case hasT == hasF:
		return schemaErr(hp+".strategy", "needs exactly one of %s and %s", perToken, perFeature)
	case hasT:
		v, err := positiveCount(st, hp+".strategy", perToken)
		h.BitsPerToken = v
		return err
	default:
		v, err := positiveCount(st, hp+".strategy", perFeature)
		h.BitsPerFeature = v
		return err
	}
}

// positiveCount reads a number that must be a positive whole number (v2 allowed "number").
func positiveCount(obj map[string]json.RawMessage, path, name string) (int, error) {
	var v float64
	if err := need(obj, path, name, &v); err != nil {
		return 0, err
	}
	if v < 1 || v != math.Trunc(v) || v > 1<<20 {
		return 0, schemaErr(path+"."+name, "must be a positive whole number")
	}
	return int(v), nil
}

func parseNgram(hashing map[string]json.RawMessage, hp string, c *Comparison) error {
	c.Type = "ngram"
	if err := need(hashing, hp, "ngram", &c.N); err != nil {
		return err
	}
	if c.N < 0 || c.N > 64 {
		return schemaErr(hp+".ngram", "must be between 0 and 64")
	}
	return optional(hashing, hp, "positional", &c.Positional)
}

func parseComparison(cmp map[string]json.RawMessage, path string, c *Comparison) error {
	if err := need(cmp, path, "type", &c.Type); err != nil {
		return err
	}
	switch c.Type {
	case "ngram":
		if err := need(cmp, path, "n", &c.N); err != nil {
			return err
		}
		if c.N < 1 || c.N > 64 {
			return schemaErr(path+".n", "must be between 1 and 64")
		}
		return optional(cmp, path, "positional", &c.Positional)
	case "exact":
		return nil
	case "numeric":
		if err := need(cmp, path, "thresholdDistance", &c.ThresholdDistance); err != nil {
			return err
		}
		if !(c.ThresholdDistance > 0) || math.IsInf(c.ThresholdDistance, 0) {
			return schemaErr(path+".thresholdDistance", "must be positive")
		}
		if err := need(cmp, path, "resolution", &c.Resolution); err != nil {
			return err
		}
		if c.Resolution < 1 || c.Resolution > 1024 {
			return schemaErr(path+".resolution", "must be between 1 and 1024")
		}
		// clkhash's schema document names it fractionalPrecision and its code reads
		// fractional_precision; either is accepted.
		p, err := optionalInt(cmp, path, "fractionalPrecision", 0)
		if err != nil {
			return err
		}
		if p, err = optionalInt(cmp, path, "fractional_precision", p); err != nil {
			return err
		}
		if p < 0 || p > 15 {
			return schemaErr(path+".fractionalPrecision", "must be between 0 and 15")
		}
		c.FractionalPrecision = p
		if math.Round(c.ThresholdDistance*math.Pow10(p)) == 0 {
			return schemaErr(path, "not enough fractional precision for the threshold distance")
		}
		return nil
	default:
		return schemaErr(path+".type", "must be ngram, exact or numeric")
	}
}

func parseFormat(format map[string]json.RawMessage, path string, f *Format) error {
	if err := need(format, path, "type", &f.Type); err != nil {
		return err
	}
	f.Encoding = "utf-8"
	switch f.Type {
	case "string":
		if err := optional(format, path, "encoding", &f.Encoding); err != nil {
			return err
		}
		f.Encoding = strings.ToLower(f.Encoding)
		switch f.Encoding {
		case "utf-8", "ascii", "utf-16", "utf-32":
		default:
			return schemaErr(path+".encoding", "must be ascii, utf-8, utf-16 or utf-32")
		}
		f.Case = "mixed"
		if err := optional(format, path, "case", &f.Case); err != nil {
			return err
		}
		if f.Case != "mixed" && f.Case != "upper" && f.Case != "lower" {
			return schemaErr(path+".case", "must be upper, lower or mixed")
		}
		var err error
		if f.MinLength, err = optionalInt(format, path, "minLength", 0); err != nil {
			return err
		}
		if f.MaxLength, err = optionalInt(format, path, "maxLength", 0); err != nil {
			return err
		}
		if f.MinLength < 0 || f.MaxLength < 0 || (f.MaxLength > 0 && f.MaxLength < f.MinLength) {
			return schemaErr(path, "minLength and maxLength are inconsistent")
		}
		if _, ok := format["pattern"]; ok {
			var p string
			if err := need(format, path, "pattern", &p); err != nil {
				return err
			}
			re, err := regexp.Compile(`^(?:` + p + `)$`)
			if err != nil {
				return schemaErr(path+".pattern", "not a regular expression this program understands")
			}
			f.Pattern = re
		}
	case "integer":
		for _, name := range []string{"minimum", "maximum"} {
			if _, ok := format[name]; !ok {
				continue
			}
			var v int64
			if err := need(format, path, name, &v); err != nil {
				return err
			}
			if name == "minimum" {
				f.Minimum = &v
			} else {
				f.Maximum = &v
			}
		}
	case "date":
		if err := need(format, path, "format", &f.Date); err != nil {
			return err
		}
		if err := checkDateLayout(f.Date); err != nil {
			return schemaErr(path+".format", "%v", err)
		}
	case "enum":
		if err := need(format, path, "values", &f.Values); err != nil {
			return err
		}
	default:
		return schemaErr(path+".type", "must be string, integer, date or enum")
	}
	return nil
}

// decodeStrict decodes one JSON value and refuses trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// jsonProblem describes a JSON syntax error with its line, so that a partner can find it.
func jsonProblem(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("line %d: %v", line, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("expected %v, found %s", te.Type, te.Value)
	}
	return err.Error()
}

func need(obj map[string]json.RawMessage, path, name string, v any) error {
	raw, ok := obj[name]
	if !ok {
		return schemaErr(path, "%q is missing", name)
	}
	return decodeField(raw, path, name, v)
}

func optional(obj map[string]json.RawMessage, path, name string, v any) error {
	raw, ok := obj[name]
	if !ok {
		return nil
	}
	return decodeField(raw, path, name, v)
}

func optionalInt(obj map[string]json.RawMessage, path, name string, def int) (int, error) {
	v := def
	err := optional(obj, path, name, &v)
	return v, err
}

func decodeField(raw json.RawMessage, path, name string, v any) error {
	p := name
	if path != "" {
		p = path + "." + name
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return schemaErr(p, "must not be null")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return schemaErr(p, "%s", jsonProblem(raw, err))
	}
	return nil
}
