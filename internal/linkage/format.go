package linkage

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The value rules below follow clkhash's field formats so that both parties turn the same
// input into the same string: a sentinel is replaced first and its replacement is not
// formatted; integers are written in decimal; dates become YYYYMMDD; strings and enums are
// used as they are. Errors never quote the value: it may be a person's name.

// errValue is returned, wrapped, for a value that does not fit its feature's format.
var errValue = errors.New("value does not fit the schema")

// formatValue returns the string that feature f tokenises for the input value v.
func formatValue(f *Feature, v string) (string, error) {
	if m := f.Hashing.Missing; m != nil && v == m.Sentinel {
		return m.ReplaceWith, nil
	}
	switch f.Format.Type {
	case "string":
		return v, checkString(&f.Format, v)
	case "enum":
		for _, allowed := range f.Format.Values {
			if v == allowed {
				return v, nil
			}
		}
		return "", fmt.Errorf("%w: not one of the %d allowed values", errValue, len(f.Format.Values))
	case "integer":
		n, err := parsePythonInt(v)
		if err != nil {
			return "", fmt.Errorf("%w: not an integer", errValue)
		}
		if f.Format.Minimum != nil && n < *f.Format.Minimum {
			return "", fmt.Errorf("%w: below the minimum %d", errValue, *f.Format.Minimum)
		}
		if f.Format.Maximum != nil && n > *f.Format.Maximum {
			return "", fmt.Errorf("%w: above the maximum %d", errValue, *f.Format.Maximum)
		}
		return strconv.FormatInt(n, 10), nil
	case "date":
		y, m, d, err := strptimeDate(v, f.Format.Date)
		if err != nil {
			return "", fmt.Errorf("%w: not a date in the format %q (%v)", errValue, f.Format.Date, err)
		}
		// Python's strftime("%Y") does not pad years below 1000 on the platforms clkhash runs
		// on; neither does this.
		return fmt.Sprintf("%d%02d%02d", y, m, d), nil
	}
	return "", fmt.Errorf("%w: unknown format type", errValue)
}

func checkString(f *Format, v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: not valid UTF-8", errValue)
	}
	if f.Encoding == "ascii" {
		for i := 0; i < len(v); i++ {
			if v[i] >= 0x80 {
				return fmt.Errorf("%w: not ASCII", errValue)
			}
		}
	}
	if f.Pattern != nil {
		if !f.Pattern.MatchString(v) {
			return fmt.Errorf("%w: does not match the pattern", errValue)
		}
		return nil
	}
	n := utf8.RuneCountInString(v)
	if n < f.MinLength {
		return fmt.Errorf("%w: shorter than %d characters", errValue, f.MinLength)
	}
	if f.MaxLength > 0 && n > f.MaxLength {
		return fmt.Errorf("%w: longer than %d characters", errValue, f.MaxLength)
	}
	switch f.Case {
	case "upper":
		if strings.ToUpper(v) != v {
			return fmt.Errorf("%w: not upper case", errValue)
		}
	case "lower":
		if strings.ToLower(v) != v {
			return fmt.Errorf("%w: not lower case", errValue)
		}
	}
	return nil
}

// parsePythonInt parses what Python's int(s, 10) accepts: surrounding white space, an optional
// sign, and ASCII digits with single underscores between them.
func parsePythonInt(s string) (int64, error) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, errValue
	}
	var n uint64
	for _, r := range s {
		if r == '_' {
			continue
		}
		d := digitValue(r)
		if d < 0 {
			return 0, errValue
		}
		if n > (math.MaxInt64+1)/10 {
			return 0, errValue
		}
		n = n*10 + uint64(d)
	}
	if n > math.MaxInt64+1 || (!neg && n > math.MaxInt64) {
		return 0, errValue
	}
	if neg {
		return -int64(n), nil
	}
	return int64(n), nil
}

// digitValue accepts ASCII digits only. Python also accepts other Unicode decimal digits; such a
// value is refused here with an error rather than risk encoding it differently.
func digitValue(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	return -1
}

