// Package i18n holds the message catalogues (Spanish first, English; Guaraní later) and picks
// the language of a request.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

//go:embed catalog/*.json
var files embed.FS

// Default is the language used when nothing else decides: Spanish.
const Default = "es"

// Languages are the supported languages, the default first.
var Languages = []string{"es", "en"}

var (
	catalogs = map[string]map[string]string{}
	matcher  language.Matcher
)

// init loads every catalogue file. Files are named MODULE.LANG.json (core.es.json,
// persons.en.json, ...) so that each module keeps its messages beside the others without
// editing a shared file; a key defined by two files is a programming error.
func init() {
	tags := make([]language.Tag, len(Languages))
	for i, l := range Languages {
		tags[i] = language.MustParse(l)
		catalogs[l] = map[string]string{}
	}
	matcher = language.NewMatcher(tags)
	names, err := fs.Glob(files, "catalog/*.json")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".json")
		dot := strings.LastIndexByte(base, '.')
		lang := base[dot+1:]
		cat, ok := catalogs[lang]
		if dot < 0 || !ok {
			panic(fmt.Sprintf("catalog %s: name must be MODULE.LANG.json with LANG one of %v", name, Languages))
		}
		b, err := files.ReadFile(name)
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("catalog %s: %v", name, err))
		}
		for k, v := range m {
			if _, dup := cat[k]; dup {
				panic(fmt.Sprintf("catalog %s: key %q is already defined by another file", name, k))
			}
			cat[k] = v
		}
	}
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	_, ok := catalogs[lang]
	return ok
}

// Match picks the best supported language for an Accept-Language header.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[idx]
}

// T returns the message for key in lang, formatted with args. A key missing from lang falls
// back to Spanish; a key missing everywhere is returned as is, which tests catch.
func T(lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		if msg, ok = catalogs[Default][key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether key exists in lang's catalogue.
func Has(lang, key string) bool {
	_, ok := catalogs[lang][key]
	return ok
}

// Keys returns the sorted keys of lang's catalogue.
func Keys(lang string) []string {
	var out []string
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Name returns a language's name in that language, for the switch.
func Name(lang string) string {
	switch lang {
	case "es":
		return "Español"
	case "en":
		return "English"
	}
	return strings.ToUpper(lang)
}