var monthNames = []string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}
var dayNames = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// checkDateLayout refuses strptime directives that this implementation does not support.
func checkDateLayout(layout string) error {
	for i := 0; i < len(layout); i++ {
		if layout[i] != '%' {
			continue
		}
		i++
		if i == len(layout) {
			return errors.New("ends with a lone %")
		}
		if !strings.ContainsRune("YmdybBhaAjHMSIpf%", rune(layout[i])) {
			return fmt.Errorf("the directive %%%c is not supported", layout[i])
		}
	}
	return nil
}

// strptimeDate reads a date as Python's datetime.strptime does for the directives %Y %m %d %y
// %b %B %h %a %A %j %H %M %S %I %p %f and %%: numbers may have fewer digits than their width,
// names are English and case-insensitive, white space in the layout matches any run of white
// space (or none), and the whole input must be used.
func strptimeDate(s, layout string) (year, month, day int, err error) {
	year, month, day = 1900, 1, 1
	yday := 0
	pos := 0
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' {
			if unicode.IsSpace(rune(c)) {
				for pos < len(s) && unicode.IsSpace(rune(s[pos])) {
					pos++
				}
				continue
			}
			if pos >= len(s) || s[pos] != c {
				return 0, 0, 0, errors.New("literal text differs")
			}
			pos++
			continue
		}
		i++
		if i >= len(layout) {
			return 0, 0, 0, errors.New("bad layout")
		}
		num := func(width, lo, hi int) (int, error) {
			start := pos
			for pos < len(s) && pos-start < width && s[pos] >= '0' && s[pos] <= '9' {
				pos++
			}
			if pos == start {
				return 0, errors.New("a number is missing")
			}
			v, _ := strconv.Atoi(s[start:pos])
			if v < lo || v > hi {
				return 0, errors.New("a number is out of range")
			}
			return v, nil
		}
		name := func(names []string) (int, error) {
			rest := strings.ToLower(s[pos:])
			for k, n := range names {
				if strings.HasPrefix(rest, n) {
					pos += len(n)
					return k + 1, nil
				}
			}
			for k, n := range names {
				if strings.HasPrefix(rest, n[:3]) {
					pos += 3
					return k + 1, nil
				}
			}
			return 0, errors.New("a name is not recognised")
		}
		var e error
		switch layout[i] {
		case 'Y':
			year, e = num(4, 1, 9999)
		case 'y':
			var y int
			y, e = num(2, 0, 99)
			// POSIX: 69-99 are 1969-1999, 00-68 are 2000-2068.
			if y >= 69 {
				year = 1900 + y
			} else {
				year = 2000 + y
			}
		case 'm':
			month, e = num(2, 1, 12)
		case 'd':
			day, e = num(2, 1, 31)
		case 'j':
			yday, e = num(3, 1, 366)
		case 'b', 'B', 'h':
			month, e = name(monthNames)
		case 'a', 'A':
			_, e = name(dayNames)
		case 'H':
			_, e = num(2, 0, 23)
		case 'I':
			_, e = num(2, 1, 12)
		case 'M':
			_, e = num(2, 0, 59)
		case 'S':
			_, e = num(2, 0, 61)
		case 'f':
			_, e = num(6, 0, 999999)
		case 'p':
			rest := strings.ToLower(s[pos:])
			if strings.HasPrefix(rest, "am") || strings.HasPrefix(rest, "pm") {
				pos += 2
			} else {
				e = errors.New("AM or PM is missing")
			}
		case '%':
			if pos >= len(s) || s[pos] != '%' {
				e = errors.New("literal text differs")
			} else {
				pos++
			}
		default:
			e = errors.New("unsupported directive")
		}
		if e != nil {
			return 0, 0, 0, e
		}
	}
	if pos != len(s) {
		return 0, 0, 0, errors.New("unconverted data remains")
	}
	if yday > 0 {
		leap := isLeap(year)
		if yday == 366 && !leap {
			return 0, 0, 0, errors.New("day of year out of range")
		}
		month, day = 1, yday
		for month <= 12 && day > daysIn(month, leap) {
			day -= daysIn(month, leap)
			month++
		}
	}
	if day > daysIn(month, isLeap(year)) {
		return 0, 0, 0, errors.New("day is out of range for month")
	}
	return year, month, day, nil
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(m int, leap bool) int {
	switch m {
	case 2:
		if leap {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
